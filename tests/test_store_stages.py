"""The store with stages: reviews and assignments of a stage, the shortlist in force, and
the interview stage open to the shortlisted only (enforced in the store, for every role)."""

from __future__ import annotations

import pytest

from selector.auth import User
from selector.errors import ConfigError, InputError, PermissionDenied
from selector.models import Review
from selector.store import Store
from tests.test_store import PEOPLE, intake, make_rows

STAGED = """
[cohort]
size = 1
[eligibility]
min_pgy = 1
pgy1_by_approval = false
[combine]
weights = { screening = 0.5, interview = 0.5 }
[[stages]]
name = "screening"
size = 2
[[stages.criteria]]
id = "merit"
label = "Merit"
[[stages]]
name = "interview"
[[stages.criteria]]
id = "talk"
label = "Talk"
"""


@pytest.fixture
def staged(store: Store) -> Store:
    """Cycle 2027 with stages and four applicants, beside cycle 2026 of the store tests."""
    system = store.system_user()
    store.create_cycle(system, "2027", STAGED)
    store.import_applications(system, "2027", intake(make_rows(4)))
    return store


def shortlist(store: Store, *ids: str) -> int:
    """Record a final screening run whose cohort is ``ids``: the shortlist in force."""
    system = store.system_user()
    return store.record_run(
        system,
        "2027",
        config_text=STAGED,
        decision={"status": "optimal", "selected": list(ids)},
        final=True,
        stage="screening",
    )


def login(store: Store, who: str) -> User:
    email, _, _, password, _ = PEOPLE[who]
    user = store.authenticate(email, password)
    assert user is not None
    return user


def test_reviews_keep_their_stage_and_a_reviewer_may_screen_and_interview_one_applicant(
    staged: Store,
) -> None:
    system = staged.system_user()
    shortlist(staged, "A001", "A002")
    staged.save_reviews(
        system,
        "2027",
        [
            Review("A001", "r2@example.org", {"merit": 4}),
            Review("A001", "r2@example.org", {"talk": 2}, stage="interview"),
        ],
    )
    first = staged.reviews(system, "2027")
    interview = staged.reviews(system, "2027", stage="interview")
    assert [(r.applicant_id, r.scores, r.stage) for r in first] == [("A001", {"merit": 4}, "")]
    assert [(r.scores, r.stage) for r in interview] == [({"talk": 2}, "interview")]
    assert len(staged.reviews(system, "2027", every_stage=True)) == 2
    assert staged.reviews(system, "2027", stage="screening") == first
    one = staged.review(system, "2027", "A001", "r2@example.org", stage="interview")
    assert one is not None and one.scores == {"talk": 2}
    _, inputs = staged.selection_inputs(system, "2027", every_stage=True)
    assert {r.stage for r in inputs} == {"", "interview"}


def test_an_interview_score_is_refused_without_a_shortlist_and_outside_it(staged: Store) -> None:
    system = staged.system_user()
    talk = Review("A003", "r2@example.org", {"talk": 3}, stage="interview")
    with pytest.raises(InputError, match="not on the shortlist") as caught:
        staged.save_reviews(system, "2027", [talk])
    assert caught.value.code == "not_shortlisted"
    shortlist(staged, "A001", "A002")
    with pytest.raises(InputError, match="not on the shortlist"):
        staged.save_reviews(system, "2027", [talk])
    assert staged.reviews(system, "2027", stage="interview") == []
    # The interview stage scores on its own rubric.
    merit = Review("A001", "r2@example.org", {"merit": 3}, stage="interview")
    with pytest.raises(InputError, match="no criterion 'merit'"):
        staged.save_reviews(system, "2027", [merit])
    with pytest.raises(ConfigError, match="no stage 'nope'"):
        staged.save_reviews(system, "2027", [Review("A001", "r2@example.org", {}, stage="nope")])


def test_interviewers_are_assigned_to_shortlisted_applicants_only(staged: Store) -> None:
    system = staged.system_user()
    with pytest.raises(InputError, match="not on the shortlist"):
        staged.set_assignments(system, "2027", [("A001", "r2@example.org")], stage="interview")
    shortlist(staged, "A001", "A002")
    staged.set_assignments(system, "2027", [("A001", "r2@example.org")], stage="interview")
    with pytest.raises(InputError, match="A003 is not on the shortlist"):
        staged.set_assignments(system, "2027", [("A003", "r2@example.org")], stage="interview")
    assert staged.assignments(system, "2027", stage="interview") == [("A001", "r2@example.org")]
    assert staged.assignments(system, "2027") == []
    report = staged.assign(system, "2027", 1, stage="interview")
    assert {a for a, _ in report.pairs} == {"A001", "A002"}
    assigned = staged.assignments(system, "2027", stage="interview")
    assert {a for a, _ in assigned} == {"A001", "A002"}


def test_a_reviewer_scores_only_their_interviews_and_a_conflict_holds_in_every_stage(
    staged: Store,
) -> None:
    system = staged.system_user()
    shortlist(staged, "A001", "A002")
    staged.set_assignments(system, "2027", [("A001", "r2@example.org")], stage="interview")
    reviewer = login(staged, "r2")
    staged.save_reviews(
        reviewer, "2027", [Review("A001", "r2@example.org", {"talk": 5}, stage="interview")]
    )
    assert [r.scores for r in staged.reviews(reviewer, "2027", stage="interview")] == [{"talk": 5}]
    # Assigned to interview A001, not to screen it: no first-stage review of it.
    with pytest.raises(PermissionDenied):
        staged.save_reviews(reviewer, "2027", [Review("A001", "r2@example.org", {"merit": 5})])
    # Not assigned to interview A002.
    with pytest.raises(PermissionDenied):
        staged.save_reviews(
            reviewer, "2027", [Review("A002", "r2@example.org", {"talk": 5}, stage="interview")]
        )
    staged.declare_conflict(system, "2027", "A002", "same program", reviewer_email="r2@example.org")
    with pytest.raises(InputError, match="conflict of interest"):
        staged.set_assignments(system, "2027", [("A002", "r2@example.org")], stage="interview")
    with pytest.raises(InputError, match="conflict of interest"):
        staged.save_reviews(
            system, "2027", [Review("A002", "r2@example.org", {"talk": 1}, stage="interview")]
        )


def test_shortlist_runs_are_kept_apart_from_cohorts(staged: Store) -> None:
    system = staged.system_user()
    assert staged.shortlist(system, "2027") is None
    run_id = shortlist(staged, "A002", "A001")
    assert staged.shortlist(system, "2027") == ["A001", "A002"]
    assert staged.runs(system, "2027") == []  # the cohorts: none yet
    (run,) = staged.runs(system, "2027", every_stage=True)
    assert (run.id, run.stage, run.final) == (run_id, "screening", True)
    staged.unfinalise(system, "2027", "wrong shortlist")
    assert staged.shortlist(system, "2027") is None


def test_the_application_shows_each_stage_s_reviews_on_its_rubric(staged: Store) -> None:
    from selector.workflow import application_view

    system = staged.system_user()
    shortlist(staged, "A001", "A002")
    staged.save_reviews(
        system,
        "2027",
        [
            Review("A001", "r2@example.org", {"merit": 4}),
            Review("A001", "r2@example.org", {"talk": 2}, "calm", stage="interview"),
        ],
    )
    view = application_view(staged, system, "2027", "A001")
    lines = [(line.stage, dict(line.scores), line.total, line.comment) for line in view.reviews]
    assert lines == [("", {"Merit": 4}, 4.0, ""), ("Interview", {"Talk": 2}, 2.0, "calm")]


def test_a_part_scored_interview_is_kept_as_a_draft_apart_from_the_screening_one(
    staged: Store,
) -> None:
    system = staged.system_user()
    shortlist(staged, "A001", "A002")
    staged.set_assignments(system, "2027", [("A001", "r2@example.org")])
    staged.set_assignments(system, "2027", [("A001", "r2@example.org")], stage="interview")
    reviewer = login(staged, "r2")
    staged.save_draft(reviewer, "2027", "A001", {"merit": 3}, "screening, half done")
    staged.save_draft(reviewer, "2027", "A001", {}, "interview notes", "interview")
    assert {a: (d.scores, d.comment) for a, d in staged.drafts(reviewer, "2027").items()} == {
        "A001": ({"merit": 3.0}, "screening, half done")
    }
    interview = staged.drafts(reviewer, "2027", "interview")
    assert {a: (d.scores, d.comment) for a, d in interview.items()} == {
        "A001": ({}, "interview notes")
    }
    # A criterion of the other stage's rubric is refused; an unknown stage too.
    with pytest.raises(InputError):
        staged.save_draft(reviewer, "2027", "A001", {"merit": 2}, "", "interview")
    with pytest.raises(ConfigError, match="no stage 'panel'"):
        staged.save_draft(reviewer, "2027", "A001", {}, "", "panel")
    with pytest.raises(InputError, match="no later stage"):
        staged.save_draft(reviewer, "2027", "A001", {}, "", "screening")
    # Saving the interview drops the interview's draft only.
    staged.save_reviews(
        reviewer, "2027", [Review("A001", "r2@example.org", {"talk": 4}, stage="interview")]
    )
    assert staged.drafts(reviewer, "2027", "interview") == {}
    assert list(staged.drafts(reviewer, "2027")) == ["A001"]
    assert staged.discard_draft(reviewer, "2027", "A001")
    assert staged.drafts(reviewer, "2027") == {}
