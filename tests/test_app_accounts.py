"""The Reviewers & assignments page manages accounts (issue 10): a disabled account shows as
such and is never offered for assignment; add (no role preselected), disable, enable, reset a
password (a one-time password shown once) and change a role, within the role rules."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from selector.store import Store
from tests.test_app_pages import APP, SSO_SECRETS, app_as, db, no_exceptions, template, texts

__all__ = ["db", "template"]  # fixtures, used by name


def accounts(at: AppTest) -> dict[str, dict[str, object]]:
    table = at.dataframe[0].value
    return {row["E-mail"]: row for row in table.to_dict("records")}


def manage(at: AppTest, email: str, action: str, role: str | None = None) -> AppTest:
    at.selectbox(key="manage_email").select(email)
    at.radio(key="manage_action").set_value(action).run()
    if role is not None:
        at.selectbox(key="manage_role").select(role)
    return at.button(key="manage_apply").click().run()


def test_the_add_account_form_preselects_no_role(db: Store) -> None:
    at = app_as(db, "coordinator").switch_page("app_pages/reviewers.py").run()
    assert at.selectbox(key="new_user_role").value is None
    at.text_input(key="new_user_email").input("new@example.org")
    at.text_input(key="new_user_password").input("a-long-password")
    at.button(key="add_user").click().run()
    assert "choose the new account's role" in texts(at)
    assert db.user("new@example.org") is None


def test_disable_shows_reassign_moves_enable_gives_a_one_time_password(db: Store) -> None:
    at = app_as(db, "coordinator").switch_page("app_pages/reviewers.py").run()
    no_exceptions(at)
    rows = accounts(at)
    assert rows["r2@example.org"]["Login"] == "password"
    assert rows["r1@example.org"]["Open"] == rows["r1@example.org"]["Assigned"]

    manage(at, "r1@example.org", "Disable")
    no_exceptions(at)
    assert accounts(at)["r1@example.org"]["Login"] == "disabled"
    assert "r1@example.org" not in at.selectbox(key="manual_reviewer").options
    at.number_input(key="assign_k").set_value(1)
    at.button(key="assign").click().run()
    assert all(r != "r1@example.org" for _, r in db.assignments(db.system_user(), "2026"))

    manage(at, "r1@example.org", "Enable")
    no_exceptions(at)
    (shown,) = [c.value for c in at.code]
    assert db.authenticate("r1@example.org", shown) is not None
    assert accounts(at)["r1@example.org"]["Login"] == "password"
    at.run()  # shown once: gone on the next run
    assert not at.code

    manage(at, "r2@example.org", "Reset password")
    (again,) = [c.value for c in at.code]
    assert db.authenticate("r2@example.org", again) is not None

    manage(at, "r2@example.org", "Change role", "coordinator")
    no_exceptions(at)
    user = db.user("r2@example.org")
    assert user is not None and user.role.value == "coordinator"


def test_a_coordinator_cannot_manage_the_chair(db: Store) -> None:
    at = app_as(db, "coordinator").switch_page("app_pages/reviewers.py").run()
    manage(at, "chair@example.org", "Reset password")
    assert at.error and not at.code
    at.radio(key="manage_action").set_value("Change role").run()
    assert "chair" not in at.selectbox(key="manage_role").options


def test_a_disabled_account_cannot_sign_in_by_single_sign_on(db: Store) -> None:
    db.add_user(db.system_user(), "sso-rev@example.org", "Sol Rev", "reviewer", None)
    db.disable_login(db.system_user(), "sso-rev@example.org")
    at = AppTest.from_file(str(APP), default_timeout=30)
    at.secrets["auth"] = SSO_SECRETS
    at.user = {"is_logged_in": True, "email": "sso-rev@example.org"}
    at.run()
    assert at.session_state["user"] is None
