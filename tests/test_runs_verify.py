"""A recorded run keeps its inputs and replays: `runs list`, `runs verify`, and rosters that
carry the run id and the input hash."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import select

from selector.cli import main
from selector.config import DEFAULT_CONFIG_PATH
from selector.models import Review
from selector.store import RunRow, Store, input_hash, inputs_from_json, inputs_json

ROOT = Path(__file__).resolve().parent.parent
DEMO_APPLICATIONS = ROOT / "data" / "demo_applications.xlsx"
DEMO_SCORES = ROOT / "data" / "demo_scores.csv"


def _json(capsys: pytest.CaptureFixture[str], *argv: str, code: int = 0) -> Any:
    assert main(list(argv)) == code
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> str:
    """A database with the demo cycle 2026, its scores and one recorded run (robustness 20)."""
    url = f"sqlite:///{tmp_path / 'runs.db'}"
    monkeypatch.setenv("SELECTOR_DB", url)
    _json(capsys, "import", str(DEMO_APPLICATIONS), "--cycle", "2026", "--json")
    _json(capsys, "scores", "import", str(DEMO_SCORES), "--json", "--create-reviewers")
    config = str(DEFAULT_CONFIG_PATH)
    _json(capsys, "select", "--config", config, "--json", "--robustness", "20", "--seed", "r")
    return url


def _edit_run(url: str, change: Any) -> None:
    """Change the recorded decision JSON of the only run (as a tampered database would)."""
    store = Store(url)
    with store._tx() as s:
        row = s.scalars(select(RunRow)).one()
        data = json.loads(json.dumps(row.decision))
        change(data)
        row.decision = data


def test_inputs_round_trip() -> None:
    from tests.factories import make_applicants, make_config, make_reviews

    people = make_applicants(5, seed=1, answers={"Region": "North"})
    config = make_config()
    reviews = make_reviews(people, config, seed=2)
    back = inputs_from_json(json.loads(json.dumps(inputs_json(people, reviews))))
    assert input_hash(*back, "x") == input_hash(people, reviews, "x")
    assert [a.answers for a in back[0]] == [{"Region": "North"}] * 5


def test_list_and_verify_identical(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    (run,) = _json(capsys, "runs", "list", "--json")
    assert run["keeps_inputs"] and run["robustness"] == {"draws": 20, "seed": "r"}
    assert len(run["selected"]) == 10 and len(run["input_hash"]) == 64
    assert _json(capsys, "runs", "--json") == [run]  # `runs` alone lists too
    stored = Store(db).runs(Store.system_user(), "2026")[0]
    assert stored.decision["robustness"]["seed"] == "r"
    assert stored.inputs is not None and "inputs" not in stored.decision
    assert input_hash(*inputs_from_json(stored.inputs), stored.config_text) == stored.input_hash

    result = _json(capsys, "runs", "verify", str(run["id"]), "--json")
    assert result["identical"] and result["differences"] == [] and result["data_current"]
    assert main(["runs", "verify", "--latest"]) == 0
    out = capsys.readouterr().out
    assert f"run {run['id']} verified" in out and "still matches" in out


def test_verify_replays_the_runs_own_inputs_after_the_data_changed(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    store = Store(db)
    criteria = [c.id for c in store.cycle().config.criteria]
    store.save_review(
        Store.system_user(),
        "2026",
        Review("A001", "reviewer1@example.org", dict.fromkeys(criteria, 1.0)),
    )
    result = _json(capsys, "runs", "verify", "--latest", "--json")
    assert result["identical"] and not result["data_current"]
    assert main(["runs", "verify", "--latest"]) == 0
    assert "no longer matches" in capsys.readouterr().out


def test_verify_names_a_different_cohort(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    recorded = Store(db).runs(Store.system_user(), "2026")[0].decision["selected"]

    def swap(data: dict[str, Any]) -> None:
        data["selected"] = [*data["selected"][:-1], "A999"]

    _edit_run(db, swap)
    result = _json(capsys, "runs", "verify", "--latest", "--json", code=1)
    assert not result["identical"]
    assert (
        f"cohort differs (only in the run: A999; only now: {recorded[-1]})"
        in (result["differences"])
    )
    assert main(["runs", "verify", "--latest"]) == 1
    assert "A999" in capsys.readouterr().out


def test_verify_names_tampered_inputs(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    def lower(data: dict[str, Any]) -> None:
        review = data["inputs"]["reviews"][0]
        review["scores"] = dict.fromkeys(review["scores"], 1.0)

    _edit_run(db, lower)
    result = _json(capsys, "runs", "verify", "--latest", "--json", code=1)
    assert any(d.startswith("input hash differs") for d in result["differences"])


def test_a_run_without_inputs_replays_on_matching_data_only(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _edit_run(db, lambda data: data.pop("inputs"))
    result = _json(capsys, "runs", "verify", "--latest", "--json")
    assert result["identical"] and "today's data" in result["replayed_from"]
    store = Store(db)
    criteria = [c.id for c in store.cycle().config.criteria]
    store.save_review(
        Store.system_user(),
        "2026",
        Review("A001", "reviewer1@example.org", dict.fromkeys(criteria, 1.0)),
    )
    result = _json(capsys, "runs", "verify", "--latest", "--json", code=1)
    assert "cannot be replayed" in result["differences"][0]


def test_unknown_run_is_a_clear_error(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["runs", "verify", "999"]) == 2
    assert "no selection run 999" in capsys.readouterr().err


def test_rosters_carry_run_id_and_hash(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = Store(db)
    config = str(DEFAULT_CONFIG_PATH)
    out = tmp_path / "select.xlsx"
    assert main(["select", "--config", config, "--out", str(out), "--robustness", "10"]) == 0
    capsys.readouterr()
    newest = store.runs(Store.system_user(), "2026")[0]
    audit = dict(openpyxl.load_workbook(out)["Audit"].iter_rows(min_row=2, values_only=True))
    assert audit["run id"] == newest.id
    assert audit["input hash (SHA-256 of applicants, reviews and config)"] == newest.input_hash
    assert "Robustness" in openpyxl.load_workbook(out).sheetnames

    # The roster of the latest run, written from the database.
    roster = tmp_path / "roster.csv"
    assert main(["roster", "--out", str(roster)]) == 0
    rows = list(csv.DictReader(io.StringIO(roster.read_bytes().decode("utf-8-sig"))))
    assert {r["run_id"] for r in rows} == {str(newest.id)}
    assert {r["input_hash"] for r in rows} == {newest.input_hash}
