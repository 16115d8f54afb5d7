"""The CLI faces of applicant identity (issue 10): `import` refuses a mass withdrawal unless
`--allow-mass-withdrawal`, `import --dry-run` names people and changed fields, `applicants
merge`."""

from __future__ import annotations

from pathlib import Path

import pytest

from selector.cli import main
from selector.intake import email_id
from selector.models import Review
from selector.store import Store
from tests.test_cli_store import db, run_json, write_export
from tests.test_store import full_scores

__all__ = ["db"]  # the database fixture, imported so pytest finds it here


def test_an_import_that_withdraws_most_applicants_is_refused_unless_allowed(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_json(capsys, "import", str(write_export(tmp_path / "v1.csv", n=6)), "--json")
    few = write_export(tmp_path / "few.csv", n=6, skip=(1, 2, 3, 4))
    assert main(["import", str(few)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "withdraw 4 of 6 active applicants" in err[0]
    assert "--allow-mass-withdrawal" in err[0]
    assert Store(db).withdrawn(Store(db).system_user(), None) == []

    assert main(["import", str(few), "--dry-run"]) == 0
    assert "confirm with --allow-mass-withdrawal" in capsys.readouterr().out

    done = run_json(capsys, "import", str(few), "--json", "--allow-mass-withdrawal")
    assert done == {"added": 0, "updated": 0, "unchanged": 2, "withdrawn": 4, "rejected": []}


def test_a_roster_is_refused_as_a_roster(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "applicant_id,name,email,pgy,specialty,score,status,margin,replacement,reason\n"
        "A001,Testperson 1,p1@example.org,3,Psychiatry,4.5,selected,0.2,,\n",
        encoding="utf-8",
    )
    assert main(["import", str(roster)]) == 2
    assert "this is a roster written by selector" in capsys.readouterr().err


def test_dry_run_names_people_and_the_fields_that_change(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_json(capsys, "import", str(write_export(tmp_path / "v1.csv", n=4)), "--json")
    v2 = tmp_path / "v2.csv"
    write_export(v2, n=5, pgy=3)
    text = v2.read_text().replace(
        "Testperson 3,p3@example.org,PGY3", "Testperson 3,p3@example.org,PGY5"
    )
    # The numbering restarted: ID 1 is now someone else, person1 is ID 5.
    text = text.replace("1,Testperson 1,p1@", "1,Newcomer,new@").replace(
        "5,Testperson 5,p5@", "5,Testperson 1,p1@"
    )
    v2.write_text(text, encoding="utf-8")
    assert main(["import", str(v2), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "changed: A003 Testperson 3: pgy 3 → 5" in out
    new_id = email_id("new@example.org")
    assert f"new: {new_id} Newcomer: response id A001 →" in out
    as_json = run_json(capsys, "import", str(v2), "--dry-run", "--json")
    assert {k: as_json[k] for k in ("added", "updated", "unchanged", "withdrawn")} == {  # type: ignore[index]
        "added": 1,
        "updated": 1,
        "unchanged": 3,
        "withdrawn": 0,
    }
    assert as_json["id_reused"] == {"A001": new_id}  # type: ignore[index]


def test_applicants_merge(db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run_json(capsys, "import", str(write_export(tmp_path / "v1.csv", n=4)), "--json")
    store = Store(db)
    system = store.system_user()
    store.add_user(system, "rev@example.org", "Rev", "reviewer", None)
    store.save_review(system, None, Review("A001", "rev@example.org", full_scores(3)))
    store.save_review(system, None, Review("A002", "rev@example.org", full_scores(5)))
    done = run_json(capsys, "applicants", "merge", "A001", "A002", "--json")
    assert done == {  # type: ignore[comparison-overlap]
        "keep": "A001",
        "other": "A002",
        "application_from": "A002",
        "moved": [],
        "dropped": ["rev@example.org"],
    }
    assert main(["applicants", "merge", "A001", "A009"]) == 2
    assert "no applicant 'A009'" in capsys.readouterr().err
    assert [r.scores["awareness"] for r in store.reviews(system, None)] == [3]
    assert "applicant.merge" in [e.action for e in store.audit_log(system, None)]


def test_dry_run_into_a_new_cycle_names_everyone(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", str(write_export(tmp_path / "v1.csv", n=2)), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "new: A001 Testperson 1" in out and "new: A002 Testperson 2" in out
