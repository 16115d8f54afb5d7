"""Calibration of the committee: how far reviewers agree, who is lenient or harsh, and which
applicants' reviewers disagree enough to discuss.

Everything is computed over *counted* reviews (complete, no declared conflict; see
:func:`selector.scoring.review_total`), on the weighted totals unless a criterion is named.

Reliability, two ways (reviewers need not review the same applicants):

ICC(1)
    One-way random-effects intraclass correlation for unbalanced groups (Shrout & Fleiss's
    ICC(1,1) with the mean group size replaced by ``n0 = (N − Σnᵢ²/N)/(g − 1)``): the share
    of the variance in single reviews that lies between applicants.
Krippendorff's alpha (interval)
    ``1 − D_o/D_e``: observed disagreement within applicants over the disagreement expected
    by chance among all pairable reviews. 1 is perfect agreement, 0 is chance.

Both use applicants with at least two counted reviews; with too little data they are None.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from selector.config import TrackConfig
from selector.models import Review
from selector.scoring import review_total, sample_sd


def icc1(groups: Iterable[Sequence[float]]) -> float | None:
    """ICC(1) of values grouped by applicant (unbalanced one-way ANOVA); None if undefined."""
    gs = [list(g) for g in groups if len(g) >= 2]
    g = len(gs)
    n = sum(len(x) for x in gs)
    if g < 2 or n <= g:
        return None
    grand = math.fsum(v for x in gs for v in x) / n
    means = [math.fsum(x) / len(x) for x in gs]
    ssb = math.fsum(len(x) * (m - grand) ** 2 for x, m in zip(gs, means, strict=True))
    ssw = math.fsum((v - m) ** 2 for x, m in zip(gs, means, strict=True) for v in x)
    msb, msw = ssb / (g - 1), ssw / (n - g)
    n0 = (n - sum(len(x) ** 2 for x in gs) / n) / (g - 1)
    denominator = msb + (n0 - 1) * msw
    return (msb - msw) / denominator if denominator > 0 else None


def alpha_interval(groups: Iterable[Sequence[float]]) -> float | None:
    """Krippendorff's alpha with the interval metric; None when there is no variation."""
    gs = [list(g) for g in groups if len(g) >= 2]
    n = sum(len(x) for x in gs)
    if n < 2:
        return None

    def pair_sum(xs: Sequence[float]) -> float:
        # Σ over ordered pairs i≠j of (xᵢ − xⱼ)² = 2(m·Σx² − (Σx)²).
        return 2 * (len(xs) * math.fsum(v * v for v in xs) - math.fsum(xs) ** 2)

    observed = math.fsum(pair_sum(x) / (len(x) - 1) for x in gs) / n
    expected = pair_sum([v for x in gs for v in x]) / (n * (n - 1))
    if expected <= 1e-12:
        return None
    return 1 - observed / expected


@dataclass(frozen=True)
class Reliability:
    """Inter-rater reliability of a cycle's reviews."""

    icc1: float | None
    alpha: float | None
    applicants: int  # applicants with two or more counted reviews
    reviews: int  # counted reviews of those applicants
    criterion_alpha: dict[str, float | None]  # per criterion: where do reviewers differ most

    def to_json(self) -> dict[str, Any]:
        return {
            "icc1": _round(self.icc1),
            "alpha": _round(self.alpha),
            "applicants": self.applicants,
            "reviews": self.reviews,
            "criterion_alpha": {k: _round(v) for k, v in self.criterion_alpha.items()},
        }


@dataclass(frozen=True)
class ReviewerStats:
    """One reviewer's habits: how many reviews, their mean and spread, and their leniency
    (mean of their total minus the other reviewers' mean total for the same applicant)."""

    reviewer: str
    reviews: int
    mean: float
    sd: float
    leniency: float | None  # None when nobody else reviewed the same applicants

    def to_json(self) -> dict[str, Any]:
        return {
            "reviewer": self.reviewer,
            "reviews": self.reviews,
            "mean": round(self.mean, 3),
            "sd": round(self.sd, 3),
            "leniency": _round(self.leniency),
        }


@dataclass(frozen=True)
class Disagreement:
    """An applicant whose reviewers' totals spread beyond the threshold: discuss it."""

    applicant_id: str
    totals: dict[str, float]  # reviewer → weighted total
    spread: float  # (max − min) / the rubric's total range, 0..1
    criterion: str  # the criterion with the widest spread (relative to its scale)

    def to_json(self) -> dict[str, Any]:
        return {
            "applicant_id": self.applicant_id,
            "totals": self.totals,
            "spread": round(self.spread, 3),
            "criterion": self.criterion,
        }


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 3)


def counted_reviews(reviews: Iterable[Review], config: TrackConfig) -> list[tuple[Review, float]]:
    """The reviews that count, each with its weighted total."""
    out = []
    for r in reviews:
        total, _ = review_total(r, config)
        if total is not None:
            out.append((r, total))
    return out


def _groups(counted: list[tuple[Review, float]], value: Any = None) -> dict[str, list[float]]:
    groups: dict[str, list[float]] = defaultdict(list)
    for r, total in counted:
        groups[r.applicant_id].append(total if value is None else float(r.scores[value]))
    return groups


def reliability(reviews: Iterable[Review], config: TrackConfig) -> Reliability:
    """ICC(1) and Krippendorff's alpha of the totals, and alpha per criterion."""
    return _reliability(counted_reviews(reviews, config), config)


def _reliability(counted: list[tuple[Review, float]], config: TrackConfig) -> Reliability:
    groups = _groups(counted)
    pairable = [g for g in groups.values() if len(g) >= 2]
    return Reliability(
        icc1=icc1(pairable),
        alpha=alpha_interval(pairable),
        applicants=len(pairable),
        reviews=sum(len(g) for g in pairable),
        criterion_alpha={
            c.id: alpha_interval(_groups(counted, c.id).values()) for c in config.criteria
        },
    )


def reviewer_stats(reviews: Iterable[Review], config: TrackConfig) -> list[ReviewerStats]:
    """Per reviewer: count, mean and SD of totals, leniency against co-reviewers; by e-mail."""
    return _reviewer_stats(counted_reviews(reviews, config))


def _reviewer_stats(counted: list[tuple[Review, float]]) -> list[ReviewerStats]:
    by_applicant: dict[str, list[tuple[str, float]]] = defaultdict(list)
    by_reviewer: dict[str, list[float]] = defaultdict(list)
    for r, total in counted:
        by_applicant[r.applicant_id].append((r.reviewer, total))
        by_reviewer[r.reviewer].append(total)
    deviations: dict[str, list[float]] = defaultdict(list)
    for entries in by_applicant.values():
        if len(entries) < 2:
            continue
        whole = math.fsum(t for _, t in entries)
        for reviewer, total in entries:
            others = (whole - total) / (len(entries) - 1)
            deviations[reviewer].append(total - others)
    out = []
    for reviewer in sorted(by_reviewer):
        totals = by_reviewer[reviewer]
        mean = math.fsum(totals) / len(totals)
        sd = sample_sd(totals)
        dev = deviations.get(reviewer)
        leniency = math.fsum(dev) / len(dev) if dev else None
        out.append(ReviewerStats(reviewer, len(totals), mean, sd, leniency))
    return out


def _criterion_spread(
    entries: list[tuple[Review, float]], criterion_id: str, lo: float, hi: float
) -> float:
    values = [float(r.scores[criterion_id]) for r, _ in entries]
    return (max(values) - min(values)) / (hi - lo)


def disagreements(
    reviews: Iterable[Review], config: TrackConfig, threshold: float | None = None
) -> list[Disagreement]:
    """Applicants whose reviewers' totals differ by more than ``threshold`` (a share of the
    rubric's total range; default the config's ``review.disagreement_threshold``), widest
    spread first."""
    return _disagreements(counted_reviews(reviews, config), config, threshold)


def _disagreements(
    counted: list[tuple[Review, float]], config: TrackConfig, threshold: float | None
) -> list[Disagreement]:
    limit = config.review.disagreement_threshold if threshold is None else threshold
    scale = config.max_total - config.min_total
    by_applicant: dict[str, list[tuple[Review, float]]] = defaultdict(list)
    for r, total in counted:
        by_applicant[r.applicant_id].append((r, total))
    out = []
    for applicant_id, entries in by_applicant.items():
        if len(entries) < 2:
            continue
        totals = [t for _, t in entries]
        spread = (max(totals) - min(totals)) / scale
        if spread <= limit:
            continue

        widest = max(config.criteria, key=lambda c: _criterion_spread(entries, c.id, c.min, c.max))
        out.append(
            Disagreement(
                applicant_id,
                {r.reviewer: t for r, t in sorted(entries, key=lambda e: e[0].reviewer)},
                spread,
                widest.id,
            )
        )
    return sorted(out, key=lambda d: (-d.spread, d.applicant_id))


@dataclass(frozen=True)
class Calibration:
    """Reliability, reviewer habits and disagreement flags of one cycle, together."""

    reliability: Reliability
    reviewers: list[ReviewerStats]
    disagreements: list[Disagreement]

    def to_json(self) -> dict[str, Any]:
        return {
            "reliability": self.reliability.to_json(),
            "reviewers": [r.to_json() for r in self.reviewers],
            "disagreements": [d.to_json() for d in self.disagreements],
        }


def calibrate(
    reviews: Iterable[Review], config: TrackConfig, threshold: float | None = None
) -> Calibration:
    """Everything above in one call (the dashboard's calibration page)."""
    counted = counted_reviews(reviews, config)  # totals worked out once for all three
    return Calibration(
        _reliability(counted, config),
        _reviewer_stats(counted),
        _disagreements(counted, config, threshold),
    )
