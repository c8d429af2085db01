"""Lesson 01 (skin layers): tables, figures and self-checks. Every number comes from the knowledge base."""
from __future__ import annotations

import math

from ..knowledge import knowledge
from ..plots import FigureView
from ..selfcheck import ChoiceExercise, NumberExercise, register
from ..skin import SEXES, needle_tip_depth_mm, region_ids, skin_profile, thickness_range_mm
from ..readings.skin import read_needle
from . import table


def thickness_table(layer: str) -> object:
    """Every measurement of ``layer`` with region, sex, method and source."""
    base = knowledge()
    names = {region.id: region.name for region in base.skin.regions} | {"face": "Face (range over sites)"}
    rows = [
        {"region": names[m.region], "sex": m.sex, "method": m.method, "thickness": m.text,
         "source": f"[{m.source}]" + (" ⚠" if base.source(m.source).secondary else ""), "note": m.note}
        for m in base.skin.measurements if m.layer == layer
    ]
    return table(rows, caption=f"{layer.replace('_', ' ')}: thickness on the face")


def example_cross_section(region: str = "cheek", sex: str = "female", length_mm: float = 4.0,
                          angle_deg: float = 30) -> FigureView:
    """A static cross-section with a needle, as the explorer draws it, with its text description."""
    reading = read_needle(region, sex, length_mm, angle_deg)
    return FigureView.drawn_ahead("skin.draw_cross_section", (reading.profile, length_mm, angle_deg,
                                                              reading.tip_depth_mm, reading.layer.name),
                                  alt=reading.description, caption=reading.summary)


def junction_depth_figure() -> FigureView:
    """Where the dermis ends in each region, under the 2–4 mm band of a technique chart."""
    rows = "; ".join(f"{p.region_name} {p.sex} {p.skin_thickness_mm:.2f} mm"
                     for p in (skin_profile(r, s) for r in region_ids() for s in SEXES))
    return FigureView.drawn_ahead(
        "skin.plot_junction_depth_vs_charts", (),
        alt=f"Bar chart of the depth of the dermis–fat junction by region and sex: {rows}. "
            "A shaded band marks the chart's 'deep dermis 2–4 mm'; every bar ends above it.",
        caption="Depth of the dermis–fat junction (epidermis + dermis, ultrasound [Meng22]); hatched "
                "bars are assumptions where no regional value exists. Shaded: a technique chart's "
                "'deep dermis' band [Perrin08].")


def _deepest_junction() -> tuple[float, str]:
    """The deepest dermis–fat junction of the cross-section model (ultrasound) and where it is."""
    profile = max((skin_profile(r, s) for r in region_ids() for s in SEXES), key=lambda p: p.skin_thickness_mm)
    return profile.skin_thickness_mm, f"{profile.sex} {profile.region_name.lower()}"


def _tip_depth_text() -> str:
    depth = needle_tip_depth_mm(6, 20)
    junction, where = _deepest_junction()
    skin_high = thickness_range_mm("skin")[1]
    histology_high = thickness_range_mm("dermis", "histology")[1]
    return (f"depth = 6 mm × sin 20° ≈ {depth:.2f} mm. By the ultrasound study of the lessons [Meng22] that is below "
            f"the dermis in every region (the deepest junction, {where}, lies at {junction:.2f} mm). Not everywhere "
            f"by every method: 50 MHz ultrasound measured full skin up to {skin_high:g} mm [HFUS50], and histology a "
            f"dermis up to {histology_high:g} mm [Chopra15]; there the tip may still be in the skin.")


def _tip_layer_text() -> tuple[str, dict[str, str]]:
    profile = skin_profile("forehead", "female")
    depth = needle_tip_depth_mm(6, 20)
    papillary = profile.band("papillary_dermis")
    explanation = (f"The woman's forehead skin (epidermis + dermis) is about {profile.skin_thickness_mm:.2f} mm thick by "
                   f"ultrasound [Meng22], so a tip at {depth:.2f} mm lies in the subcutaneous fat.")
    hints = {"a": f"The epidermis is only about {profile.band('epidermis').bottom_mm:.2f} mm thick by ultrasound.",
             "b": f"The papillary dermis is the upper fifth of the dermis: here {papillary.top_mm:.2f}–"
                  f"{papillary.bottom_mm:.2f} mm deep.",
             "c": f"Add the epidermis and the dermis: is {depth:.2f} mm above or below their sum?"}
    return explanation, hints


def _max_length_mm() -> float:
    return skin_profile("upper_eyelid", "female").skin_thickness_mm / math.sin(math.radians(30))


_TIP_LAYER_EXPLANATION, _TIP_LAYER_HINTS = _tip_layer_text()

register(
    ChoiceExercise(
        "01.invasive", "abcd",
        "5651fd0b703d0e3e399f1cc3e5cdcbeac6dfe28fd3a0b636c442f1734b6132d3", "Mesotherapy pierces the skin with a needle: it is minimally invasive [KT13, SIM14, SGM11]. "
        "Calling it non-invasive hides the risks of any injection: infection, bruising, necrosis.",
        hints={"a": "A needle passes through the epidermis into the dermis: that is an invasion of the skin.",
               "c": "No incision is made and nothing is removed: it is not surgery.",
               "d": "Topical means applied on the skin; mesotherapy injects into it."}),
    ChoiceExercise(
        "01.mesoderm", "abcd",
        "e8b9f8c4d3eef1736883c0c616796705513df1cf84116ad0b645c112ece663fd", "The mesoderm is an embryonic germ layer; it gives rise to connective tissue, muscle and the "
        "circulation [SGM11]. Adult skin has epidermis, dermis and hypodermis: mesotherapy aims at the dermis.",
        hints={"a": "Adult skin has no layer called the mesoderm: the middle layer is the dermis.",
               "b": "The dermis develops partly from mesoderm, but 'mesoderm' names the embryonic layer, not the dermis.",
               "d": "The hypodermis is fat below the dermis; the mesoderm is not a layer of adult skin."}),
    ChoiceExercise(
        "01.method", "abcd",
        "c275fa292e0370202a574d9fb5cc6d5f381d1313a2f67b62fe24adbd75a56f3d", "High-frequency ultrasound reads the epidermis 2–5 times thicker than histology does: compare "
        "thicknesses only within one method, and always say which method a number comes from.",
        hints={"a": "Both numbers come from groups of adults; sex differences are far smaller than this.",
               "c": "One is not a typo: each is typical of its method.",
               "d": "Both ranges cover many facial sites; the region does not explain a 3- to 5-fold gap."}),
    NumberExercise(
        "01.tip_depth", "mm", lambda: needle_tip_depth_mm(6, 20), 0.05,
        _tip_depth_text(),
        "Use depth = inserted length × sin(angle), with the angle in degrees: math.sin(math.radians(20))."),
    ChoiceExercise(
        "01.tip_layer", "abcd",
        "5c174c3358f89bc9933a24798c898b9f970953a57fcf95aeab389fcc531f2798", _TIP_LAYER_EXPLANATION,
        hints=_TIP_LAYER_HINTS),
    NumberExercise(
        "01.max_length", "mm",
        _max_length_mm, 0.05,
        f"length = skin thickness / sin 30° = twice the skin thickness: about {_max_length_mm():.1f} mm. At 30°, "
        f"barely {_max_length_mm():.1f} mm of needle already reaches the fat of the upper eyelid (by ultrasound [Meng22]).",
        "Turn the rule round: length = depth / sin(angle), with the depth of the dermis–fat junction of the "
        "female upper eyelid (epidermis + dermis)."),
)
