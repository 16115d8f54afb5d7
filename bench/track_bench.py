"""Benchmark of the two-year track's reads: how long the second-years, the composition of
every cohort and one applicant's earlier applications take on a track of several cycles.

Run: ``python bench/track_bench.py`` (``--applicants N`` per cycle, ``--cycles K``). Builds a
temporary SQLite database: K cycles of one track, N synthetic applicants each (half of them
applying again the next year), one complete review each, and a final run per cycle (a cohort
of 10, recorded with its inputs as the dashboard records it). Then times each read (median of
``--runs``). Goal: each under 500 ms, as a page's read.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from selector import workflow  # noqa: E402
from selector.config import DEFAULT_CONFIG_PATH  # noqa: E402
from selector.intake import read_applications  # noqa: E402
from selector.models import Review  # noqa: E402
from selector.store import Store  # noqa: E402

GOAL_S = 0.5
SPECIALTIES = ("Internal Medicine", "Pediatrics", "Family Medicine", "Surgery", "Psychiatry")
CRITERIA = ("awareness", "reflection", "empowerment", "action", "leadership", "project")


def export_csv(year: int, n: int) -> bytes:
    """Cycle ``year``'s export: people ``year*n/2 ..`` so that half re-apply next year."""
    lines = ["ID,Name,Email,PGY,Specialty,Program,Why DEI"]
    start = year * n // 2
    for i in range(start, start + n):
        lines.append(
            f"{i},Bench Resident {i:05d},bench{i:05d}@example.org,{2 + i % 3},"
            f"{SPECIALTIES[i % len(SPECIALTIES)]},Program {i % 7},essay {i}"
        )
    return ("\n".join(lines) + "\n").encode()


def build(url: str, n: int, k: int) -> Store:
    store = Store(url)
    system = store.system_user()
    config = DEFAULT_CONFIG_PATH.read_text(encoding="utf-8")
    store.add_user(system, "rev@example.org", "Rev", "reviewer", "bench-password-1")
    for year in range(k):
        name = str(2026 + year)
        if year == 0:
            store.create_cycle(system, name, config)
        else:
            workflow.create_cycle(store, system, name)
        store.import_applications(
            system, name, read_applications(export_csv(year, n), filename="x.csv")
        )
        reviews = [
            Review(
                a.applicant_id,
                "rev@example.org",
                dict.fromkeys(
                    (*CRITERIA, "commitment"), float(1 + int(a.applicant_id.lstrip("A") or 0) % 5)
                ),
            )
            for a in store.applicants(system, name)
        ]
        store.save_reviews(system, name, reviews)
        target = store.cycle(name)
        done = workflow.decide_cycle(store, system, name, target.config, target.config_text)
        store.record_run(
            system, name, config_text=target.config_text, decision=done.decision, final=True
        )
    return store


def timed(fn: object, runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--applicants", type=int, default=1000, help="per cycle")
    parser.add_argument("--cycles", type=int, default=3)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        store = build(f"sqlite:///{Path(tmp) / 'track.db'}", args.applicants, args.cycles)
        print(
            f"setup: {args.cycles} cycles of {args.applicants:,} applicants, final runs, "
            f"built in {time.perf_counter() - t0:.1f} s\n"
        )
        system = store.system_user()
        newest = store.cycles()[0].name
        back = next(
            a.applicant_id
            for a in store.applicants(system, newest)
            if store.earlier_applications(system, newest, a.applicant_id)
        )
        reads = {
            "second_years (newest cycle)": lambda: workflow.second_years(store, system, newest),
            "composition (every cohort)": lambda: workflow.composition(store, system),
            "earlier_applications (one)": lambda: workflow.earlier_applications(
                store, system, newest, back
            ),
        }
        worst = 0.0
        print(f"{'read':32} {'median ms':>10}  goal {GOAL_S * 1000:.0f} ms")
        for title, read in reads.items():
            took = timed(read, args.runs)
            worst = max(worst, took)
            flag = "ok" if took < GOAL_S else "SLOW"
            print(f"{title:32} {took * 1000:10.1f}  {flag}")
        store.close()
    return 0 if worst < GOAL_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
