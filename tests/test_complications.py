"""Module 07: the complications knowledge file, ``triage`` (clinical presentations, strict input, fuzzing) and the
emergency doses."""
from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mesolab.complications import (COMPLICATIONS, FINDINGS, HOURS, PRESENTATION_FIELDS, RED_FLAGS, URGENCIES,
                                   TriageResult, adrenaline_im_dose, adrenaline_im_dose_by_weight,
                                   blank_presentation, complication, lipid_emulsion_dose, triage)
from mesolab.knowledge import knowledge

REQUIRED_FINDINGS = {
    "blanching_or_livedo", "severe_pain", "visual_disturbance", "urticaria_or_flushing", "swelling_lips_tongue_throat",
    "breathing_difficulty", "low_blood_pressure_or_collapse", "perioral_numbness_or_metallic_taste",
    "tinnitus_or_confusion", "seizure", "pale_sweaty_faint_slow_pulse", "fever", "spreading_redness_warmth",
    "pus_or_abscess", "firm_nodules", "draining_sinus", "grouped_vesicles", "bruising",
    "mild_redness_swelling_at_points", "itch"}
REQUIRED_COMPLICATIONS = {
    "anaphylaxis", "vasovagal_syncope", "local_anaesthetic_toxicity", "vascular_compromise", "bacterial_infection",
    "mycobacterial_infection", "herpes_reactivation", "granuloma", "panniculitis", "delayed_hypersensitivity",
    "bruising", "expected_reaction"}
MIN, HOUR, DAY, WEEK = 1 / 60, 1.0, 24.0, 168.0


def seen(hours: float, **present: bool) -> dict[str, object]:
    """A patient examined at ``hours`` after treatment: every finding checked, the named ones present."""
    presentation = blank_presentation(hours)
    presentation.update(present)
    return presentation


# --- the fixed interface ----------------------------------------------------------------------------------------

def test_interface_keys_and_ids():
    assert REQUIRED_FINDINGS | {HOURS} <= set(PRESENTATION_FIELDS)
    assert REQUIRED_COMPLICATIONS <= set(COMPLICATIONS)
    assert URGENCIES == ("emergency", "urgent", "review", "reassure")
    for key, info in PRESENTATION_FIELDS.items():
        assert info.key == key and info.label and info.question and info.accepts
    assert {"bruising", "mild_redness_swelling_at_points", "itch"}.isdisjoint(RED_FLAGS)


def test_result_shape_and_every_reason_has_sources():
    result = triage(seen(10 * MIN, urticaria_or_flushing=True, breathing_difficulty=True))
    assert isinstance(result, TriageResult) and result.urgency in URGENCIES
    assert isinstance(result.likely, tuple) and isinstance(result.first_action, str) and result.first_action
    for reason in (*result.reasons, *triage({HOURS: None, "typo": 1}).reasons):
        assert reason.sources and all(knowledge().source(s) for s in reason.sources), reason
        assert reason.source_ids == reason.sources


def test_every_complication_is_sourced_with_first_action_referral_and_never():
    for cid in COMPLICATIONS:
        c = complication(cid)
        assert c.first_action.note and c.refer.note and c.never and c.looks_like.note and c.onset.label
    # NF onset windows say so
    assert complication("panniculitis").onset.window_hours is None and "NF" in complication("panniculitis").onset.note


# --- presentations a clinician recognises (>= 30), each with its source -----------------------------------------
# (id, presentation, expected urgency, expected first complication, a keyword of the first action, source)
CASES = [
    ("hives_and_wheeze_5min", seen(5 * MIN, urticaria_or_flushing=True, breathing_difficulty=True, itch=True),
     "emergency", "anaphylaxis", "adrenaline", "WAO20"),
    ("hives_and_collapse", seen(10 * MIN, urticaria_or_flushing=True, low_blood_pressure_or_collapse=True),
     "emergency", "anaphylaxis", "0.5 mL", "RCUK21"),
    ("tongue_swelling_no_rash", seen(15 * MIN, swelling_lips_tongue_throat=True), "emergency", "anaphylaxis",
     "emergency services", "WAO20"),
    ("wheeze_alone_after_injection", seen(20 * MIN, breathing_difficulty=True), "emergency", "anaphylaxis",
     "adrenaline", "WAO20"),
    ("biphasic_2h_hives_stridor", seen(2 * HOUR, urticaria_or_flushing=True, breathing_difficulty=True,
                                       swelling_lips_tongue_throat=True), "emergency", "anaphylaxis", "thigh", "RCUK21"),
    ("hives_alone_10min", seen(10 * MIN, urticaria_or_flushing=True, itch=True), "urgent", "anaphylaxis",
     "breathing", "WAO20"),
    ("classic_faint", seen(2 * MIN, pale_sweaty_faint_slow_pulse=True), "urgent", "vasovagal_syncope",
     "legs raised", "AIH18"),
    ("faint_with_jerks", seen(3 * MIN, pale_sweaty_faint_slow_pulse=True, seizure=True), "emergency",
     "local_anaesthetic_toxicity", "Stop injecting", "XyloLabel"),
    ("collapse_not_recovering_flat", seen(5 * MIN, pale_sweaty_faint_slow_pulse=True,
                                          low_blood_pressure_or_collapse=True), "emergency", "vasovagal_syncope",
     "adrenaline", "AIH18"),
    ("numb_lips_metallic_taste", seen(5 * MIN, perioral_numbness_or_metallic_taste=True), "emergency",
     "local_anaesthetic_toxicity", "Stop injecting", "XyloLabel"),
    ("tinnitus_confusion", seen(8 * MIN, perioral_numbness_or_metallic_taste=True, tinnitus_or_confusion=True),
     "emergency", "local_anaesthetic_toxicity", "lipid emulsion", "ASRA20"),
    ("seizure_after_lidocaine", seen(4 * MIN, seizure=True, tinnitus_or_confusion=True), "emergency",
     "local_anaesthetic_toxicity", "benzodiazepine", "ASRA20"),
    ("vision_loss_glabella", seen(1 * MIN, visual_disturbance=True, blanching_or_livedo=True, severe_pain=True),
     "emergency", "vascular_compromise", "ophthalmology", "CMAC-VL21"),
    ("blurred_vision_alone", seen(30 * MIN, visual_disturbance=True), "emergency", "vascular_compromise",
     "emergency department", "CMAC-VL21"),
    ("blanching_and_pain", seen(2 * MIN, blanching_or_livedo=True, severe_pain=True), "emergency",
     "vascular_compromise", "Stop injecting", "ACE20"),
    ("livedo_next_day", seen(20 * HOUR, blanching_or_livedo=True), "emergency", "vascular_compromise",
     "hyaluronidase", "Faulk22"),
    ("dusky_patch_blisters_day3", seen(3 * DAY, blanching_or_livedo=True, grouped_vesicles=True, severe_pain=True),
     "emergency", "vascular_compromise", "capillary refill", "Welly"),
    ("severe_pain_alone", seen(1 * HOUR, severe_pain=True), "urgent", "vascular_compromise", "capillary refill",
     "SBVital"),
    ("cellulitis_day3", seen(3 * DAY, fever=True, spreading_redness_warmth=True), "urgent", "bacterial_infection",
     "Same-day", "SBVital"),
    ("abscess_day5", seen(5 * DAY, pus_or_abscess=True, severe_pain=True), "urgent", "bacterial_infection",
     "culture", "SBVital"),
    ("fever_day2", seen(2 * DAY, fever=True), "urgent", "bacterial_infection", "physician", "SBVital"),
    ("nodules_3_weeks", seen(3 * WEEK, firm_nodules=True), "urgent", "mycobacterial_infection",
     "mycobacterial culture", "NTM07"),
    ("nodules_sinus_8_weeks", seen(8 * WEEK, firm_nodules=True, draining_sinus=True, pus_or_abscess=True), "urgent",
     "mycobacterial_infection", "biopsy", "Lam24"),
    ("nodules_after_antibiotics_6_weeks", seen(6 * WEEK, firm_nodules=True, spreading_redness_warmth=True), "urgent",
     "mycobacterial_infection", "mycobacterial culture", "EIMC18"),
    ("cold_sore_36h", seen(36 * HOUR, grouped_vesicles=True, itch=True), "urgent", "herpes_reactivation",
     "antiviral", "WDerm"),
    ("granuloma_8_months", seen(8 * 30 * DAY, firm_nodules=True), "review", "granuloma", "exclude infection",
     "Miranda23"),
    ("late_itchy_nodules_5_months", seen(5 * 30 * DAY, firm_nodules=True, itch=True), "urgent",
     "delayed_hypersensitivity", "mycobacterial culture", "PD20"),
    ("late_urticaria_3_weeks", seen(3 * WEEK, urticaria_or_flushing=True), "review", "delayed_hypersensitivity",
     "exclude infection", "LateHA17"),
    ("bruise_day1", seen(1 * DAY, bruising=True), "reassure", "bruising", "aftercare", "SBVital"),
    ("bruise_plus_blanching", seen(1 * HOUR, bruising=True, blanching_or_livedo=True), "emergency",
     "vascular_compromise", "capillary refill", "Bumbutz"),
    ("points_red_day1", seen(1 * DAY, mild_redness_swelling_at_points=True, itch=True), "reassure",
     "expected_reaction", "aftercare", "SBVital"),
    ("points_red_3h", seen(3 * HOUR, mild_redness_swelling_at_points=True), "reassure", "expected_reaction",
     "warning signs", "SBVital"),
    ("redness_spreading_not_expected", seen(2 * DAY, mild_redness_swelling_at_points=True,
                                            spreading_redness_warmth=True), "urgent", "bacterial_infection",
     "Same-day", "SBVital"),
    ("new_redness_at_points_4_weeks", seen(4 * WEEK, mild_redness_swelling_at_points=True), "review", None,
     "See the patient", "SBVital"),
    ("bruise_appearing_3_weeks", seen(3 * WEEK, bruising=True), "review", None, "See the patient", "SBVital"),
    ("nothing_found_day2", seen(2 * DAY), "reassure", None, "warning signs", "SBVital"),
]


@pytest.mark.parametrize("name,presentation,urgency,first,keyword,source", CASES, ids=[c[0] for c in CASES])
def test_clinical_presentations(name, presentation, urgency, first, keyword, source):
    result = triage(presentation)
    assert result.urgency == urgency, (name, result.reasons)
    if first is None:
        assert not [c for c in result.likely if c not in ("bruising", "expected_reaction")] or result.urgency != "reassure"
    else:
        assert result.likely[0] == first, (name, result.likely)
    assert keyword.lower() in result.first_action.lower(), (name, result.first_action)
    assert knowledge().source(source)
    if urgency != "reassure":
        cited = set(result.source_ids) | {s for c in result.likely for s in _all_sources(c)}
        assert source in cited, (name, source, cited)


def _all_sources(cid: str) -> set[str]:
    c = complication(cid)
    ids = {c.onset.source, c.looks_like.source, c.first_action.source, c.refer.source}
    ids |= {s.source for s in c.first_action.also} | {s.source for s in c.onset.also} | {p.source for p in c.patterns}
    ids |= {d.source for d in c.distinguish} | {n.source for n in c.never}
    return ids


def test_there_are_at_least_30_presentations():
    assert len(CASES) >= 30


def test_time_orders_infection_candidates():
    early = triage(seen(3 * DAY, pus_or_abscess=True)).likely
    late = triage(seen(5 * WEEK, pus_or_abscess=True)).likely
    assert early[0] == "bacterial_infection" and "mycobacterial_infection" in early
    assert late.index("mycobacterial_infection") < late.index("bacterial_infection") or late[0] == "mycobacterial_infection"


def test_mycobacterial_never_empiric_single_antibiotic():
    result = triage(seen(4 * WEEK, firm_nodules=True))
    assert any("single antibiotic" in n for n in result.never)
    assert "mycobacterial culture" in result.first_action


def test_a_red_flag_is_never_lowered_by_time():
    for hours in (0, 2 * DAY, 10 * WEEK, 5 * 365 * DAY):
        for key in ("visual_disturbance", "breathing_difficulty", "seizure", "swelling_lips_tongue_throat"):
            assert triage(seen(hours, **{key: True})).urgency == "emergency", (hours, key)


def test_unknown_emergency_partner_escalates_to_check_now():
    presentation = seen(10 * MIN, urticaria_or_flushing=True)
    presentation["breathing_difficulty"] = None
    result = triage(presentation)
    assert result.urgency == "urgent" and any(r.kind == "partial" for r in result.reasons)


# --- strict input ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("not_a_mapping", [None, [], "fever", 3, [("fever", True)]])
def test_only_a_non_mapping_raises(not_a_mapping):
    with pytest.raises(ValueError, match="mapping"):
        triage(not_a_mapping)


@pytest.mark.parametrize("key", sorted(FINDINGS))
@pytest.mark.parametrize("value", [None, "missing", "yes", "no", 1, 0, 1.0, "True", [], float("nan")])
def test_unknown_or_malformed_finding_never_reassures(key, value):
    presentation = seen(1 * DAY, bruising=True)
    if value == "missing":
        del presentation[key]
    else:
        presentation[key] = value
    result = triage(presentation)
    assert result.urgency != "reassure"
    assert any(key in r.findings and r.kind in ("unknown", "malformed") for r in result.problems), result.reasons


@pytest.mark.parametrize("hours", [None, "missing", -1, -0.001, float("nan"), float("inf"), True, False, "24", [24]])
def test_unknown_or_malformed_hours_never_reassures(hours):
    presentation = seen(0, mild_redness_swelling_at_points=True)
    if hours == "missing":
        del presentation[HOURS]
    else:
        presentation[HOURS] = hours
    result = triage(presentation)
    assert result.urgency != "reassure" and any(HOURS in r.findings for r in result.problems)


def test_numbers_of_any_real_type_are_hours():
    for hours in (24, 24.0, Fraction(48, 2)):
        assert triage(seen(hours, bruising=True)).urgency == "reassure"


def test_unknown_key_is_a_reason_not_ignored():
    presentation = seen(1 * DAY, bruising=True)
    presentation["fevre"] = True
    result = triage(presentation)
    assert result.urgency == "review" and any(r.kind == "unknown_key" and "fevre" in r.text for r in result.reasons)
    assert triage({**seen(1 * DAY), 42: True}).urgency == "review"


def test_empty_presentation_is_review_with_everything_to_find_out():
    result = triage({})
    assert result.urgency == "review" and len(result.problems) == len(FINDINGS) + 1


# --- fuzzing ---------------------------------------------------------------------------------------------------

FINDING_VALUE = st.one_of(st.booleans(), st.none())
ANY_VALUE = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.floats(allow_nan=True), st.text(max_size=6),
                      st.sampled_from(["yes", "no", "unknown", "True"]), st.lists(st.booleans(), max_size=2))
HOURS_VALUE = st.one_of(st.floats(0, 20000), st.integers(0, 20000), st.none(), st.floats(allow_nan=True),
                        st.booleans(), st.text(max_size=4))
WELL_FORMED = st.fixed_dictionaries({HOURS: st.one_of(st.floats(0, 20000), st.integers(0, 20000)),
                                     **{k: st.booleans() for k in FINDINGS}})
MESSY = st.fixed_dictionaries({HOURS: HOURS_VALUE}, optional={k: st.one_of(FINDING_VALUE, ANY_VALUE) for k in FINDINGS})
EXTRA = st.dictionaries(st.one_of(st.text(max_size=8), st.integers()), ANY_VALUE, max_size=2)


@settings(max_examples=500, deadline=None)
@given(st.one_of(WELL_FORMED, MESSY), EXTRA)
def test_fuzz_never_reassures_with_a_red_flag_or_anything_unknown(presentation, extra):
    presentation = {**extra, **presentation}
    result = triage(presentation)
    assert result.urgency in URGENCIES and result.first_action
    assert set(result.likely) <= set(COMPLICATIONS) and len(set(result.likely)) == len(result.likely)
    hours = presentation.get(HOURS)
    readable_hours = (not isinstance(hours, bool) and isinstance(hours, (int, float)) and math.isfinite(hours)
                      and hours >= 0)
    all_known = all(type(presentation.get(k)) is bool for k in FINDINGS)
    extra_keys = set(presentation) - set(PRESENTATION_FIELDS)
    red = any(presentation.get(k) is True for k in RED_FLAGS)
    if red or not all_known or not readable_hours or extra_keys:
        assert result.urgency != "reassure", (presentation, result)
    if result.urgency == "reassure":
        assert set(result.likely) <= {"bruising", "expected_reaction"}
    for reason in result.reasons:
        assert reason.sources


@settings(max_examples=200, deadline=None)
@given(WELL_FORMED)
def test_fuzz_more_findings_never_lower_the_urgency_of_a_red_flag(presentation):
    before = triage(presentation).urgency
    for key in ("visual_disturbance", "swelling_lips_tongue_throat", "seizure"):
        after = triage({**presentation, key: True}).urgency
        assert after == "emergency"
    assert URGENCIES.index(triage({**presentation, "draining_sinus": True}).urgency) <= max(
        URGENCIES.index(before), URGENCIES.index("urgent")) or before == "reassure"


# --- emergency doses -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("age,micrograms,ml", [(30, 500, 0.5), (13, 500, 0.5), (12, 300, 0.3), (8, 300, 0.3),
                                               (6, 300, 0.3), (3, 150, 0.15), (0.5, 150, 0.15), (0.2, 100, 0.1)])
def test_adrenaline_by_age_rcuk2021(age, micrograms, ml):
    dose = adrenaline_im_dose(age)
    assert dose.micrograms == micrograms and dose.millilitres == pytest.approx(ml)
    assert "RCUK21" in dose.sources and "Resuscitation Council UK" in dose.guideline and "thigh" in dose.text


def test_adrenaline_range_and_small_adult():
    assert adrenaline_im_dose(0.1).micrograms_max == 150
    assert adrenaline_im_dose(40, small_or_prepubertal=True).micrograms == 300


@pytest.mark.parametrize("weight,micrograms", [(20, 200), (35, 350), (50, 500), (90, 500)])
def test_adrenaline_by_weight_wao2016(weight, micrograms):
    dose = adrenaline_im_dose_by_weight(weight)
    assert dose.micrograms == pytest.approx(micrograms) and dose.millilitres == pytest.approx(micrograms / 1000)
    assert "WAO16" in dose.sources


@pytest.mark.parametrize("weight,bolus,per_min,cap", [(60, 90, 15, 720), (70, 105, 17.5, 840), (50, 75, 12.5, 600),
                                                       (90, 100, 22.5, 1080)])
def test_lipid_emulsion_asra2020(weight, bolus, per_min, cap):
    dose = lipid_emulsion_dose(weight)
    assert dose.bolus_ml == pytest.approx(bolus) and dose.infusion_ml_per_min == pytest.approx(per_min)
    assert dose.infusion_ml_per_hour == pytest.approx(15 * weight) and dose.max_total_ml == pytest.approx(cap)
    assert dose.bolus_minutes == (2, 3) and "ASRA20" in dose.sources and "AAGBI10" in dose.sources
    assert any("withdrawn" in note for note in dose.notes)
    assert (dose.fixed_infusion != "") == (weight > 70)


@pytest.mark.parametrize("bad", [-1, 0, float("nan"), float("inf"), "60", None, True, 1000])
def test_doses_refuse_bad_weights(bad):
    with pytest.raises(ValueError, match="weight_kg"):
        lipid_emulsion_dose(bad)
    with pytest.raises(ValueError, match="weight_kg"):
        adrenaline_im_dose_by_weight(bad)


@pytest.mark.parametrize("bad", [-1, float("nan"), "adult", None, True, 200])
def test_adrenaline_refuses_bad_ages(bad):
    with pytest.raises(ValueError, match="age_years"):
        adrenaline_im_dose(bad)
    with pytest.raises(ValueError, match="small_or_prepubertal"):
        adrenaline_im_dose(30, small_or_prepubertal="yes")


# --- the triage view -------------------------------------------------------------------------------------------

def test_triage_view_starts_unknown_and_narrows_as_findings_are_answered():
    from mesolab.widgets import ComplicationTriage
    from mesolab.readings.complications import read_triage

    view = ComplicationTriage()
    assert view.reading().result.urgency == "review" and "Not known yet (20)" in view.readout.value
    assert 'aria-live="polite"' in view.readout.value and "Figure description" in view.screen_reader_text.value
    before = len(view.reading().result.candidates)
    view.time.value = 504.0
    for key, control in view.controls.items():
        control.value = "no"
    assert len(view.reading().result.candidates) < before and view.reading().result.urgency == "reassure"
    view.controls["firm_nodules"].value = "yes"
    reading = view.reading()
    assert reading.result.urgency == "urgent" and reading.result.likely[0] == "mycobacterial_infection"
    assert "URGENT" in view.readout.value and "<s" in view.timeline.value and "●" in view.timeline.value
    assert read_triage(view.values()).text == reading.text
    view.controls["firm_nodules"].value = "no"
    assert view.reading().result.urgency == "reassure"
    view.time_unknown.value = True  # the same findings with the time unknown: never reassure
    assert view.reading().result.urgency == "review" and "outline:2px" not in view.timeline.value
    for control in (view.time, *view.controls.values()):
        assert control.description


def test_timeline_figure_describes_itself():
    from mesolab.plots.complications import onset_timeline

    figure = onset_timeline()
    assert "Anaphylaxis: onset minutes to hours" in figure.summary and "NF" in figure.summary


def test_expected_week_and_late_findings():
    assert triage(seen(3 * DAY, itch=True, mild_redness_swelling_at_points=True)).urgency == "reassure"  # SBVital
    late_hives = triage(seen(3 * DAY, urticaria_or_flushing=True))
    assert late_hives.urgency == "review" and "delayed_hypersensitivity" in late_hives.likely
    assert triage(seen(Decimal("24"), bruising=True)).urgency == "reassure"
    assert triage(seen(Decimal("NaN"), bruising=True)).urgency == "review"
