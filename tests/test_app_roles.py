"""Dashboard side of issue 8: account forms offer only grantable roles, logins are throttled,
the demo cycle takes no real data and leaving the demo locks nobody out."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app_pages import state
from selector.seed import DEMO_CYCLE, demo_accounts, demo_password, seed_demo
from selector.store import Store
from selector.throttle import LOGINS
from tests.test_app_pages import APP, app_as, db, no_exceptions, template, texts

__all__ = ["db", "template"]  # fixtures, used by name


def test_the_coordinators_account_form_offers_no_chair_role(db: Store) -> None:
    at = app_as(db, "coordinator")
    at.switch_page("app_pages/reviewers.py").run()
    no_exceptions(at)
    assert at.selectbox(key="new_user_role").options == ["coordinator", "reviewer"]


def test_the_login_page_says_when_to_try_again(db: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(LOGINS, "clock", lambda: 1000.0)  # a frozen clock: the lock holds
    at = app_as(db, None)
    at.text_input(key="login_email").input("coord@example.org")
    for _ in range(5):
        at.text_input(key="login_password").input("wrong-password").run()
        at.button(key="login_submit").click().run()
        assert "Unknown e-mail or wrong password." in texts(at)
    at.text_input(key="login_password").input("pw-coord-1")
    at.button(key="login_submit").click().run()
    no_exceptions(at)
    assert "too many attempts; try again in 1 s" in texts(at)
    assert at.session_state[state.USER] is None


# ------------------------------------------------------------------------------ the demo


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    with Store(f"sqlite:///{path}") as store:
        seed_demo(store)
    return path


@pytest.fixture
def demo_db(demo_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    shutil.copy(demo_template, tmp_path / "demo.db")
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    monkeypatch.setenv("SELECTOR_DB", url)
    return Store(url)


def demo_app(store: Store, email: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.session_state[state.USER] = store.authenticate(email, demo_password(email))
    at.session_state[state.LAST_SEEN] = time.time()
    return at.run()


def test_the_upload_page_takes_nothing_into_the_demo_cycle(demo_db: Store) -> None:
    at = demo_app(demo_db, "coordinator@example.org")
    no_exceptions(at)
    assert "holds only the made-up demo data" in texts(at)
    assert "New cycle" in texts(at)
    assert not at.get("file_uploader")
    # New cycle, as a demo account: refused until they have an account of their own.
    at.text_input(key="new_cycle_name").input("2027")
    at.button(key="create_cycle").click().run()
    assert "first add a coordinator account for yourself" in texts(at)
    assert [c.name for c in demo_db.cycles()] == [DEMO_CYCLE]


def test_a_demo_coordinator_who_adds_their_own_account_carries_on_as_it(demo_db: Store) -> None:
    at = demo_app(demo_db, "coordinator@example.org")
    at.switch_page("app_pages/reviewers.py").run()
    at.text_input(key="new_user_email").input("me@hospital.org")
    at.text_input(key="new_user_name").input("Real Me")
    at.selectbox(key="new_user_role").select("reviewer")
    at.text_input(key="new_user_password").input("my-own-password")
    at.button(key="add_user").click().run()
    assert "first add a coordinator account for yourself" in texts(at)
    assert demo_db.user("me@hospital.org") is None

    at.text_input(key="new_user_email").input("me@hospital.org")
    at.text_input(key="new_user_name").input("Real Me")
    at.selectbox(key="new_user_role").select("coordinator")
    at.text_input(key="new_user_password").input("my-own-password")
    at.button(key="add_user").click().run()
    no_exceptions(at)
    assert at.session_state[state.USER].email == "me@hospital.org"
    assert "now logged in as me@hospital.org" in texts(at)
    assert demo_db.authenticate("coordinator@example.org", "demo-coordinator") is None
    at.run()  # the next interaction keeps the session
    assert at.session_state[state.USER].email == "me@hospital.org"
    assert demo_accounts(demo_db) is None
