"""Module 06: the procedure knowledge file, the session checklist (rules, safety properties, fuzzing) and the
treatment-course planner."""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mesolab.knowledge import FILES, KNOWLEDGE_DIR, KnowledgeError, knowledge, load
from mesolab.procedure import (PLAN_NOTES, STEP_IDS, STEPS, check_session, model_session, plan_course, protocol,
                               protocols)

REQUIRED_STEPS = ["consent", "photographs", "makeup_removal", "hand_hygiene", "skin_antisepsis",
                  "aseptic_preparation", "batch_record", "injection", "injection_record", "sharps", "aftercare",
                  "follow_up"]


def session(**changes: dict[str, object]) -> list[dict[str, object]]:
    """The model session with some steps' attributes changed (step id -> attribute changes)."""
    steps = model_session()
    for entry in steps:
        entry.update(changes.get(entry["step"], {}))
    return steps


def without(*step_ids: str) -> list[dict[str, object]]:
    return [entry for entry in model_session() if entry["step"] not in step_ids]


def moved(step_id: str, to: int) -> list[dict[str, object]]:
    steps = model_session()
    entry = next(e for e in steps if e["step"] == step_id)
    steps.remove(entry)
    steps.insert(to, entry)
    return steps


# --- knowledge ----------------------------------------------------------------------------------------------------

def test_the_steps_are_the_sessions_steps_in_order():
    assert list(STEP_IDS) == REQUIRED_STEPS
    for info in STEPS.values():
        assert info.why and info.sources


def test_every_check_disclosure_protocol_and_aftercare_item_has_a_resolving_source():
    base = knowledge()
    known = {s.id for s in base.bibliography.sources}
    procedure = base.procedure
    ids = [s for step in procedure.steps for s in step.sources]
    ids += [s for step in procedure.steps for a in step.attributes for c in a.checks for s in c.sources]
    ids += [d.source for d in procedure.disclosures] + [p.source for p in procedure.protocols]
    ids += [a.source for a in procedure.aftercare] + [w.source for w in procedure.warning_signs]
    assert set(ids) <= known


def test_consent_covers_what_the_issue_requires():
    disclosed = {d.id for d in knowledge().procedure.disclosures}
    assert {"regulatory_status", "off_label_mixture", "limited_evidence", "expected_effects", "risks",
            "alternatives", "course_and_costs"} <= disclosed


def test_published_protocols_disagree_and_are_as_published():
    published = {(p.source, p.interval_days, p.sessions) for p in protocols()}
    assert {("ElD12", 14, 6), ("Sav13", 15, 4), ("Newest", 14, 4), ("Bano23", 21, 3), ("Cav21", 21, 3),
            ("Dier18", 28, 3)} <= published
    assert len({p.interval_days for p in protocols()}) >= 3 and len({p.sessions for p in protocols()}) >= 3


def test_aftercare_windows_say_which_are_not_found():
    statuses = {a.id: a.window_status for a in knowledge().procedure.aftercare}
    assert statuses["makeup"] == statuses["exercise"] == statuses["alcohol"] == statuses["sauna"] == "not_found"
    assert statuses["sun_heat"] == "label_without_hours"
    assert "Not found" in knowledge().procedure.stopping_rule.note


@pytest.fixture
def knowledge_copy(tmp_path: Path) -> Path:
    for name in FILES:
        shutil.copy(KNOWLEDGE_DIR / name, tmp_path / name)
    return tmp_path


def test_a_check_with_a_value_the_attribute_does_not_have_is_refused(knowledge_copy: Path):
    path = knowledge_copy / "procedure.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("equals: tap", "equals: rainwater"), encoding="utf-8")
    with pytest.raises(KnowledgeError, match="procedure.yaml"):
        load(knowledge_copy)


def test_an_order_rule_naming_a_later_or_unknown_step_is_refused(knowledge_copy: Path):
    path = knowledge_copy / "procedure.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("{step: hand_hygiene, severity: unsafe, reason: \"Hands are cleaned before needles",
                                 "{step: sharps, severity: unsafe, reason: \"Hands are cleaned before needles"),
                    encoding="utf-8")
    with pytest.raises(KnowledgeError, match="must be listed before"):
        load(knowledge_copy)


# --- the checklist: cases -----------------------------------------------------------------------------------------

def test_the_model_session_is_complete_with_no_finding():
    result = check_session(model_session())
    assert result.verdict == "complete" and result.findings == ()
    assert len(result.record()) == len(REQUIRED_STEPS)


@pytest.mark.parametrize("changes, check", [
    ({"aseptic_preparation": {"vial_shared_between_patients": True}}, "shared_vial"),
    ({"aseptic_preparation": {"vial": "multi_dose", "vial_shared_between_patients": True,
                              "multi_dose_days_open": 3, "multi_dose_vial_kept": "treatment_area"}},
     "shared_multi_dose_vial"),
    ({"skin_antisepsis": {"left_to_dry": False}}, "not_dry"),
    ({"skin_antisepsis": {"antiseptic": "none"}}, "no_antiseptic"),
    ({"skin_antisepsis": {"contact_seconds": 10}}, "contact_too_short"),
    ({"skin_antisepsis": {"antiseptic": "alcohol_70", "contact_seconds": 30}}, "alcohol_contact_too_short"),
    ({"makeup_removal": {"water": "tap"}}, "tap_water"),
    ({"aseptic_preparation": {"new_needle_and_syringe": False}}, "reused_needle_or_syringe"),
    ({"aseptic_preparation": {"needle_left_in_stopper": True}}, "needle_in_stopper"),
    ({"aseptic_preparation": {"licensed_products": False}}, "unlicensed_products"),
    ({"aseptic_preparation": {"vial": "multi_dose", "multi_dose_days_open": 40}}, "multi_dose_expired"),
    ({"sharps": {"recapped": True}}, "recapping"),
    ({"hand_hygiene": {"broken_skin_on_hands": True}}, "injector_broken_skin"),
    ({"injection": {"contaminated_needle_reused": True}}, "contaminated_needle"),
    ({"aftercare": {"warning_signs_explained": False}}, "no_warning_signs"),
])
def test_each_unsafe_value_is_found_with_why_and_sources(changes, check):
    result = check_session(session(**changes))
    assert result.verdict == "unsafe"
    finding = next(f for f in result.findings if f.check == check)
    assert finding.kind == "unsafe" and finding.why and finding.sources
    assert set(finding.sources) <= {s.id for s in knowledge().bibliography.sources}


@pytest.mark.parametrize("changes, check", [
    ({"consent": {"obtained_by": "delegated"}}, "consent_delegated"),
    ({"consent": {"written_information": False}}, "no_written_information"),
    ({"consent": {"disclosed": ["risks", "expected_effects"]}}, "undisclosed:off_label_mixture"),
    ({"photographs": {"same_settings": False}}, "photos_inconsistent"),
    ({"aftercare": {"written": False}}, "aftercare_not_written"),
])
def test_documentation_gaps_are_incomplete_not_unsafe(changes, check):
    result = check_session(session(**changes))
    assert check in result.checks and result.verdict == "incomplete"


def test_a_shared_vial_of_unknown_type_or_place_is_still_unsafe():
    for changes in ({"vial": None, "vial_shared_between_patients": True},
                    {"vial": "multi_dose", "vial_shared_between_patients": True, "multi_dose_days_open": 1}):
        result = check_session(session(aseptic_preparation=changes))
        assert result.verdict == "unsafe" and {"shared_vial", "shared_multi_dose_vial"} & result.checks


def test_a_multi_dose_vial_shared_from_a_preparation_area_is_not_best_practice_but_not_unsafe():
    result = check_session(session(aseptic_preparation={
        "vial": "multi_dose", "vial_shared_between_patients": True, "multi_dose_days_open": 3,
        "multi_dose_vial_kept": "preparation_area"}))
    assert result.checks == {"multi_dose_vial_shared_from_preparation_area"} and result.verdict == "incomplete"


def test_the_right_contact_time_for_each_antiseptic_passes():
    assert check_session(session(skin_antisepsis={"contact_seconds": 30})).verdict == "complete"
    assert check_session(session(skin_antisepsis={"antiseptic": "alcohol_70", "contact_seconds": 60})
                         ).verdict == "complete"


def test_a_multi_dose_vial_for_one_patient_within_28_days_is_acceptable_but_its_age_must_be_stated():
    assert check_session(session(aseptic_preparation={"vial": "multi_dose", "multi_dose_days_open": 28,
                                                      "multi_dose_vial_kept": "treatment_area"})).verdict == "complete"
    result = check_session(session(aseptic_preparation={"vial": "multi_dose"}))
    assert result.verdict == "incomplete" and "not_stated" in result.checks


@pytest.mark.parametrize("step", REQUIRED_STEPS)
def test_every_missing_step_is_reported(step):
    result = check_session(without(step))
    assert f"missing:{step}" in result.checks and result.verdict != "complete"
    assert f"NOT DONE: {STEPS[step].name}" in result.record()


@pytest.mark.parametrize("step", ["consent", "makeup_removal", "skin_antisepsis", "aseptic_preparation",
                                  "hand_hygiene"])
def test_leaving_out_a_step_that_protects_the_patient_is_unsafe(step):
    assert check_session(without(step)).verdict == "unsafe"


def test_injecting_through_make_up_is_unsafe_and_out_of_order():
    result = check_session(moved("makeup_removal", 8))
    assert "order:injection:makeup_removal" in result.checks
    assert "order:skin_antisepsis:makeup_removal" in result.checks
    assert result.verdict == "unsafe"


def test_photographs_after_cleansing_is_only_incomplete():
    result = check_session(moved("photographs", 3))
    assert result.checks == {"order:makeup_removal:photographs"} and result.verdict == "incomplete"


def test_a_step_repeated_later_does_not_hide_the_first_order():
    steps = model_session()
    steps.append({"step": "hand_hygiene", "broken_skin_on_hands": False})  # after the session: fine
    assert check_session(steps).verdict == "complete"


def test_common_other_names_of_steps_are_read_as_the_step():
    steps = [{"step": "Informed consent"}, "photos", "cleansing", "hand-washing", "antisepsis", "drawing_up",
             "lot_numbers", "inject", "injection_map", "sharps_disposal", "aftercare_instructions", "review"]
    result = check_session(steps)
    assert not result.of_kind("input", "missing", "order")
    assert [d.step for d in result.steps] == REQUIRED_STEPS


def test_injecting_through_make_up_stated_on_the_injection_is_unsafe_and_optional_when_unstated():
    result = check_session(session(injection={"through_makeup": True}))
    assert "injected_through_makeup" in result.checks and result.verdict == "unsafe"
    steps = session()
    del next(e for e in steps if e["step"] == "injection")["through_makeup"]
    assert check_session(steps).verdict == "complete"


def test_bare_step_ids_are_steps_with_nothing_stated():
    result = check_session(list(STEP_IDS))
    assert result.verdict == "incomplete"
    assert not result.of_kind("missing", "order", "unsafe", "input")
    assert {f.attribute for f in result.of_kind("not_stated")} >= {"left_to_dry", "vial_shared_between_patients"}


def test_unknown_steps_attributes_and_malformed_values_are_reported_never_ignored():
    steps = session(skin_antisepsis={"contact_seconds": "thirty", "colour": "blue"}) + ["tattoo", 7, None]
    result = check_session(steps)
    texts = " ".join(f.text for f in result.of_kind("input"))
    assert "'tattoo'" in texts and "'colour'" in texts and "contact time not readable" in texts
    assert "of type int" in texts and "of type NoneType" in texts
    assert result.verdict != "complete"


@pytest.mark.parametrize("value", ["consent", {"step": "consent"}, None, 3, b"consent", iter(["consent"])])
def test_a_session_that_is_not_a_list_raises_value_error(value):
    with pytest.raises(ValueError, match="list of steps"):
        check_session(value)


def test_values_are_read_leniently_but_strictly():
    steps = session(skin_antisepsis={"antiseptic": "Chlorhexidine-Alcohol", "left_to_dry": "yes"},
                    makeup_removal={"water": " Sterile "})
    assert check_session(steps).verdict == "complete"
    for bad in (True, 1, "maybe", ["yes"]):
        result = check_session(session(skin_antisepsis={"left_to_dry": bad}) if bad is not True else
                               session(skin_antisepsis={"contact_seconds": True}))
        assert result.of_kind("input"), bad


def test_the_record_reads_like_notes():
    record = check_session(session(aseptic_preparation={"vial": "multi_dose", "multi_dose_days_open": 2,
                                                        "multi_dose_vial_kept": "preparation_area"})).record()
    assert record[4] == ("5. Skin antisepsis — antiseptic: chlorhexidine alcohol; contact time: 30 s; left to dry: yes")
    assert "days since a multi-dose vial was opened: 2 days" in record[5]
    unstated = check_session(["skin_antisepsis"]).record()
    assert unstated[0].startswith("1. Skin antisepsis — not recorded: antiseptic")


# --- the checklist: fuzzing ---------------------------------------------------------------------------------------

_VALUES = st.one_of(st.none(), st.booleans(), st.integers(-10, 5000), st.floats(allow_nan=True),
                    st.text(max_size=12), st.sampled_from(["yes", "no", "unknown", "tap", "multi_dose", "none"]),
                    st.lists(st.sampled_from(["risks", "alternatives", "x"]), max_size=3))
_KEYS = st.sampled_from(sorted({k for info in STEPS.values() for k in info.attributes} | {"step", "colour"}))
_STEP = st.one_of(st.sampled_from(STEP_IDS), st.text(max_size=8), st.integers(), st.none(),
                  st.builds(lambda step, attrs: {"step": step, **attrs}, st.sampled_from(STEP_IDS),
                            st.dictionaries(_KEYS, _VALUES, max_size=5)))


@settings(max_examples=300, deadline=None)
@given(st.lists(_STEP, max_size=16))
def test_any_session_gives_a_verdict_and_never_raises(steps):
    result = check_session(steps)
    assert result.verdict in ("complete", "incomplete", "unsafe")
    for finding in result.findings:
        assert finding.text and finding.why and finding.line()
    assert result.record() is not None


@settings(max_examples=150, deadline=None)
@given(st.permutations(REQUIRED_STEPS))
def test_only_an_order_that_respects_every_rule_is_complete(order):
    by_id = {e["step"]: e for e in model_session()}
    result = check_session([by_id[s] for s in order])
    position = {s: i for i, s in enumerate(order)}
    broken = [(s.id, b.step) for s in knowledge().procedure.steps for b in s.after
              if position[b.step] > position[s.id]]
    assert (result.verdict == "complete") == (not broken)
    assert {f"order:{a}:{b}" for a, b in broken} == set(result.checks)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(REQUIRED_STEPS), st.data())
def test_dropping_any_stated_attribute_never_leaves_the_session_complete(step, data):
    steps = model_session()
    entry = next(e for e in steps if e["step"] == step)
    keys = [k for k in entry if k not in ("step", "through_makeup")]  # through_makeup is optional
    if not keys:
        return
    del entry[data.draw(st.sampled_from(keys))]
    assert check_session(steps).verdict != "complete"


# --- the planner --------------------------------------------------------------------------------------------------

def test_planner_dates_for_a_published_protocol():
    plan = plan_course(dt.date(2026, 1, 5), "eld_2w_x6")
    assert plan.session_dates == tuple(dt.date(2026, 1, 5) + dt.timedelta(days=14 * k) for k in range(6))
    assert plan.response_review.date == dt.date(2026, 2, 16) and plan.response_review.session == 4
    assert plan.final_review.date == dt.date(2026, 3, 30)
    assert all(v.sources for v in plan.visits)


def test_planner_takes_iso_text_and_a_custom_protocol():
    plan = plan_course("2026-02-20", {"interval_days": 15, "sessions": 4})
    assert [d.isoformat() for d in plan.session_dates] == ["2026-02-20", "2026-03-07", "2026-03-22", "2026-04-06"]
    assert plan.response_review.session == 3 and plan.final_review.date == dt.date(2026, 4, 20)
    assert plan.protocol.source == "" and plan.visits[0].sources == ()


def test_a_single_session_has_no_response_review():
    plan = plan_course("2026-05-01", "skinvive_single")
    assert plan.response_review is None and len(plan.session_dates) == 1


@pytest.mark.parametrize("start, chosen", [
    ("05/01/2026", "eld_2w_x6"), (20260105, "eld_2w_x6"), (None, "eld_2w_x6"),
    ("2026-01-05", "every_week_forever"), ("2026-01-05", {"interval_days": 0, "sessions": 3}),
    ("2026-01-05", {"interval_days": 14, "sessions": 2.5}), ("2026-01-05", {"interval_days": 14}),
    ("2026-01-05", {"interval_days": 14, "sessions": 3, "extra": 1}), ("2026-01-05", {"interval_days": True,
                                                                                     "sessions": 3}),
    ("2026-01-05", 14), ("9999-12-01", "eld_2w_x6"),
])
def test_planner_refuses_what_is_not_a_date_or_a_protocol(start, chosen):
    with pytest.raises(ValueError):
        plan_course(start, chosen)


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 1, 1)), st.integers(1, 365),
       st.integers(1, 20))
def test_planner_properties(start, interval, sessions):
    plan = plan_course(start, {"interval_days": interval, "sessions": sessions})
    dates = plan.session_dates
    assert len(dates) == sessions and dates[0] == start
    assert all((b - a).days == interval for a, b in zip(dates, dates[1:]))
    assert plan.final_review.date > dates[-1]
    review = plan.response_review
    assert (review is None) == (sessions == 1)
    if review:
        assert review.date == dates[review.session - 1] and review.session > sessions / 2


def test_every_published_protocol_plans_and_plan_notes_say_what_is_not_found():
    for p in protocols():
        assert len(plan_course("2026-01-05", p.id).session_dates) == p.sessions
    assert protocol("sav_15d_x4").interval_days == 15
    assert any("No stopping rule" in note or "Not found" in note for note in PLAN_NOTES)


# --- the procedure builder ----------------------------------------------------------------------------------------

from mesolab.plots.procedure import protocols_chart, session_strip  # noqa: E402
from mesolab.readings.procedure import builder_session, read_builder  # noqa: E402
from mesolab.widgets.procedure import START_ORDER, ProcedureBuilder  # noqa: E402


def _fill(builder: ProcedureBuilder) -> None:
    """Put the builder in the knowledge base's order, tick every step and state it as the model session does."""
    for target, step in enumerate(STEP_IDS):
        while builder.order.index(step) > target:
            builder.move(step, -1)
    for entry in model_session():
        builder.ticks[entry["step"]].value = True
        for key, value in entry.items():
            if key == "step":
                continue
            control = builder.controls[entry["step"]][key]
            if hasattr(control, "boxes"):
                for item in value:
                    control.boxes[item].value = True
            else:
                control.value = str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) \
                    else value


def test_builder_starts_scrambled_and_unsafe_and_reaches_complete():
    builder = ProcedureBuilder()
    assert builder.order == list(START_ORDER) != list(STEP_IDS) and sorted(START_ORDER) == sorted(STEP_IDS)
    assert builder.reading().check.verdict == "unsafe" and "NOT DONE: Informed consent" in builder.reading().record
    _fill(builder)
    assert builder.order == list(STEP_IDS)
    reading = builder.reading()
    assert reading.check.verdict == "complete", reading.lines
    assert reading.headline.startswith("COMPLETE") and "5. Skin antisepsis: nothing wrong." in reading.lines
    assert "COMPLETE" in builder.readout.value and "contact time: 30 s" in builder.record_view.value
    builder.controls["skin_antisepsis"]["left_to_dry"].value = False
    assert "UNSAFE" in builder.readout.value and "Antiseptic not left to dry" in builder.readout.value
    assert 'aria-label="The session step by step' in builder.strip.value


def test_builder_moves_stop_at_the_ends():
    builder = ProcedureBuilder()
    first, last = builder.order[0], builder.order[-1]
    builder.move(first, -1)
    builder.move(last, +1)
    assert builder.order == list(START_ORDER)


def test_builder_session_reads_typed_numbers_and_leaves_unstated_out():
    values = {"skin_antisepsis": {"antiseptic": "alcohol_70", "contact_seconds": " 45 ", "left_to_dry": "unknown"}}
    session = builder_session(["skin_antisepsis", "consent"], {"skin_antisepsis"}, values)
    assert session == [{"step": "skin_antisepsis", "antiseptic": "alcohol_70", "contact_seconds": 45.0}]
    reading = read_builder(["skin_antisepsis"], {"skin_antisepsis"}, {"skin_antisepsis": {"contact_seconds": "abc"}})
    assert any("not readable" in line for line in reading.lines)


def test_figures_say_in_words_what_they_show():
    strip = session_strip(check_session(without("batch_record")))
    assert "Batch (lot) numbers recorded: not done" in strip.summary and "—." not in strip.summary
    chart = protocols_chart(protocols())
    assert "Every 15 days × 4 [Sav13]: sessions in weeks 0, 2, 4, 6" in chart.summary
