"""Claims against evidence (module 08): the claims of clinic leaflets and websites, judged against the sources.

Every claim, verdict and level lives in ``knowledge/claims.yaml``; nothing clinical is written here.

- :func:`claim_ids`, :func:`claim`: list the claims and look one up by its id;
- :func:`check_claim`: a trainee's verdict and evidence level for a claim, against the sourced answer;
- :func:`ingredient_evidence` and :func:`claim_evidence`: the evidence-level summary per ingredient (from the
  cocktail ingredients of module 04, not retyped) and per claim.

>>> result = check_claim("no_deaths", "contradicted", "regulatory")
>>> result.verdict_right, result.level_right
(True, True)
>>> check_claim("no_deaths", "supported", "secondary").verdict_right
False
"""
from __future__ import annotations

from dataclasses import dataclass

from ._validate import one_of
from .cocktails import GOALS, evidence_for_goal
from .knowledge import knowledge, source_mark
from .knowledge.schema.claims import LEVELS, VERDICTS, Claim

__all__ = ["LEVELS", "VERDICTS", "ClaimCheck", "ClaimRow", "IngredientRow", "check_claim", "claim", "claim_evidence",
           "claim_ids", "goal_names", "ingredient_evidence", "level_meaning", "level_name", "verdict_meaning",
           "verdict_name"]

#: Other ways a trainee may write a verdict or a level (matched after lower-casing, spaces and hyphens -> "_").
VERDICT_ALIASES = {"outside_the_evidence": "outside", "no_evidence": "unsupported", "false": "contradicted",
                   "true": "supported"}
LEVEL_ALIASES = {"randomised_controlled_trial": "rct", "randomized_controlled_trial": "rct",
                 "randomised_trial": "rct", "randomized_trial": "rct", "peer_reviewed_study": "peer_reviewed",
                 "review": "peer_reviewed", "case_report": "case_series", "case_reports": "case_series",
                 "guideline": "consensus", "regulator": "regulatory", "product_label": "label",
                 "registry": "trial_registry", "secondary_page": "secondary", "nf": "none_found",
                 "nothing_found": "none_found", "nothing_authoritative_found": "none_found"}


def _kb():
    return knowledge().claims


def claim_ids() -> tuple[str, ...]:
    """Every claim id, in the order of the knowledge base."""
    return tuple(c.id for c in _kb().claims)


def claim(claim_id: str) -> Claim:
    """The claim called ``claim_id``; ValueError names the valid ids."""
    chosen = one_of("claim", claim_id, claim_ids())
    return next(c for c in _kb().claims if c.id == chosen)


def verdict_name(verdict: str) -> str:
    """'outside' -> 'Outside the evidence'."""
    return _kb().verdicts[one_of("verdict", verdict, VERDICTS, VERDICT_ALIASES)].name


def level_name(level: str) -> str:
    """'rct' -> 'Randomised controlled trial'."""
    return _kb().levels[one_of("evidence level", level, LEVELS, LEVEL_ALIASES)].name


def verdict_meaning(verdict: str) -> str:
    return _kb().verdicts[one_of("verdict", verdict, VERDICTS, VERDICT_ALIASES)].means


def level_meaning(level: str) -> str:
    return _kb().levels[one_of("evidence level", level, LEVELS, LEVEL_ALIASES)].means


@dataclass(frozen=True)
class ClaimCheck:
    """A trainee's verdict and level for a claim, against the knowledge base."""

    claim: Claim
    verdict: str
    level: str

    @property
    def verdict_right(self) -> bool:
        return self.verdict == self.claim.verdict

    @property
    def level_right(self) -> bool:
        return self.level == self.claim.level

    @property
    def right(self) -> bool:
        return self.verdict_right and self.level_right

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys([self.claim.settled_by, *(e.source for e in self.claim.evidence)]))

    @property
    def feedback(self) -> tuple[str, ...]:
        """What was right and what was wrong, one sentence each."""
        c = self.claim
        settled = f"{level_name(c.level)} {source_mark(c.settled_by)}"
        if self.verdict_right:
            verdict = f"Verdict right: {verdict_name(c.verdict)}."
        else:
            verdict = (f"Verdict wrong: you chose {verdict_name(self.verdict)}; the sources say "
                       f"{verdict_name(c.verdict)}: {verdict_meaning(c.verdict)}")
        if self.level_right:
            level = f"Level right: {settled}."
        else:
            level = (f"Level wrong: you chose {level_name(self.level)}; what settles it is {settled}: "
                     f"{level_meaning(c.level)}")
        return verdict, level


def check_claim(claim_id: str, verdict: str, level: str) -> ClaimCheck:
    """Check a verdict (``supported``, ``contradicted``, ``unsupported``, ``outside``) and an evidence level (one of
    :data:`LEVELS`) for a claim; ValueError names the valid values."""
    chosen = claim(claim_id)
    return ClaimCheck(chosen, one_of("verdict", verdict, VERDICTS, VERDICT_ALIASES),
                      one_of("evidence level", level, LEVELS, LEVEL_ALIASES))


@dataclass(frozen=True)
class ClaimRow:
    """One claim in the per-claim summary."""

    id: str
    quote: str
    said_in: str
    verdict: str
    level: str
    settled_by: str


def claim_evidence() -> tuple[ClaimRow, ...]:
    """Every claim with its verdict, evidence level and settling source, in the order of the knowledge base."""
    return tuple(ClaimRow(c.id, c.quote, c.said_in, c.verdict, c.level, c.settled_by) for c in _kb().claims)


@dataclass(frozen=True)
class IngredientRow:
    """One cocktail ingredient: its evidence level per goal (from module 04's knowledge) and the claims about it."""

    id: str
    name: str
    levels: dict[str, str]  # goal -> cocktails evidence level
    texts: dict[str, str]  # goal -> what the sources say
    claims: tuple[str, ...]  # claim ids that name this ingredient


def goal_names() -> dict[str, str]:
    """The cocktail goals (module 04) by id, in order: 'atrophic_scars' -> 'Atrophic acne scars'."""
    return {goal: knowledge().cocktails.goals[goal].split(" (")[0] for goal in GOALS}


def ingredient_evidence() -> tuple[IngredientRow, ...]:
    """Every active cocktail ingredient with its evidence level for each goal, and the claims made about it."""
    per_goal = {goal: {ingredient.id: (level, text) for ingredient, level, text in evidence_for_goal(goal)}
                for goal in GOALS}
    rows = []
    for ingredient, _level, _text in evidence_for_goal(GOALS[0]):
        rows.append(IngredientRow(
            ingredient.id, ingredient.name, {goal: per_goal[goal][ingredient.id][0] for goal in GOALS},
            {goal: per_goal[goal][ingredient.id][1] for goal in GOALS},
            tuple(c.id for c in _kb().claims if ingredient.id in c.ingredients)))
    order = [i.id for i in knowledge().cocktails.ingredients]
    return tuple(sorted(rows, key=lambda row: order.index(row.id)))
