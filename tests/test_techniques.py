"""Module 03: the techniques knowledge file, the domain functions, the simulator without a browser, the lesson."""
from __future__ import annotations

import math
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mesolab.knowledge import KnowledgeError, knowledge, load
from mesolab.selfcheck import check
from mesolab.skin import layer_at_depth, needle_tip_depth_mm, region_ids, skin_profile
from mesolab.techniques import (PARAMETERS, check_deposit, general_claims, lands_in_target, parameter_text,
                                points_for_area, stated_depth_conflicts, target_band_mm, target_layers, target_text,
                                technique, technique_ids, total_volume_ml)
from mesolab.widgets import SkinCrossSectionExplorer, TechniqueSimulator
from mesolab.readings.techniques import read_technique

REQUIRED = {"intra_epidermal", "papule", "nappage", "point_by_point", "linear_retrotracing"}


# --- knowledge base ------------------------------------------------------------------------------------------

def test_the_five_techniques_are_there_with_every_parameter_explicit():
    assert set(technique_ids()) == REQUIRED
    for technique_id in technique_ids():
        chosen = technique(technique_id)
        for name in PARAMETERS:
            parameter = getattr(chosen, name)
            assert parameter.status in ("sourced", "disputed", "not_found"), (technique_id, name)
            if parameter.status == "not_found":
                assert parameter.reason and not parameter.claims
            else:
                assert parameter.claims and all(c.source for c in parameter.claims)


def test_the_facts_the_lesson_teaches_are_in_the_knowledge_base():
    assert target_layers("intra_epidermal") == ("epidermis",)
    assert technique("intra_epidermal").target.claims[0].source == "Ved07"
    assert technique("intra_epidermal").bleeding.claims[0].source == "Ved07"
    papule = technique("papule")
    assert papule.depth.status == "disputed"
    assert {c.source for c in papule.depth.claims} == {"Ved07", "BTP", "Meso-es"}
    nappage = technique("nappage")
    assert nappage.depth.status == "disputed"
    assert [(c.low, c.high) for c in nappage.depth.claims if c.source == "BTP"] == [(2.0, 4.0)]
    assert nappage.target.basis == "general_rule"
    # Volume per point is not found for any named technique (techniques.yaml: not found).
    assert all(technique(t).volume_per_point.status == "not_found" for t in technique_ids())
    volumes = {c.source: (c.low, c.high) for c in general_claims("volume_per_point")}
    assert volumes["Amin06"] == (0.01, 0.01) and volumes["MesoMed"] == (0.01, 0.05) and volumes["SIM20"] == (0.1, 0.2)
    assert any("0.02–0.1 mL" in text and "no source confirmed" in text for text in knowledge().techniques.unconfirmed)
    assert {c.source for c in general_claims("route")} == {"SIM11", "SIM20", "KT13", "PG19"}


def test_every_technique_claim_resolves_in_the_bibliography():
    values = [v for v in knowledge().sourced_values() if v[0] == "techniques.yaml"]
    assert len(values) >= 40
    for _file, path, value in values:
        assert knowledge().source(value.source).citation, path


def test_not_found_without_a_reason_is_an_error(knowledge_copy):
    knowledge_copy.replace(
        "techniques.yaml",
        '      reason: "No spacing found for point-by-point (not found in the sources searched)."\n', "")
    with pytest.raises(KnowledgeError, match=r"techniques\.yaml: techniques\[3\]\.spacing: .*needs a reason"):
        load(knowledge_copy)


def test_a_missing_parameter_is_an_error_never_a_default(knowledge_copy):
    text = (knowledge_copy / "techniques.yaml").read_text(encoding="utf-8")
    start = text.index("    bevel:\n      status: not_found\n      reason: \"No bevel orientation found for nappage")
    end = text.index("    volume_per_point:", start)
    (knowledge_copy / "techniques.yaml").write_text(text[:start] + text[end:], encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"techniques\.yaml: techniques\[2\]\.bevel: Field required"):
        load(knowledge_copy)


def test_a_dispute_needs_two_claims_and_a_unit_mismatch_fails(knowledge_copy):
    knowledge_copy.replace("techniques.yaml",
                           '        - {says: "2–3 mm apart", low: 2.0, high: 3.0, unit: mm, source: Samo}\n', "")
    with pytest.raises(KnowledgeError, match=r"techniques\[2\]\.spacing: .*at least two claims"):
        load(knowledge_copy)
    knowledge_copy.restore("techniques.yaml")
    knowledge_copy.replace("techniques.yaml", "low: 10.0, high: 10.0, unit: mm, source: BTP",
                           "low: 10.0, high: 10.0, unit: degrees, source: BTP")
    with pytest.raises(KnowledgeError, match=r"techniques\[1\]: .*spacing claims are in mm, not degrees"):
        load(knowledge_copy)


def test_an_unknown_source_in_a_claim_names_the_field(knowledge_copy):
    knowledge_copy.replace("techniques.yaml", "source: Samo}", "source: Nobody99}")
    with pytest.raises(KnowledgeError, match=r"techniques\.yaml: techniques\[2\]\.spacing\.claims\[1\]\.source: "
                                             r"unknown source 'Nobody99'"):
        load(knowledge_copy)


# --- domain functions ----------------------------------------------------------------------------------------

def test_lookup_by_name_and_clear_errors():
    assert technique("Point-by-point").id == "point_by_point"
    assert technique(" intradermal wheal ").id == "papule"
    assert technique("retrotracing").id == "linear_retrotracing"
    with pytest.raises(ValueError, match=r"unknown technique 'mesobotox'; valid techniques: intra_epidermal, papule"):
        technique("mesobotox")
    with pytest.raises(ValueError, match="unknown technique"):
        technique(3)  # type: ignore[arg-type]


def test_deposit_checks_use_the_module_01_skin_model():
    deposit = check_deposit("papule", "cheek", 3, 12)
    assert deposit.depth_mm == pytest.approx(needle_tip_depth_mm(3, 12))
    assert deposit.layer == layer_at_depth("cheek", deposit.depth_mm)
    assert deposit.layer.layer_id == "reticular_dermis" and deposit.in_target is False
    assert deposit.verdict.startswith(
        "⚠ Papule, female cheek (zygoma): deposit 0.62 mm deep → Reticular dermis: OUTSIDE")
    assert "too deep" in deposit.verdict
    assert check_deposit("intra_epidermal", "forehead", 1, 8).in_target is True
    assert "too shallow" in check_deposit("nappage", "cheek", 0.5, 10).verdict
    assert check_deposit("nappage", "cheek", 4, 30).in_target is False  # 2 mm: below the facial dermis
    # Deep in fat whose thickness is not measured in this region: the model cannot tell.
    assert check_deposit("point_by_point", "cheek", 13, 45).in_target is None
    assert lands_in_target("point_by_point", "perioral", 4.0) is True


def test_the_lessons_worked_examples():
    answers = {("intra_epidermal", 1, 8): True, ("nappage", 2, 20): True, ("papule", 4, 30): False,
               ("linear_retrotracing", 10, 5): True}
    for (name, length, angle), expected in answers.items():
        assert check_deposit(name, "cheek", length, angle).in_target is expected, name


def test_target_band_follows_the_region():
    top, bottom = target_band_mm("nappage", "cheek", "female")
    profile = skin_profile("cheek", "female")
    assert (top, bottom) == (profile.band("papillary_dermis").top_mm, profile.skin_thickness_mm)
    assert target_band_mm("point_by_point", "cheek")[1] is None
    assert target_band_mm("papule", "upper_eyelid")[1] < target_band_mm("papule", "forehead", "male")[1]


def test_stated_depths_that_miss_the_stated_target_are_reported_not_hidden():
    papule = stated_depth_conflicts("papule", "cheek", "female")
    assert len(papule) == 2 and any("[BTP ⚠] says 1–2 mm" in text for text in papule)
    assert all("papillary dermis [Ved07]" in text for text in papule)
    nappage = stated_depth_conflicts("nappage", "forehead", "male")
    assert len(nappage) == 1 and "2–4 mm" in nappage[0] and "hypodermis" in nappage[0]
    assert "'1 mm'" in stated_depth_conflicts("intra_epidermal", "cheek")[0]
    assert stated_depth_conflicts("point_by_point", "cheek") == ()  # fat of unmeasured thickness: cannot tell
    assert "below the superficial fat" in stated_depth_conflicts("point_by_point", "perioral")[0]  # 12 mm > 5.14 mm fat
    for region in region_ids():  # 2–4 mm misses the dermis in every facial region (the lesson's claim)
        assert stated_depth_conflicts("nappage", region), region


def test_texts_show_sources_disputes_and_gaps():
    assert parameter_text(technique("nappage").depth).startswith("disputed: 2–4 mm [BTP ⚠] vs ")
    assert parameter_text(technique("papule").angle).startswith("not found — ")
    assert "general rule" in target_text("nappage") and "[SIM11]" in target_text("nappage")
    assert "general rule" not in target_text("papule")


def test_points_and_volume():
    assert points_for_area(12, 10) == 12
    assert points_for_area(24, 8) == 38  # 37.5 rounded up
    assert points_for_area(1, 10) == 1
    assert points_for_area(0, 10) == 0
    assert points_for_area(30, 10) == 30  # no floating-point extra point
    assert total_volume_ml(30, 10, 0.01) == pytest.approx(0.3)
    assert total_volume_ml(35, 8, 0.02) == pytest.approx(1.1)


@pytest.mark.parametrize("call, message", [
    (lambda: points_for_area(-1, 10), "area_cm2 must be between 0 and 500 cm²"),
    (lambda: points_for_area(10, 0), "spacing_mm must be between 1 and 50 mm"),
    (lambda: points_for_area("10", 5), "area_cm2 must be a number in cm²"),
    (lambda: points_for_area(float("nan"), 5), "finite"),
    (lambda: total_volume_ml(10, 5, 2), "volume_per_point_ml must be between 0 and 1 mL"),
    (lambda: check_deposit("papule", "nose", 1, 10), "unknown region 'nose'"),
    (lambda: check_deposit("papule", "cheek", 1, 100), "angle_deg must be between 0 and 90"),
    (lambda: general_claims("dose"), "unknown topic 'dose'"),
])
def test_bad_input_gives_a_clear_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@settings(max_examples=200, deadline=None)
@given(area=st.floats(0, 500), spacing=st.floats(1, 50))
def test_points_cover_the_area(area, spacing):
    points = points_for_area(area, spacing)
    assert points * spacing ** 2 >= area * 100 - 1e-3
    assert (points - 1) * spacing ** 2 < area * 100 + 1e-3 or points == 0


@settings(max_examples=200, deadline=None)
@given(name=st.sampled_from(sorted(REQUIRED)), region=st.sampled_from(["cheek", "upper_eyelid", "forehead", "chin"]),
       length=st.floats(0, 13), angle=st.floats(0, 90))
def test_a_deposit_check_agrees_with_the_layer_at_its_depth(name, region, length, angle):
    deposit = check_deposit(name, region, length, angle)
    assert deposit.depth_mm == pytest.approx(length * math.sin(math.radians(angle)))
    if deposit.in_target is not None:
        assert deposit.in_target == (layer_at_depth(region, deposit.depth_mm).layer_id in target_layers(name))


# --- simulator without a browser -----------------------------------------------------------------------------

def test_reading_says_verdict_treatment_and_target():
    reading = read_technique("papule", "cheek", "female", 3, 12, 18, 7, 0.02)
    assert reading.verdict.startswith("⚠ Papule, female cheek (zygoma): deposit 0.62 mm deep")
    assert "37 points" in reading.treatment and "0.74 mL" in reading.treatment
    assert "teaching approximation" in reading.treatment and "about 10 mm apart [BTP ⚠]" in reading.treatment
    assert "Volume per point: not found" in reading.treatment
    assert "[Ved07]" in reading.target
    assert "drawn to scale" in reading.description and "0.62 mm deep" in reading.description
    lines = read_technique("linear_retrotracing", "cheek", "female", 10, 5)
    assert "along lines, not at points" in lines.treatment


def test_simulator_controls_update_text_and_figure():
    simulator = TechniqueSimulator()
    before_text, before_png = simulator.readout.value, bytes(simulator.image.value)
    assert before_png.startswith(b"\x89PNG") and "OUTSIDE" in before_text  # papule, 2 mm at 30°: 1 mm deep
    simulator.angle.value = 8
    assert "0.28 mm deep → Papillary dermis: in the target" in simulator.readout.value
    assert bytes(simulator.image.value) != before_png
    simulator.technique.value = "intra_epidermal"
    assert "OUTSIDE" in simulator.readout.value and "too deep" in simulator.readout.value
    assert "The sources contradict each other here" in simulator.conflicts.value
    simulator.technique.value = "point_by_point"
    assert "No stated depth of this technique misses" in simulator.conflicts.value
    before = simulator.readout.value
    simulator.area.value = 30
    assert "Area 30 cm²" in simulator.readout.value and simulator.readout.value != before
    simulator.spacing.value = 5
    assert "120 points" in simulator.readout.value
    simulator.volume.value = 0.05
    assert "6.00 mL" in simulator.readout.value
    simulator.region.value = "upper_eyelid"
    simulator.sex.value = "male"
    assert "Upper eyelid" in simulator.conflicts.value or "upper eyelid" in simulator.screen_reader_text.value
    assert 'role="status"' in simulator.readout.value and "Figure description" in simulator.screen_reader_text.value


def test_every_technique_and_extreme_position_gives_a_reading():
    simulator = TechniqueSimulator()
    for technique_id in [value for _, value in simulator.technique.options]:
        simulator.technique.value = technique_id
        for angle in (simulator.angle.min, simulator.angle.max):
            for length in (simulator.length.min, simulator.length.max):
                simulator.angle.value, simulator.length.value = angle, length
                assert len(re.findall(r"deposit [0-9.]+ mm deep", simulator.readout.value)) == 1


def test_controls_are_labelled_and_carry_test_classes():
    simulator = TechniqueSimulator()
    for control in (simulator.technique, simulator.region, simulator.sex, simulator.angle, simulator.length,
                    simulator.area, simulator.spacing, simulator.volume):
        assert control.description
    assert "mesolab-technique-readout" in simulator.readout._dom_classes
    assert "mesolab-technique" in simulator.technique._dom_classes


def test_bad_start_values_fail_with_the_domain_message():
    with pytest.raises(ValueError, match="unknown technique 'mesobotox'"):
        TechniqueSimulator(technique_name="mesobotox")


def test_the_module_01_explorer_still_draws_no_target_or_deposit():
    explorer = SkinCrossSectionExplorer()
    figure = explorer._figure
    assert not figure._target.get_visible()
    assert len(figure._deposit.get_xdata()) == 0
    assert "Needle tip ○" in figure._tip_label.get_text()


# --- lesson self-checks --------------------------------------------------------------------------------------

def test_self_checks_accept_the_right_answers_and_explain_wrong_ones():
    import mesolab.lessons.injection_techniques  # noqa: F401  (registers the exercises)

    right = {"03.route": "b", "03.bleeding": "b", "03.wrong_layer": "c", "03.choose": "a",
             "03.depth": 2.5 * math.sin(math.radians(20)), "03.points": 38}
    for exercise_id, answer in right.items():
        assert check(exercise_id, answer).correct is True, exercise_id
    assert check("03.points", 37.5).correct is False
    for exercise_id in ("03.route", "03.bleeding", "03.wrong_layer", "03.choose"):
        for letter in "abcd":
            if letter != right[exercise_id]:
                feedback = check(exercise_id, letter)
                assert feedback.correct is False
                assert feedback.message != "Look again at the teaching above and try another option."


def test_lesson_03_corrects_the_seed_errors_and_shows_the_disagreements(repo):
    import nbformat

    notebook = nbformat.read(repo / "notebooks" / "03_injection_techniques.ipynb", as_version=4)
    text = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    assert "intramuscular" in text and "**intradermal**" in text
    assert "no blood appears" in text and "**superficial**" in text
    assert "0.02–0.1 mL per point" in text and "No source confirmed" in text
    assert "2–4 mm" in text and "two-thirds of the bevel" in text and "1–2 mm" in text
    assert "0.6–1.2 mm" in text and "teaching approximation" in text
    code = "\n".join(c.source for c in notebook.cells if c.cell_type == "code")
    assert "TechniqueSimulator(" in code


def test_an_intra_epidermal_deposit_is_on_target_only_by_the_ultrasound_model():
    verdict = check_deposit("intra_epidermal", "cheek", 0.5, 10).verdict
    assert "by the ultrasound model only" in verdict and "cannot be placed" in verdict
    assert "ultrasound model only" not in check_deposit("papule", "cheek", 1, 15).verdict
