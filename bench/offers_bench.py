"""The plan that fills declined seats (`selector offers plan`), at growing pool sizes.

A cohort of 20 under "at most 3 per specialty, at least 6 specialties" is decided, then 1 and
5 of its members decline: the plan decides again with the other offers locked in and the
decliners locked out (`workflow.offers.plan_seats`), and pairs the newcomers with the seats.
Times the first decision and each plan (best of 3); the target is a plan under 1 s at 1,000.

Run: python bench/offers_bench.py
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from selector.config import TrackConfig, parse_config
from selector.models import Applicant, Review
from selector.selection import decide
from selector.store import Offer
from selector.workflow.offers import plan_seats

SIZES = (200, 1000, 5000)
SPECIALTIES = [f"Specialty {i}" for i in range(12)]
TARGET_SECONDS = 1.0


def bench_config() -> TrackConfig:
    return parse_config(
        {
            "cohort": {"size": 20},
            "eligibility": {"min_pgy": 1, "pgy1_by_approval": False},
            "criteria": [{"id": "merit", "label": "Merit", "min": 0, "max": 100}],
            "diversity": [{"field": "specialty", "max_per_value": 3, "min_distinct": 6}],
            "selection": {"tie_break_seed": "bench"},
        },
        "bench",
    )


def pool(n: int, seed: int = 2026) -> tuple[list[Applicant], list[Review]]:
    rng = random.Random(seed)
    people = [
        Applicant(
            applicant_id=f"A{i:05d}",
            name=f"Bench Resident {i:05d}",
            email=f"bench{i:05d}@example.org",
            pgy=rng.choice([2, 3, 4]),
            specialty=rng.choice(SPECIALTIES),
        )
        for i in range(n)
    ]
    reviews = [
        Review(a.applicant_id, f"R{r}", {"merit": float(rng.randint(0, 100))})
        for a in people
        for r in range(3)
    ]
    return people, reviews


def best_of(f: Callable[[], Any], repeat: int = 3) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - start)
    return min(times), out


def main() -> None:
    config = bench_config()
    at = dt.datetime.now(dt.UTC)
    # The floor: the cohort's own decision (decide, no explanations) on the same pool.
    print(
        f"{'applicants':>10} {'decide':>9} {'1 decline':>10} {'ratio':>6} "
        f"{'5 declines':>11} {'ratio':>6}"
    )
    worst = 0.0
    for n in SIZES:
        people, reviews = pool(n)
        first_s, first = best_of(partial(decide, people, reviews, config, explain=False))
        cells = []
        for declines in (1, 5):
            offers = [
                Offer(a, a, "declined" if i < declines else "offered", at, None, None, 1)
                for i, a in enumerate(first.selected)
            ]
            took, plan = best_of(partial(plan_seats, people, reviews, config, offers))
            assert plan.feasible and len(plan.seats) == declines
            cells.append(took)
            if n == 1000:
                worst = max(worst, took)
        print(
            f"{n:>10} {first_s:>8.3f}s {cells[0]:>9.3f}s {cells[0] / first_s:>5.1f}x "
            f"{cells[1]:>10.3f}s {cells[1] / first_s:>5.1f}x"
        )
    verdict = "met" if worst < TARGET_SECONDS else "MISSED"
    print(f"target: a plan under {TARGET_SECONDS:.0f} s at 1,000 applicants: {verdict}")


if __name__ == "__main__":
    main()
