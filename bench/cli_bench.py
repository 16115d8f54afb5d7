"""Benchmark of the CLI's start: `selector --help`, `--version` and `validate` against the floor,
``python -c "pass"``.

Run: ``python bench/cli_bench.py`` (``--runs N``, best of N; default 5). Each command runs in a
fresh interpreter, as a user starts it. Goal: `selector --help` within 4× of the floor.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GOAL_RATIO = 4.0

COMMANDS: list[tuple[str, list[str]]] = [
    ('python -c "pass" (floor)', ["-c", "pass"]),
    ("selector --help", ["-m", "selector", "--help"]),
    ("selector --version", ["-m", "selector", "--version"]),
    (
        "selector validate (demo export)",
        ["-m", "selector", "validate", "data/demo_applications.xlsx"],
    ),
]


def best_of(args: list[str], runs: int) -> float:
    """The fastest of ``runs`` wall-clock times of ``python ARGS`` (output discarded)."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, *args], cwd=REPO, env=env, check=True, stdout=subprocess.DEVNULL
        )
        best = min(best, time.perf_counter() - start)
    return best


def main(argv: list[str] | None = None) -> int:
    """Print each command's time and its ratio to the floor; exit 1 when --help misses the goal."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per command (best of)")
    args = parser.parse_args(argv)
    floor = None
    ratios: dict[str, float] = {}
    print(f"{'command':34} {'best ms':>8} {'× floor':>8}")
    for title, command in COMMANDS:
        seconds = best_of(command, args.runs)
        floor = floor or seconds
        ratios[title] = seconds / floor
        print(f"{title:34} {seconds * 1000:8.0f} {ratios[title]:8.1f}")
    ok = ratios["selector --help"] <= GOAL_RATIO
    print(f"goal: selector --help within {GOAL_RATIO:g}× of the floor: {'ok' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
