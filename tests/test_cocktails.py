"""Module 04: the ingredient base, the builder's rules, lidocaine limits, and the cocktail builder without a browser."""
from __future__ import annotations


import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mesolab.cocktails import (GOALS, allergy_conflicts, check_cocktail, cross_reactive, evidence_for_goal,
                               find_ingredient, ingredient, ingredient_ids, lidocaine_limit, lidocaine_limit_mg,
                               max_volume_ml, mg_per_ml, recognised_allergy)
from mesolab.knowledge import KnowledgeError, knowledge, load
from mesolab.readings.cocktails import allergy_names, read_cocktail
from mesolab.widgets.cocktails import CocktailBuilder

REQUIRED = {"hyaluronic_acid", "polynucleotides", "vitamin_c", "glycolic_acid", "zinc", "niacinamide",
            "amino_acids_multivitamins", "lidocaine", "procaine", "antibiotics"}


# --- knowledge --------------------------------------------------------------------------------------------------

def test_the_required_ingredients_are_there_with_mechanism_evidence_reactions_and_sources():
    assert REQUIRED <= set(ingredient_ids())
    for ingredient_id in ingredient_ids():
        chosen = ingredient(ingredient_id)
        assert chosen.mechanism.source and chosen.reactions.source
        assert chosen.evidence and all(e.source for e in chosen.evidence)
        assert chosen.evidence_level in ("injected_trial", "injected_small_studies", "other_route_only", "none_found")


def test_evidence_is_graded_honestly():
    for name in ("glycolic acid", "zinc", "amino acids"):
        assert ingredient(name).evidence_level == "none_found"
    assert ingredient("niacinamide").evidence_level == "other_route_only"  # topical only
    for goal in GOALS:  # no ingredient has an injection trial for active acne or marks
        rows = evidence_for_goal(goal)
        levels = [level for _, level, _ in rows]
        assert levels == sorted(levels, key=["injected_trial", "injected_small_studies", "other_route_only",
                                             "none_found"].index)
    best_for = {goal: evidence_for_goal(goal)[0] for goal in GOALS}
    assert best_for["atrophic_scars"][0].id == "polynucleotides"
    assert best_for["active_acne"][1] != "injected_trial" and best_for["post_acne_marks"][1] != "injected_trial"


def test_regulation_says_what_is_and_is_not_approved():
    regulation = knowledge().cocktails.regulation
    approved = {r.id: r for r in regulation if r.approved}
    assert set(approved) == {"skinvive", "bellafill"}
    assert "not approved for scars" in approved["skinvive"].says
    # The one injectable approved for acne scars (rolling cheek scars) is a PMMA-collagen filler, not mesotherapy.
    assert "rolling" in approved["bellafill"].says and "not mesotherapy" in approved["bellafill"].says
    assert approved["bellafill"].source == "Karnik14"
    assert any("not FDA-approved" in r.says for r in regulation if not r.approved)
    # SKINVIVE is a cross-linked gel with lidocaine: not the non-cross-linked HA of a cocktail.
    assert "cross-linked (BDDE)" in ingredient("hyaluronic acid").regulatory.says
    # The 2021 paper is a narrative update on rejuvenation, not a systematic review.
    assert "narrative update" in knowledge().source("JCS21").citation
    assert any("fatal anaphylactic" in r.says and r.source == "HAS14" for r in regulation)


def test_no_source_is_said_to_show_antibiotic_cocktails_failing():
    """No source says the outbreak cocktails held antibiotics: the knowledge base must not claim they failed."""
    base = knowledge().cocktails
    texts = [w.says for r in base.rules for w in r.why] + [i.reactions.says for i in base.ingredients]
    assert not any("did not prevent" in text for text in texts)


def test_procaine_caution_comes_from_the_knowledge_base():
    verdict = check_cocktail("atrophic_scars", {"procaine": 1.0}).verdicts[0]
    procaine = ingredient("procaine")
    assert verdict.status == "caution"
    assert any(procaine.evidence[0].says in reason for reason in verdict.reasons)
    assert procaine.evidence[0].source in verdict.sources


def test_outbreaks_are_sourced():
    outbreaks = {o.id: o for o in knowledge().cocktails.outbreaks}
    assert {"lima", "spain_2009", "adelaide_2008"} <= set(outbreaks)
    assert "multidose" in outbreaks["spain_2009"].says and "procaine vial" in outbreaks["lima"].says


# --- lidocaine ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("weight, epinephrine, expected", [
    (60, False, 270.0), (66.6, False, 299.7), (67, False, 300.0), (100, False, 300.0),
    (60, True, 420.0), (71, True, 497.0), (72, True, 500.0), (120, True, 500.0),
])
def test_adult_limits_and_caps(weight, epinephrine, expected):
    assert lidocaine_limit_mg(weight, epinephrine) == pytest.approx(expected)


def test_worked_check_from_the_fact_sheet():
    assert max_volume_ml(lidocaine_limit_mg(60), 1) == pytest.approx(27.0)
    assert mg_per_ml(1) == 10 and mg_per_ml(2) == 20


def test_children_use_the_low_end_and_infants_30_percent_less():
    assert lidocaine_limit(20, group="child").ceiling_mg == pytest.approx(30.0)
    assert lidocaine_limit(20, True, group="child").ceiling_mg == pytest.approx(60.0)
    assert lidocaine_limit(5, group="infant").ceiling_mg == pytest.approx(5 * 1.5 * 0.7)


@pytest.mark.parametrize("reduction", ["elderly", "hepatic_impairment", "renal_impairment", "cardiac_disease",
                                       "pregnancy", "face_neck"])
def test_groups_without_a_figure_are_flagged_never_given_a_number(reduction):
    limit = lidocaine_limit(70, reduce_for=[reduction])
    assert limit.lower_limit_advised and "ceiling, not a target" in limit.text
    with pytest.raises(ValueError, match="no figure"):
        lidocaine_limit_mg(70, reduce_for=[reduction])


@pytest.mark.parametrize("call", [
    lambda: lidocaine_limit(-5), lambda: lidocaine_limit("60"), lambda: lidocaine_limit(float("nan")),
    lambda: lidocaine_limit(60, with_epinephrine="yes"), lambda: lidocaine_limit(60, group="teen"),
    lambda: lidocaine_limit(60, reduce_for=["tired"]), lambda: mg_per_ml(50), lambda: max_volume_ml(100, 0),
    lambda: check_cocktail("wrinkles", {"lidocaine": 1}), lambda: check_cocktail("active_acne", {}),
    lambda: check_cocktail("active_acne", {"snake oil": 1}), lambda: check_cocktail("active_acne", {"ha": -1}),
    lambda: check_cocktail("active_acne", {"ha": 1, "hyaluronic acid": 1}),
    lambda: check_cocktail("active_acne", {"ha": 1}, allergies=[3]),
])
def test_bad_input_is_a_clear_value_error(call):
    with pytest.raises(ValueError):
        call()


@settings(max_examples=200, deadline=None)
@given(st.floats(2, 250), st.booleans())
def test_limit_never_exceeds_the_cap_or_the_rate(weight, epinephrine):
    limit = lidocaine_limit(weight, epinephrine)
    assert limit.ceiling_mg <= (500 if epinephrine else 300) + 1e-9
    assert limit.ceiling_mg <= weight * (7 if epinephrine else 4.5) + 1e-6


# --- the builder's rules -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["clindamycin", "Erythromycin", "antibiotic", "alcohol", "oil-based"])
def test_antibiotics_and_alcohol_or_oil_are_always_blocked(name):
    verdict = check_cocktail("active_acne", {name: 0.5, "hyaluronic acid": 2}).verdicts[0]
    assert verdict.blocked and verdict.sources


@pytest.mark.parametrize("allergy, planned, blocked", [
    ("lidocaine", "lidocaine", True), ("articaine", "lidocaine", True), ("amide", "lidocaine", True),
    ("procaine", "lidocaine", False), ("benzocaine", "procaine", True), ("lidocaine", "procaine", False),
    ("gram-positive bacterial proteins", "hyaluronic acid", True), ("vitamin C", "vitamin C", True),
    ("latex", "lidocaine", False),
])
def test_allergy_blocks_the_substance_and_its_class_only(allergy, planned, blocked):
    check = check_cocktail("atrophic_scars", {planned: 1.0}, [allergy])
    assert check.verdicts[0].blocked is blocked
    assert bool(allergy_conflicts([allergy], [planned])) is blocked


def test_cross_reactive_and_recognition():
    assert cross_reactive("procaine") == ("procaine",) and cross_reactive("mepivacaine") == ("lidocaine",)
    assert recognised_allergy("Xylocaine") and not recognised_allergy("latex")
    assert find_ingredient("PDRN").id == "polynucleotides" and find_ingredient("mystery") is None
    check = check_cocktail("atrophic_scars", {"ha": 1.0}, ["latex", "none"])
    assert check.unrecognised_allergies == ("latex",)


def test_over_the_limit_and_safe_to_prepare():
    ok = check_cocktail("atrophic_scars", {"polynucleotides": 2, "lidocaine": 2}, weight_kg=60)
    assert ok.lidocaine_mg == pytest.approx(20) and ok.safe_to_prepare
    over = check_cocktail("atrophic_scars", {"lidocaine": 10}, weight_kg=60, lidocaine_percent=2)
    assert over.lidocaine_mg == pytest.approx(200) and not over.over_limit
    over = check_cocktail("atrophic_scars", {"lidocaine": 15}, weight_kg=60, lidocaine_percent=2)
    assert over.over_limit and not over.safe_to_prepare


def test_no_evidence_for_the_goal_is_a_caution_with_its_source():
    verdict = check_cocktail("active_acne", {"glycolic acid": 1}).verdicts[0]
    assert verdict.status == "caution" and "No evidence" in " ".join(verdict.reasons)
    assert "[SEME]" in verdict.goal_evidence


# --- knowledge file errors ---------------------------------------------------------------------------------------

def test_an_anaesthetic_outside_its_allergen_class_fails_to_load(knowledge_copy):
    knowledge_copy.replace("cocktails.yaml", "    allergen_classes: [amide_anaesthetics]\n", "")
    with pytest.raises(KnowledgeError, match=r"cocktails\.yaml: ingredients\[\d+\].*amide_anaesthetics"):
        load(knowledge_copy)


def test_an_unsourced_dose_limit_fails_to_load(knowledge_copy):
    knowledge_copy.replace("cocktails.yaml", "source: XyloLabel,", "source: Nobody99,")
    with pytest.raises(KnowledgeError, match=r"cocktails\.yaml: .*unknown source 'Nobody99'"):
        load(knowledge_copy)


# --- the builder without a browser -------------------------------------------------------------------------------

def test_read_cocktail_text():
    reading = read_cocktail("atrophic_scars", {"polynucleotides": 2, "lidocaine": 3}, weight_kg=50)
    assert "30 mg" in reading.summary and "ceiling of 225 mg" in reading.summary
    assert "single-use vials" in reading.summary
    assert any("Araco21" in line for line in reading.lines)
    assert read_cocktail().lines == ("No ingredient added yet: give an ingredient a volume above 0 mL.",)
    assert allergy_names(["amide_anaesthetics"], "latex; vitamin C,") == ("amide_anaesthetics", "latex", "vitamin C")


def test_builder_widget_blocks_and_gauges():
    builder = CocktailBuilder(volumes_ml={"polynucleotides": 2, "lidocaine": 2}, weight_kg=60)
    first_gauge = builder.gauge.value
    assert "within the ceiling of 270 mg" in builder.readout.value and "ceiling 270 mg" in first_gauge
    builder.allergy_boxes["amide_anaesthetics"].value = True
    assert "BLOCKED" in builder.verdicts.value and "amide" in builder.verdicts.value
    builder.allergy_boxes["amide_anaesthetics"].value = False
    builder.volumes["lidocaine"].value = 10.0
    builder.percent.value = 2.0
    builder.weight.value = 40
    assert "OVER the ceiling of 180 mg" in builder.readout.value and "OVER the ceiling" in builder.gauge.value
    builder.epinephrine.value = True
    assert "within the ceiling of 280 mg" in builder.readout.value
    builder.volumes["antibiotics"].value = 1.0
    assert "No antibiotics in cocktails" in builder.verdicts.value
    builder.other_allergies.value = "latex"
    assert "cannot match" in builder.readout.value


def test_lesson_04_corrects_the_seed_claims_and_says_what_is_approved(repo):
    import nbformat

    lesson = nbformat.read(repo / "notebooks" / "04_cocktail_selection.ipynb", as_version=4)
    text = "\n".join(c.source for c in lesson.cells if c.cell_type == "markdown")
    for needed in ("Bellafill", "[Karnik14]", "cross-linked", "narrative update", "enzymes, hormones",
                   "regulates sebum", "[HAS14]"):
        assert needed in text, needed
    assert "did not prevent" not in text and "a systematic review concluded" not in text
