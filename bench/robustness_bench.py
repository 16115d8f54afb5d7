"""Benchmark of the bootstrap over reviewers against its floor: one full decision.

Run: ``python bench/robustness_bench.py`` (``--quick``: 200 applicants only). The goal
(issue 11): 1,000 draws for 200 applicants within 10× the time of one full decision
(``decide`` with every explanation) on the same pool. Pools are those of
``selection_bench.py`` (three reviews per applicant, the DEI rules scaled to the cohort).

For each (pool, cohort) it prints, in seconds: ``full`` (one full decision, the floor),
``draws`` (the whole bootstrap: draws resampled in batches, each decided by the solver-free
fast path when it proves its cohort optimal, else by a cost change and an LP solve on one
HiGHS model, and the integer program when that LP is fractional), the time per draw, the
ratio ``draws / full`` beside the goal of 10×, how many draws each path decided (fast, LP,
MIP), and the same bootstrap without the fast path (``--no-compare`` leaves it out), whose
probabilities must be the same. Each time is the best of ``--repeat`` runs (default 3).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from selection_bench import pool

from selector.selection import decide
from selector.selection.robustness import robustness

T = TypeVar("T")
GOAL = 10.0


def best(repeat: int, run: Callable[[], T]) -> tuple[float, T]:
    """The fastest of ``repeat`` runs (the machine is shared) and the last run's result."""
    times = []
    for _ in range(max(1, repeat)):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="200 applicants only")
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-compare", action="store_true", help="skip the run without fast path")
    args = parser.parse_args()
    cases = [(200, 10), (200, 100)] + ([] if args.quick else [(2000, 10), (2000, 100)])
    print(f"{args.draws} draws; seconds; floor = one full decision (goal: draws < {GOAL:g}x floor)")
    print(
        f"{'pool':>6} {'cohort':>6} {'full':>6} {'draws':>6} {'ms/draw':>7} {'ratio':>6}  goal"
        f" {'fast':>5} {'LP':>4} {'MIP':>4}"
        + ("" if args.no_compare else f" | {'no fast':>7} {'ratio':>6} same")
    )
    failed = 0
    for n, size in cases:
        apps, reviews, config = pool(n, size)
        decide(apps, reviews, config)  # warm: PuLP's import, HiGHS's first object
        full = best(args.repeat, partial(decide, apps, reviews, config))[0]
        decision = decide(apps, reviews, config)
        boot, found = best(
            args.repeat, partial(robustness, decision, reviews, draws=args.draws, seed="bench")
        )
        ratio = boot / full
        ok = ratio < GOAL
        failed += n == 200 and args.draws == 1000 and not ok
        line = (
            f"{n:>6,} {size:>6} {full:>6.3f} {boot:>6.3f} {boot / args.draws * 1000:>7.3f} "
            f"{ratio:>5.1f}x  {'✓' if ok else '✗':>4} {found.fast_draws:>5} "
            f"{found.lp_solves - found.mip_solves:>4} {found.mip_solves:>4}"
        )
        if not args.no_compare:
            slow, plain = best(
                1,
                partial(robustness, decision, reviews, draws=args.draws, seed="bench", fast=False),
            )
            same = plain == found
            failed += not same
            line += f" | {slow:>7.3f} {slow / full:>5.1f}x {'yes' if same else 'NO'}"
        print(line, flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
