"""Dashboard side of "deciding with the whole picture" (issue 10): open reviews said first on
the Selection page and confirmed by name when finalising; finalising undone; a declared
conflict is not an open review on the Committee page; applicants short of reviewers get one
more in one click; an application opens from a table row with its reviews and comments."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from app_pages import state
from selector.models import Review
from selector.store import Store
from tests.test_app_pages import (
    app_as,
    confirm_finalise,
    db,
    no_exceptions,
    run_scenario,
    scores,
    table,
    template,
    texts,
)

__all__ = ["db", "template"]  # fixtures, used by name

R1, R2 = "r1@example.org", "r2@example.org"


def r1_pairs(store: Store) -> list[str]:
    return [a for a, e in store.assignments(store.system_user(), "2026") if e == R1]


def select_row(at: AppTest, key: str, row: int) -> AppTest:
    at.session_state[key] = {"selection": {"rows": [row], "columns": []}}
    return at.run()


def test_selection_says_first_how_many_reviews_are_open(db: Store) -> None:
    at = app_as(db, "chair").switch_page("app_pages/selection.py").run()
    no_exceptions(at)
    open_pairs = r1_pairs(db)  # r1 has not reviewed anything, r2 everything
    first = at.warning[0].value
    assert "Reviews are still open" in first
    assert f"{len(open_pairs)} assigned reviews are open" in first
    assert "applicants have no complete review" in first
    listed = texts(at)
    assert "Testperson" in listed and "Rae Reviewer" in listed  # names beside ids

    run_scenario(at, "A", 12, 12)  # more than the scored applicants: a diagnosis
    warnings = [w.value for w in at.warning]
    assert any("Decided on the reviews in so far" in w for w in warnings)


def test_no_open_review_warning_once_every_review_is_in(db: Store) -> None:
    system = db.system_user()
    db.save_reviews(system, "2026", [Review(a, R1, scores(3)) for a in r1_pairs(db)])
    at = app_as(db, "chair").switch_page("app_pages/selection.py").run()
    no_exceptions(at)
    assert not any("Reviews are still open" in w.value for w in at.warning)


def test_finalising_names_the_open_reviews_and_can_be_undone(db: Store) -> None:
    at = app_as(db, "chair").switch_page("app_pages/selection.py").run()
    run_scenario(at, "A", 5, 5)
    at.switch_page("app_pages/roster.py").run()
    at.button(key="finalise").click().run()
    no_exceptions(at)
    box = at.checkbox(key="confirm_open_reviews")
    assert f"Finalise although these {len(r1_pairs(db))} reviews are open" in box.label
    assert "Rae Reviewer" in box.label and "Testperson" in box.label
    assert at.button(key="finalise_confirm").disabled  # not without the tick
    assert not db.runs(db.system_user(), "2026")

    confirm_finalise(at)
    no_exceptions(at)
    (run,) = db.runs(db.system_user(), "2026")
    assert run.final and run.decision["open_reviews"]["open"]

    at.button(key="unfinalise").click().run()
    at.text_input(key="unfinalise_reason").input("a late review").run()
    at.button(key="unfinalise_confirm").click().run()
    no_exceptions(at)
    (run,) = db.runs(db.system_user(), "2026")
    assert not run.final and run.unfinalised
    entry = next(e for e in db.audit_log(db.system_user(), "2026") if e.action == "run.unfinalise")
    assert entry.new["reason"] == "a late review" and entry.actor == "chair@example.org"
    assert any("no longer final" in s.value for s in at.success)


def test_a_declared_conflict_is_not_an_open_review_on_the_committee_page(db: Store) -> None:
    system = db.system_user()
    for a in r1_pairs(db):  # r1 declares a conflict on every applicant assigned to them
        db.declare_conflict(system, "2026", a, "same program", reviewer_email=R1)
    r2_count = sum(e == R2 for _, e in db.assignments(system, "2026"))
    at = app_as(db, "chair")
    no_exceptions(at)
    text = at.get("progress")[0].proto.text
    assert text.startswith(f"{r2_count} of {r2_count} assigned reviews complete")
    assert "declared conflict" in text
    short = table(at, "Needed")
    assert set(r1_pairs(db)) <= set(short["Applicant"])
    assert (short["Reviewers"] < short["Needed"]).all()


def test_the_coordinator_adds_a_reviewer_in_one_click(db: Store) -> None:
    system = db.system_user()
    db.add_user(system, "r3@example.org", "Rita Third", "reviewer", None, "Program 9")
    first = r1_pairs(db)[0]
    db.declare_conflict(system, "2026", first, reviewer_email=R1)
    at = app_as(db, "coordinator").switch_page("app_pages/reviewers.py").run()
    no_exceptions(at)
    button = at.button(key=f"add_reviewer_{first}")
    assert button.label == "Add Rita Third"
    button.click().run()
    no_exceptions(at)
    assert (first, "r3@example.org") in db.assignments(system, "2026")
    assert any("Rita Third now reviews" in s.value for s in at.success)
    assignments = table(at, "Reviewers")
    assert "Name" in assignments.columns  # names beside ids


def test_the_chair_opens_an_application_from_a_table_row(db: Store) -> None:
    system = db.system_user()
    reviewed = [a for a, e in db.assignments(system, "2026") if e == R2]
    db.save_reviews(
        system,
        "2026",
        [Review(a, R2, scores(5), comment=f"Strong case for {a}.") for a in reviewed],
    )
    at = app_as(db, "chair").switch_page("app_pages/selection.py").run()
    run_scenario(at, "A", 5, 5)
    cohort = table(at, "Applicant")
    assert "Replacement name" in cohort.columns
    chosen = cohort["Applicant"].iloc[0]
    select_row(at, "cohort_A", 0)
    no_exceptions(at)
    shown = texts(at)
    assert f"Strong case for {chosen}" in shown
    assert "Ray Reviewer" in shown  # the reviewer by name
    assert at.session_state[state.OPENED]["cohort_A"] == [0]

    # The Replacements tab opens the replacement's application the same way.
    replacements = table(at, "Takes the seat of")
    assert not replacements.empty and "Seat holder" in replacements.columns
    select_row(at, "replacements_A", 0)
    no_exceptions(at)
    heading = [h.value for h in at.subheader]
    assert any(h.startswith(replacements["Applicant"].iloc[0]) for h in heading)
    not_selected = table(at, "Status")
    assert "Name" in not_selected.columns and not not_selected.empty
