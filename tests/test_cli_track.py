"""The track from the CLI: `cycles create NAME [--from CYCLE] [--track NAME] [--config]`, the
track in `cycles --json`, `cycles composition [--track] [--json]`, and `select` keeping
current trainees out with a reason in the committee's words."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from selector.cli import main
from selector.store import Store
from tests.track_helpers import EXCLUDING, TWO, two_years


def run(capsys: pytest.CaptureFixture[str], *argv: str, code: int = 0) -> str:
    """What the command printed: stdout, or stderr when it fails."""
    assert main(list(argv)) == code
    out = capsys.readouterr()
    return out.out if code == 0 else out.err


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    return json.loads(run(capsys, *argv))


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("SELECTOR_DB", url)
    return url


def test_cycles_create_starts_from_the_previous_cycle(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = tmp_path / "two.toml"
    rules.write_text(TWO, encoding="utf-8")
    assert "in track 'DEI Leadership Track'" in run(
        capsys, "cycles", "create", "2026", "--config", str(rules)
    )
    run(capsys, "cycles", "create", "2027")  # default: the newest cycle of the track
    run(capsys, "cycles", "create", "S1", "--track", "Surgery", "--config", str(rules))
    run(capsys, "cycles", "create", "2028", "--from", "2027")
    listed = {c["name"]: c["track"] for c in run_json(capsys, "cycles", "--json")}
    assert listed == {
        "2026": "DEI Leadership Track",
        "2027": "DEI Leadership Track",
        "S1": "Surgery",
        "2028": "DEI Leadership Track",
    }
    store = Store(db)
    assert store.cycle("2027").config_text == TWO == store.cycle("2028").config_text
    assert store.previous_cycle("2028") == store.cycle("2027")
    err = run(capsys, "cycles", "create", "2029", "--from", "1999", code=2)
    assert "no cycle named '1999'" in err


def test_cycles_composition_json(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    two_years(Store(db)).close()
    found = run_json(capsys, "cycles", "composition", "--json")
    assert found["track"] == "DEI Leadership Track"
    assert [(c["cycle"], c["cohort"]) for c in found["cycles"]] == [("2026", 2), ("2027", 0)]
    assert found["cycles"][0]["specialty"] == {"Family Medicine": 1, "Pediatrics": 1}
    assert run_json(capsys, "cycles", "--json", "composition") == found
    named = run_json(capsys, "cycles", "composition", "--track", "DEI Leadership Track", "--json")
    assert named == found
    text = run(capsys, "cycles", "composition")
    assert "2026: 2 member(s)" in text and "Specialty: Family Medicine 1, Pediatrics 1" in text
    err = run(capsys, "cycles", "composition", "--track", "Nope", code=2)
    assert "no track named 'Nope'" in err


def test_select_keeps_current_trainees_out_with_a_reason(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = tmp_path / "excluding.toml"
    rules.write_text(EXCLUDING, encoding="utf-8")
    store = two_years(Store(db), config=EXCLUDING)
    trainee = next(
        a.applicant_id
        for a in store.applicants(store.system_user(), "2027")
        if a.email == "person5@example.org"
    )
    found = run_json(capsys, "select", "--cycle", "2027", "--config", str(rules), "--json")
    assert trainee not in found["selected"]
    assert found["reasons"][trainee]["status"] == "ineligible"
    assert found["reasons"][trainee]["rules"] == ["current_trainee"]
    assert "already a trainee of the track" in found["ineligible"][trainee]
    assert "person5@example.org" not in json.dumps(found)  # no e-mails in the decision JSON
    assert run_json(capsys, "runs", "verify", "--latest", "--cycle", "2027", "--json")["identical"]


def test_an_import_that_creates_its_cycle_starts_from_the_previous_one(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = tmp_path / "two.toml"
    rules.write_text(TWO, encoding="utf-8")
    run(capsys, "cycles", "create", "2026", "--config", str(rules))
    export = tmp_path / "export.csv"
    export.write_text(
        "ID,Name,Email,PGY,Specialty,Program\n1,Testperson A,a@example.org,3,Psychiatry,P1\n",
        encoding="utf-8",
    )
    run(capsys, "import", str(export), "--cycle", "2027", "--json")
    store = Store(db)
    made = store.cycle("2027")
    assert made.config_text == TWO and made.track == "DEI Leadership Track"
    assert store.previous_cycle("2027") == store.cycle("2026")
