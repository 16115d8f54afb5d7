"""The dashboard side of a committee's first real cycle (issue 10): a part-scored review
survives a new session, declaring a conflict takes a confirmation and can be taken back, a
coordinator withdraws and restores one applicant, and the guided start leaves the demo with
the coordinator logged in as themself."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from app_pages import state
from selector.seed import demo_accounts, demo_password
from selector.store import Store
from tests.test_app_pages import APP, CRITERIA, app_as, db, no_exceptions, template, texts
from tests.test_app_roles import demo_app, demo_db, demo_template

__all__ = ["db", "demo_db", "demo_template", "template"]  # fixtures, used by name

CYCLE = "2026"


def r1_queue(db: Store) -> list[str]:
    r1 = db.user("r1@example.org")
    assert r1 is not None
    return [a.applicant_id for a in db.applicants(r1, CYCLE)]


# ------------------------------------------------------------------ drafts


def test_a_part_scored_review_survives_a_new_session(db: Store) -> None:
    first = r1_queue(db)[0]
    at = app_as(db, "r1")
    at.radio(key=f"score_{first}_{CRITERIA[0]}").set_value(4).run()
    at.radio(key=f"score_{first}_{CRITERIA[1]}").set_value(2).run()
    at.text_area(key=f"comment_{first}").input("half way").run()
    no_exceptions(at)
    assert db.review(db.system_user(), CYCLE, first, "r1@example.org") is None

    again = app_as(db, "r1")  # log-out, time-out or refresh: a new session
    no_exceptions(again)
    assert again.radio(key="queue").value == first
    assert again.radio(key=f"score_{first}_{CRITERIA[0]}").value == 4
    assert again.radio(key=f"score_{first}_{CRITERIA[1]}").value == 2
    assert again.radio(key=f"score_{first}_{CRITERIA[2]}").value is None
    assert again.text_area(key=f"comment_{first}").value == "half way"
    assert again.radio(key="queue").options[0].startswith("◐")

    for criterion in CRITERIA[2:]:
        again.radio(key=f"score_{first}_{criterion}").set_value(3).run()
    saved = db.review(db.system_user(), CYCLE, first, "r1@example.org")
    assert saved is not None and saved.comment == "half way" and saved.scores[CRITERIA[0]] == 4
    r1 = db.user("r1@example.org")
    assert r1 is not None and db.drafts(r1, CYCLE) == {}
    assert again.radio(key="queue").options[0].startswith("✓")


# ------------------------------------------------------------------ conflicts


def test_a_conflict_is_confirmed_first_and_can_be_taken_back(db: Store) -> None:
    first = r1_queue(db)[0]
    at = app_as(db, "r1")
    at.text_input(key=f"conflict_reason_{first}").input("same lab")
    at.button(key=f"conflict_{first}").click().run()
    assert f"Declare a conflict of interest with {first}?" in texts(at)
    at.button(key=f"conflict_cancel_{first}").click().run()
    assert first in r1_queue(db) and not db.conflicts(db.system_user(), CYCLE)

    at.button(key=f"conflict_{first}").click().run()
    at.button(key=f"conflict_confirm_{first}").click().run()
    no_exceptions(at)
    assert first not in r1_queue(db)
    assert "Conflicts you declared (1)" in [e.label for e in at.expander]
    assert "same lab" in texts(at)

    at.button(key=f"take_back_{first}").click().run()
    no_exceptions(at)
    assert first in r1_queue(db)
    assert (first, "r1@example.org") in db.assignments(db.system_user(), CYCLE)
    assert at.radio(key="queue").value == first
    assert at.radio(key="queue").options[0].startswith("○")  # open, not a saved review
    assert not any(e.label.startswith("Conflicts you declared") for e in at.expander)


# ------------------------------------------------------------------ withdraw, restore


def test_the_coordinator_withdraws_and_restores_one_applicant(db: Store) -> None:
    system = db.system_user()
    at = app_as(db, "coordinator").switch_page("app_pages/applicants.py").run()
    no_exceptions(at)
    applicant = db.reviews(system, CYCLE)[0].applicant_id
    reviews_before = [r for r in db.reviews(system, CYCLE) if r.applicant_id == applicant]
    at.selectbox(key="withdraw_applicant").select(applicant).run()
    at.text_input(key="withdraw_reason").input("left the program")
    at.button(key="withdraw_apply").click().run()
    no_exceptions(at)
    assert f"{applicant} withdrawn." in texts(at)
    assert db.withdrawn(system, CYCLE) == [applicant]
    assert all(a != applicant for a, _ in db.assignments(system, CYCLE))
    assert applicant not in [a.applicant_id for a in db.selection_inputs(system, CYCLE)[0]]
    entry = db.audit_log(system, CYCLE, newest=1)[0]
    assert entry.action == "applicant.withdraw" and entry.new["reason"] == "left the program"
    table = at.dataframe[0].value.set_index("Applicant")
    assert table.loc[applicant, "Status"] == "withdrawn"
    assert table.loc[applicant, "Reviews"] == len(reviews_before) > 0  # kept

    at.selectbox(key="withdraw_applicant").select(applicant).run()
    assert at.button(key="withdraw_apply").label == "Restore"
    at.button(key="withdraw_apply").click().run()
    assert db.withdrawn(system, CYCLE) == []
    assert [r for r in db.reviews(system, CYCLE) if r.applicant_id == applicant] == reviews_before


def test_the_applicants_page_is_the_coordinators(db: Store) -> None:
    at = app_as(db, "chair")
    with pytest.raises(ValueError, match="navigation page"):  # not in the chair's pages
        at.switch_page("app_pages/applicants.py")


# ------------------------------------------------------------------ the guided start


def fill_start(at: AppTest, **changes: str) -> AppTest:
    fields = {
        "start_name": "Real Me",
        "start_email": "me@hospital.org",
        "start_password": "my-own-password",
        "start_password_again": "my-own-password",
        "start_chair_name": "Real Chair",
        "start_chair_email": "chair@hospital.org",
        "start_cycle": "2027",
    } | changes
    for key, value in fields.items():
        at.text_input(key=key).input(value)
    return at.button(key="start_submit").click().run()


def test_start_for_real_from_the_login_page_logs_in_as_the_new_coordinator(
    demo_db: Store,
) -> None:
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    at.button(key="start_for_real").click().run()
    no_exceptions(at)
    assert [t.value for t in at.title] == ["Start for real"]

    fill_start(at, start_chair_email="ME@hospital.org", start_password_again="typo-typo")
    assert "Nothing was changed" in texts(at) and "of their own" in texts(at)
    assert "two passwords differ" in texts(at)
    assert demo_db.user("me@hospital.org") is None and demo_accounts(demo_db) is not None

    fill_start(at)
    no_exceptions(at)
    user = at.session_state[state.USER]
    assert user is not None and user.email == "me@hospital.org"
    assert at.session_state[state.CYCLE] == "2027"
    (one_time,) = [c.value for c in at.code]
    assert demo_db.authenticate("chair@hospital.org", one_time) is not None
    assert demo_accounts(demo_db) is None

    at.button(key="start_continue").click().run()
    no_exceptions(at)
    assert [t.value for t in at.title] == ["Upload applications"]
    assert at.session_state[state.USER].email == "me@hospital.org"  # not logged out
    assert not at.code  # the one-time password was shown once

    fresh = AppTest.from_file(str(APP), default_timeout=60).run()
    assert [b.key for b in fresh.button] == ["login_submit"]  # the demo box is gone
    assert "Demo data" not in texts(fresh)
    fresh.switch_page("app_pages/start.py").run()  # its address, later: the way to log in
    assert "The demo has ended" in texts(fresh)
    fresh.button(key="start_to_login").click().run()
    no_exceptions(fresh)
    assert fresh.text_input(key="login_email") is not None


def test_the_demo_coordinator_starts_for_real_from_their_pages(demo_db: Store) -> None:
    email = "coordinator@example.org"
    at = demo_app(demo_db, email)
    assert any(link.label == "Start for real" for link in at.get("page_link"))
    at.switch_page("app_pages/start.py").run()
    fill_start(at, start_chair_password="chairs-own-password")
    no_exceptions(at)
    assert at.session_state[state.USER].email == "me@hospital.org"
    assert not at.code  # the chair's password was given: nothing to show
    assert demo_db.authenticate("chair@hospital.org", "chairs-own-password") is not None
    assert demo_db.authenticate(email, demo_password(email)) is None
