"""The CLI side of a committee's first real cycle (issue 10): `selector start` leaves the demo
(own accounts, first cycle, all or nothing) and `selector applicants withdraw|restore|list`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from selector.cli import main
from selector.seed import DEMO_CYCLE, demo_accounts, seed_demo
from selector.store import Store
from tests.test_cli_store import write_export


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    with Store(f"sqlite:///{path}") as store:
        seed_demo(store)
    return path


@pytest.fixture
def demo_db(demo_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    shutil.copy(demo_template, tmp_path / "demo.db")
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    monkeypatch.setenv("SELECTOR_DB", url)
    return url


def start_args(tmp_path: Path, **changes: str) -> list[str]:
    password = tmp_path / "password.txt"
    password.write_text("my-own-password\n", encoding="utf-8")
    args = {
        "--coordinator-email": "me@hospital.org",
        "--password-file": str(password),
        "--chair-email": "chair@hospital.org",
        "--cycle": "2027",
    } | changes
    return ["start", *(x for pair in args.items() for x in pair)]


def test_start_leaves_the_demo_in_one_step(
    demo_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(start_args(tmp_path)) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert "created cycle 2027" in "\n".join(out)
    store = Store(demo_db)
    assert store.authenticate("me@hospital.org", "my-own-password") is not None
    assert store.authenticate("chair@hospital.org", out[-1]) is not None  # printed once, last
    assert demo_accounts(store) is None
    assert [c.name for c in store.cycles()] == ["2027", DEMO_CYCLE]


def test_start_refuses_bad_input_in_one_line_and_writes_nothing(
    demo_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = start_args(tmp_path, **{"--chair-email": "ME@hospital.org", "--cycle": DEMO_CYCLE})
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "an e-mail of their own" in err[0] and "the demo cycle's name" in err[0]
    store = Store(demo_db)
    assert store.user("me@hospital.org") is None and demo_accounts(store) is not None


def test_start_without_a_terminal_or_password_file_is_one_line(
    demo_db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    argv = ["start", "--coordinator-email", "a@b.org", "--chair-email", "c@b.org"]
    assert main([*argv, "--cycle", "2027"]) == 2
    assert "--password-file" in capsys.readouterr().err


def test_applicants_withdraw_restore_and_list(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("SELECTOR_DB", url)
    assert main(["import", str(write_export(tmp_path / "v1.csv")), "--cycle", "2027"]) == 0
    applicant = Store(url).applicants(Store(url).system_user(), "2027")[0].applicant_id
    capsys.readouterr()
    assert main(["applicants", "withdraw", applicant, "--reason", "moved away"]) == 0
    assert capsys.readouterr().out.strip() == f"{applicant} withdrawn"
    assert main(["applicants", "list", "--json"]) == 0
    rows = {r["applicant_id"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows[applicant]["withdrawn"] is True and len(rows) == 4
    store = Store(url)
    assert store.audit_log(store.system_user(), "2027", newest=1)[0].new == {
        "withdrawn": True,
        "reason": "moved away",
    }
    assert main(["applicants", "restore", applicant]) == 0
    assert main(["applicants", "restore", applicant]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1] == f"{applicant} was already restored"
    assert store.withdrawn(store.system_user(), "2027") == []
    assert main(["applicants", "withdraw", "NOPE"]) == 2
