"""Dashboard side of issue 8: account forms offer only grantable roles, logins are throttled,
the demo cycle takes no real data and leaving the demo locks nobody out."""

from __future__ import annotations

from selector.store import Store
from tests.test_app_pages import app_as, db, no_exceptions, template

__all__ = ["db", "template"]  # fixtures, used by name


def test_the_coordinators_account_form_offers_no_chair_role(db: Store) -> None:
    at = app_as(db, "coordinator")
    at.switch_page("app_pages/reviewers.py").run()
    no_exceptions(at)
    assert at.selectbox(key="new_user_role").options == ["coordinator", "reviewer"]
