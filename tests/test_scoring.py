"""Aggregate scores: weighted totals, means over reviewers, what does not count, standardising."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from selector.models import Review
from selector.scoring import aggregate, review_total
from tests.factories import make_config

CONFIG = make_config(
    criteria=[
        {"id": "a", "label": "A", "min": 1, "max": 5, "weight": 1.0},
        {"id": "b", "label": "B", "min": 1, "max": 5, "weight": 1.5},
    ]
)


def test_weighted_total_and_mean() -> None:
    reviews = [
        Review("A001", "R1", {"a": 4, "b": 2}),  # 4 + 3 = 7
        Review("A001", "R2", {"a": 5, "b": 5}),  # 5 + 7.5 = 12.5
        Review("A002", "R1", {"a": 1, "b": 1}),  # 2.5
    ]
    t = aggregate(reviews, CONFIG)
    assert t.scores == {"A001": 9.75, "A002": 2.5}
    assert t.n_reviews == {"A001": 2, "A002": 1}
    assert t.totals[("A001", "R2")] == 12.5
    assert t.problems == []


@pytest.mark.parametrize(
    ("scores", "why"),
    [({"a": 4}, "misses b"), ({"a": 4, "b": 9}, "b score 9 is outside 1..5")],
)
def test_incomplete_or_off_scale_review_is_not_counted_with_a_warning(
    scores: dict[str, float], why: str
) -> None:
    t = aggregate([Review("A001", "R1", scores), Review("A001", "R2", {"a": 3, "b": 3})], CONFIG)
    assert t.scores == {"A001": 7.5}
    assert [p.severity for p in t.problems] == ["warning"]
    assert why in t.problems[0].message and "R1" in t.problems[0].message


def test_unscored_applicants_and_reasons() -> None:
    t = aggregate(
        [
            Review("A001", "R1", {"a": 4}),
            Review("A002", "R1", {"a": 4, "b": 4}, conflict=True),
        ],
        CONFIG,
    )
    assert t.scores == {}
    assert t.unscored_reason("A001") == "no complete review (1 incomplete)"
    assert t.unscored_reason("A002") == "every review declared a conflict of interest"
    assert t.unscored_reason("A404") == "no reviews"
    assert len(t.problems) == 1  # a conflict is declared, not a problem


def test_review_total() -> None:
    assert review_total(Review("A", "R", {"a": 2, "b": 2}), CONFIG) == (5.0, None)
    assert review_total(Review("A", "R", {"a": 2, "b": 2}, conflict=True), CONFIG)[0] is None


def test_standardize_removes_a_reviewers_leniency() -> None:
    # R2 gives everyone two points more than R1 on every criterion; the ranking is the same,
    # and standardised scores of an applicant reviewed only by the harsh reviewer are not
    # penalised.
    reviews = []
    for k, base in enumerate([1, 2, 3]):
        reviews.append(Review(f"H{k}", "harsh", {"a": base, "b": base}))
        reviews.append(Review(f"L{k}", "lenient", {"a": base + 2, "b": base + 2}))
    raw = aggregate(reviews, CONFIG, standardize=False)
    std = aggregate(reviews, CONFIG, standardize=True)
    assert raw.scores["L0"] > raw.scores["H0"]
    assert std.scores["L0"] == std.scores["H0"]
    assert std.scores["H2"] > std.scores["H1"] > std.scores["H0"]
    assert std.standardized and not raw.standardized


def test_standardize_defaults_to_the_config() -> None:
    config = CONFIG.model_copy(
        update={"selection": CONFIG.selection.model_copy(update={"standardize": True})}
    )
    reviews = [Review("A", "R1", {"a": 1, "b": 1}), Review("B", "R1", {"a": 5, "b": 5})]
    assert aggregate(reviews, config).standardized


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 5), st.integers(1, 5)), min_size=1, max_size=6))
def test_review_order_does_not_change_scores(levels: list[tuple[int, int]]) -> None:
    reviews = [Review("A001", f"R{i}", {"a": a, "b": b}) for i, (a, b) in enumerate(levels)]
    assert aggregate(reviews, CONFIG).scores == aggregate(reviews[::-1], CONFIG).scores
    score = aggregate(reviews, CONFIG).scores["A001"]
    assert CONFIG.min_total <= score <= CONFIG.max_total
