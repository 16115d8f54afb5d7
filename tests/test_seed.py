"""The demo cycle: seeded from data/, accounts that log in, idempotent, retired by real data."""

from __future__ import annotations

import csv
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from selector.config import DEFAULT_CONFIG_PATH
from selector.models import Review
from selector.seed import DATA_DIR, DEMO_CYCLE, demo_accounts, demo_password, seed_demo
from selector.store import Store

SCORES = DATA_DIR / "demo_scores.csv"


def demo_pairs() -> set[tuple[str, str]]:
    with SCORES.open(encoding="utf-8") as f:
        return {(r["applicant_id"], r["reviewer"]) for r in csv.DictReader(f)}


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    path = tmp_path_factory.mktemp("seed") / "demo.db"
    with Store(f"sqlite:///{path}") as store:
        result = seed_demo(store)
    return path, result


@pytest.fixture
def store(seeded: tuple[Path, dict[str, object]], tmp_path: Path) -> Iterator[Store]:
    shutil.copy(seeded[0], tmp_path / "demo.db")
    with Store(f"sqlite:///{tmp_path / 'demo.db'}") as s:
        yield s


def test_seed_creates_the_demo_cycle_reviews_and_accounts(
    seeded: tuple[Path, dict[str, object]], store: Store
) -> None:
    result = seeded[1]
    assert result["cycle"] == DEMO_CYCLE
    assert result["applicants"] == result["added"] == 40
    assert result["reviews"] == len(demo_pairs())
    accounts = result["accounts"]
    assert isinstance(accounts, list) and len(accounts) == 8
    assert {a["role"] for a in accounts} == {"coordinator", "chair", "reviewer"}
    for a in accounts:
        assert a["password"] == demo_password(a["email"])
        user = store.authenticate(a["email"], a["password"])
        assert user is not None and user.role == a["role"]


def test_each_demo_reviewer_sees_exactly_what_they_scored(store: Store) -> None:
    pairs = demo_pairs()
    for user in store.users(store.system_user(), role="reviewer"):
        mine = {a for a, r in pairs if r == user.email}
        assert {a.applicant_id for a in store.applicants(user, DEMO_CYCLE)} == mine
        assert len(store.reviews(user, DEMO_CYCLE)) == len(mine)


def test_seeding_again_changes_nothing_and_keeps_edits(store: Store) -> None:
    reviewer = store.authenticate("reviewer1@example.org", demo_password("reviewer1@example.org"))
    assert reviewer is not None
    first = store.reviews(reviewer, DEMO_CYCLE)[0]
    edited = Review(first.applicant_id, first.reviewer, dict(first.scores), comment="my own note")
    store.save_review(reviewer, DEMO_CYCLE, edited)
    audit_before = len(store.audit_log(store.system_user()))

    again = seed_demo(store)
    assert (again["added"], again["reviews"]) == (0, 0)
    assert store.review(reviewer, DEMO_CYCLE, first.applicant_id).comment == "my own note"  # type: ignore[union-attr]
    assert len(store.audit_log(store.system_user())) == audit_before


def test_demo_accounts_only_while_the_demo_is_alone_then_logins_retired(store: Store) -> None:
    shown = demo_accounts(store)
    assert shown is not None and len(shown) == 8
    coordinator = next(a for a in shown if a["role"] == "coordinator")

    store.create_cycle(store.system_user(), "2027", DEFAULT_CONFIG_PATH.read_text(encoding="utf-8"))
    assert demo_accounts(store) is None
    assert store.authenticate(coordinator["email"], coordinator["password"]) is None
    assert demo_accounts(store) is None  # and stays so


def test_creating_a_real_cycle_retires_the_demo_logins_at_once(store: Store) -> None:
    email = "coordinator@example.org"
    assert store.authenticate(email, demo_password(email)) is not None
    store.create_cycle(store.system_user(), "2027", DEFAULT_CONFIG_PATH.read_text(encoding="utf-8"))
    assert store.authenticate(email, demo_password(email)) is None  # no login page needed


def test_the_login_pages_demo_accounts_write_nothing(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.create_cycle(store.system_user(), "2027", DEFAULT_CONFIG_PATH.read_text(encoding="utf-8"))
    monkeypatch.setattr("selector.store.engine.SQLITE_BUSY_TIMEOUT_MS", 300)
    with Store(f"sqlite:///{tmp_path / 'demo.db'}") as fresh:  # a new pool: the short timeout
        audit_before = len(fresh.audit_log(fresh.system_user()))
        writer = sqlite3.connect(tmp_path / "demo.db", isolation_level=None)
        try:
            writer.execute("BEGIN IMMEDIATE")  # a writer holds the lock: a write would fail
            assert demo_accounts(fresh) is None
        finally:
            writer.execute("ROLLBACK")
            writer.close()
        assert len(fresh.audit_log(fresh.system_user())) == audit_before


def test_seeding_the_demo_next_to_a_real_cycle_leaves_no_demo_login(tmp_path: Path) -> None:
    with Store(f"sqlite:///{tmp_path / 'x.db'}") as store:
        config_text = DEFAULT_CONFIG_PATH.read_text(encoding="utf-8")
        store.create_cycle(store.system_user(), "2027", config_text)
        seed_demo(store)
        email = "coordinator@example.org"
        assert demo_accounts(store) is None
        assert store.authenticate(email, demo_password(email)) is None


def test_seed_works_without_the_data_folder(tmp_path: Path) -> None:
    """An installed package has no data/: the same files come from selector.demo."""
    with Store(f"sqlite:///{tmp_path / 'x.db'}") as store:
        result = seed_demo(store, data_dir=tmp_path / "no-such-folder")
        assert result["reviews"] == len(demo_pairs())
