"""Dashboard side of issue 8: account forms offer only grantable roles, logins are throttled,
the demo cycle takes no real data and leaving the demo locks nobody out."""

from __future__ import annotations

import pytest

from app_pages import state
from selector.store import Store
from selector.throttle import LOGINS
from tests.test_app_pages import app_as, db, no_exceptions, template, texts

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
