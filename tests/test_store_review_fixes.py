"""Regression tests for the store review's findings (issue 4): each reproduces one finding."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from selector.auth import User
from selector.errors import InputError
from selector.models import Review
from selector.store import Store, input_hash
from tests.test_store import CONFIG, full_scores, intake, make_rows


def test_finalising_refuses_a_decision_made_on_data_that_changed_since(
    store: Store, people: dict[str, User]
) -> None:
    chair, system = people["chair"], store.system_user()
    store.import_applications(people["coordinator"], "2026", intake(make_rows(2)))
    store.save_review(system, "2026", Review("A001", "r1@example.org", full_scores(3)))
    applicants, reviews = store.selection_inputs(chair, "2026")
    decided_on = input_hash(applicants, reviews, CONFIG)
    decision = {"status": "optimal", "selected": ["A001"]}
    # A review changes between the scenario run and the click on Finalise.
    store.save_review(system, "2026", Review("A001", "r1@example.org", full_scores(1)))
    with pytest.raises(InputError) as caught:
        store.record_run(
            chair, "2026", config_text=CONFIG, decision=decision, final=True, input_hash=decided_on
        )
    assert caught.value.code == "run_inputs_changed"
    assert store.runs(chair, "2026") == []
    # Decided again on the current data, it is recorded with that data's hash.
    applicants, reviews = store.selection_inputs(chair, "2026")
    current = input_hash(applicants, reviews, CONFIG)
    run_id = store.record_run(
        chair, "2026", config_text=CONFIG, decision=decision, final=True, input_hash=current
    )
    assert [(r.id, r.input_hash) for r in store.runs(chair, "2026")] == [(run_id, current)]


def test_a_resubmission_under_a_new_response_id_keeps_the_reviewed_applicant(
    store: Store,
) -> None:
    system = store.system_user()
    store.import_applications(system, "2026", intake(make_rows(7)))
    store.save_review(system, "2026", Review("A007", "r1@example.org", full_scores(4)))
    # The form gives the re-submission of person7 a new response ID (43), e-mail in capitals.
    rows = make_rows(7, A007={"ID": "43", "Email": "Person7@Example.org", "PGY": "5"})
    preview = store.preview_import(system, "2026", intake(rows))
    report = store.import_applications(system, "2026", intake(rows))
    assert preview == report
    assert report.resubmitted == {"A043": "A007"}
    assert (report.added, report.updated, report.withdrawn) == ([], ["A007"], [])
    assert report.to_json()["resubmitted"] == {"A043": "A007"}
    assert store.withdrawn(system, "2026") == []
    kept = store.applicant(system, "2026", "A007")
    assert (kept.pgy, kept.email) == (5, "person7@example.org")
    applicants, reviews = store.selection_inputs(system, "2026")
    assert "A043" not in {a.applicant_id for a in applicants}
    assert [r.applicant_id for r in reviews] == ["A007"]


def test_saving_a_review_never_clears_a_declared_conflict(
    store: Store, people: dict[str, User]
) -> None:
    coord, r1 = people["coordinator"], people["r1"]
    store.import_applications(coord, "2026", intake(make_rows(2)))
    store.declare_conflict(coord, "2026", "A001", "same lab", reviewer_email=r1.email)
    for actor in (coord, store.system_user()):
        with pytest.raises(InputError) as caught:
            store.save_review(actor, "2026", Review("A001", r1.email, full_scores(5)))
        assert caught.value.code == "review_conflicted"
    assert [(c.applicant_id, c.reviewer) for c in store.conflicts(coord, "2026")] == [
        ("A001", r1.email)
    ]
    # A review that keeps the conflict is saved; withdrawing the conflict lifts it.
    store.save_review(coord, "2026", Review("A001", r1.email, full_scores(5), conflict=True))
    store.declare_conflict(coord, "2026", "A001", reviewer_email=r1.email, declared=False)
    store.save_review(coord, "2026", Review("A001", r1.email, full_scores(4)))
    assert store.conflicts(coord, "2026") == []


def test_blind_review_hides_answers_that_name_the_applicant(
    store: Store, people: dict[str, User]
) -> None:
    coord, r1 = people["coordinator"], people["r1"]
    store.create_cycle(coord, "blind", CONFIG, blind=True)
    rows = make_rows(2, A001={"Why DEI": "As Testperson A I led the clinic"})
    store.import_applications(coord, "blind", intake(rows))
    store.set_assignments(coord, "blind", [("A001", r1.email), ("A002", r1.email)])
    shown = dict(store.assignments(r1, "blind"))  # pseudonym → reviewer
    seen = {a.answers.get("Why DEI"): a for a in store.applicants(r1, "blind")}
    assert set(seen) == {None, "essay 2"} and set(shown) == {a.applicant_id for a in seen.values()}
    named = seen[None]
    assert named.answers == {} and named.reviewer_answers(blind=True) == {}
    assert store.applicant(r1, "blind", named.applicant_id).answers == {}
    chair_view = store.applicant(people["chair"], "blind", "A001")
    assert chair_view.answers == {"Why DEI": "As Testperson A I led the clinic"}


def test_turning_on_blind_review_in_the_config_applies_to_the_cycle(
    store: Store, people: dict[str, User]
) -> None:
    chair, coord, r1 = people["chair"], people["coordinator"], people["r1"]
    store.import_applications(coord, "2026", intake(make_rows(2)))
    store.set_assignment(coord, "2026", "A002", r1.email, True)
    assert store.applicant(r1, "2026", "A002").name == "Testperson B"
    blind_text = CONFIG.replace("blind = false", "blind = true", 1)
    assert blind_text != CONFIG
    cycle = store.update_cycle_config(chair, "2026", blind_text)
    assert (cycle.blind, cycle.avoid_own_program) == (True, True)
    assert store.cycle("2026").blind
    (seen,) = store.applicants(r1, "2026")
    assert seen.applicant_id != "A002" and seen.name == f"Applicant {seen.applicant_id}"
    # A later edit that leaves [review] blind alone keeps it; one that changes another
    # [review] value applies that value.
    mixed = blind_text.replace("avoid_own_program = true", "avoid_own_program = false", 1)
    cycle = store.update_cycle_config(chair, "2026", mixed)
    assert (cycle.blind, cycle.avoid_own_program) == (True, False)


def test_reads_do_not_wait_for_a_sqlite_writer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("selector.store.engine.SQLITE_BUSY_TIMEOUT_MS", 300)
    path = tmp_path / "selector.db"
    store = Store(f"sqlite:///{path}")
    system = store.system_user()
    store.create_cycle(system, "2026", CONFIG)
    store.import_applications(system, "2026", intake(make_rows(2)))
    writer = sqlite3.connect(path, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        writer.execute("UPDATE applicants SET pgy = 5")
        assert [c.name for c in store.cycles()] == ["2026"]
        assert [a.pgy for a in store.applicants(system, "2026")] == [3, 4]  # last commit
        assert store.reviews(system, "2026") == []
        with pytest.raises(InputError) as caught:  # a write still queues, then gives up
            store.withdraw_applicant(system, "2026", "A001")
        assert caught.value.code == "db_unavailable"
    finally:
        writer.execute("ROLLBACK")
        writer.close()
        store.close()
