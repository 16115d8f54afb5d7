"""`selector roster` on a stored cycle: it writes the cohort of the recorded run (the latest
final run, else the latest run), decided again with that run's config and locks."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from selector.cli import main
from selector.config import DEFAULT_CONFIG_PATH, read_config_text
from selector.store import Store

ROOT = Path(__file__).resolve().parent.parent
DEMO_APPLICATIONS = ROOT / "data" / "demo_applications.xlsx"
DEMO_SCORES = ROOT / "data" / "demo_scores.csv"
CONFIG = str(DEFAULT_CONFIG_PATH)
CONFIG_TEXT = read_config_text(CONFIG)


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    assert main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> str:
    """A database with the demo applications and scores in cycle 2026."""
    url = f"sqlite:///{tmp_path / 'roster.db'}"
    monkeypatch.setenv("SELECTOR_DB", url)
    run_json(capsys, "import", str(DEMO_APPLICATIONS), "--cycle", "2026", "--json")
    run_json(capsys, "scores", "import", str(DEMO_SCORES), "--json", "--create-reviewers")
    return url


def roster_status(capsys: pytest.CaptureFixture[str], path: Path) -> dict[str, str]:
    """Run `selector roster --out path` (a CSV) and read each applicant's status from it."""
    assert main(["roster", "--out", str(path)]) == 0
    capsys.readouterr()
    rows = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig")))
    return {row["applicant_id"]: row["status"] for row in rows}


def swap(decision: dict[str, Any]) -> tuple[str, str]:
    """A one-for-one swap that keeps the rules: (someone to lock in, someone to lock out)."""
    out, into = next((a, r) for a, r in decision["replacements"].items() if r)
    return into, out


def test_roster_keeps_the_locks_of_the_latest_run(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    free = run_json(capsys, "select", "--config", CONFIG, "--json")
    into, out = swap(free)
    assert into not in free["selected"] and out in free["selected"]
    locked = run_json(
        capsys, "select", "--config", CONFIG, "--include", into, "--exclude", out, "--json"
    )
    assert into in locked["selected"] and out not in locked["selected"]

    status = roster_status(capsys, tmp_path / "r.csv")
    assert status[into] == "selected"
    assert status[out] == "locked out"
    assert sorted(a for a, s in status.items() if s == "selected") == sorted(locked["selected"])


def test_roster_prefers_the_final_run_over_a_later_one(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    free = run_json(capsys, "select", "--config", CONFIG, "--json")
    into, out = swap(free)
    locked = run_json(
        capsys, "select", "--config", CONFIG, "--include", into, "--exclude", out, "--json"
    )
    store = Store(db)
    store.record_run(
        Store.system_user(), "2026", config_text=CONFIG_TEXT, decision=locked, final=True
    )
    run_json(capsys, "select", "--config", CONFIG, "--json")  # a later scenario, not final
    assert not store.runs(Store.system_user(), "2026")[0].final

    status = roster_status(capsys, tmp_path / "r.csv")
    assert status[into] == "selected" and status[out] == "locked out"


def test_roster_refuses_a_run_it_cannot_reproduce(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    free = run_json(capsys, "select", "--config", CONFIG, "--json")
    into, out = swap(free)
    forged = {**free, "selected": [into if a == out else a for a in free["selected"]]}
    Store(db).record_run(Store.system_user(), "2026", config_text=CONFIG_TEXT, decision=forged)
    path = tmp_path / "r.csv"
    assert main(["roster", "--out", str(path)]) == 2
    assert "gave another cohort" in capsys.readouterr().err
    assert not path.exists()
