"""Benchmark of the bootstrap over reviewers against its floor: one full decision.

Run: ``python bench/robustness_bench.py`` (``--quick``: 200 applicants only). The goal
(issue 11): 1,000 draws for 200 applicants within 10× the time of one full decision
(``decide`` with every explanation) on the same pool. Pools are those of
``selection_bench.py`` (three reviews per applicant, the DEI rules scaled to the cohort).

For each (pool, cohort) it prints, in seconds: ``full`` (one full decision, the floor),
``draws`` (the whole bootstrap: model built once, then one cost change and solve per draw),
the time per draw, the ratio ``draws / full`` beside the goal of 10×, and how many draws
needed the integer program because their LP relaxation was fractional.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from selection_bench import pool

from selector.selection import decide
from selector.selection.robustness import robustness

GOAL = 10.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="200 applicants only")
    parser.add_argument("--draws", type=int, default=1000)
    args = parser.parse_args()
    cases = [(200, 10), (200, 100)] + ([] if args.quick else [(2000, 10), (2000, 100)])
    print(f"{args.draws} draws; seconds; floor = one full decision (goal: draws < {GOAL:g}x floor)")
    print(
        f"{'pool':>6} {'cohort':>6} {'full':>7} {'draws':>7} {'ms/draw':>8} "
        f"{'draws/full':>10} {'MIP draws':>9}  goal"
    )
    failed = 0
    for n, size in cases:
        apps, reviews, config = pool(n, size)
        decide(apps, reviews, config)  # warm: PuLP's import, HiGHS's first object
        start = time.perf_counter()
        decision = decide(apps, reviews, config)
        full = time.perf_counter() - start
        start = time.perf_counter()
        found = robustness(decision, reviews, draws=args.draws, seed="bench")
        boot = time.perf_counter() - start
        ratio = boot / full
        ok = ratio < GOAL
        failed += n == 200 and args.draws == 1000 and not ok
        print(
            f"{n:>6,} {size:>6} {full:>7.2f} {boot:>7.2f} {boot / args.draws * 1000:>8.2f} "
            f"{ratio:>9.1f}x {found.mip_solves:>9}  {'✓' if ok else '✗'}",
            flush=True,
        )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
