"""Accounts (issue 10): a disabled account is never assigned and shows as such; accounts are
added, disabled, enabled, reset and given a role within the role rules, from the store and
the CLI alike."""

from __future__ import annotations

from pathlib import Path

import pytest

from selector.auth import User
from selector.cli import main
from selector.errors import InputError, PermissionDenied
from selector.store import Store
from tests.test_store import intake, make_rows


def test_a_disabled_account_is_never_assigned(store: Store, people: dict[str, User]) -> None:
    coord, r1, r2 = people["coordinator"], people["r1"], people["r2"]
    system = store.system_user()
    store.add_user(system, "r3@example.org", "Rev 3", "reviewer", None, "Program 9")
    store.import_applications(coord, "2026", intake(make_rows(6)))
    first = store.assign(coord, "2026", k=2)
    assert any(r == r2.email for _, r in first.pairs)

    assert store.disable_login(coord, r2.email) is True
    assert store.login_states(coord)[r2.email] == "disabled"
    # No password is not disabled (single sign-on, or set later): still assigned.
    assert store.login_states(coord)["r3@example.org"] == "no password"
    assert store.login_states(coord)[r1.email] == "password"
    second = store.assign(coord, "2026", k=2)
    assert all(r != r2.email for _, r in second.pairs)
    assert all(r != r2.email for _, r in store.assignments(coord, "2026"))
    assert any(r == "r3@example.org" for _, r in second.pairs)
    assert second.removed >= sum(r == r2.email for _, r in first.pairs)
    with pytest.raises(InputError) as info:
        store.set_assignment(coord, "2026", "A001", r2.email, True)
    assert info.value.code == "assignment_disabled"

    # Enabling is a reset with a one-time password: it logs in, and is assigned again.
    password = store.enable_login(coord, r2.email)
    assert len(password) >= 16
    assert store.authenticate(r2.email, password) is not None
    assert store.login_states(coord)[r2.email] == "password"
    assert any(r == r2.email for _, r in store.assign(coord, "2026", k=2).pairs)


def test_retired_demo_reviewers_are_never_assigned(tmp_path: Path) -> None:
    """Issue 10: "Assign reviewers" put 34 of 44 assignments on retired demo reviewers."""
    from selector.config import DEFAULT_CONFIG_PATH
    from selector.demo_accounts import demo_emails
    from selector.seed import seed_demo

    store = Store(f"sqlite:///{tmp_path / 'demo.db'}")
    seed_demo(store)
    system = store.system_user()
    store.create_cycle(system, "2027", DEFAULT_CONFIG_PATH.read_text(encoding="utf-8"))
    store.add_user(system, "real1@example.org", "Real One", "reviewer", "pw-real-one-1")
    store.add_user(system, "real2@example.org", "Real Two", "reviewer", "pw-real-two-2")
    store.import_applications(system, "2027", intake(make_rows(6)))
    states = store.login_states(system)
    assert {states[e] for e in demo_emails() if e in states} == {"disabled"}
    report = store.assign(system, "2027", k=2)
    assert {r for _, r in report.pairs} == {"real1@example.org", "real2@example.org"}
    store.close()


def test_reset_password_and_roles_keep_to_the_role_rules(
    store: Store, people: dict[str, User]
) -> None:
    coord, chair, r1 = people["coordinator"], people["chair"], people["r1"]
    one_time = store.reset_password(coord, r1.email)
    assert store.authenticate(r1.email, "pw-rev1-11") is None
    assert store.authenticate(r1.email, one_time) is not None
    assert store.reset_password(coord, r1.email) != one_time
    # A coordinator never manages a chair's account nor grants the chair role.
    for act in (
        lambda: store.reset_password(coord, chair.email),
        lambda: store.disable_login(coord, chair.email),
        lambda: store.set_role(coord, r1.email, "chair"),
    ):
        with pytest.raises(PermissionDenied):
            act()
    assert store.set_role(coord, r1.email, "coordinator").role.value == "coordinator"
    assert store.set_role(chair, r1.email, "chair").role.value == "chair"
    assert store.reset_password(chair, r1.email)


# ------------------------------------------------------------------ the CLI


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("SELECTOR_DB", url)
    return url


def test_users_add_without_a_terminal_is_one_clear_line(
    db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 10: it was "internal error: EOFError", exit 1."""
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    code = main(["users", "add", "new@example.org", "--role", "reviewer"])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert len(err.splitlines()) == 1 and "--password-file" in err
    assert Store(db).user("new@example.org") is None


def test_users_add_requires_a_role(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["users", "add", "new@example.org", "--no-password"])
    assert info.value.code == 2
    assert "--role" in capsys.readouterr().err


def test_users_disable_enable_reset_set_role_and_list(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pw = tmp_path / "pw.txt"
    pw.write_text("a-long-password\n", encoding="utf-8")
    add = ["users", "add", "rev@example.org", "--role", "reviewer", "--password-file", str(pw)]
    assert main(add) == 0
    assert main(["users", "add", "sso@example.org", "--role", "reviewer", "--no-password"]) == 0
    capsys.readouterr()

    assert main(["users", "disable", "rev@example.org"]) == 0
    assert "disabled" in capsys.readouterr().out
    assert main(["users", "list"]) == 0
    listed = {line.split()[1]: line for line in capsys.readouterr().out.splitlines()}
    assert "disabled" in listed["rev@example.org"]
    assert "no password" in listed["sso@example.org"]
    assert main(["users", "list", "--json"]) == 0
    import json

    rows = {u["email"]: u for u in json.loads(capsys.readouterr().out)}
    assert rows["rev@example.org"]["login"] == "disabled"
    assert rows["sso@example.org"]["login"] == "no password"
    assert rows["rev@example.org"]["open_assignments"] == 0

    assert main(["users", "enable", "rev@example.org"]) == 0
    out = capsys.readouterr().out
    one_time = out.strip().splitlines()[-1].split()[-1]
    assert Store(db).authenticate("rev@example.org", one_time) is not None

    assert main(["users", "reset-password", "rev@example.org"]) == 0
    again = capsys.readouterr().out.strip().splitlines()[-1].split()[-1]
    assert again != one_time and Store(db).authenticate("rev@example.org", again) is not None

    assert main(["users", "set-role", "rev@example.org", "coordinator"]) == 0
    capsys.readouterr()
    user = Store(db).user("rev@example.org")
    assert user is not None and user.role.value == "coordinator"
    assert main(["users", "disable", "nobody@example.org"]) == 2
    assert "nobody@example.org" in capsys.readouterr().err


def test_the_migration_marks_retired_logins_disabled(tmp_path: Path) -> None:
    """A database of revision 0003 whose demo logins were retired: those accounts come out of
    migration 0004 disabled; an account merely without a password does not."""
    from sqlalchemy import text

    from selector.store import make_engine, migrate

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    migrate(engine, "0003")
    with engine.begin() as conn:
        for email in ("retired@example.org", "sso@example.org"):
            conn.execute(
                text(
                    "INSERT INTO users (email, name, role, program, password_hash, created_at) "
                    "VALUES (:e, 'x', 'reviewer', '', '', CURRENT_TIMESTAMP)"
                ),
                {"e": email},
            )
        conn.execute(
            text(
                "INSERT INTO audit_log (at, actor, action, target) "
                "VALUES (CURRENT_TIMESTAMP, 'system', 'user.disable_login', 'retired@example.org')"
            )
        )
    engine.dispose()
    with Store(url) as store:
        states = store.login_states(store.system_user())
    assert states == {"retired@example.org": "disabled", "sso@example.org": "no password"}
