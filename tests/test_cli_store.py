"""The database commands of the CLI: import, scores, users, cycles, assign, calibrate, select
and roster on a stored cycle; each with --db URL or $SELECTOR_DB."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from selector.cli import main
from selector.config import DEFAULT_CONFIG_PATH
from selector.models import Review
from selector.store import Store

ROOT = Path(__file__).resolve().parent.parent
DEMO_APPLICATIONS = ROOT / "data" / "demo_applications.xlsx"
DEMO_SCORES = ROOT / "data" / "demo_scores.csv"
DEMO_REVIEWERS = ROOT / "data" / "demo_reviewers.csv"


def write_export(path: Path, n: int = 4, skip: tuple[int, ...] = (), pgy: int = 3) -> Path:
    lines = ["ID,Full name,E-mail,Training level,Specialty,Program"]
    for i in range(1, n + 1):
        if i not in skip:
            lines.append(f"{i},Testperson {i},p{i}@example.org,PGY{pgy},Psychiatry,Program {i % 2}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> object:
    assert main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("SELECTOR_DB", url)
    return url


def test_import_json_contract_and_reimport(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = run_json(capsys, "import", str(write_export(tmp_path / "v1.csv")), "--json")
    assert first == {"added": 4, "updated": 0, "unchanged": 0, "withdrawn": 0, "rejected": []}
    v2 = tmp_path / "v2.csv"
    write_export(v2, n=5, skip=(2,))
    v2.write_text(v2.read_text().replace("Testperson 3", "Testperson Three"), encoding="utf-8")
    again = run_json(capsys, "import", str(v2), "--json", "--cycle", Store(db).cycle().name)
    assert again == {"added": 1, "updated": 1, "unchanged": 2, "withdrawn": 1, "rejected": []}


def test_import_creates_the_named_cycle_with_the_default_config(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_json(capsys, "import", str(write_export(tmp_path / "a.csv")), "--cycle", "2031", "--json")
    cycle = Store(db).cycle("2031")
    assert cycle.config_text == DEFAULT_CONFIG_PATH.read_text(encoding="utf-8")


def test_import_with_map_rejected_rows_and_dry_run(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "odd.csv"
    path.write_text(
        "Ref,Who,Mail,Year of training,Field\n"
        "1,Testperson A,a@example.org,PGY2,Pediatrics\n"
        "2,Testperson B,not-an-address,PGY2,Pediatrics\n",
        encoding="utf-8",
    )
    args = ["import", str(path), "--map", "pgy=Year of training", "--map", "email=Mail"]
    args += ["--map", "name=Who", "--map", "specialty=Field", "--map", "applicant_id=Ref"]
    preview = run_json(capsys, *args, "--dry-run", "--json")
    assert preview["added"] == 1 and len(preview["rejected"]) == 1  # type: ignore[index]
    assert preview["rejected"][0]["row"] == 3  # type: ignore[index]
    assert Store(db).cycles() == []  # a dry run writes nothing, not even the new cycle
    done = run_json(capsys, *args, "--json")
    assert done["added"] == 1  # type: ignore[index]


def test_unreadable_import_is_one_line_exit_2(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", str(tmp_path / "missing.xlsx")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("selector: error:")


def test_db_option_beats_the_environment(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = f"sqlite:///{tmp_path / 'other.db'}"
    run_json(capsys, "import", str(write_export(tmp_path / "a.csv")), "--db", other, "--json")
    assert len(Store(other).applicants(Store.system_user(), None)) == 4
    assert Store(db).cycles() == []


def test_users_add_list_and_login(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pw = tmp_path / "pw.txt"
    pw.write_text("a-long-password\n", encoding="utf-8")
    assert (
        main(["users", "add", "Chair@Example.org", "--role", "chair", "--password-file", str(pw)])
        == 0
    )
    assert main(["users", "add", "rev@example.org", "--role", "reviewer", "--no-password",
                 "--program", "Program 1"]) == 0  # fmt: skip
    capsys.readouterr()
    listed = run_json(capsys, "users", "list", "--json")
    # Issue 10 added keys (login, assignment counts); the four of before are unchanged.
    assert [u["login"] for u in listed] == ["password", "no password"]  # type: ignore[index]
    listed = [{k: u[k] for k in ("email", "name", "role", "program")} for u in listed]  # type: ignore[attr-defined]
    assert listed == [
        {"email": "chair@example.org", "name": "Chair", "role": "chair", "program": ""},
        {"email": "rev@example.org", "name": "rev", "role": "reviewer", "program": "Program 1"},
    ]
    store = Store(db)
    assert store.authenticate("chair@example.org", "a-long-password") is not None
    assert main(["users", "add", "chair@example.org", "--role", "chair", "--no-password"]) == 2
    assert "already exists" in capsys.readouterr().err


def test_users_add_prompts_for_the_password_twice(
    db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = iter(["prompted-password", "prompted-password", "one", "two"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    assert main(["users", "add", "c@example.org", "--role", "coordinator"]) == 0
    assert Store(db).authenticate("c@example.org", "prompted-password") is not None
    assert main(["users", "add", "d@example.org", "--role", "coordinator"]) == 2
    assert "differ" in capsys.readouterr().err


def test_cycles_list_and_create(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_json(capsys, "cycles", "--json") == []
    assert main(["cycles", "create", "2030"]) == 0
    assert main(["cycles", "create", "2031", "--config", str(tmp_path / "nope.toml")]) == 2
    capsys.readouterr()
    names = [c["name"] for c in run_json(capsys, "cycles", "--json")]  # type: ignore[union-attr]
    assert names == ["2030"]


def test_assign_balances_and_respects_programs(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_json(capsys, "import", str(write_export(tmp_path / "a.csv", n=10)), "--json")
    for j in range(4):
        assert main(["users", "add", f"r{j}@example.org", "--role", "reviewer", "--no-password",
                     "--program", f"Program {j % 2}"]) == 0  # fmt: skip
    capsys.readouterr()
    report = run_json(capsys, "assign", "--k", "2", "--json")
    assert report["assignments"] == 20 and report["load_spread"] == 0  # type: ignore[index]
    store = Store(db)
    program = {u.email: u.program for u in store.users(Store.system_user())}
    for applicant_id, email in store.assignments(Store.system_user(), None):
        assert program[email] != f"Program {int(applicant_id[1:]) % 2}"


def _demo_db(capsys: pytest.CaptureFixture[str]) -> None:
    """The demo export and its reviewers' scores, imported through the CLI."""
    run_json(capsys, "import", str(DEMO_APPLICATIONS), "--cycle", "2026", "--json")


def test_scores_import_creates_unknown_reviewers_and_export_round_trips(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _demo_db(capsys)
    result = run_json(capsys, "scores", "import", str(DEMO_SCORES), "--json", "--create-reviewers")
    original = list(csv.DictReader(io.StringIO(DEMO_SCORES.read_text(encoding="utf-8"))))
    n_reviews = len({(r["applicant_id"], r["reviewer"]) for r in original})
    assert result == {"saved": n_reviews, "rejected": []}
    store = Store(db)
    reviewers = store.users(Store.system_user(), role="reviewer")
    assert len(reviewers) == 6
    assert all(store.authenticate(u.email, "") is None for u in reviewers)

    out = tmp_path / "export.csv"
    assert main(["scores", "export", str(out)]) == 0
    capsys.readouterr()
    exported = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    key = ("applicant_id", "reviewer", "criterion", "score")
    assert sorted(tuple(r[k] for k in key) for r in exported) == sorted(
        tuple(r[k] for k in key) for r in original
    )
    # Importing the export again changes nothing.
    again = run_json(capsys, "scores", "import", str(out), "--json")
    assert again == {"saved": n_reviews, "rejected": []}
    assert len(Store(db).reviews(Store.system_user(), "2026")) == n_reviews


def test_scores_import_rejects_bad_rows(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _demo_db(capsys)
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "applicant_id,reviewer,criterion,score\n"
        "A001,new@example.org,awareness,9\n"
        "A999,new@example.org,awareness,3\n",
        encoding="utf-8",
    )
    # Nothing valid: refused with exit 2, the report still on stdout.
    assert main(["scores", "import", str(bad), "--json"]) == 2
    result = json.loads(capsys.readouterr().out)
    assert result["saved"] == 0 and len(result["rejected"]) >= 2


def test_select_roster_and_calibrate_on_the_stored_cycle(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _demo_db(capsys)
    run_json(capsys, "scores", "import", str(DEMO_SCORES), "--json", "--create-reviewers")
    config = str(DEFAULT_CONFIG_PATH)
    decision = run_json(capsys, "select", "--config", config, "--json")  # SELECTOR_DB
    assert decision["status"] == "optimal" and len(decision["selected"]) == 10  # type: ignore[index]

    # The same decision as the file mode of issue 3, on the same data.
    file_mode = run_json(
        capsys,
        "select",
        "--config", config,
        "--applications", str(DEMO_APPLICATIONS),
        "--scores", str(DEMO_SCORES),
        "--json",
    )  # fmt: skip
    assert file_mode["selected"] == decision["selected"]  # type: ignore[index]

    store = Store(db)
    (run,) = store.runs(Store.system_user(), "2026")
    assert run.decision["selected"] == decision["selected"]  # type: ignore[index]

    roster = tmp_path / "roster.xlsx"
    assert main(["roster", "--out", str(roster)]) == 0
    assert roster.read_bytes()[:2] == b"PK"
    capsys.readouterr()

    cal = run_json(capsys, "calibrate", "--json")
    assert cal["reliability"]["applicants"] == 40  # type: ignore[index]
    assert {r["reviewer"] for r in cal["reviewers"]} == {  # type: ignore[index]
        f"reviewer{j}@example.org" for j in range(1, 7)
    }

    # New data since the run: the old roster is refused until `select` runs again.
    criteria = [c.id for c in store.cycle().config.criteria]
    low = Review("A001", "reviewer1@example.org", dict.fromkeys(criteria, 1.0))
    store.save_review(Store.system_user(), "2026", low)
    assert main(["roster", "--out", str(roster)]) == 2
    assert "changed since run" in capsys.readouterr().err


def test_roster_without_a_run_is_a_clear_error(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_json(capsys, "import", str(write_export(tmp_path / "a.csv")), "--json")
    assert main(["roster", "--out", str(tmp_path / "r.csv")]) == 2
    assert "no selection run" in capsys.readouterr().err


@pytest.mark.slow
def test_cli_json_output_is_clean_in_a_fresh_process(db: str, tmp_path: Path) -> None:
    """The HiGHS banner must not leak into --json output (assign solves a small program)."""
    env = {"SELECTOR_DB": db, "PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    cmd = [sys.executable, "-m", "selector"]
    subprocess.run(
        [*cmd, "import", str(write_export(tmp_path / "a.csv")), "--json"],
        env=env,
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [*cmd, "users", "add", "r@example.org", "--role", "reviewer", "--no-password"],
        env=env,
        check=True,
        capture_output=True,
    )
    out = subprocess.run(
        [*cmd, "assign", "--json"], env=env, check=True, capture_output=True, text=True
    )
    assert json.loads(out.stdout)["assignments"] == 4


def test_import_never_lands_in_the_demo_cycle_and_retires_demo_logins(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from selector.seed import DEMO_CYCLE, demo_password, seed_demo

    with Store(db) as store:
        seed_demo(store)
    run_json(capsys, "import", str(write_export(tmp_path / "real.csv")), "--json")
    with Store(db) as store:
        newest = store.cycle()
        assert newest.name != DEMO_CYCLE
        assert len(store.applicants(Store.system_user(), newest.name)) == 4
        chair = "chair@example.org"
        assert store.authenticate(chair, demo_password(chair)) is None


def test_scores_import_reads_the_accounts_once(
    db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Known reviewers are looked up in one read of the accounts, not one query per review."""
    _demo_db(capsys)
    known = ["users", "add", "Reviewer1@Example.org", "--role", "reviewer", "--no-password"]
    assert main(known) == 0
    capsys.readouterr()
    reads: list[str] = []
    users = Store.users

    def count_users(self: Store, *args: object, **kwargs: object) -> object:
        reads.append("users")
        return users(self, *args, **kwargs)  # type: ignore[arg-type]

    def one_user(self: Store, email: str) -> None:
        raise AssertionError(f"looked up {email} on its own")

    monkeypatch.setattr(Store, "users", count_users)
    monkeypatch.setattr(Store, "user", one_user)
    result = run_json(capsys, "scores", "import", str(DEMO_SCORES), "--json", "--create-reviewers")
    assert result["rejected"] == [] and reads == ["users"]  # type: ignore[index]
    monkeypatch.undo()
    reviewers = Store(db).users(Store.system_user(), role="reviewer")
    assert len(reviewers) == 6  # the known one kept, five new ones added


def test_an_id_collision_is_a_rejected_row_not_a_crash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    from selector.intake import email_id

    export = tmp_path / "clash.csv"
    export.write_text(
        "ID,Name,Email,PGY,Specialty\n"
        f"{email_id('probo@example.org')},Testa Quill,testa@example.org,2,Psychiatry\n"
        ",Probo Marsh,probo@example.org,3,Psychiatry\n",
        encoding="utf-8",
    )
    db = f"sqlite:///{tmp_path / 'x.db'}"
    assert main(["import", str(export), "--cycle", "2026", "--db", db, "--json"]) == 0
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert report["added"] == 1 and [r["row"] for r in report["rejected"]] == [3]
    everything = captured.out + captured.err + caplog.text
    for secret in ("Probo", "probo@", "Testa", "testa@"):
        assert secret not in everything
    assert len(Store(db).applicants(Store.system_user(), "2026")) == 1


def test_scores_import_rejects_an_unknown_reviewer_unless_told_to_create(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 10: a mistyped reviewer e-mail made an account and a stray review silently."""
    _demo_db(capsys)
    for email in ("reviewer1@example.org", "reviewer2@example.org"):
        assert main(["users", "add", email, "--role", "reviewer", "--no-password"]) == 0
    capsys.readouterr()
    scores = tmp_path / "typo.csv"
    scores.write_text(
        "applicant_id,reviewer,criterion,score\n"
        "A001,reviewer1@example.org,awareness,4\n"
        "A002,reviewr2@example.org,awareness,3\n"  # the typo: row 3
        "A003,reviewer2@example.org,awareness,7\n",  # off its scale: row 4
        encoding="utf-8",
    )
    result = run_json(capsys, "scores", "import", str(scores), "--json")
    assert result["saved"] == 1  # type: ignore[index]
    rejected = result["rejected"]  # type: ignore[index]
    assert [(r["row"], r["column"]) for r in rejected] == [(3, "reviewer"), (4, "score")]
    assert "unknown reviewer 'reviewr2@example.org'" in rejected[0]["message"]
    assert "--create-reviewers" in rejected[0]["message"]
    assert "outside 1..5" in rejected[1]["message"]
    store = Store(db)
    emails = {u.email for u in store.users(Store.system_user())}
    assert "reviewr2@example.org" not in emails
    assert {r.reviewer for r in store.reviews(Store.system_user(), "2026")} == {
        "reviewer1@example.org"
    }

    # The text report lists what was saved and every bad row.
    assert main(["scores", "import", str(scores)]) == 0
    out = capsys.readouterr().out
    assert "saved 1 review(s) by reviewer1@example.org" in out
    assert "row 3: unknown reviewer" in out and "row 4: awareness score 7" in out

    # --create-reviewers adds the account (no password), as before.
    again = run_json(capsys, "scores", "import", str(scores), "--json", "--create-reviewers")
    assert again["saved"] == 2  # type: ignore[index]
    assert Store(db).user("reviewr2@example.org") is not None
