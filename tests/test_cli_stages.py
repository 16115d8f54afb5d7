"""The CLI on a staged cycle: the shortlist decided and made final (`select --stage`),
interview scores imported for the shortlisted only (`scores import --stage`), the cohort
decided among the shortlist on the combined score, and the runs listed with their stage."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from selector.cli import main
from tests.test_cli_store import db, run_json, write_export  # noqa: F401 (db: a fixture)

STAGED = """
[cohort]
size = 2
[eligibility]
min_pgy = 1
pgy1_by_approval = false
[combine]
weights = { screening = 0.5, interview = 0.5 }
[[stages]]
name = "screening"
size = 3
[[stages.criteria]]
id = "merit"
label = "Merit"
[[stages]]
name = "interview"
[[stages.criteria]]
id = "talk"
label = "Talk"
"""


def score_file(path: Path, criterion: str, scores: dict[str, int]) -> str:
    lines = ["applicant_id,reviewer,criterion,score,comment"]
    lines += [f"{a},rev1@example.org,{criterion},{s}," for a, s in scores.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def test_a_staged_cycle_from_shortlist_to_cohort(
    db: str,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = tmp_path / "staged.toml"
    config.write_text(STAGED, encoding="utf-8")
    assert main(["cycles", "create", "2027", "--config", str(config)]) == 0
    capsys.readouterr()
    run_json(
        capsys, "import", str(write_export(tmp_path / "a.csv", n=5)), "--cycle", "2027", "--json"
    )
    merit = score_file(tmp_path / "m.csv", "merit", {f"A00{i}": i for i in range(1, 6)})
    assert main(["scores", "import", merit, "--cycle", "2027", "--create-reviewers"]) == 0
    capsys.readouterr()
    select = ["select", "--config", str(config), "--cycle", "2027", "--json"]

    # No shortlist yet: the cohort cannot be decided.
    assert main(select) == 2
    assert "no shortlist yet" in capsys.readouterr().err

    shortlisted = run_json(capsys, *select, "--stage", "screening", "--final")
    assert shortlisted["open_reviews"]["applicants"] == 5  # type: ignore[index]
    assert shortlisted["selected"] == ["A005", "A004", "A003"]  # type: ignore[index]
    assert shortlisted["stage"] == "screening"  # type: ignore[index]

    # An interview score of an applicant not shortlisted is refused, and nothing is saved.
    talk = {"A001": 5, "A003": 5, "A004": 1, "A005": 3}
    outsider = score_file(tmp_path / "t1.csv", "talk", talk)
    assert main(["scores", "import", outsider, "--cycle", "2027", "--stage", "interview"]) == 2
    assert "A001 is not on the shortlist" in capsys.readouterr().err
    # Before the interviews: told so, loudly, and no cohort (nobody has a combined score).
    assert main(select) == 3
    assert "3 of 3 applicants have no complete review" in capsys.readouterr().err
    talk.pop("A001")
    inside = score_file(tmp_path / "t2.csv", "talk", talk)
    assert main(["scores", "import", inside, "--cycle", "2027", "--stage", "interview"]) == 0
    capsys.readouterr()

    # Each stage's scores export on their own and read back into their stage.
    exported = tmp_path / "interviews.csv"
    assert main(["scores", "export", str(exported), "--cycle", "2027", "--stage", "interview"]) == 0
    lines = exported.read_text(encoding="utf-8-sig").splitlines()
    assert lines[1:] == [
        "A003,rev1@example.org,talk,5,",
        "A004,rev1@example.org,talk,1,",
        "A005,rev1@example.org,talk,3,",
    ]
    first = tmp_path / "screening.csv"
    assert main(["scores", "export", str(first), "--cycle", "2027"]) == 0
    assert ",talk," not in first.read_text(encoding="utf-8-sig")
    argv = ["scores", "import", str(exported), "--cycle", "2027", "--stage", "interview"]
    assert main(argv) == 0
    capsys.readouterr()

    final = run_json(capsys, *select, "--robustness", "50", "--seed", "s")
    # Combined: 0.5 × merit on 0–100 + 0.5 × talk on 0–100.
    assert final["scores"] == {"A003": 75.0, "A004": 37.5, "A005": 75.0}  # type: ignore[index]
    assert sorted(final["selected"]) == ["A003", "A005"]  # type: ignore[index]
    assert final["shortlist"] == ["A003", "A004", "A005"]  # type: ignore[index]
    # What is not in yet is told of the interview stage: its pool is the shortlist.
    assert final["open_reviews"] == {"applicants": 3, "unreviewed": [], "open": []}  # type: ignore[index]
    assert "not on the shortlist" in final["reasons"]["A001"]["text"]  # type: ignore[index]
    assert set(final["robustness"]["probability"]) == {"A003", "A004", "A005"}  # type: ignore[index]

    runs = run_json(capsys, "runs", "list", "--cycle", "2027", "--json")
    assert [(r["stage"], r["final"], r["in_force"]) for r in runs] == [  # type: ignore[union-attr, index]
        ("interview", False, False),
        ("interview", False, False),  # the one decided before the interviews: infeasible
        ("screening", True, True),
    ]
    assert main(["runs", "list", "--cycle", "2027"]) == 0
    listed = capsys.readouterr().out
    assert "screening" in listed and "interview" in listed
    assert main(["runs", "verify", "--latest", "--cycle", "2027"]) == 0
    assert "verified" in capsys.readouterr().out
    shortlist_run = runs[2]["id"]  # type: ignore[index]
    assert main(["runs", "verify", str(shortlist_run), "--cycle", "2027"]) == 0
    # The roster of the cohort run: decided again among its shortlist, on every stage.
    roster = tmp_path / "roster.csv"
    assert main(["roster", "--cycle", "2027", "--out", str(roster)]) == 0
    rows = list(csv.DictReader(io.StringIO(roster.read_text(encoding="utf-8-sig"))))
    chosen = {r["applicant_id"] for r in rows if r["status"] == "selected"}
    assert chosen == {"A003", "A005"}
    assert {r["score"] for r in rows if r["applicant_id"] in chosen} == {"75.0"}


def test_select_on_files_refuses_a_staged_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "staged.toml"
    config.write_text(STAGED, encoding="utf-8")
    apps = write_export(tmp_path / "a.csv")
    scores = score_file(tmp_path / "m.csv", "merit", {"A001": 3})
    argv = ["select", "--config", str(config), "--applications", str(apps), "--scores", scores]
    assert main(argv) == 2
    assert "decided on the database" in capsys.readouterr().err


def test_a_stage_on_a_config_without_stages_is_refused(
    db: str,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from selector.config import DEFAULT_CONFIG_PATH

    run_json(capsys, "import", str(write_export(tmp_path / "a.csv")), "--json")
    argv = ["select", "--config", str(DEFAULT_CONFIG_PATH), "--stage", "screening", "--json"]
    assert main(argv) == 2
    assert "it has no stages" in capsys.readouterr().err


def test_check_config_names_the_stages(capsys: pytest.CaptureFixture[str]) -> None:
    config = Path(__file__).resolve().parent.parent / "rubrics" / "with_interview.toml"
    assert main(["check-config", str(config)]) == 0
    out = capsys.readouterr().out
    assert "stages screening (7 criteria, shortlist 20) → interview (3 criteria)" in out


def test_assign_stage_assigns_the_shortlisted_only(
    db: str,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from selector.store import Store

    config = tmp_path / "staged.toml"
    config.write_text(STAGED, encoding="utf-8")
    assert main(["cycles", "create", "2027", "--config", str(config)]) == 0
    capsys.readouterr()
    run_json(
        capsys, "import", str(write_export(tmp_path / "a.csv", n=5)), "--cycle", "2027", "--json"
    )
    store = Store(db)
    system = store.system_user()
    store.add_user(system, "rev1@example.org", "Rev", "reviewer", None, "Program 9")
    store.add_user(system, "rev2@example.org", "Rev", "reviewer", None, "Program 8")
    store.record_run(
        system,
        "2027",
        config_text=STAGED,
        decision={"status": "optimal", "selected": ["A001", "A002", "A003"]},
        final=True,
        stage="screening",
    )
    done = run_json(
        capsys, "assign", "--cycle", "2027", "--stage", "interview", "--k", "1", "--json"
    )
    assert done["assignments"] == 3  # type: ignore[index]
    pairs = store.assignments(system, "2027", stage="interview")
    assert sorted(a for a, _ in pairs) == ["A001", "A002", "A003"]
