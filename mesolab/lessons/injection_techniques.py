"""Lesson 03 (injection techniques and depths): tables, a figure and self-checks from the knowledge base."""
from __future__ import annotations

import html

from ..knowledge import knowledge
from ..plots import FigureView
from ..selfcheck import ChoiceExercise, NumberExercise, register
from ..skin import layer_at_depth, needle_tip_depth_mm, skin_profile, thickness_range_mm
from ..techniques import (PARAMETER_NAMES, PARAMETERS, general_claims, parameter_text, points_for_area,
                          source_mark, stated_depth_conflicts, target_band_mm, target_text, technique,
                          technique_ids)
from ..readings.skin import short_layer_name
from ..readings.techniques import read_technique
from . import _Html, table

def _left(markup: str) -> str:
    """Long text reads better left-aligned (JupyterLab right-aligns table cells by default)."""
    return (markup.replace("<td>", '<td style="text-align:left;vertical-align:top">')
            .replace("<th>", '<th style="text-align:left">'))


_STATUS = {"sourced": "sourced", "disputed": "DISPUTED", "not_found": "NOT FOUND"}


def technique_tables() -> _Html:
    """One table per technique: target, then every parameter with its status and its sources."""
    parts = []
    for technique_id in technique_ids():
        chosen = technique(technique_id)
        target = chosen.target
        rows = [{"parameter": "Target layer", "status": "general rule" if target.basis == "general_rule" else "sourced",
                 "what the sources say": target_text(technique_id)}]
        for name in PARAMETERS:
            parameter = getattr(chosen, name)
            text = parameter_text(parameter).removeprefix("disputed: ").removeprefix("not found — ")
            if parameter.status == "disputed":
                text += f" — {parameter.disagreement}"
            rows.append({"parameter": PARAMETER_NAMES[name], "status": _STATUS[parameter.status],
                         "what the sources say": text})
        also = f" ({chosen.also_called})" if chosen.also_called else ""
        parts.append(_left(table(rows, caption=f"{chosen.name}{also}").markup))
    return _Html("".join(parts))


def general_table(topic: str = "volume_per_point") -> _Html:
    """Figures for ``topic`` that are not tied to one named technique, with what kind of source gives them."""
    kinds = {"mesotherapy_rule": "mesotherapy rule", "mesotherapy_study": "mesotherapy study",
             "manufacturer": "manufacturer sheet", "skin_booster": "skin booster (closest analogue)",
             "intradermal_injection": "intradermal injection (not mesotherapy)"}
    rows = [{"figure": claim.range_text or "—", "as stated": claim.says, "kind of source": kinds[claim.kind],
             "source": source_mark(claim.source), "note": claim.note} for claim in general_claims(topic)]
    caption = f"{topic.replace('_', ' ')}: figures not tied to one named technique"
    return _Html(_left(table(rows, caption=caption).markup))


def unconfirmed_figures() -> _Html:
    items = "".join(f"<li>{html.escape(text)}</li>" for text in knowledge().techniques.unconfirmed)
    return _Html(f'<ul class="mesolab-unconfirmed">{items}</ul>')


def depth_conflict_table(region: str = "cheek", sex: str = "female") -> _Html:
    """For each technique, where its sources' stated depth lands in ``region`` against its stated target."""
    profile = skin_profile(region, sex)
    rows = []
    for technique_id in technique_ids():
        conflicts = stated_depth_conflicts(technique_id, region, sex)
        rows.append({"technique": technique(technique_id).name, "target": target_text(technique_id),
                     f"stated depths in the {profile.region_name.lower()} ({sex})":
                         " ".join(conflicts) or "none misses the target as far as the model can tell "
                                                        "(it cannot tell where the fat thickness is unknown)"})
    caption = (f"Stated depth against stated target: {profile.region_name.lower()}, {sex}, "
               f"dermis–fat junction at {profile.skin_thickness_mm:.2f} mm (ultrasound)")
    return _Html(_left(table(rows, caption=caption).markup))


def example_deposit(technique_name: str = "papule", region: str = "cheek", sex: str = "female",
                    length_mm: float = 3.0, angle_deg: float = 30) -> FigureView:
    """A static figure as the simulator draws it: target outlined, deposit at the tip, with its text description."""
    reading = read_technique(technique_name, region, sex, length_mm, angle_deg)
    check = reading.check
    inputs = (reading.profile, length_mm, angle_deg, check.depth_mm, check.layer.name,
              target_band_mm(check.technique.id, reading.profile.region_id, sex),
              f"target: {check.technique.name.lower()}",
              f"Deposit ●: {check.depth_mm:.2f} mm deep\n{short_layer_name(check.layer.name)}")
    return FigureView.drawn_ahead("skin.draw_deposit", inputs, alt=f"{reading.description} {reading.verdict}",
                                  caption=reading.verdict)


def _depth_text() -> str:
    depth = needle_tip_depth_mm(2.5, 20)
    eyelid = skin_profile("upper_eyelid", "female").skin_thickness_mm
    return (f"depth = 2.5 mm × sin 20° ≈ {depth:.2f} mm: reticular dermis in most facial regions by ultrasound "
            f"[Meng22], already fat in a woman's eyelid (junction at {eyelid:.2f} mm).")


def _wrong_layer_texts() -> tuple[str, dict[str, str]]:
    """Explanation and hints of 03.wrong_layer, computed for a woman's cheek (the exercise's numbers)."""
    cheek = skin_profile("cheek", "female")
    epidermis = cheek.band("epidermis").bottom_mm or 0.0
    junction = cheek.skin_thickness_mm
    low, high = thickness_range_mm("epidermis", "histology")

    def depth(length: float, angle: float) -> float:
        return needle_tip_depth_mm(length, angle)

    papule = depth(4, 30)
    explanation = (f"4 mm at 30° puts the papule {papule:.2f} mm deep, in the "
                   f"{layer_at_depth('cheek', papule).name.lower()} of the cheek (junction at {junction:.2f} mm); "
                   "the papule aims at the dermo-epidermal junction [Ved07].")
    hints = {
        "a": f"1 mm × sin 8° ≈ {depth(1, 8):.2f} mm: inside the {epidermis:.2f} mm epidermis of this ultrasound model, "
             f"so the model calls it on target. By histology the epidermis is only {low:.2f}–{high:.2f} mm [Chopra15, "
             "Selcuk] and a 30G needle is 0.3 mm across: in real skin no deposit can be placed inside the epidermis.",
        "b": f"2 mm × sin 20° ≈ {depth(2, 20):.2f} mm: inside the dermis ({epidermis:.2f}–{junction:.2f} mm here).",
        "d": f"10 mm × sin 5° ≈ {depth(10, 5):.2f} mm: still inside the dermis, just above the junction at "
             f"{junction:.2f} mm."}
    return explanation, hints


def _points_text() -> str:
    area_mm2, spacing = 24 * 100, 8
    return (f"24 cm² = {area_mm2} mm²; {area_mm2} ÷ {spacing}² = {area_mm2 / spacing ** 2:g}, rounded up: "
            f"{points_for_area(24, spacing)} points.")


_WRONG_LAYER_EXPLANATION, _WRONG_LAYER_HINTS = _wrong_layer_texts()

register(
    ChoiceExercise(
        "03.route", "abcd", "83d1ea53d2b793b74fc7b1911cc84619b9025452fb167c646814f00847dc4a2e",
        "The sources define mesotherapy as an intradermal injection [SIM11, SIM20], some as intradermal or "
        "subcutaneous [KT13, PG19]. None places facial mesotherapy in the muscle.",
        hints={"a": "Muscle lies below the skin and the fat; no source places facial mesotherapy there.",
               "c": "Mesotherapy is not an injection into a vein.",
               "d": "Mesotherapy pierces the skin: it is an injection, not a product spread on the surface."}),
    ChoiceExercise(
        "03.bleeding", "abcd", "a78831dd2c53ba909da5d38b741ec7dade1b6c1c3d664e45e1d705d76cb52284",
        "The epidermis has no blood vessels, so the intra-epidermal technique draws no blood [Ved07]. Papules, "
        "nappage into the dermis and deeper techniques reach vessels: pinpoint bleeding and bruising are expected "
        "needle effects there.",
        hints={"a": "Only a tip that stays in the epidermis avoids vessels; the dermis has capillary loops.",
               "c": "One technique stays in the epidermis, which has no vessels.",
               "d": "A thin needle in the dermis still meets its capillary loops: the layer matters, not the needle."}),
    NumberExercise(
        "03.depth", "mm", lambda: needle_tip_depth_mm(2.5, 20), 0.02,
        _depth_text(),
        "Use depth = inserted length × sin(angle), with the angle in degrees: math.sin(math.radians(20))."),
    ChoiceExercise(
        "03.wrong_layer", "abcd", "be63daf9fe82d7c6fa437c5cf50f518d80a1caab3d4eaec661121b26fa08018f",
        _WRONG_LAYER_EXPLANATION, hints=_WRONG_LAYER_HINTS),
    NumberExercise(
        "03.points", "points", lambda: points_for_area(24, 8), 0.0,
        _points_text(),
        "Convert cm² to mm² (× 100), divide by the spacing squared, then round up to a whole point."),
    ChoiceExercise(
        "03.choose", "abcd", "b553076cb58cacc6fe8aaced8427a1aca87781dbb0343f10d55d7cc5f1831fd0",
        "Vedamurthy names the intra-epidermal technique for facial rejuvenation and for patients with low pain "
        "tolerance, and it draws no blood [Ved07].",
        hints={"b": "Point-by-point is described for fat [PHP ⚠]: far too deep for this goal.",
               "c": "Nappage is described for the scalp and cellulite [PHP ⚠], and its depth is disputed.",
               "d": "Linear retrotracing has no stated use in the sources read, and is described at about 2 mm."}),
)
