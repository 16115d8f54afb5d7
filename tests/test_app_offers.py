"""The Offers page (coordinator and chair) and the offer statuses on the Roster page, under
Streamlit's AppTest."""

from __future__ import annotations

import time

from streamlit.testing.v1 import AppTest

from app_pages import state
from selector import workflow
from selector.store import Store
from tests.test_app_pages import (
    APP,
    CONFIG,
    PEOPLE,
    app_as,
    confirm_finalise,
    db,
    no_exceptions,
    run_scenario,
    table,
    template,
    texts,
)

__all__ = ["db", "template"]  # fixtures, used by name


def finalised(db: Store) -> list[str]:
    """Cycle 2026 finalised from the core with a cohort of 5 (its open reviews confirmed):
    the cohort."""
    from selector.config import loads_config

    config = loads_config(CONFIG.replace("size = 10", "size = 5"), "size 5")
    done = workflow.finalise_cycle(db, db.system_user(), "2026", config, confirm_open_reviews=True)
    assert done.final
    return done.decision.selected


def test_the_page_waits_for_a_final_run_and_refuses_reviewers(db: Store) -> None:
    at = app_as(db, "coordinator").switch_page("app_pages/offers.py").run()
    no_exceptions(at)
    assert "No selection of this cycle is final yet" in texts(at)
    assert [b.key for b in at.button] == ["logout"]

    page = AppTest.from_file(str(APP.parent / "app_pages" / "offers.py"), default_timeout=30)
    email, _, _, password, _ = PEOPLE["r1"]
    page.session_state[state.USER] = db.authenticate(email, password)
    page.session_state[state.LAST_SEEN] = time.time()
    page.run()
    assert any("This page is for the" in e.value for e in page.error)
    assert not page.title


def test_offers_answers_and_a_fill_from_the_page(db: Store) -> None:
    members = finalised(db)
    at = app_as(db, "coordinator").switch_page("app_pages/offers.py").run()
    no_exceptions(at)
    assert f"selected {len(members)} applicants" in texts(at)
    at.button(key="offers_create").click().run()
    no_exceptions(at)
    assert f"{len(members)} offers made" in texts(at)
    shown = table(at, "Status")
    assert shown["Applicant"].tolist() == members
    assert set(shown["Status"]) == {"offered"}
    assert "nothing to fill" in texts(at)

    first, second = members[0], members[1]
    at.selectbox(key="offer_applicant").set_value(first)
    at.radio(key="offer_answer").set_value("declined").run()
    at.button(key="offer_record").click().run()
    no_exceptions(at)
    assert f"{first}: declined" in texts(at)
    at.selectbox(key="offer_applicant").set_value(second)
    at.radio(key="offer_answer").set_value("accepted").run()
    at.button(key="offer_record").click().run()
    shown = table(at, "Status")
    statuses = dict(zip(shown["Applicant"], shown["Status"], strict=True))
    assert statuses[first] == "declined" and statuses[second] == "accepted"

    # The plan is shown before any offer goes out: who takes the seat, every rule kept.
    plan = workflow.offer_plan(db, db.system_user(), "2026")
    (seat,) = plan.seats
    assert seat.replaces == first
    assert f"takes {first}" in texts(at) and "still met" in texts(at)
    assert len(db.offers(db.system_user(), "2026")) == len(members)
    at.button(key="offers_fill").click().run()
    no_exceptions(at)
    assert "1 offers made; the fill is recorded as run" in texts(at)
    new = {o.applicant_id: o for o in db.offers(db.system_user(), "2026")}[seat.applicant_id]
    assert new.replaces == first and new.status == "offered"
    entries = [e for e in db.audit_log(db.system_user(), "2026") if e.action.startswith("offer.")]
    assert {e.actor for e in entries} == {"coord@example.org"}
    assert [e.target for e in entries if e.action == "offer.answer"] == [first, second]


def test_an_unfillable_seat_shows_the_diagnosis(db: Store) -> None:
    """With every applicant of a specialty out, "at least 5 specialties" cannot hold."""
    members = finalised(db)
    workflow.create_offers(db, db.system_user(), "2026")
    everyone = db.applicants(db.system_user(), "2026")
    spec = {a.applicant_id: a.specialty for a in everyone}
    outside = [a.applicant_id for a in everyone if a.applicant_id not in members]
    # Decline members until the cohort cannot be filled.
    for aid in members:
        workflow.record_answer(db, db.system_user(), "2026", aid, "declined")
        if not workflow.offer_plan(db, db.system_user(), "2026").feasible:
            break
    else:
        raise AssertionError(f"always fillable: {spec}, {outside}")
    at = app_as(db, "chair").switch_page("app_pages/offers.py").run()
    no_exceptions(at)
    assert any("cannot be filled under the rules" in e.value for e in at.error)
    assert "offers_fill" not in [b.key for b in at.button]


def test_the_roster_page_shows_each_members_offer_status(db: Store) -> None:
    at = app_as(db, "chair").switch_page("app_pages/selection.py").run()
    run_scenario(at, "A", 5, 5)
    at.switch_page("app_pages/roster.py").run()
    confirm_finalise(at)
    no_exceptions(at)
    assert "Offer" not in table(at, "Applicant").columns
    at.switch_page("app_pages/offers.py").run()
    at.button(key="offers_create").click().run()
    no_exceptions(at)
    selected = table(at, "Status")["Applicant"].tolist()
    at.selectbox(key="offer_applicant").set_value(selected[0])
    at.radio(key="offer_answer").set_value("accepted").run()
    at.button(key="offer_record").click().run()
    at.switch_page("app_pages/roster.py").run()
    no_exceptions(at)
    shown = table(at, "Applicant")
    assert dict(zip(shown["Applicant"], shown["Offer"], strict=True)) == {
        a: "accepted" if a == selected[0] else "offered" for a in selected
    }
    assert "Offers made: 1 accepted, 4 open" in texts(at)
    assert "the downloads are the accepted cohort" in texts(at)


def test_after_a_fill_the_roster_page_lists_the_new_offers_and_whose_seat(db: Store) -> None:
    at = app_as(db, "chair").switch_page("app_pages/selection.py").run()
    run_scenario(at, "A", 5, 5)
    at.switch_page("app_pages/roster.py").run()
    confirm_finalise(at)
    system = db.system_user()
    members = [o.applicant_id for o in workflow.create_offers(db, system, "2026")]
    workflow.record_answer(db, system, "2026", members[0], "declined")
    (newcomer,) = [o.applicant_id for o in workflow.fill_offers(db, system, "2026").offers]
    at.run()
    no_exceptions(at)
    shown = table(at, "Applicant")
    assert shown["Applicant"].tolist() == [*members, newcomer]
    assert dict(zip(shown["Applicant"], shown["Offer"], strict=True)) == {
        a: "declined" if a == members[0] else "offered" for a in [*members, newcomer]
    }
    assert dict(zip(shown["Applicant"], shown["Takes the seat of"], strict=True)) == {
        a: members[0] if a == newcomer else "" for a in [*members, newcomer]
    }
