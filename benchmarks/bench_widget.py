"""Responsiveness of the widgets with figures, in process on the Agg backend: the skin cross-section explorer in
detail, then the GAGS calculator and the technique simulator (median change -> figure).

(a) Widget change -> updated figure: the explorer redraws synchronously inside its observer, so the
    time of ``explorer.angle.value = ...`` (or ``length``, ``region``) is the time until the new PNG,
    readout and figure description are set. A sweep alternates angle, length and region the way a
    student drags the sliders and flips regions; median, p90 and the first (cold) change are reported.
(b) The domain computation alone: ``needle_tip_depth_mm`` then ``layer_at_depth`` over random valid
    inputs, per call, with timeit.

Prints measured value, goal and the ratio measured / goal, from this one run; not a CI gate.

    python benchmarks/bench_widget.py [--changes 300] [--calls 20000] [--seed 1]
"""
from __future__ import annotations

import os

os.environ["MPLBACKEND"] = "Agg"  # before matplotlib is imported anywhere

import argparse  # noqa: E402
import itertools  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import timeit  # noqa: E402

import matplotlib  # noqa: E402

matplotlib.use("Agg")

from mesolab import skin  # noqa: E402
from mesolab.widgets import SkinCrossSectionExplorer  # noqa: E402

GOAL_CHANGE_MS = 30.0
GOAL_DOMAIN_US = 1000.0


def bounce(values: list, start: int = 0):
    """Values as a slider drag visits them: step by step to one end, back to the other, and so on."""
    cycle = values + values[-2:0:-1]
    return itertools.islice(itertools.cycle(cycle), start, None)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def sweep_changes(explorer: SkinCrossSectionExplorer, changes: int, rng: random.Random) -> dict[str, list[float]]:
    """Assign ``changes`` new values, alternately to angle, length and region; seconds per control."""
    angle, length = explorer.angle, explorer.length
    angles = bounce(list(range(angle.min, angle.max + 1, int(angle.step))), start=angle.value - angle.min)
    steps = round((length.max - length.min) / length.step)
    lengths = bounce([round(length.min + i * length.step, 3) for i in range(steps + 1)],
                     start=round((length.value - length.min) / length.step))
    regions = [value for _, value in explorer.region.options]
    # A slider drag moves several steps before the student picks another control.
    angle_stride, length_stride = 3, 2
    times: dict[str, list[float]] = {"angle": [], "length": [], "region": [], "all": []}
    for i in range(changes):
        control = ("angle", "length", "region")[i % 3]
        if control == "angle":
            widget, value = angle, next(v for v in itertools.islice(angles, angle_stride - 1, None) if v != angle.value)
        elif control == "length":
            widget, value = length, next(v for v in itertools.islice(lengths, length_stride - 1, None)
                                         if v != length.value)
        else:
            widget, value = explorer.region, rng.choice([r for r in regions if r != explorer.region.value])
        began = time.perf_counter()
        widget.value = value
        elapsed = time.perf_counter() - began
        times[control].append(elapsed)
        times["all"].append(elapsed)
    return times


def domain_inputs(count: int, rng: random.Random) -> list[tuple[float, float, str, str]]:
    regions = skin.region_ids()
    return [(rng.uniform(0.0, skin.MAX_NEEDLE_LENGTH_MM), rng.uniform(0.0, 90.0), rng.choice(regions),
             rng.choice(skin.SEXES)) for _ in range(count)]


def time_domain(inputs: list[tuple[float, float, str, str]], repeat: int) -> list[float]:
    """Seconds per (needle_tip_depth_mm + layer_at_depth) call, one value per timeit repeat."""
    tip, layer = skin.needle_tip_depth_mm, skin.layer_at_depth

    def run() -> None:
        for length, angle, region, sex in inputs:
            layer(region, tip(length, angle), sex)

    return [total / len(inputs) for total in timeit.repeat(run, number=1, repeat=repeat)]


def other_widgets(rng: random.Random, changes: int = 60) -> list[tuple[str, float, float, str]]:
    """Median change -> figure of the GAGS calculator (one area's worst lesion) and the technique simulator
    (angle and inserted length alternately), the first (cold) change left out."""
    from mesolab.acne import gags_lesions, gags_regions
    from mesolab.widgets import GagsCalculator, TechniqueSimulator

    def timed(change) -> float:
        started = time.perf_counter()
        change()
        return (time.perf_counter() - started) * 1000

    calculator, regions, lesions = GagsCalculator(), list(gags_regions()), list(gags_lesions())
    gags = []
    for _ in range(changes):
        dropdown = calculator.areas[rng.choice(regions)]
        choices = [v for _, v in dropdown.options if v != dropdown.value] if isinstance(dropdown.options[0], tuple) \
            else [v for v in dropdown.options if v != dropdown.value]
        value = rng.choice(choices)
        gags.append(timed(lambda: setattr(dropdown, "value", value)))
    simulator = TechniqueSimulator()
    technique = []
    for index in range(changes):
        if index % 2:
            value = rng.randint(int(simulator.angle.min), int(simulator.angle.max))
            technique.append(timed(lambda: setattr(simulator.angle, "value", value)))
        else:
            value = round(rng.uniform(simulator.length.min, simulator.length.max), 1)
            technique.append(timed(lambda: setattr(simulator.length, "value", value)))
    return [("GagsCalculator change -> figure, median", statistics.median(gags[1:]), GOAL_CHANGE_MS, "ms"),
            ("TechniqueSimulator change -> figure, median", statistics.median(technique[1:]), GOAL_CHANGE_MS, "ms")]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--changes", type=int, default=300, help="widget changes in the sweep (default 300)")
    parser.add_argument("--calls", type=int, default=20000, help="random inputs for the domain timing")
    parser.add_argument("--repeat", type=int, default=5, help="timeit repeats of the domain timing")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    began = time.perf_counter()
    explorer = SkinCrossSectionExplorer(region="cheek", sex="female", inserted_length_mm=4.0, angle_deg=30)
    construct_ms = (time.perf_counter() - began) * 1000
    times = sweep_changes(explorer, max(args.changes, 100), rng)
    assert bytes(explorer.image.value[:4]).startswith(b"\x89PNG"), "the explorer shows no PNG"

    ms = {control: [t * 1000 for t in values] for control, values in times.items()}
    cold = ms["all"][0]
    warm = ms["all"][1:]
    per_call = time_domain(domain_inputs(args.calls, rng), args.repeat)
    domain_us = statistics.median(per_call) * 1e6

    print(f"SkinCrossSectionExplorer on Agg, matplotlib {matplotlib.__version__}, Python {sys.version.split()[0]}, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    print(f"sweep: {len(ms['all'])} changes alternating angle / length / region "
          f"(angle slider moved {3}°, length {2} steps of 0.5 mm per change, region picked at random)")
    print()
    rows = [
        ("(a) change -> figure, median", statistics.median(warm), GOAL_CHANGE_MS, "ms"),
        ("(a) change -> figure, p90", percentile(warm, 0.9), GOAL_CHANGE_MS, "ms"),
        ("(a) first change (cold)", cold, GOAL_CHANGE_MS, "ms"),
        ("    angle change, median", statistics.median(ms["angle"][1:] or ms["angle"]), GOAL_CHANGE_MS, "ms"),
        ("    length change, median", statistics.median(ms["length"]), GOAL_CHANGE_MS, "ms"),
        ("    region change, median", statistics.median(ms["region"]), GOAL_CHANGE_MS, "ms"),
        ("    first region change", ms["region"][0], GOAL_CHANGE_MS, "ms"),
        ("    slowest change", max(ms["all"]), GOAL_CHANGE_MS, "ms"),
        ("(b) tip depth + layer, per call", domain_us, GOAL_DOMAIN_US, "µs"),
        *other_widgets(rng),
    ]
    width = max(len(r[0]) for r in rows)
    header = f"{'measure':<{width}}  {'measured':>12}  {'goal':>12}  {'measured/goal':>13}"
    print(header)
    print("-" * len(header))
    for name, value, goal, unit in rows:
        print(f"{name:<{width}}  {value:9.2f} {unit:<2}  ≤ {goal:6.0f} {unit:<2}  {value / goal:12.3f}×")
    print()
    print(f"(a) median and p90 exclude the first change; the p90 is over all three controls. Building the explorer "
          f"(first figure included) took {construct_ms:.0f} ms.")
    print(f"(b) {args.calls} random valid inputs (length 0–{skin.MAX_NEEDLE_LENGTH_MM:g} mm, angle 0–90°, every "
          f"region and sex), median of {args.repeat} timeit repeats; best {min(per_call) * 1e6:.2f} µs.")
    print("Ratios from this one run: below 1 is within the goal. Not a CI gate.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
