"""Single sign-on: which account an identity comes in as (:meth:`Store.single_sign_on`), and
the dashboard's log-out of a single-sign-on session. The whole flow against a real provider
in a real browser is tests/test_e2e_sso.py."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from app_pages import state
from selector.errors import PermissionDenied
from selector.store import Store
from tests.test_app_pages import APP, SSO_SECRETS, db, page_titles, template, texts

__all__ = ["db", "template"]  # fixtures used by the tests below


@pytest.fixture
def accounts(tmp_path: Path) -> Store:
    """A chair and a disabled reviewer, neither with a password."""
    store = Store(f"sqlite:///{tmp_path / 'sso.db'}")
    system = store.system_user()
    store.add_user(system, "chair@example.org", "Chair", "chair", None)
    store.add_user(system, "gone@example.org", "Gone", "reviewer", None)
    store.disable_login(system, "gone@example.org")
    return store


def test_an_identity_comes_in_as_the_account_with_its_email_in_any_case(
    accounts: Store,
) -> None:
    user = accounts.single_sign_on(" Chair@Example.ORG ")
    assert (user.email, user.role) == ("chair@example.org", "chair")


@pytest.mark.parametrize(
    ("email", "verified", "code", "says"),
    [
        ("stranger@example.org", True, "sso_unknown", "has no account in selector"),
        ("Gone@example.org", True, "sso_disabled", "gone@example.org is disabled"),
        ("  ", True, "sso_no_email", "gives no e-mail address"),
        ("chair@example.org", False, "sso_unverified", "is not verified"),
    ],
)
def test_an_identity_is_refused_without_an_enabled_account_for_a_verified_email(
    accounts: Store, email: str, verified: bool, code: str, says: str
) -> None:
    with pytest.raises(PermissionDenied) as refused:
        accounts.single_sign_on(email, verified=verified)
    assert refused.value.code == code
    assert says in str(refused.value)
    assert accounts.user("stranger@example.org") is None  # never creates an account


def sso_app(user: dict[str, object]) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=30)
    at.secrets["auth"] = SSO_SECRETS
    at.user = user
    return at.run()


def test_an_email_the_provider_says_is_unverified_is_refused(db: Store) -> None:
    at = sso_app({"is_logged_in": True, "email": "chair@example.org", "email_verified": "false"})
    assert at.session_state[state.USER] is None
    assert page_titles(at) == ["selector"]
    assert "is not verified" in texts(at)


@pytest.fixture
def sso_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Records st.logout (which then does nothing) and st.rerun calls, in order."""
    calls: list[str] = []
    rerun = st.rerun

    def record_rerun(*args: object, **kwargs: object) -> None:
        calls.append("rerun")
        rerun(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(st, "logout", lambda: calls.append("logout"))
    monkeypatch.setattr(st, "rerun", record_rerun)
    return calls


def test_logging_out_of_a_single_sign_on_session_ends_the_run_at_st_logout(
    db: Store, sso_calls: list[str]
) -> None:
    # A rerun after st.logout clears its redirect before the browser gets it: the identity
    # cookie would stay and sign the same person in again on the next visit.
    at = sso_app({"is_logged_in": True, "email": "chair@example.org"})
    assert page_titles(at) == ["Committee"]
    sso_calls.clear()
    at.button(key="logout").click().run()
    assert sso_calls == ["logout"]
    assert at.session_state[state.USER] is None


def test_a_single_sign_on_session_whose_account_is_disabled_ends_at_st_logout(
    db: Store, sso_calls: list[str]
) -> None:
    at = sso_app({"is_logged_in": True, "email": "chair@example.org"})
    assert page_titles(at) == ["Committee"]
    sso_calls.clear()
    db.disable_login(db.system_user(), "chair@example.org")
    at.run()
    assert sso_calls == ["logout"]
    assert at.session_state[state.USER] is None
