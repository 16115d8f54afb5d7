"""Benchmark of the selection engine: the optimum alone and the full explained decision.

Run: ``python bench/selection_bench.py`` (add ``--quick`` to skip the 10,000 pool's full
decision). Synthetic pools from :mod:`tests.factories`-style generation with the shipped DEI
track rules (specialty cap 2 per 10 seats, at least 5 specialties, at most one PGY1), scaled
to the cohort size. Prints one row per (pool, cohort) with seconds and solver calls.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from selector.config import DEFAULT_CONFIG_PATH, load_config
from selector.models import Applicant, Review
from selector.selection import decide

SPECIALTIES = [f"Specialty {k:02d}" for k in range(24)]
GOALS = {(200, "full"): 1.0, (2000, "full"): 10.0, (10000, "optimum"): 1.0}


def pool(n: int, cohort: int, seed: int = 1) -> tuple[list[Applicant], list[Review], object]:
    """n applicants with three reviews each, and the DEI config scaled to the cohort size."""
    rng = random.Random(seed)
    base = load_config(DEFAULT_CONFIG_PATH)
    scale = cohort // 10
    config = base.model_copy(
        update={
            "cohort": base.cohort.model_copy(update={"size": cohort}),
            "eligibility": base.eligibility.model_copy(update={"max_pgy1": scale}),
            "diversity": [
                base.diversity[0].model_copy(
                    update={"max_per_value": 2 * scale, "min_distinct": min(5 * scale, 20)}
                )
            ],
        }
    )
    weights = [1.0 / (k + 1) for k in range(len(SPECIALTIES))]  # a few big specialties
    apps, reviews = [], []
    for i in range(n):
        aid = f"B{i:05d}"
        apps.append(
            Applicant(
                aid,
                f"Bench Resident {i}",
                f"bench{i}@example.org",
                rng.choice([1, 2, 2, 3, 3, 4]),
                rng.choices(SPECIALTIES, weights)[0],
                pgy1_approved=rng.random() < 0.5,
            )
        )
        for r in range(3):
            reviews.append(
                Review(aid, f"R{r}", {c.id: float(rng.randint(1, 5)) for c in config.criteria})
            )
    return apps, reviews, config


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="skip the full decision at 10,000")
    parser.add_argument("--solver", default="highs", choices=["highs", "cbc"])
    args = parser.parse_args()
    print(f"solver: {args.solver}")
    print(f"{'pool':>6} {'cohort':>6} {'what':>8} {'seconds':>8} {'solves':>6}  goal")
    for n in (200, 2000, 10000):
        for cohort in (10, 100):
            apps, reviews, config = pool(n, cohort)
            for what in ("optimum", "full"):
                if what == "full" and n == 10000 and args.quick:
                    continue
                t = time.perf_counter()
                d = decide(apps, reviews, config, solver=args.solver, explain=what == "full")
                seconds = time.perf_counter() - t
                goal = GOALS.get((n, what))
                mark = (
                    "" if goal is None else f"< {goal:g} s {'ok' if seconds < goal else 'MISSED'}"
                )
                print(
                    f"{n:>6} {cohort:>6} {what:>8} {seconds:>8.2f} "
                    f"{int(d.timings['solves']):>6}  {mark}  [{d.status}]",
                    flush=True,
                )


if __name__ == "__main__":
    main()
