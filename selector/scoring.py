"""Aggregate scores: each complete review's weighted total, averaged over reviewers.

A review's total is Σ weight × criterion score over the rubric's criteria. A review that
misses a criterion, or gives a score off the criterion's scale, is not counted (a warning says
so); a review with a declared conflict of interest is not counted either. An applicant's
aggregate score is the mean of its counted totals; with no counted review it is *unscored*.

Optionally (``standardize``) each reviewer's totals are first turned into z-scores, so a
lenient and a harsh reviewer weigh the same, then mapped back onto the rubric's scale (the
mean and spread of all counted totals) so the numbers still read like rubric totals.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from selector.config import TrackConfig
from selector.errors import Problem
from selector.models import Review

#: Aggregate scores are rounded to this many decimal places before they are compared, so that
#: equal scores are equal whatever the order of the floating-point sums behind them.
SCORE_DECIMALS = 4


@dataclass(frozen=True)
class ScoreTable:
    """Aggregate scores per applicant, the counted reviews behind them, and what was left out."""

    scores: dict[str, float]  # applicant_id → aggregate score (only scored applicants)
    n_reviews: dict[str, int]  # applicant_id → number of counted reviews (0 when unscored)
    totals: dict[tuple[str, str], float]  # (applicant_id, reviewer) → weighted total
    problems: list[Problem] = field(default_factory=list)
    unscored: dict[str, str] = field(default_factory=dict)  # reviewed but not scored → why
    standardized: bool = False

    def unscored_reason(self, applicant_id: str) -> str | None:
        """Why an applicant has no aggregate score, or None when it has one."""
        if applicant_id in self.scores:
            return None
        return self.unscored.get(applicant_id, "no reviews")


def criterion_bounds(config: TrackConfig) -> list[tuple[str, float, float, float]]:
    """Each criterion's (id, weight, min, max): read once by a caller that totals many
    reviews (pydantic attribute reads per score were most of aggregation's time)."""
    return [(c.id, c.weight, c.min, c.max) for c in config.criteria]


def review_total(
    review: Review,
    config: TrackConfig,
    bounds: list[tuple[str, float, float, float]] | None = None,
) -> tuple[float | None, str | None]:
    """The weighted total of one review, or None with the reason it cannot count;
    ``bounds`` is :func:`criterion_bounds` of ``config`` when the caller has it."""
    if review.conflict:
        return None, "declared a conflict of interest"
    scores = review.scores
    total = 0.0
    for cid, weight, lo, hi in criterion_bounds(config) if bounds is None else bounds:
        x = scores.get(cid)
        if x is None or not isinstance(x, (int, float)) or not lo <= x <= hi:  # NaN fails too
            return _checked_total(review, config)
        total += weight * float(x)
    return total, None


def _checked_total(review: Review, config: TrackConfig) -> tuple[float | None, str | None]:
    """:func:`review_total` the long way, for a review with a missing, off-scale or
    unusual score: a missing score is named before an off-scale one."""
    missing = [c.id for c in config.criteria if review.scores.get(c.id) is None]
    if missing:
        return None, f"misses {', '.join(missing)}"
    total = 0.0
    for c in config.criteria:
        x = float(review.scores[c.id])
        off_scale = c.scale_problem(x)
        if off_scale is not None:
            return None, off_scale
        total += c.weight * x
    return total, None


def aggregate(
    reviews: Iterable[Review], config: TrackConfig, *, standardize: bool | None = None
) -> ScoreTable:
    """Aggregate scores from reviews; ``standardize`` None means the config's choice."""
    if standardize is None:
        standardize = config.selection.standardize
    problems: list[Problem] = []
    totals: dict[tuple[str, str], float] = {}
    seen: set[str] = set()
    why_not: dict[str, list[str]] = defaultdict(list)
    bounds = criterion_bounds(config)
    for review in sorted(reviews, key=lambda r: (r.applicant_id, r.reviewer)):
        seen.add(review.applicant_id)
        total, reason = review_total(review, config, bounds)
        if total is None:
            why_not[review.applicant_id].append(reason or "")
            if not review.conflict:
                problems.append(
                    Problem(
                        "review_incomplete",
                        f"review of {review.applicant_id} by {review.reviewer} {reason}; "
                        "it is not counted",
                        severity="warning",
                        params={"applicant_id": review.applicant_id, "reviewer": review.reviewer},
                    )
                )
            continue
        totals[(review.applicant_id, review.reviewer)] = total
    values = standardized_totals(totals) if standardize else totals
    by_applicant: dict[str, list[float]] = defaultdict(list)
    for (applicant_id, _), value in values.items():
        by_applicant[applicant_id].append(value)
    scores = {a: round(math.fsum(v) / len(v), SCORE_DECIMALS) for a, v in by_applicant.items()}
    n_reviews = {a: len(by_applicant.get(a, [])) for a in sorted(seen)}
    unscored: dict[str, str] = {}
    for applicant_id in sorted(seen - scores.keys()):
        reasons = why_not[applicant_id]
        conflicts = sum(r == "declared a conflict of interest" for r in reasons)
        if conflicts == len(reasons):
            unscored[applicant_id] = "every review declared a conflict of interest"
        else:
            unscored[applicant_id] = f"no complete review ({len(reasons) - conflicts} incomplete)"
    return ScoreTable(scores, n_reviews, totals, problems, unscored, bool(standardize))


def standardized_totals(totals: dict[tuple[str, str], float]) -> dict[tuple[str, str], float]:
    """Per-reviewer z-scores of the totals, mapped back to the mean and spread of all totals."""
    if not totals:
        return {}
    by_reviewer: dict[str, list[float]] = defaultdict(list)
    for (_, reviewer), t in totals.items():
        by_reviewer[reviewer].append(t)
    all_totals = list(totals.values())
    mean_all = math.fsum(all_totals) / len(all_totals)
    sd_all = sample_sd(all_totals)
    stats = {r: (math.fsum(xs) / len(xs), sample_sd(xs)) for r, xs in by_reviewer.items()}
    out = {}
    for key, t in totals.items():
        mean, sd = stats[key[1]]
        # A reviewer with one review or no spread tells nothing about leniency: z = 0.
        z = (t - mean) / sd if sd > 0 else 0.0
        out[key] = mean_all + sd_all * z
    return out


def sample_sd(xs: list[float]) -> float:
    """The sample standard deviation (n − 1); 0 for fewer than two values."""
    if len(xs) < 2:
        return 0.0
    m = math.fsum(xs) / len(xs)
    return math.sqrt(math.fsum((x - m) ** 2 for x in xs) / (len(xs) - 1))
