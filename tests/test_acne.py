"""Module 02 without a browser: acne knowledge entries, domain functions, the GAGS calculator and its figure."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mesolab import acne
from mesolab.knowledge import KnowledgeError, knowledge, load
from mesolab.lessons import acne_assessment as lesson
from mesolab.selfcheck import check
from mesolab.widgets import GagsCalculator
from mesolab.readings.acne import read_gags

REGIONS = ("forehead", "right_cheek", "left_cheek", "nose", "chin", "chest_upper_back")
LESIONS = ("none", "comedone", "papule", "pustule", "nodule")


def _all(lesion: str) -> dict[str, str]:
    return {region: lesion for region in REGIONS}


# --- knowledge ------------------------------------------------------------------------------------------------

def test_gags_factors_grades_and_bands_are_the_published_ones():
    gags = knowledge().acne.gags
    assert {r.id: r.factor for r in gags.regions} == {"forehead": 2, "right_cheek": 2, "left_cheek": 2, "nose": 1,
                                                      "chin": 1, "chest_upper_back": 3}
    assert [(lesion.id, lesion.grade) for lesion in gags.lesions] == list(zip(LESIONS, range(5)))
    published = {b.id: (b.low, b.high, b.as_published) for b in gags.bands}
    assert published["mild"] == (1, 18, "1–18") and published["moderate"] == (19, 30, "19–30")
    assert published["severe"] == (31, 38, "31–38") and published["very_severe"][2] == ">39"
    assert all(b.source == "Adit09" for b in gags.bands) and gags.alternative_cutoff.source == "AcneQA"


def test_curriculum_choices_are_marked_and_explained():
    bands = {b.id: b for b in knowledge().acne.gags.bands}
    assert {b.id for b in bands.values() if b.curriculum_choice} == {"clear", "very_severe"}
    assert "MesoLab" in bands["clear"].note and "MesoLab" in bands["very_severe"].note
    assert [gap.score for gap in knowledge().acne.gags.gaps] == [39]


def test_scar_dimensions_and_their_sources():
    scars = {s.id: s for s in knowledge().acne.scar_types}
    assert scars["ice_pick"].dimensions.width_max_mm == 2.0
    assert (scars["boxcar"].dimensions.width_min_mm, scars["boxcar"].dimensions.width_max_mm) == (1.5, 4.0)
    assert scars["rolling"].dimensions.width_min_mm == 4.0 and "4–5" in scars["rolling"].dimensions.width_as_written
    for scar in ("ice_pick", "boxcar", "rolling"):
        assert scars[scar].source == "Jacob01" and scars[scar].dimensions.source == "Fabb10"
    assert knowledge().acne.boxcar_depth.shallow_max_mm == 0.5
    assert [g.grade for g in knowledge().acne.goodman_baron] == [1, 2, 3, 4]


def test_size_cutoffs_keep_the_disagreement():
    assert acne.size_cutoffs() == {"DermNet": 5.0, "KBLim": 10.0}
    assert knowledge().source("KBLim").secondary


def test_a_band_gap_in_the_data_is_an_error(knowledge_copy):
    knowledge_copy.replace("acne.yaml", "low: 39, high: 44", "low: 40, high: 44")
    with pytest.raises(KnowledgeError, match=r"acne\.yaml: gags: .*scores 39\.\.39 without a band"):
        load(knowledge_copy)


def test_an_unknown_source_in_nested_advice_names_the_field(knowledge_copy):
    knowledge_copy.replace("acne.yaml", "{source: Dier18,", "{source: Nobody99,")
    with pytest.raises(KnowledgeError, match=r"acne\.yaml: injection_targets\[0\]\.also\[0\]\.source: unknown source"):
        load(knowledge_copy)


def test_an_unknown_gags_lesion_is_an_error(knowledge_copy):
    knowledge_copy.replace("acne.yaml", "gags_lesion: papule", "gags_lesion: boil")
    with pytest.raises(KnowledgeError, match=r"acne\.yaml: .*unknown gags_lesion 'boil'"):
        load(knowledge_copy)


# --- lesions and GAGS ------------------------------------------------------------------------------------------

def test_worked_example_scores_by_hand():
    worst = {"forehead": "papule", "right_cheek": "pustule", "left_cheek": "nodule", "nose": "comedone",
             "chin": "pustule", "chest_upper_back": "papule"}
    assert acne.gags_score(worst) == 2 * 2 + 2 * 3 + 2 * 4 + 1 * 1 + 1 * 3 + 3 * 2 == 28
    assert acne.gags_band(28).id == "moderate"


@pytest.mark.parametrize("score, band", [(0, "clear"), (1, "mild"), (18, "mild"), (19, "moderate"), (30, "moderate"),
                                         (31, "severe"), (38, "severe"), (39, "very_severe"), (44, "very_severe")])
def test_band_edges(score, band):
    assert acne.gags_band(score).id == band


def test_39_and_0_say_they_are_curriculum_choices():
    thirty_nine = {**_all("nodule"), "forehead": "pustule", "chest_upper_back": "pustule"}
    reading = read_gags(thirty_nine)
    assert reading.result.score == 39
    assert "'>39'" in reading.summary and "39 belongs to no band" in reading.summary and "MesoLab" in reading.summary
    assert "AcneQA" in reading.summary
    clear = read_gags(_all("none"))
    assert clear.result.score == 0 and "MesoLab's label" in clear.summary
    assert "MesoLab" not in read_gags({**_all("none"), "nose": "papule"}).summary


def test_maximum_is_44_and_aliases_work():
    assert acne.max_gags_score() == 44 == acne.gags_score(_all("cyst"))
    assert acne.gags_score({"Forehead": "Blackheads", "right cheek": "whitehead", "left-cheek": "PAPULES",
                            "nose": "none", "chin": "clear", "chest": "cysts"}) == 2 + 2 + 4 + 0 + 0 + 12
    assert acne.worst_lesion(["comedone", "pustule", "papule"]) == "pustule" and acne.worst_lesion([]) == "none"


@pytest.mark.parametrize("bad, message", [
    ({"forehead": "papule"}, "missing: right_cheek"),
    ({**_all("none"), "elbow": "papule"}, "unknown GAGS area 'elbow'"),
    ({**_all("none"), "nose": "boil"}, "unknown lesion 'boil'; valid lesions: none, comedone"),
    ({**_all("none"), "chest": "papule"}, "given twice"),
    (["forehead"], "must be a dict"),
])
def test_bad_gags_input_names_what_is_valid(bad, message):
    with pytest.raises(ValueError, match=message):
        acne.gags_score(bad)


@pytest.mark.parametrize("bad", [-1, 45, 3.5, True, "12"])
def test_bad_band_input(bad):
    with pytest.raises(ValueError, match="whole number from 0 to 44"):
        acne.gags_band(bad)


@settings(max_examples=200, deadline=None)
@given(st.fixed_dictionaries({region: st.sampled_from(LESIONS) for region in REGIONS}))
def test_score_is_the_weighted_sum_and_every_score_has_one_band(worst):
    factors = {"forehead": 2, "right_cheek": 2, "left_cheek": 2, "nose": 1, "chin": 1, "chest_upper_back": 3}
    score = acne.gags_score(worst)
    assert score == sum(factors[r] * LESIONS.index(worst[r]) for r in REGIONS)
    band = acne.gags_band(score)
    assert band.low <= score <= band.high


@pytest.mark.parametrize("size, pus, source, lesion", [
    (3, False, "DermNet", "papule"), (3, True, "DermNet", "pustule"), (7, False, "DermNet", "nodule"),
    (7, False, "KBLim", "papule"), (12, False, "KBLim", "nodule"), (12, True, "DermNet", "nodule"),
    (5, False, "DermNet", "nodule")])
def test_inflammatory_lesion_by_size_and_source(size, pus, source, lesion):
    call = acne.classify_inflammatory_lesion(size, pus, source)
    assert call.lesion == lesion and call.source == source


def test_lesion_on_the_cutoff_says_so_and_bad_lesion_input():
    assert "exactly on the 5 mm cut-off" in acne.classify_inflammatory_lesion(5).note
    with pytest.raises(ValueError, match="diameter_mm must be between 0 and 30 mm"):
        acne.classify_inflammatory_lesion(50)
    with pytest.raises(ValueError, match="valid sources: dermnet, kblim"):
        acne.classify_inflammatory_lesion(3, source="Wikipedia")
    with pytest.raises(ValueError, match="visible_pus must be True or False"):
        acne.classify_inflammatory_lesion(3, "yes")


# --- IGA --------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("baseline, final, success", [(3, 1, True), (2, 1, False), (4, 2, False), (4, 1, True),
                                                      (2, 0, True), (1, 0, False), (4, 0, True)])
def test_iga_success_needs_both_parts(baseline, final, success):
    assert acne.iga_success(baseline, final) is success


def test_iga_text_and_bad_input():
    text = acne.iga_description()
    assert "0 clear" in text and "4 severe" in text and "FDA18" in text and "2-grade" in text
    assert acne.iga_name(1) == "Almost clear"
    with pytest.raises(ValueError, match="from 0 \\(clear\\) to 4 \\(severe\\)"):
        acne.iga_success(5, 1)


# --- scars ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("width, depth, edges, contour, expected", [
    (1.0, 1.5, "tapering", "depressed", "ice_pick"),
    (1.8, None, "tapering", "depressed", "ice_pick"),
    (1.8, 0.3, "vertical", "depressed", "boxcar_shallow"),
    (3.0, 0.6, "vertical", "depressed", "boxcar_deep"),
    (3.0, 0.5, "vertical", "depressed", "boxcar_deep"),
    (4.0, 0.2, "vertical", "depressed", "boxcar_shallow"),
    (4.5, 0.3, "vertical", "depressed", "boxcar_shallow"),   # a wide boxcar: the edges decide, not the width
    (1.0, 0.1, "vertical", "depressed", "boxcar_shallow"),   # a narrow boxcar, not an ice-pick
    (6.0, None, "sloping", "depressed", "rolling"),
    (3.0, 0.3, "sloping", "depressed", "rolling"),            # unusually narrow, still rolling by its shape
    (None, None, "none", "flat", "macular"),
    (None, None, None, "raised", "hypertrophic"),
    (1.0, 0.1, "tapering", "depressed", None),                # too shallow for a tract to the deep dermis
    (1.0, 1.5, None, "depressed", None),                      # width alone never decides
])
def test_classify_scar_by_shape_with_width_as_support(width, depth, edges, contour, expected):
    call = acne.classify_scar(width, depth, edges, contour)
    assert call.target == expected
    if contour == "depressed":
        assert call.sources == ("Jacob01", "Fabb10")


def test_a_width_outside_the_usual_range_is_reported_not_decisive():
    wide = acne.classify_scar(4.5, 0.3, "vertical")
    assert "wider than usual" in wide.reason and "most often 1.5–4.0 mm" in wide.reason
    narrow = acne.classify_scar(3.0, None, "sloping")
    assert "narrower than usual" in narrow.reason and "usually > 4–5 mm" in narrow.reason
    assert "than usual" not in acne.classify_scar(3.0, 0.3, "vertical").reason


def test_unclassifiable_scar_explains_and_bad_scar_input():
    assert "width alone does not" in acne.classify_scar(3.0, 0.3).reason
    assert "deep dermis" in acne.classify_scar(1.0, 0.1, "tapering").reason
    boxcar = acne.classify_scar(3.0, None, "vertical")
    assert boxcar.scar_type == "boxcar" and boxcar.subtype is None and boxcar.target is None
    assert acne.scar_edges() == ("tapering", "vertical", "sloping")
    with pytest.raises(ValueError, match="valid edges"):
        acne.classify_scar(3.0, 0.3, "jagged")
    with pytest.raises(ValueError, match="width_mm must be between"):
        acne.classify_scar(-1, None, "vertical")


@pytest.mark.parametrize("target, verdict, instead", [
    ("boxcar_shallow", "plausible", ""), ("rolling", "adjunct_after_other_treatment", "subcision"),
    ("ice_pick", "adjunct_after_other_treatment", "punch"), ("deep boxcar", "not_a_target", "CROSS"),
    ("macular", "not_a_target", "colour"), ("keloid", "not_a_target", "silicone"),
    ("active acne", "not_a_target", "guideline")])
def test_injection_advice(target, verdict, instead):
    advice = acne.injection_advice(target)
    assert advice.verdict == verdict and instead in " ".join(advice.do_instead)
    assert advice.plausible is (verdict == "plausible")
    known = {s.id for s in knowledge().bibliography.sources}
    assert set(advice.sources) <= known and advice.sources
    assert advice.text.endswith("]")


def test_injection_advice_bad_input_and_sources():
    with pytest.raises(ValueError, match="unknown target 'filler'; valid targets: boxcar_shallow"):
        acne.injection_advice("filler")
    with pytest.raises(ValueError, match="say boxcar_shallow or boxcar_deep: the depth decides"):
        acne.injection_advice("boxcar")
    assert acne.injection_advice("active_acne").sources == ("AAD24",)
    assert acne.injection_targets() == tuple(a.target for a in knowledge().acne.injection_targets)
    shallow = acne.injection_advice("boxcar_shallow")
    assert "Hal13" in shallow.sources and "no rct" in shallow.evidence_note.lower()
    # Halachmi 2013 injected after fractional resurfacing and included ice-pick scars: read it as an add-on
    assert "after a completed series of fractional laser resurfacing" in shallow.summary
    assert "Hal13" in acne.injection_advice("ice_pick").sources
    rolling = acne.injection_advice("rolling")
    assert {"Karnik14", "FDA-Bellafill14"} <= set(rolling.sources) and "not mesotherapy" in rolling.summary


def test_every_classified_scar_has_its_injection_advice():
    for width, depth, edges in ((1.0, 1.5, "tapering"), (3.0, 0.2, "vertical"), (3.0, 0.7, "vertical"),
                                (6.0, None, "sloping")):
        assert acne.injection_advice(acne.classify_scar(width, depth, edges).target)
    for contour in ("flat", "raised"):
        assert acne.injection_advice(acne.classify_scar(contour=contour).target)


@pytest.mark.parametrize("colour_only, obvious, flattens, grade", [
    (True, False, True, 1), (False, False, False, 2), (False, True, True, 3), (False, True, False, 4)])
def test_goodman_baron(colour_only, obvious, flattens, grade):
    assert acne.goodman_baron_grade(not colour_only, obvious, flattens) == grade
    assert acne.goodman_baron_name(grade)


def test_goodman_baron_bad_input():
    with pytest.raises(ValueError, match="contour_change must be True or False"):
        acne.goodman_baron_grade("yes")
    with pytest.raises(ValueError, match="1, 2, 3 or 4"):
        acne.goodman_baron_name(0)


# --- widget and figures --------------------------------------------------------------------------------------

def test_calculator_updates_text_figure_and_description():
    calculator = GagsCalculator()
    assert set(calculator.areas) == set(REGIONS)
    assert "GAGS score 0 of 44" in calculator.readout.value and 'aria-live="polite"' in calculator.readout.value
    before = bytes(calculator.image.value)
    assert before.startswith(b"\x89PNG")
    calculator.areas["chest_upper_back"].value = "nodule"
    assert "GAGS score 12 of 44 → Mild [Adit09]" in calculator.readout.value
    assert bytes(calculator.image.value) != before
    assert "Chest and upper back: nodule, factor 3 × grade 4 = 12" in calculator.screen_reader_text.value
    for region in REGIONS:
        calculator.areas[region].value = "nodule"
    assert "44 of 44" in calculator.readout.value and "Very severe" in calculator.readout.value


def test_calculator_controls_are_labelled_and_bad_start_fails_with_the_domain_message():
    calculator = GagsCalculator({**_all("papule")})
    for region, dropdown in calculator.areas.items():
        assert dropdown.description.endswith(f"(×{acne.region_factor(region)})")
        assert f"mesolab-gags-{region.replace('_', '-')}" in dropdown._dom_classes
    assert "mesolab-gags-readout" in calculator.readout._dom_classes
    assert [label for label, _ in calculator.areas["nose"].options][-1] == "Nodule or cyst (4)"
    with pytest.raises(ValueError, match="missing"):
        GagsCalculator({"forehead": "papule"})


def test_lesson_figures_have_text_alternatives(output_dir: Path):
    for name, view in (("lesson02-gags-example.png", lesson.example_gags_figure()),
                       ("lesson02-scar-profiles.png", lesson.scar_profiles_figure())):
        png = view.png()
        assert png.startswith(b"\x89PNG") and len(view.alt) > 80
        (output_dir / name).write_bytes(png)
    assert "17" in lesson.example_gags_figure().caption


def test_lesson_tables_and_self_checks():
    for item in (lesson.lesion_table(), lesson.size_cutoff_table(), *lesson.gags_tables(), lesson.iga_table(),
                 lesson.scar_table(), lesson.goodman_baron_table(), lesson.injection_table()):
        assert "<table" in item._repr_html_()
    assert check("02.gags_example", 17).correct is True
    assert check("02.gags_example", 28).correct is False
    for exercise, letters in {"02.band39": "abcd", "02.lesion_size": "abcd", "02.iga_success": "abcd",
                              "02.scar_class": "abcd", "02.rolling_plan": "abcd"}.items():
        results = [check(exercise, letter).correct for letter in letters]
        assert results.count(True) == 1, exercise
