"""Module 08: the claims knowledge file, check_claim, the per-ingredient and per-claim summaries, the reading, the
figures and the claim checker without a browser."""
from __future__ import annotations

import re

import pytest

from mesolab.claims import (LEVELS, VERDICTS, check_claim, claim, claim_evidence, claim_ids, ingredient_evidence,
                            level_name, verdict_name)
from mesolab.knowledge import KnowledgeError, knowledge, load
from mesolab.knowledge.schema.claims import LEVEL_QUALITY
from mesolab.readings.claims import NOT_CHECKED, NOT_CHOSEN, read_claim_check

CITATION = re.compile(r"\[([A-Za-z][A-Za-z0-9-]*)\]")

#: The seed errors the issue names, and the kinds of claims the sources discuss: each must be in the knowledge base
#: with the verdict its sources give (checked by hand against the sources).
EXPECTED = {
    "non_invasive": ("contradicted", "consensus"), "mesoderm_middle_layer": ("contradicted", "consensus"),
    "intramuscular_face": ("contradicted", "consensus"), "antibiotics_in_cocktail": ("unsupported", "none_found"),
    "no_deaths": ("contradicted", "regulatory"), "side_effects_mild": ("contradicted", "case_series"),
    "home_mesoscooter": ("contradicted", "case_series"), "hormones_in_cocktail": ("unsupported", "none_found"),
    "enzymes_scars": ("unsupported", "none_found"), "regulates_sebum": ("unsupported", "none_found"),
    "non_injection_mesotherapy": ("unsupported", "none_found"), "ageing_results_for_scars": ("outside", "peer_reviewed"),
    "skinvive_for_scars": ("outside", "regulatory"), "fda_approved_cocktail": ("contradicted", "peer_reviewed"),
    "polynucleotides_scars": ("supported", "rct"), "painless": ("contradicted", "consensus"),
    "natural_so_safe": ("contradicted", "case_series"), "permanent_results": ("unsupported", "none_found"),
    "active_acne_alternative": ("unsupported", "none_found"), "pregnancy_not_recommended": ("supported", "label"),
}


def test_the_issue_claims_are_there_with_their_verdicts():
    assert 16 <= len(claim_ids()) <= 24
    for claim_id, (verdict, level) in EXPECTED.items():
        c = claim(claim_id)
        assert (c.verdict, c.level) == (verdict, level), claim_id
    assert {c.verdict for c in knowledge().claims.claims} == set(VERDICTS)


def test_every_claim_is_short_sourced_and_its_level_matches_its_settling_source():
    base = knowledge()
    known = {s.id for s in base.bibliography.sources}
    for c in base.claims.claims:
        assert len(c.quote) <= 220 and c.said_in.startswith(("a ", "an ")), c.id  # generic attribution, short quote
        cited = {e.source for e in c.evidence} | set(CITATION.findall(c.answer + c.disagreement))
        assert cited <= known, (c.id, cited - known)
        assert c.settled_by in {e.source for e in c.evidence}
        assert base.source(c.settled_by).quality in LEVEL_QUALITY[c.level], c.id
        assert c.settled_by in c.answer or c.level == "none_found", f"{c.id}: the answer names its settling source"
        assert (c.level == "none_found") == (c.verdict == "unsupported"), c.id
        if c.level == "none_found":
            assert "nothing authoritative" in c.answer.lower()
        assert not CITATION.search(c.patient), f"{c.id}: the patient wording is plain words, without source ids"


def test_claims_about_ingredients_name_cocktail_ingredients_and_reuse_their_evidence():
    rows = {row.id: row for row in ingredient_evidence()}
    assert rows["polynucleotides"].levels["atrophic_scars"] == "injected_trial"
    assert rows["vitamin_c"].levels["post_acne_marks"] == "other_route_only"
    assert rows["glycolic_acid"].levels == {"active_acne": "none_found", "post_acne_marks": "none_found",
                                            "atrophic_scars": "none_found"}
    assert "vitamin_c_marks" in rows["vitamin_c"].claims and "regulates_sebum" in rows["zinc"].claims
    ingredient = next(i for i in knowledge().cocktails.ingredients if i.id == "polynucleotides")
    assert any(g.says in rows["polynucleotides"].texts["atrophic_scars"] for g in ingredient.goals)


def test_check_claim_says_what_was_right_and_wrong():
    right = check_claim("no_deaths", "contradicted", "regulatory")
    assert right.right and right.feedback[0].startswith("Verdict right") and "[HAS14]" in right.feedback[1]
    wrong = check_claim("no_deaths", "unsupported", "case_series")
    assert not wrong.verdict_right and not wrong.level_right
    assert "Contradicted" in wrong.feedback[0] and "Regulator or law" in wrong.feedback[1]
    half = check_claim("skinvive_for_scars", "supported", "regulatory")
    assert half.level_right and not half.verdict_right
    assert check_claim("painless", "Contradicted", "guideline").right  # names and aliases are accepted
    assert check_claim("enzymes_scars", "unsupported", "NF").right
    assert check_claim("skinvive_for_scars", "outside the evidence", "regulator").right


@pytest.mark.parametrize("args, message", [
    (("nonsense", "supported", "rct"), "unknown claim"), (("no_deaths", "maybe", "rct"), "unknown verdict"),
    (("no_deaths", "supported", "hearsay"), "unknown evidence level"), (("no_deaths", None, "rct"), "unknown verdict"),
    ((3, "supported", "rct"), "unknown claim")])
def test_check_claim_refuses_unknown_input_with_the_valid_values(args, message):
    with pytest.raises(ValueError, match=message):
        check_claim(*args)


def test_claim_summary_and_names():
    rows = claim_evidence()
    assert [r.id for r in rows] == list(claim_ids())
    assert all(r.level in LEVELS and r.verdict in VERDICTS for r in rows)
    assert verdict_name("outside") == "Outside the evidence" and level_name("rct") == "Randomised controlled trial"


def test_broken_claims_fail_to_load_naming_file_and_field(knowledge_copy):
    knowledge_copy.replace("claims.yaml", "    level: regulatory\n    settled_by: HAS14",
                           "    level: rct\n    settled_by: HAS14")
    with pytest.raises(KnowledgeError, match=r"claims\.yaml: claims\[\d+\] \(no_deaths\)\.level"):
        load(knowledge_copy)


@pytest.mark.parametrize("old, new", [
    ("    verdict: unsupported\n    level: none_found\n    settled_by: HAS14",
     "    verdict: contradicted\n    level: none_found\n    settled_by: HAS14"),
    ("    verdict: contradicted\n    level: regulatory\n    settled_by: HAS14",
     "    verdict: unsupported\n    level: regulatory\n    settled_by: HAS14")])
def test_unsupported_exactly_when_nothing_was_found(knowledge_copy, old, new):
    knowledge_copy.replace("claims.yaml", old, new)
    with pytest.raises(KnowledgeError, match=r"claims\.yaml: claims\[\d+\]: .*none_found"):
        load(knowledge_copy)


def test_an_unknown_source_or_ingredient_is_refused(knowledge_copy):
    knowledge_copy.replace("claims.yaml", "ingredients: [vitamin_c]", "ingredients: [unicorn_dust]")
    with pytest.raises(KnowledgeError, match="unknown ingredient"):
        load(knowledge_copy)


def test_reading_before_and_after_check():
    assert read_claim_check("painless", "contradicted", "consensus", checked=False).headline == NOT_CHECKED
    missing = read_claim_check("painless", None, "consensus", checked=True)
    assert missing.headline == NOT_CHOSEN and missing.lines == ["Your verdict: not chosen. Settled by: Guideline or consensus."]
    with pytest.raises(ValueError, match="unknown verdict"):
        read_claim_check("painless", "probably", None, checked=False)
    reading = read_claim_check("natural_so_safe", "contradicted", "rct", checked=True)
    assert reading.headline.startswith("PARTLY RIGHT")
    assert reading.prompt == "“It uses mostly natural ingredients, so it is safe.” (a beauty website)"
    assert any(line.startswith("Where the sources disagree:") for line in reading.lines)
    assert reading.lines[-1].startswith("To the patient: “'Natural' doesn't mean safe")
    assert read_claim_check("polynucleotides_scars", "supported", "rct", checked=True).headline.startswith("RIGHT")


def test_figures_say_what_they_show():
    from mesolab.plots.claims import claim_evidence_figure, ingredient_evidence_figure

    figure = claim_evidence_figure(highlight="no_deaths")
    assert figure.png().startswith(b"\x89PNG")
    assert "“No deaths have been found as a result of this treatment.”: contradicted, settled by regulator or law" \
        in figure.alt
    ingredients = ingredient_evidence_figure()
    assert "Polynucleotides / PDRN: active acne no evidence found" in ingredients.alt
    assert "atrophic acne scars controlled trial of the injection" in ingredients.alt


def test_claim_checker_hides_the_answer_until_check_and_after_any_change():
    from mesolab.widgets import ClaimChecker

    view = ClaimChecker("no_deaths")
    controls = [view.claim, view.verdict, view.level]
    assert all(c.description for c in controls) and view.check.description == "Check"
    assert "No deaths have been found" in view.quote.value and NOT_CHECKED in view.readout.value
    view.check.click()
    assert NOT_CHOSEN in view.readout.value
    view.verdict.value, view.level.value = "contradicted", "regulatory"
    assert "HAS14" not in view.readout.value
    view.check.click()
    assert view.reading().text == read_claim_check("no_deaths", "contradicted", "regulatory", True).text
    assert "RIGHT" in view.readout.value and "To the patient" in view.readout.value
    view.level.value = "rct"
    assert NOT_CHECKED in view.readout.value
    view.claim.value = "painless"
    assert view.verdict.value is None and view.level.value is None and "painless" in view.quote.value
    with pytest.raises(ValueError, match="unknown claim"):
        ClaimChecker("not_a_claim")


def test_claim_checker_buttons_are_labelled_and_step_through_every_claim():
    from mesolab.widgets import ClaimChecker
    from mesolab.widgets.claims import LEVEL_LABELS, VERDICT_LABELS

    view = ClaimChecker()
    assert [value for _, value in view.verdict.options] == list(VERDICTS) and list(VERDICT_LABELS) == list(VERDICTS)
    assert [value for _, value in view.level.options] == list(LEVELS) and list(LEVEL_LABELS) == list(LEVELS)
    assert all(view.verdict.tooltips) and all(view.level.tooltips)
    seen = [view.claim.value]
    for _ in claim_ids():
        view.next.click()
        seen.append(view.claim.value)
    assert seen[-1] == seen[0] and set(seen) == set(claim_ids())
    view.previous.click()
    assert view.claim.value == claim_ids()[-1]
