"""Classical item analysis on a score matrix: pure functions, no nbgrader, no plotting.

A *score matrix* has one row per trainee and one column per item (an nbgrader grade cell); each entry is the
points the trainee got, or ``None`` when the item is not graded yet (a free-text answer awaiting its manual
grade). ``None`` is never counted as 0.

What is computed, per item (after Ebel; the thresholds and why: ``docs/item-analysis.md``):

* **difficulty** ``p`` = mean score / maximum (for a 0/1 item: the proportion right), and the proportion of
  trainees with full marks;
* **discrimination** = the *corrected* point-biserial correlation: Pearson's r between the item score and the
  rest of the total (the total minus the item), so the item does not correlate with itself;
* the **upper–lower index** D = (mean item score of the top 27 % − mean of the bottom 27 % by total) / maximum;
* the score distribution, and flags: ``negative discrimination`` (look at it first), ``poor discrimination``
  (r < 0.20), ``too hard`` (p < 0.20), ``too easy`` (p > 0.95).

Per cohort: n, mean, SD of the totals, and Cronbach's alpha (equal to KR-20 for 0/1 items) when n ≥ 5.

Missing grades. Totals are summed over the *complete* items, those graded for every trainee, so every total
covers the same questions. An item with missing grades is analysed on the trainees graded on it, against the
same totals (its own score is not part of them, so nothing is subtracted). Reliability uses complete items.

Undefined values are ``None``: r when fewer than 3 trainees are graded on the item or either the item or the
rest score does not vary (everyone scored the same); D with fewer than 2 trainees; alpha with n < 5, fewer than
2 complete items, or totals that do not vary.
"""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

#: Thresholds (Ebel; docs/item-analysis.md).
TOO_EASY_P = 0.95
TOO_HARD_P = 0.20
POOR_DISCRIMINATION = 0.20
UPPER_LOWER_FRACTION = 0.27
#: Below this many trainees the statistics are unstable (said in the report).
STABLE_N = 20
#: Reliability is only computed from this many trainees on.
MIN_N_RELIABILITY = 5

NEGATIVE = "negative discrimination"
POOR = "poor discrimination"
TOO_HARD = "too hard"
TOO_EASY = "too easy"
#: Set by the report instead of "too hard" on a free-text item that every trainee left blank.
NOT_ANSWERED = "not answered"
#: Flags in the order an instructor should look at them.
FLAG_ORDER = (NEGATIVE, POOR, NOT_ANSWERED, TOO_HARD, TOO_EASY)

Score = float | None


def ebel_band(r: float | None) -> str:
    """Ebel's reading of a discrimination index."""
    if r is None:
        return "not computable"
    if r < 0:
        return "negative"
    if r < 0.20:
        return "poor"
    if r < 0.30:
        return "marginal"
    if r < 0.40:
        return "good"
    return "very good"


def difficulty(scores: Sequence[float], max_score: float) -> float | None:
    """Mean score / maximum, over graded scores; ``None`` if nobody is graded or the maximum is 0."""
    if not scores or max_score <= 0:
        return None
    return float(np.mean(scores)) / max_score


def full_marks(scores: Sequence[float], max_score: float) -> float | None:
    """Proportion of graded trainees with the full points."""
    if not scores:
        return None
    return sum(1 for s in scores if s >= max_score - 1e-9) / len(scores)


def pearson(x: Sequence[float], y: Sequence[float]) -> float | None:
    """Pearson's r; ``None`` with fewer than 3 pairs or when either side does not vary."""
    if len(x) != len(y):
        raise ValueError("x and y differ in length")
    if len(x) < 3:
        return None
    a, b = np.asarray(x, float), np.asarray(y, float)
    da, db = a - a.mean(), b - b.mean()
    sa, sb = math.sqrt(float(da @ da)), math.sqrt(float(db @ db))
    if sa < 1e-12 or sb < 1e-12:
        return None
    return float(da @ db) / (sa * sb)


def corrected_point_biserial(item: Sequence[float], totals: Sequence[float], item_in_total: bool = True) -> float | None:
    """r between the item and the rest score (total minus the item when the item is part of the total)."""
    rest = [t - s for s, t in zip(item, totals)] if item_in_total else list(totals)
    return pearson(item, rest)


def group_size(n: int, fraction: float = UPPER_LOWER_FRACTION) -> int:
    """Trainees in each of the upper and lower groups: fraction × n rounded half up, at least 1."""
    return max(1, math.floor(fraction * n + 0.5))


def upper_lower_index(item: Sequence[float], totals: Sequence[float], max_score: float,
                      fraction: float = UPPER_LOWER_FRACTION) -> float | None:
    """D = (mean item score of the top group − of the bottom group) / maximum; groups by total score.

    Ties in the total are broken by the order of the trainees (first listed counts as higher), so the
    result is reproducible; with many ties D depends on that order, which is why r is the main index.
    """
    n = len(item)
    if n < 2 or max_score <= 0:
        return None
    k = min(group_size(n, fraction), n // 2)
    order = sorted(range(n), key=lambda i: (-totals[i], i))
    upper, lower = order[:k], order[-k:]
    return (float(np.mean([item[i] for i in upper])) - float(np.mean([item[i] for i in lower]))) / max_score


def cronbach_alpha(matrix: Sequence[Sequence[float]]) -> float | None:
    """Cronbach's alpha (KR-20 for 0/1 items) of a complete matrix: rows trainees, columns items."""
    data = np.asarray(matrix, float)
    if data.ndim != 2:
        return None
    n, k = data.shape
    if n < 2 or k < 2:
        return None
    total_var = float(data.sum(axis=1).var(ddof=1))
    if total_var < 1e-12:
        return None
    return k / (k - 1) * (1 - float(data.var(axis=0, ddof=1).sum()) / total_var)


def item_flags(p: float | None, r: float | None) -> tuple[str, ...]:
    """The flags of an item, most urgent first."""
    flags = []
    if r is not None and r < 0:
        flags.append(NEGATIVE)
    elif r is not None and r < POOR_DISCRIMINATION:
        flags.append(POOR)
    if p is not None and p < TOO_HARD_P:
        flags.append(TOO_HARD)
    if p is not None and p > TOO_EASY_P:
        flags.append(TOO_EASY)
    return tuple(flags)


@dataclass(frozen=True)
class ItemStats:
    index: int
    max_score: float
    n_graded: int
    n_missing: int
    mean: float | None
    difficulty: float | None
    full_marks: float | None
    discrimination: float | None
    upper_lower: float | None
    distribution: dict[float, int]
    flags: tuple[str, ...]

    @property
    def band(self) -> str:
        return ebel_band(self.discrimination)

    @property
    def urgency(self) -> int:
        """Sort key: 0 for the most urgent flag ... len(FLAG_ORDER) for no flag."""
        return min((FLAG_ORDER.index(f) for f in self.flags), default=len(FLAG_ORDER))


@dataclass(frozen=True)
class CohortStats:
    n: int
    complete_items: tuple[int, ...]
    max_total: float
    totals: tuple[float, ...]
    mean: float | None
    sd: float | None
    reliability: float | None
    reliability_note: str
    small: bool = field(default=False)


def _check(scores: Sequence[Sequence[Score]], max_scores: Sequence[float]) -> None:
    for row in scores:
        if len(row) != len(max_scores):
            raise ValueError(f"a row has {len(row)} scores for {len(max_scores)} items")
        for value, top in zip(row, max_scores):
            if value is not None and not (-1e-9 <= value <= top + 1e-9):
                raise ValueError(f"score {value} outside 0..{top}")


def cohort_stats(scores: Sequence[Sequence[Score]], max_scores: Sequence[float]) -> CohortStats:
    _check(scores, max_scores)
    n = len(scores)
    complete = tuple(j for j in range(len(max_scores)) if all(row[j] is not None for row in scores))
    totals = tuple(float(sum(row[j] for j in complete)) for row in scores)
    mean = float(np.mean(totals)) if n else None
    sd = float(np.std(totals, ddof=1)) if n >= 2 else None
    if n < MIN_N_RELIABILITY:
        alpha, note = None, f"not computed: fewer than {MIN_N_RELIABILITY} trainees"
    elif len(complete) < 2:
        alpha, note = None, "not computed: fewer than 2 items graded for everyone"
    else:
        alpha = cronbach_alpha([[row[j] for j in complete] for row in scores])
        note = ("Cronbach's alpha (KR-20 for right/wrong items) over the "
                f"{len(complete)} items graded for everyone") if alpha is not None \
            else "not computed: every trainee has the same total"
    return CohortStats(n=n, complete_items=complete, max_total=float(sum(max_scores[j] for j in complete)),
                       totals=totals, mean=mean, sd=sd, reliability=alpha, reliability_note=note,
                       small=n < STABLE_N)


def analyse_items(scores: Sequence[Sequence[Score]], max_scores: Sequence[float]) -> tuple[list[ItemStats], CohortStats]:
    """Item statistics for every column of ``scores``, and the cohort's."""
    cohort = cohort_stats(scores, max_scores)
    complete = set(cohort.complete_items)
    items = []
    for j, top in enumerate(max_scores):
        graded = [(row[j], cohort.totals[i]) for i, row in enumerate(scores) if row[j] is not None]
        values = [float(s) for s, _ in graded]
        totals = [t for _, t in graded]
        p = difficulty(values, top)
        r = corrected_point_biserial(values, totals, item_in_total=j in complete)
        items.append(ItemStats(
            index=j, max_score=float(top), n_graded=len(values), n_missing=len(scores) - len(values),
            mean=float(np.mean(values)) if values else None, difficulty=p, full_marks=full_marks(values, top),
            discrimination=r, upper_lower=upper_lower_index(values, totals, top),
            distribution=dict(sorted(Counter(values).items())), flags=item_flags(p, r)))
    return items, cohort
