"""Aggregation and reliability at scale: 2,000 applicants × 12 reviewers × 6 criteria.

Two designs: each applicant reviewed by 3 of the 12 reviewers (the usual one, 6,000
reviews) and by all 12 (24,000 reviews). Times `scoring.aggregate` (plain and with
per-reviewer z-scores) and `calibration.calibrate` (ICC(1), Krippendorff's alpha overall and per
criterion, reviewer leniency, disagreement flags); the target is under 1 s each.

Run: python bench/aggregation_bench.py
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from selector.calibration import calibrate
from selector.config import TrackConfig, parse_config
from selector.models import Review
from selector.scoring import aggregate

APPLICANTS, REVIEWERS, CRITERIA = 2000, 12, 6
TARGET_SECONDS = 1.0


def bench_config() -> TrackConfig:
    criteria = [
        {"id": f"c{i}", "label": f"Criterion {i}", "weight": 1.5 if i < 2 else 1.0}
        for i in range(CRITERIA)
    ]
    return parse_config({"cohort": {"size": 10}, "criteria": criteria}, "bench")


def make_reviews(per_applicant: int, seed: int = 2026) -> list[Review]:
    """Synthetic reviews: a true quality per applicant, a leniency per reviewer, noise."""
    rng = random.Random(seed)
    leniency = [rng.gauss(0, 0.5) for _ in range(REVIEWERS)]
    reviews = []
    for a in range(APPLICANTS):
        quality = rng.gauss(3, 0.8)
        for r in rng.sample(range(REVIEWERS), per_applicant):
            scores = {
                f"c{c}": float(min(5, max(1, round(quality + leniency[r] + rng.gauss(0, 0.7)))))
                for c in range(CRITERIA)
            }
            reviews.append(Review(f"A{a:04d}", f"reviewer{r}@example.org", scores))
    return reviews


def timed(fn: Callable[[], Any], repeat: int = 3) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> int:
    config = bench_config()
    slow = False
    print(f"{APPLICANTS} applicants × {REVIEWERS} reviewers × {CRITERIA} criteria (best of 3)")
    for per_applicant in (3, REVIEWERS):
        reviews = make_reviews(per_applicant)
        print(
            f"\neach applicant reviewed by {per_applicant} of {REVIEWERS}: {len(reviews)} reviews"
        )
        t_plain, table = timed(partial(aggregate, reviews, config, standardize=False))
        t_z, _ = timed(partial(aggregate, reviews, config, standardize=True))
        t_cal, cal = timed(partial(calibrate, reviews, config))
        rel = cal.reliability
        for label, seconds in (
            ("aggregate", t_plain),
            ("aggregate, z-scores", t_z),
            ("reliability + leniency + flags", t_cal),
        ):
            ok = seconds < TARGET_SECONDS
            slow |= not ok
            print(f"  {label:<32} {seconds * 1000:8.1f} ms  {'ok' if ok else 'OVER 1 s'}")
        print(
            f"  scored {len(table.scores)}; ICC(1) {rel.icc1:.3f}, alpha {rel.alpha:.3f}; "
            f"{len(cal.disagreements)} flagged for discussion"
        )
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main())
