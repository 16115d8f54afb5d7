"""Offers after the decision: the plan that fills declined seats against brute force on small
pools (after any sequence of answers), the store's offers and their role checks, and the
migration that adds them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from selector.auth import User
from selector.errors import InputError, PermissionDenied
from selector.selection import decide
from selector.store import Offer, Store
from selector.workflow.offers import Plan, plan_seats
from tests.factories import make_applicants, make_config, make_reviews
from tests.test_selection_properties import UNITS, Brute

SPECIALTIES = ("Surgery", "Pediatrics", "Neurology")
AT = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)


def offer(aid: str, status: str = "offered", replaces: str | None = None) -> Offer:
    return Offer(aid, f"Name {aid}", status, AT, None, replaces, 1)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------
# The plan against brute force


@st.composite
def instances(draw: st.DrawFn) -> dict[str, Any]:
    """A small pool (5–8 applicants, 3 specialties, whole scores with ties) and a config of
    cohort 3 with a specialty rule drawn among: none, a cap, a spread, a named floor."""
    n = draw(st.integers(5, 8))
    specialty = draw(st.lists(st.sampled_from(SPECIALTIES), min_size=n, max_size=n))
    scores = draw(st.lists(st.integers(1, 6), min_size=n, max_size=n))
    rule = draw(
        st.sampled_from(
            [
                None,
                {"field": "specialty", "max_per_value": 1},
                {"field": "specialty", "min_distinct": 2},
                {"field": "specialty", "min_per_value": {"Surgery": 1}},
            ]
        )
    )
    config = make_config(diversity=[rule] if rule else [])
    people = make_applicants(n, seed=draw(st.integers(0, 5)), specialty=specialty, pgy=2)
    ids = [a.applicant_id for a in people]
    reviews = make_reviews(people, config, scores=dict(zip(ids, map(float, scores), strict=True)))
    steps = draw(
        st.lists(
            st.tuples(st.integers(0, 20), st.sampled_from(["accepted", "declined", "withdrawn"])),
            max_size=6,
        )
    )
    return {"people": people, "config": config, "reviews": reviews, "steps": steps}


def check_plan(plan: Plan, people: Sequence[Any], scores: dict[str, float], config: Any) -> None:
    """The plan is the brute-force optimum with its locks, and keeps every rule; or, when no
    cohort fits, says so with the diagnosis."""
    brute = Brute(people, scores, config, plan.locked_in, plan.locked_out)
    if brute.best() is None:
        assert plan.decision.status == "infeasible"
        assert plan.decision.diagnosis
        assert "cannot be filled" in plan.lines()[0]
        return
    assert plan.decision.status == "optimal"
    cohort = brute.chosen()
    assert set(plan.decision.selected) == cohort
    assert plan.decision.total_score == pytest.approx(brute.best() / UNITS)
    assert Brute(people, scores, config).ok(cohort)  # every rule, the locks aside


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_after_any_answers_the_fill_is_the_optimum_with_those_locks(case: dict[str, Any]) -> None:
    people, config, reviews = case["people"], case["config"], case["reviews"]
    scores = {r.applicant_id: r.scores["merit"] for r in reviews}
    first = decide(people, reviews, config)
    if first.status != "optimal":
        return
    offers = [offer(a) for a in first.selected]
    for index, answer in case["steps"]:
        open_ = [i for i, o in enumerate(offers) if o.live]
        if not open_:
            break
        i = open_[index % len(open_)]
        if offers[i].status == "accepted" and answer != "withdrawn":
            answer = "withdrawn"  # an accepted offer can only be withdrawn
        offers[i] = replace(offers[i], status=answer)
        plan = plan_seats(people, reviews, config, offers)
        check_plan(plan, people, scores, config)
        if not plan.feasible:
            return
        # The fill: one offer per newcomer, each on a seat no offer filled before.
        filled = {o.replaces for o in offers if o.replaces}
        assert all(s.replaces is None or s.replaces not in filled for s in plan.seats)
        offers += [offer(s.applicant_id, replaces=s.replaces) for s in plan.seats]
        live = [o.applicant_id for o in offers if o.live]
        assert sorted(live) == sorted(plan.decision.selected)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(), st.integers(0, 2))
def test_one_decline_is_the_recorded_replacement(case: dict[str, Any], which: int) -> None:
    people, config, reviews = case["people"], case["config"], case["reviews"]
    first = decide(people, reviews, config)
    if first.status != "optimal":
        return
    gone = first.selected[which]
    offers = [offer(a, "declined" if a == gone else "offered") for a in first.selected]
    plan = plan_seats(people, reviews, config, offers)
    expected = first.replacements[gone]
    if expected is None:  # no one-for-one swap keeps every rule: nothing fills the seat
        assert not plan.feasible
    else:
        assert [(s.applicant_id, s.replaces) for s in plan.seats] == [(expected, gone)]


def test_several_declines_give_the_new_optimum_seat_by_seat() -> None:
    """Two Surgery members decline; the specialty floor needs one Surgeon back, and the new
    optimum takes the best Surgeon and the best other, whose seats follow their specialty."""
    config = make_config(
        cohort={"size": 3}, diversity=[{"field": "specialty", "min_per_value": {"Surgery": 1}}]
    )
    specialty = ["Surgery", "Surgery", "Pediatrics", "Surgery", "Neurology", "Pediatrics"]
    people = make_applicants(6, specialty=specialty, pgy=2)
    scores = {"A001": 9.0, "A002": 8.0, "A003": 7.0, "A004": 3.0, "A005": 6.0, "A006": 5.0}
    reviews = make_reviews(people, config, scores=scores)
    first = decide(people, reviews, config)
    assert first.selected == ["A001", "A002", "A003"]
    offers = [offer("A001", "declined"), offer("A002", "declined"), offer("A003", "accepted")]
    plan = plan_seats(people, reviews, config, offers)
    assert sorted(plan.decision.selected) == ["A003", "A004", "A005"]
    # The Surgeon takes a Surgeon's seat; the Neurologist the other, the floor still met.
    assert [(s.applicant_id, s.replaces, s.rules) for s in plan.seats] == [
        ("A005", "A002", ("at least 1 with specialty Surgery",)),
        ("A004", "A001", ()),
    ]
    assert plan.lines() == [
        "A005 (Test Resident 005) takes A002 (Test Resident 002)'s seat; "
        "still met: at least 1 with specialty Surgery",
        "A004 (Test Resident 004) takes A001 (Test Resident 001)'s seat; every rule still met",
    ]


def test_an_unfillable_seat_says_so_with_the_diagnosis() -> None:
    config = make_config(diversity=[{"field": "specialty", "min_per_value": {"Surgery": 1}}])
    people = make_applicants(
        4, specialty=["Surgery", "Pediatrics", "Neurology", "Pediatrics"], pgy=2
    )
    reviews = make_reviews(people, config, scores={"A001": 9, "A002": 8, "A003": 7, "A004": 6})
    offers = [offer("A001", "declined"), offer("A002"), offer("A003")]
    plan = plan_seats(people, reviews, config, offers)
    assert not plan.feasible and plan.seats == []
    lines = plan.lines()
    assert "cannot be filled" in lines[0]
    assert any("Surgery" in line for line in lines[1:])


# ------------------------------------------------------------------------------------------
# The store: offers, answers, roles, audit


def _decided(store: Store) -> int:
    """Cycle "small" (cohort of 3, at least 2 specialties) with six applicants scored, and a
    final run."""
    from selector.models import Review
    from selector.workflow import finalise_cycle
    from tests.test_store import CONFIG, full_scores, intake, make_rows

    system = store.system_user()
    text = CONFIG.replace("size = 10", "size = 3").replace("min_distinct = 5", "min_distinct = 2")
    store.create_cycle(system, "small", text)
    store.import_applications(system, "small", intake(make_rows(6)))
    reviews = [
        Review(a.applicant_id, "chair@example.org", full_scores(2 + i % 4))
        for i, a in enumerate(store.applicants(system, "small"))
    ]
    store.save_reviews(system, "small", reviews)
    return finalise_cycle(store, system, "small", store.cycle("small").config).run_id


def test_offers_answers_and_roles_in_the_store(store: Store, people: dict[str, User]) -> None:
    from selector import workflow

    run_id = _decided(store)
    with pytest.raises(PermissionDenied):
        workflow.create_offers(store, people["r1"], "small")
    made = workflow.create_offers(store, people["coordinator"], "small", dt.date(2026, 12, 15))
    assert [o.run_id for o in made] == [run_id] * len(made) and made
    assert all(o.status == "offered" and o.deadline == dt.date(2026, 12, 15) for o in made)
    with pytest.raises(InputError) as again:
        workflow.create_offers(store, people["chair"], "small")
    assert again.value.code == "offers_exist"
    first, second = made[0].applicant_id, made[1].applicant_id
    with pytest.raises(PermissionDenied):
        workflow.record_answer(store, people["r1"], "small", first, "accepted")
    workflow.record_answer(store, people["chair"], "small", first, "accepted")
    with pytest.raises(InputError) as early:
        workflow.record_answer(
            store,
            people["coordinator"],
            "small",
            second,
            "declined",
            no_answer=True,
            today=dt.date(2026, 12, 15),
        )
    assert early.value.code == "offer_deadline_open"
    silent = workflow.record_answer(
        store,
        people["coordinator"],
        "small",
        second,
        "declined",
        no_answer=True,
        today=dt.date(2026, 12, 16),
    )
    assert silent.status == "declined" and silent.no_answer
    with pytest.raises(InputError) as closed:
        workflow.record_answer(store, people["coordinator"], "small", second, "accepted")
    assert closed.value.code == "offer_closed"
    assert workflow.offer_statuses(store, people["chair"], "small")[second] == (
        "declined (no answer)"
    )
    with pytest.raises(PermissionDenied):
        workflow.offer_plan(store, people["r1"], "small")
    history = store.applicant_history(store.system_user(), "small", second)
    answers = [e for e in history if e.action.startswith("offer.")]
    assert [e.action for e in answers] == ["offer.make", "offer.answer"]
    assert answers[1].actor == "coord@example.org"
    assert answers[1].old == {"status": "offered"}
    assert answers[1].new == {"status": "declined", "no_answer": True}


def test_a_fill_is_recorded_as_a_run_that_replays(store: Store, people: dict[str, User]) -> None:
    from selector import workflow

    run_id = _decided(store)
    workflow.create_offers(store, people["chair"], "small")
    members = [o.applicant_id for o in store.offers(people["chair"], "small")]
    workflow.record_answer(store, people["chair"], "small", members[0], "declined")
    dry = workflow.fill_offers(store, people["coordinator"], "small", dry_run=True)
    assert dry.run_id is None and not dry.offers and len(dry.plan.seats) == 1
    assert len(store.offers(people["chair"], "small")) == 3
    done = workflow.fill_offers(store, people["coordinator"], "small", deadline=dt.date(2027, 1, 5))
    (made,) = done.offers
    assert made.replaces == members[0] and made.run_id == done.run_id
    assert made.applicant_id == dry.plan.seats[0].applicant_id
    fill_run = workflow.find_run(store, people["chair"], "small", done.run_id)
    assert fill_run.decision["fills_run"] == run_id and not fill_run.final
    assert sorted(fill_run.decision["selected"]) == sorted([*members[1:], made.applicant_id])
    assert workflow.verify_run(store, people["chair"], "small", done.run_id).identical
    assert workflow.final_run(store, people["chair"], "small").id == run_id  # still in force
    again = workflow.fill_offers(store, people["coordinator"], "small")
    assert again.run_id is None and again.plan.lines() == [
        "nothing to fill: every seat is accepted or offered"
    ]


def test_a_record_with_an_offer_is_never_merged_away(store: Store) -> None:
    from selector import workflow

    _decided(store)
    system = store.system_user()
    (member, *_) = [o.applicant_id for o in workflow.create_offers(store, system, "small")]
    other = next(
        a.applicant_id for a in store.applicants(system, "small") if a.applicant_id != member
    )
    with pytest.raises(InputError) as refused:
        store.merge_applicants(system, "small", other, member)
    assert refused.value.code == "merge_offered"
    assert member in {o.applicant_id for o in store.offers(system, "small")}
    assert {a.applicant_id for a in store.applicants(system, "small")} >= {member, other}


def test_only_the_chair_finalises_a_stored_cycle(store: Store, people: dict[str, User]) -> None:
    from selector.workflow import finalise_cycle

    config = store.cycle("2026").config
    for who in ("coordinator", "r1"):
        with pytest.raises(PermissionDenied):
            finalise_cycle(store, people[who], "2026", config)
    assert store.runs(store.system_user(), "2026") == []


def test_offers_need_a_final_run(store: Store) -> None:
    from selector import workflow

    with pytest.raises(InputError) as missing:
        workflow.create_offers(store, store.system_user(), "2026")
    assert missing.value.code == "run_not_final"
    with pytest.raises(InputError) as none:
        workflow.offer_plan(store, store.system_user(), "2026")
    assert none.value.code == "offers_missing"


# ------------------------------------------------------------------------------------------
# Migration 0006


def test_0006_adds_offers_and_its_downgrade_drops_them(backend: str, empty_url: str) -> None:
    from alembic import command
    from sqlalchemy import inspect

    from selector.store import current_revision, make_engine, migrate
    from selector.store.engine import _alembic_config
    from tests.test_migrations import fill_first_schema

    fill_first_schema(empty_url)
    engine = make_engine(empty_url)
    migrate(engine, "0005")
    assert "offers" not in inspect(engine).get_table_names()
    engine.dispose()

    with Store(empty_url) as store:  # opening upgrades to the newest revision
        system = store.system_user()
        (run,) = store.runs(system, "2025")
        store.make_offers(system, "2025", run.id, ["A001"], deadline=dt.date(2025, 6, 1))
        (made,) = store.offers(system, "2025")
        assert made.applicant_id == "A001" and made.name == "Oldperson 1"
        assert made.deadline == dt.date(2025, 6, 1) and made.offered_at.tzinfo is not None

    engine = make_engine(empty_url)
    with engine.begin() as conn:
        command.downgrade(_alembic_config(conn), "0005")
    assert current_revision(engine) == "0005"
    assert "offers" not in inspect(engine).get_table_names()
    engine.dispose()
