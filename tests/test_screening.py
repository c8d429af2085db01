"""Module 05: the screening knowledge file, ``screen`` (rules, safety properties, fuzzing) and the intake form."""
from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mesolab.knowledge import KnowledgeError, knowledge, load
from mesolab.readings.screening import form_intake, read_form
from mesolab.screening import INTAKE_FIELDS, OUTCOMES, ScreeningResult, healthy_adult, rule, rules, screen
from mesolab.widgets.screening import IntakeForm

REQUIRED_KEYS = {"age_years", "pregnant", "breastfeeding", "anticoagulants", "bleeding_disorder", "active_herpes",
                 "herpes_history", "active_skin_infection", "fever", "allergies", "planned_ingredients",
                 "isotretinoin_months_since_last_dose", "keloid_history", "autoimmune_disease", "immunosuppressed",
                 "diabetes", "uncontrolled_hypertension", "cancer_treatment"}
YES_NO = sorted(k for k, f in INTAKE_FIELDS.items() if f.kind == "yes_no")
#: Findings that must never end in "proceed" or "caution" (each alone, on an otherwise healthy adult).
#: Precautions (a "yes" proceeds with care): a cold-sore history; aspirin, NSAIDs or supplements.
PRECAUTIONS = {"herpes_history", "bruising_medicines"}
STOPPING = {key: True for key in YES_NO if key not in PRECAUTIONS}


def intake(**changes: object) -> dict[str, object]:
    answers = healthy_adult()
    answers.update(changes)
    return answers


def outcome(**changes: object) -> str:
    return screen(intake(**changes)).outcome


# --- interface and knowledge ------------------------------------------------------------------------------------

def test_every_required_key_is_documented():
    assert REQUIRED_KEYS <= set(INTAKE_FIELDS)
    for key, info in INTAKE_FIELDS.items():
        assert info.key == key and info.question.strip() and info.accepts.strip() and info.label.strip()


def test_result_shape_and_every_reason_has_a_source():
    result = screen(intake(pregnant=True, herpes_history=True, allergies=["lidocaine"],
                           planned_ingredients=["lidocaine"]))
    assert isinstance(result, ScreeningResult) and result.outcome in OUTCOMES
    for reason in result.reasons:
        assert reason.sources and all(knowledge().source(s) for s in reason.sources)
        assert reason.source == reason.sources[0]


def test_every_rule_is_sourced_and_its_class_fits_its_action():
    for r in rules():
        assert r.sources and r.what_to_do and r.reason
        assert (r.rule_class, r.action) in {("absolute", "decline"), ("relative", "defer"), ("precaution", "caution")}


def test_disputed_items_carry_both_views_and_the_cautious_choice():
    for rule_id in ("isotretinoin_recent", "autoimmune_disease"):
        dispute = rule(rule_id).dispute
        assert dispute is not None and len(dispute.views) >= 2 and dispute.cautious_choice
    assert outcome(isotretinoin_months_since_last_dose=3) == "defer"
    assert outcome(autoimmune_disease=True) == "defer"


def test_split_note_says_the_split_is_mesolabs_reading():
    assert "not a mesotherapy consensus" in knowledge().screening.split_note.note


# --- the rules on single findings -------------------------------------------------------------------------------

def test_healthy_adult_proceeds():
    result = screen(healthy_adult())
    assert result.outcome == "proceed" and result.reasons == ()


@pytest.mark.parametrize("changes", [
    {"diabetes": "controlled"}, {"isotretinoin_months_since_last_dose": 6}, {"isotretinoin_months_since_last_dose": 24},
    {"age_years": 18}, {"age_years": 75},
    {"allergies": ["procaine"], "planned_ingredients": ["hyaluronic acid"]},
    {"planned_ingredients": ["hyaluronic acid", "polynucleotides", "lidocaine"]}, {"allergies": ["none"]},
    {"pregnant": "no", "fever": "No"}, {"isotretinoin_months_since_last_dose": "never"},
])
def test_no_over_refusal(changes):
    assert outcome(**changes) == "proceed", screen(intake(**changes)).reasons


@pytest.mark.parametrize("key", sorted(STOPPING))
def test_each_stopping_finding_alone_defers_or_declines(key):
    assert outcome(**{key: True}) in ("defer", "decline")
    assert outcome(**{key: "yes"}) in ("defer", "decline")


def test_aspirin_or_nsaids_alone_are_a_caution_never_a_deferral():
    result = screen(intake(bruising_medicines=True))
    assert result.outcome == "caution", result.reasons
    assert [r.rule_id for r in result.reasons] == ["bruising_medicines"]
    assert "never stop aspirin prescribed" in result.reasons[0].what_to_do.lower()
    assert screen(intake(bruising_medicines="unknown")).outcome == "defer"  # unknown is never "no"


def test_herpes_history_is_caution_and_prophylaxis_depends_on_site_and_history():
    result = screen(intake(herpes_history=True))
    assert result.outcome == "caution"
    what_to_do = result.reasons[0].what_to_do
    assert "antiviral prophylaxis" in what_to_do and "perioral" in what_to_do and "often" in what_to_do
    assert "no routine prophylaxis" in what_to_do


@pytest.mark.parametrize("allergy", ["lidocaine", "Lignocaine", "articaine", "amide anaesthetics", "Xylocaine "])
def test_amide_allergy_declines_planned_lidocaine(allergy):
    result = screen(intake(allergies=[allergy], planned_ingredients=["lidocaine", "hyaluronic acid"]))
    assert result.outcome == "decline" and "allergy_to_planned" in result.rule_ids


def test_ester_allergy_does_not_block_an_amide_but_asks_for_care():
    result = screen(intake(allergies=["procaine"], planned_ingredients=["lidocaine"]))
    assert result.outcome == "caution" and result.rule_ids == {"anaesthetic_allergy_other_class"}
    assert outcome(allergies=["procaine"], planned_ingredients=["Novocaine"]) == "decline"


def test_gram_positive_protein_allergy_blocks_hyaluronic_acid():
    assert outcome(allergies=["gram-positive bacterial proteins"], planned_ingredients=["sodium hyaluronate"]) == "decline"


@pytest.mark.parametrize("planned", [["clindamycin"], ["antibiotics"], ["alcohol"], ["hyaluronic acid", "oil-based"]])
def test_a_planned_ingredient_that_must_never_be_injected_declines(planned):
    result = screen(intake(planned_ingredients=planned))
    assert result.outcome == "decline" and "never_inject_planned" in result.rule_ids


def test_unmatched_allergy_or_unknown_ingredient_asks_for_a_check_by_hand():
    result = screen(intake(allergies=["EMLA cream"], planned_ingredients=["lidocaine"]))
    assert result.outcome == "caution" and "allergy_unchecked" in result.rule_ids
    assert outcome(allergies=["penicillin"], planned_ingredients=["mystery serum"]) == "caution"
    assert outcome(planned_ingredients=["mystery serum"]) == "proceed"  # no allergy: nothing to check against
    assert outcome(allergies=["penicillin"], planned_ingredients=[]) == "caution"  # check once the plan is known


def test_two_allergies_are_a_caution_not_a_deferral():
    """The label contraindicates multiple SEVERE allergies: the severity is asked, and decides decline."""
    result = screen(intake(allergies=["hay fever", "cat"]))
    assert result.outcome == "caution" and "multiple_allergies" in result.rule_ids
    assert "decline" in rule("multiple_allergies").what_to_do and "severe" in rule("multiple_allergies").what_to_do
    assert outcome(allergies=["penicillin", "lidocaine"], planned_ingredients=["lidocaine"]) == "decline"


def test_lifelong_blood_thinners_have_an_end_and_aspirin_alone_is_a_precaution():
    anticoagulants = rule("anticoagulants")
    assert "prescriber" in anticoagulants.what_to_do and "lifelong" in anticoagulants.what_to_do
    assert "aspirin" in INTAKE_FIELDS["anticoagulants"].question  # the question says aspirin alone is not a "yes"
    assert any(a.source == "SBVital" and "not a reason to defer" in a.note for a in anticoagulants.also)


def test_breastfeeding_is_a_label_precaution_and_the_lactation_source_is_not_cited_against_it():
    breastfeeding = rule("breastfeeding")
    assert breastfeeding.action == "defer" and "not evidence of harm" in breastfeeding.reason
    elact = next(a for a in breastfeeding.also if a.source == "eLact")
    assert "safe" in elact.note and "compatible" in elact.note


def test_isotretinoin_wait_is_a_convention_attributed_to_the_package_insert():
    isotretinoin = rule("isotretinoin_recent")
    assert isotretinoin.source == "IsoInsert" and "convention" in isotretinoin.reason
    assert "injections are not named" in isotretinoin.note
    assert not any("the label says 6 months" in view.says for view in isotretinoin.dispute.views)


def test_boundaries():
    assert outcome(age_years=17.9) == "defer" and outcome(age_years=18) == "proceed"
    assert outcome(isotretinoin_months_since_last_dose=5.9) == "defer"
    assert outcome(diabetes="uncontrolled") == "defer"


def test_the_most_severe_action_wins_and_every_finding_is_listed():
    result = screen(intake(herpes_history=True, pregnant=True, allergies=["lidocaine"],
                           planned_ingredients=["lidocaine"]))
    assert result.outcome == "decline"
    assert {"herpes_history", "pregnant", "allergy_to_planned"} <= result.rule_ids
    assert [r.action for r in result.reasons][0] == "decline"


# --- missing, unknown and malformed answers -----------------------------------------------------------------------

@pytest.mark.parametrize("key", sorted(INTAKE_FIELDS))
def test_a_missing_answer_defers_and_names_the_key(key):
    answers = healthy_adult()
    del answers[key]
    result = screen(answers)
    assert result.outcome == "defer"
    assert any(r.field == key and "Missing" in r.text for r in result.reasons)


@pytest.mark.parametrize("key", sorted(INTAKE_FIELDS))
@pytest.mark.parametrize("value", ["unknown", "?", 1, 1.5, [], {"a": 1}, float("nan"), b"no", -3, object()])
def test_unknown_or_malformed_answers_defer(key, value):
    if key in ("allergies", "planned_ingredients") and value == []:
        return  # an empty list is a valid answer: none
    result = screen(intake(**{key: value}))
    if key in ("age_years", "isotretinoin_months_since_last_dose") and value in (1, 1.5):
        return  # valid numbers
    assert result.outcome == "defer", (key, value)
    assert any(r.field == key and r.rule_class == "intake" for r in result.reasons)


def test_unknown_key_is_reported_not_ignored():
    result = screen(intake(pregnat=True))
    assert result.outcome == "defer"
    assert any("pregnat" in r.text and "Unknown intake key" in r.text for r in result.reasons)


def test_an_absolute_finding_still_declines_when_other_answers_are_missing():
    result = screen({"allergies": ["lidocaine"], "planned_ingredients": ["lidocaine"]})
    assert result.outcome == "decline"


@pytest.mark.parametrize("not_a_mapping", [None, [], "pregnant", 3, [("pregnant", True)]])
def test_not_a_mapping_is_a_clear_value_error(not_a_mapping):
    with pytest.raises(ValueError, match="mapping"):
        screen(not_a_mapping)


# --- fuzzing --------------------------------------------------------------------------------------------------------

ANY_VALUE = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=True),
                      st.text(max_size=12), st.sampled_from(["yes", "no", "unknown", "never", "controlled",
                                                             "uncontrolled", "none"]),
                      st.lists(st.one_of(st.text(max_size=12), st.sampled_from(
                          ["lidocaine", "procaine", "articaine", "hyaluronic acid", "clindamycin", "none"]),
                          st.integers()), max_size=4))
NAMES = st.sampled_from(["lidocaine", "procaine", "articaine", "hyaluronic acid", "polynucleotides", "clindamycin",
                         "alcohol", "latex", "vitamin C", "penicillin", "none", "EMLA"])


def _field_value(kind: str):
    return {"yes_no": st.one_of(st.booleans(), st.none(), st.sampled_from(["yes", "no", "unknown"])),
            "age": st.one_of(st.floats(0, 120), st.integers(0, 120), st.none(), st.just("unknown")),
            "months_or_never": st.one_of(st.floats(0, 1200), st.none(), st.sampled_from(["never", "unknown"])),
            "diabetes": st.sampled_from(["none", "controlled", "uncontrolled", "unknown", None]),
            "substances": st.one_of(st.lists(NAMES, max_size=3), st.none(), st.just("unknown"))}[kind]


WELL_FORMED = st.fixed_dictionaries({key: _field_value(info.kind) for key, info in INTAKE_FIELDS.items()})
RANDOM = st.dictionaries(st.one_of(st.sampled_from(sorted(INTAKE_FIELDS)), st.text(max_size=8)), ANY_VALUE,
                         max_size=len(INTAKE_FIELDS) + 3)


@settings(max_examples=400, deadline=None)
@given(st.one_of(RANDOM, WELL_FORMED))
def test_fuzz_never_crashes_and_never_proceeds_past_a_stop(answers):
    result = screen(answers)
    assert result.outcome in OUTCOMES
    stops = [key for key in STOPPING if answers.get(key) in (True, "yes")]
    if stops:
        assert result.outcome in ("defer", "decline"), (stops, result.outcome)
    allergies, planned = answers.get("allergies"), answers.get("planned_ingredients")
    if (isinstance(allergies, list) and isinstance(planned, list) and "lidocaine" in allergies
            and "lidocaine" in planned and all(isinstance(a, str) and a.strip() for a in allergies + planned)):
        assert result.outcome == "decline"
    if result.outcome == "proceed":
        assert set(answers) == set(INTAKE_FIELDS)  # nothing missing or unknown
        assert all(answers[key] in (False, "no") for key in YES_NO if key != "herpes_history")


@settings(max_examples=200, deadline=None)
@given(WELL_FORMED, st.sampled_from(sorted(INTAKE_FIELDS)))
def test_fuzz_removing_any_answer_never_gives_proceed(answers, key):
    answers = dict(answers)
    del answers[key]
    assert screen(answers).outcome != "proceed"


@settings(max_examples=200, deadline=None)
@given(WELL_FORMED, st.sampled_from(YES_NO))
def test_fuzz_adding_a_finding_never_lowers_the_outcome(answers, key):
    before = OUTCOMES.index(screen(answers).outcome)
    after = OUTCOMES.index(screen({**answers, key: True}).outcome)
    assert after >= before


def test_arbitrary_mapping_types_and_exotic_values():
    from types import MappingProxyType
    assert screen(MappingProxyType(healthy_adult())).outcome == "proceed"
    assert screen(intake(age_years=math.inf)).outcome == "defer"
    assert screen(intake(age_years=True)).outcome == "defer"  # a bool is not an age
    assert screen({1: 2, None: 3}).outcome == "defer"


# --- knowledge file errors ---------------------------------------------------------------------------------------

def test_a_rule_whose_action_contradicts_its_class_fails_to_load(knowledge_copy):
    knowledge_copy.replace("screening.yaml", "    rule_class: absolute\n    action: decline\n",
                           "    rule_class: absolute\n    action: caution\n")
    with pytest.raises(KnowledgeError, match=r"screening\.yaml: rules\[\d+\].*absolute finding leads to 'decline'"):
        load(knowledge_copy)


def test_a_rule_on_an_unknown_field_fails_to_load(knowledge_copy):
    knowledge_copy.replace("screening.yaml", "trigger: {field: pregnant, equals: true}",
                           "trigger: {field: pregnnant, equals: true}")
    with pytest.raises(KnowledgeError, match=r"screening\.yaml.*unknown intake field 'pregnnant'"):
        load(knowledge_copy)


# --- the intake form without a browser ---------------------------------------------------------------------------

def test_blank_form_defers_and_lists_every_question():
    reading = read_form({})
    assert reading.result.outcome == "defer"
    assert f"not answered yet ({len(INTAKE_FIELDS) - 1})" in reading.text  # all but the plan (empty = nothing)


def test_form_values_to_intake():
    values = {key: "no" for key in YES_NO} | {"diabetes": "none", "age_years": "34",
                                             "isotretinoin_months_since_last_dose": "never",
                                             "allergies": "", "no_known_allergies": True,
                                             "planned_ingredients": ["lidocaine"], "other_ingredients": "vitamin C"}
    answers = form_intake(values)
    assert answers["age_years"] == 34.0 and answers["isotretinoin_months_since_last_dose"] is None
    assert answers["allergies"] == [] and answers["planned_ingredients"] == ["lidocaine", "vitamin C"]
    assert read_form(values).result.outcome == "proceed"
    assert form_intake({**values, "age_years": "thirty"})["age_years"] == "thirty"
    assert read_form({**values, "age_years": "thirty"}).result.outcome == "defer"


def test_intake_form_widget_updates_as_it_is_filled():
    form = IntakeForm()
    assert "DEFER" in form.readout.value and all(
        getattr(c, "value", None) in ("unknown", "") for c in form.controls.values())
    for key in YES_NO:
        form.controls[key].value = "no"
    form.controls["diabetes"].value = "controlled"
    form.controls["age_years"].value = "29"
    form.controls["isotretinoin_months_since_last_dose"].value = "never"
    form.no_known_allergies.value = True
    assert "PROCEED" in form.readout.value
    form.controls["herpes_history"].value = "yes"
    assert "CAUTION" in form.readout.value.upper() and "[WDerm" in form.readout.value
    form.controls["allergies"].value = "articaine"
    assert "DEFER" in form.readout.value and "No known allergies" in form.readout.value  # contradiction
    form.no_known_allergies.value = False
    form.planned["lidocaine"].value = True
    assert "DECLINE" in form.readout.value and "[RestylaneUS" in form.readout.value


def test_lesson_05_corrects_the_seed_safety_claims(repo):
    import nbformat

    lesson = nbformat.read(repo / "notebooks" / "05_risk_screening.ipynb", as_version=4)
    text = "\n".join(c.source for c in lesson.cells if c.cell_type == "markdown")
    for needed in ("No deaths", "fatal anaphylactic shock", "[HAS14]", "not evidence of harm", "convention",
                   "**site**", "precaution"):
        assert needed in text, needed
    assert "no breastfeeding data" not in text and "The label says wait 6 months" not in text
