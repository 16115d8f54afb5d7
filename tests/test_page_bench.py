"""The page benchmark still runs (it broke once unnoticed): every page renders at a small size."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_page_bench_renders_every_page_at_a_small_size() -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("SELECTOR_DB", None)
    out = subprocess.run(
        [sys.executable, str(REPO / "bench" / "page_bench.py"), "--small"],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        cwd=REPO,
    )
    # Exit 1 also when a page is over the goal: on a busy machine that is no failure here.
    assert out.returncode in (0, 1), out.stderr[-2000:]
    assert "Traceback" not in out.stderr, out.stderr[-2000:]
    for page in (
        "Log in",
        "Upload",
        "Reviewers",
        "Track config",
        "My reviews",
        "Committee",
        "Selection",
        "Roster",
    ):
        assert any(line.startswith(page) for line in out.stdout.splitlines()), out.stdout
