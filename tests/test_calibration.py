"""Reliability (ICC(1), Krippendorff's alpha), reviewer leniency and disagreement flags."""

from __future__ import annotations

import random

import pytest

from selector.calibration import (
    alpha_interval,
    calibrate,
    disagreements,
    icc1,
    reliability,
    reviewer_stats,
)
from selector.config import DEFAULT_CONFIG_PATH, load_config
from selector.models import Review

CONFIG = load_config(DEFAULT_CONFIG_PATH)
CRITERIA = [c.id for c in CONFIG.criteria]


def make_review(applicant_id: str, reviewer: str, value: float, **overrides: float) -> Review:
    scores = dict.fromkeys(CRITERIA, value) | overrides
    return Review(applicant_id, reviewer, scores)


# Krippendorff (2011), "Computing Krippendorff's alpha-reliability", the 4 observers × 12 units
# example with missing values: interval alpha = 0.849.
KRIPPENDORFF = [
    [1, 1, 1], [2, 2, 3, 2], [3, 3, 3, 3], [3, 3, 3, 3], [2, 2, 2, 2], [1, 2, 3, 4],
    [4, 4, 4, 4], [1, 1, 2, 1], [2, 2, 2, 2], [5, 5, 5], [1, 1], [3],
]  # fmt: skip
# Shrout & Fleiss (1979), 6 targets × 4 judges: ICC(1,1) = 0.17.
SHROUT_FLEISS = [
    [9, 2, 5, 8],
    [6, 1, 3, 2],
    [8, 4, 6, 8],
    [7, 1, 2, 6],
    [10, 5, 6, 9],
    [6, 2, 4, 7],
]


def test_alpha_matches_krippendorffs_worked_example() -> None:
    assert alpha_interval(KRIPPENDORFF) == pytest.approx(0.849, abs=5e-4)


def test_icc1_matches_shrout_fleiss() -> None:
    assert icc1(SHROUT_FLEISS) == pytest.approx(0.166, abs=1e-3)


def test_perfect_agreement_and_too_little_data() -> None:
    assert alpha_interval([[1, 1], [4, 4], [2, 2, 2]]) == pytest.approx(1.0)
    assert icc1([[1, 1], [4, 4], [2, 2, 2]]) == pytest.approx(1.0)
    assert alpha_interval([[3, 3], [3, 3]]) is None  # no variation at all
    assert icc1([[1, 2]]) is None  # one applicant
    assert alpha_interval([[5]]) is None


def test_noise_gives_low_and_signal_high_reliability() -> None:
    rng = random.Random(7)
    noise = [[rng.gauss(0, 1) for _ in range(3)] for _ in range(300)]
    signal = []
    for _ in range(300):
        true = rng.gauss(0, 3)
        signal.append([true + rng.gauss(0, 0.5) for _ in range(3)])
    assert abs(alpha_interval(noise) or 0) < 0.15 and abs(icc1(noise) or 0) < 0.15
    assert (alpha_interval(signal) or 0) > 0.9 and (icc1(signal) or 0) > 0.9


def test_reliability_counts_only_complete_unconflicted_reviews() -> None:
    reviews = [
        make_review("A001", "a@x.org", 4),
        make_review("A001", "b@x.org", 4),
        make_review("A002", "a@x.org", 2),
        make_review("A002", "b@x.org", 2, action=3),
        Review("A002", "c@x.org", {"awareness": 5}),  # incomplete: not counted
        Review("A003", "a@x.org", dict.fromkeys(CRITERIA, 1), conflict=True),
        make_review("A003", "b@x.org", 1),  # alone: not pairable
    ]
    rel = reliability(reviews, CONFIG)
    assert (rel.applicants, rel.reviews) == (2, 4)
    assert rel.alpha is not None and rel.alpha > 0.9
    assert rel.criterion_alpha["awareness"] == pytest.approx(1.0)
    assert set(rel.to_json()) == {"icc1", "alpha", "applicants", "reviews", "criterion_alpha"}


def test_leniency_is_relative_to_co_reviewers() -> None:
    reviews = []
    for i in range(10):
        base = 1 + i % 3
        reviews += [
            make_review(f"A{i:03d}", "fair@x.org", base),
            make_review(f"A{i:03d}", "kind@x.org", base + 2),
        ]
    stats = {s.reviewer: s for s in reviewer_stats(reviews, CONFIG)}
    weight = sum(c.weight for c in CONFIG.criteria)
    assert stats["kind@x.org"].leniency == pytest.approx(2 * weight)
    assert stats["fair@x.org"].leniency == pytest.approx(-2 * weight)
    assert stats["kind@x.org"].reviews == 10
    assert stats["kind@x.org"].mean - stats["fair@x.org"].mean == pytest.approx(2 * weight)


def test_disagreements_flag_spreads_beyond_threshold_widest_first() -> None:
    reviews = [
        make_review("A001", "a@x.org", 3),
        make_review("A001", "b@x.org", 3, leadership=4),  # small spread
        make_review("A002", "a@x.org", 1),
        make_review("A002", "b@x.org", 5),  # the whole scale
        make_review("A003", "a@x.org", 2, project=5),  # totals 19 vs 29 of 8..40
        make_review("A003", "b@x.org", 4, project=1),
    ]
    flags = disagreements(reviews, CONFIG)
    assert [d.applicant_id for d in flags] == ["A002", "A003"]
    assert flags[0].spread == pytest.approx(1.0)
    assert flags[1].spread == pytest.approx(10 / 32)
    assert flags[1].criterion == "project"  # 5 vs 1; every other criterion 2 vs 4
    assert disagreements(reviews, CONFIG, threshold=0.5)[0].applicant_id == "A002"
    assert disagreements(reviews, CONFIG, threshold=1.0) == []
    report = calibrate(reviews, CONFIG).to_json()
    assert [d["applicant_id"] for d in report["disagreements"]] == ["A002", "A003"]
