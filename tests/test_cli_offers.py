"""`selector select --final` and `selector offers create|record|plan|fill|list`: the JSON
contract, human output, exit codes and one-line errors, on the demo cycle."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from selector.cli import main
from selector.store import Store

ROOT = Path(__file__).resolve().parent.parent
DEMO_APPLICATIONS = ROOT / "data" / "demo_applications.xlsx"
DEMO_SCORES = ROOT / "data" / "demo_scores.csv"
CONFIG = str(ROOT / "rubrics" / "dei_leadership.toml")
KEYS = {"applicant_id", "name", "status", "offered_at", "deadline", "replaces"}


def _json(capsys: pytest.CaptureFixture[str], *argv: str, code: int = 0) -> Any:
    assert main(list(argv)) == code
    return json.loads(capsys.readouterr().out)


def _fails(capsys: pytest.CaptureFixture[str], *argv: str, code: int = 2) -> str:
    """Run a command that must fail: its one-line error."""
    assert main(list(argv)) == code
    err = capsys.readouterr().err.strip()
    assert err.startswith("selector: error: ") and "\n" not in err
    return err


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> str:
    """The demo cycle 2026 with its scores (every applicant reviewed), nothing decided."""
    url = f"sqlite:///{tmp_path / 'offers.db'}"
    monkeypatch.setenv("SELECTOR_DB", url)
    _json(capsys, "import", str(DEMO_APPLICATIONS), "--cycle", "2026", "--json")
    _json(capsys, "scores", "import", str(DEMO_SCORES), "--json", "--create-reviewers")
    return url


@pytest.fixture
def offered(db: str, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    """The demo cycle finalised, and an offer made to each member (deadline 2026-12-15)."""
    final = _json(capsys, "select", "--config", CONFIG, "--final", "--json")
    made = _json(capsys, "offers", "create", "--deadline", "2026-12-15", "--json")
    return {"final": final, "offers": made}


def test_select_final_records_the_final_run(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    out = _json(capsys, "select", "--config", CONFIG, "--final", "--json")
    assert out["final"] is True and out["status"] == "optimal" and len(out["selected"]) == 10
    (run,) = _json(capsys, "runs", "list", "--json")
    assert run["id"] == out["run"] and run["final"] and run["in_force"]
    assert main(["select", "--config", CONFIG, "--final"]) == 0
    captured = capsys.readouterr()
    assert "optimal cohort of 10" in captured.out
    assert "recorded as the final run" in captured.err


def test_select_final_refuses_open_reviews_unless_confirmed(
    db: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with Store(db) as store:
        system = store.system_user()
        store.add_user(system, "late@example.org", "Late Reviewer", "reviewer", "pw-late-123")
        store.set_assignment(system, "2026", "A001", "late@example.org", True)
    err = _fails(capsys, "select", "--config", CONFIG, "--final")
    assert "not finalised" in err and "Confirm" in err
    assert _json(capsys, "runs", "list", "--json") == []  # nothing recorded
    roster = tmp_path / "final.csv"
    out = _json(
        capsys,
        "select", "--config", CONFIG, "--final", "--confirm-open-reviews", "--json",
        "--out", str(roster),
    )  # fmt: skip
    assert out["final"] and out["open_reviews"]["open"] == [
        {"applicant_id": "A001", "reviewer": "late@example.org"}
    ]
    assert f"\n{out['selected'][0]}," in roster.read_text(encoding="utf-8-sig")
    with Store(db) as store:
        (run,) = store.runs(store.system_user(), "2026")
    assert run.final and run.decision["open_reviews"]["open"][0]["applicant_id"] == "A001"


def test_select_final_needs_a_stored_cycle(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    err = _fails(
        capsys, "select", "--config", CONFIG, "--final",
        "--applications", str(DEMO_APPLICATIONS), "--scores", str(DEMO_SCORES),
    )  # fmt: skip
    assert "stored cycle" in err
    assert "--final" in _fails(capsys, "select", "--config", CONFIG, "--confirm-open-reviews")


def test_offers_create_list_and_the_json_contract(
    offered: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    made = offered["offers"]
    assert [o["applicant_id"] for o in made] == offered["final"]["selected"]
    listed = _json(capsys, "offers", "list", "--json")
    assert listed == made
    for o in listed:
        assert set(o) == KEYS
        assert o["status"] == "offered" and o["deadline"] == "2026-12-15"
        assert o["replaces"] is None and o["name"]
        assert dt.datetime.fromisoformat(o["offered_at"]).tzinfo is not None
    assert main(["offers", "list"]) == 0
    text = capsys.readouterr().out
    assert len(text.splitlines()) == 10 and "deadline 2026-12-15" in text
    assert "already has offers" in _fails(capsys, "offers", "create")


def test_record_plan_fill_and_list(
    offered: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    final = offered["final"]
    first, second, third = final["selected"][:3]
    assert _json(capsys, "offers", "record", third, "--accepted", "--json")["status"] == "accepted"
    assert main(["offers", "record", first, "--declined"]) == 0
    assert capsys.readouterr().out.strip() == f"{first}: declined"

    # One decline: the plan is the final run's recorded replacement, shown before any offer.
    plan = _json(capsys, "offers", "plan", "--json")
    expected = final["replacements"][first]
    assert [(s["applicant_id"], s["replaces"]) for s in plan["seats"]] == [(expected, first)]
    assert main(["offers", "fill", "--dry-run"]) == 0
    shown = capsys.readouterr().out
    assert f"takes {first} (" in shown and "'s seat;" in shown and "still met" in shown
    assert len(_json(capsys, "offers", "list", "--json")) == 10  # the dry run made nothing

    # A second decline, before filling: both seats are filled by the new optimum.
    assert main(["offers", "record", second, "--withdrawn"]) == 0
    capsys.readouterr()
    done = _json(capsys, "offers", "fill", "--deadline", "2027-01-10", "--json")
    assert {o["replaces"] for o in done["offers"]} == {first, second}
    assert all(o["deadline"] == "2027-01-10" for o in done["offers"])
    listed = {o["applicant_id"]: o for o in _json(capsys, "offers", "list", "--json")}
    assert listed[first]["status"] == "declined" and listed[second]["status"] == "withdrawn"
    assert listed[third]["status"] == "accepted"
    live = sorted(a for a, o in listed.items() if o["status"] in ("offered", "accepted"))
    assert live == sorted(done["cohort"]) and len(live) == 10

    runs = _json(capsys, "runs", "list", "--json")
    assert runs[0]["id"] == done["run_id"] and runs[0]["fills_run"] == final["run"]
    assert not runs[0]["final"] and runs[1]["in_force"]
    assert _json(capsys, "runs", "verify", str(done["run_id"]), "--json")["identical"]
    assert main(["offers", "fill"]) == 0
    assert "nothing to fill" in capsys.readouterr().out


def test_record_refusals_are_one_line_errors(
    offered: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    member = offered["final"]["selected"][0]
    outsider = next(a for a in offered["final"]["scores"] if a not in offered["final"]["selected"])
    assert "has no offer" in _fails(capsys, "offers", "record", outsider, "--accepted")
    assert "not passed" in _fails(capsys, "offers", "record", member, "--declined", "--no-answer")
    assert "recorded as declined" in _fails(
        capsys, "offers", "record", member, "--accepted", "--no-answer"
    )
    assert main(["offers", "record", member, "--declined"]) == 0
    capsys.readouterr()
    assert "cannot become accepted" in _fails(capsys, "offers", "record", member, "--accepted")
    assert "no applicant" in _fails(capsys, "offers", "record", "Z999", "--accepted")
    # argparse: exactly one answer, and a date that is a date.
    for argv in (
        ["offers", "record", member],
        ["offers", "record", member, "--accepted", "--declined"],
        ["offers", "create", "--deadline", "15/12/2026"],
    ):
        with pytest.raises(SystemExit) as refused:
            main(argv)
        assert refused.value.code == 2
    assert "is not a date" in capsys.readouterr().err


def test_no_answer_past_the_deadline_is_recorded_as_such(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    final = _json(capsys, "select", "--config", CONFIG, "--final", "--json")
    _json(capsys, "offers", "create", "--deadline", "2020-01-31", "--json")
    member = final["selected"][0]
    out = _json(capsys, "offers", "record", member, "--declined", "--no-answer", "--json")
    assert out["status"] == "declined"
    with Store(db) as store:
        (found,) = [
            o for o in store.offers(store.system_user(), "2026") if o.applicant_id == member
        ]
        entry = store.applicant_history(store.system_user(), "2026", member)[-1]
    assert found.no_answer
    assert entry.action == "offer.answer" and entry.new == {"status": "declined", "no_answer": True}
    assert main(["offers", "list"]) == 0
    assert "declined (no answer)" in capsys.readouterr().out


def test_offers_without_a_final_run_or_offers(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert "final" in _fails(capsys, "offers", "create")
    assert "no offers yet" in _fails(capsys, "offers", "plan")
    assert "no offers yet" in _fails(capsys, "offers", "fill")
    assert _json(capsys, "offers", "list", "--json") == []
    assert main(["offers", "list"]) == 0
    assert "no offers yet" in capsys.readouterr().out


def test_an_unfillable_seat_exits_3_with_the_diagnosis(
    db: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The rules ask for one Dermatologist; the demo pool has one: when she declines, no one
    left can keep the rule."""
    config = tmp_path / "floor.toml"
    text = Path(CONFIG).read_text(encoding="utf-8")
    with Store(db) as store:
        people = store.applicants(store.system_user(), "2026")
    (only,) = [a.applicant_id for a in people if a.specialty == "Dermatology"]
    text = text.replace("min_distinct = 5", "min_distinct = 5\nmin_per_value = { Dermatology = 1 }")
    config.write_text(text, encoding="utf-8")
    final = _json(capsys, "select", "--config", str(config), "--final", "--json")
    assert final["final"] and only in final["selected"]
    _json(capsys, "offers", "create", "--json")
    assert main(["offers", "record", only, "--declined"]) == 0
    capsys.readouterr()
    assert main(["offers", "plan"]) == 3
    captured = capsys.readouterr()
    assert "cannot be filled" in captured.out and "Dermatology" in captured.out
    assert "cannot be filled under the rules" in captured.err
    assert main(["offers", "fill", "--json"]) == 3
    out = json.loads(capsys.readouterr().out)
    assert out["status"] == "infeasible" and out["diagnosis"] and out["seats"] == []
    assert len(_json(capsys, "offers", "list", "--json")) == 10  # nothing was offered


def test_every_offers_command_has_help() -> None:
    from selector.cli import build_parser

    parser = build_parser()
    offers = next(
        a
        for a in parser._subparsers._group_actions[0].choices.items()
        if a[0] == "offers"  # type: ignore[union-attr]
    )[1]
    acts = offers._subparsers._group_actions[0]  # type: ignore[union-attr]
    assert set(acts.choices) == {"create", "record", "plan", "fill", "list"}
    helps = {a.dest: a.help for a in acts._choices_actions}
    assert all(helps.values()) and len(helps) == 5


def test_the_roster_is_the_accepted_cohort_with_each_status(
    offered: dict[str, Any], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import csv
    import io

    import openpyxl

    members = offered["final"]["selected"]
    for aid in members[:3]:
        assert main(["offers", "record", aid, "--accepted"]) == 0
    assert main(["offers", "record", members[3], "--declined"]) == 0
    capsys.readouterr()
    done = _json(capsys, "offers", "fill", "--json")
    (newcomer,) = [o["applicant_id"] for o in done["offers"]]
    assert main(["offers", "record", newcomer, "--accepted"]) == 0
    xlsx, csv_path = tmp_path / "roster.xlsx", tmp_path / "roster.csv"
    assert main(["roster", "--out", str(xlsx)]) == 0
    assert main(["roster", "--out", str(csv_path)]) == 0
    capsys.readouterr()

    book = openpyxl.load_workbook(xlsx)
    cohort = list(book["Cohort"].iter_rows(values_only=True))
    assert cohort[0][-1] == "Took the seat of"
    assert [(r[0], r[-1]) for r in cohort[1:]] == [(a, None) for a in members[:3]] + [
        (newcomer, members[3])
    ]
    offers = {r[0]: r for r in book["Offers"].iter_rows(min_row=2, values_only=True)}
    assert len(offers) == 11 and offers[members[3]][2] == "declined"
    assert offers[newcomer][5] == members[3] and offers[members[4]][2] == "offered"
    every = list(book["All applicants"].iter_rows(values_only=True))
    assert every[0][-1] == "Offer"
    assert {r[0]: r[-1] for r in every[1:]}[members[0]] == "accepted"

    rows = list(csv.DictReader(io.StringIO(csv_path.read_text(encoding="utf-8-sig"))))
    assert [r["applicant_id"] for r in rows[:4]] == [*members[:3], newcomer]
    assert [r["offer"] for r in rows[:4]] == ["accepted"] * 4
    assert {r["applicant_id"]: r["offer"] for r in rows}[members[3]] == "declined"
