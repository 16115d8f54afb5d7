"""The dashboard with stages: the chair decides the shortlist and makes it final, sees the
interviews come in, then decides the cohort among the shortlisted and makes it final; an
interviewer scores their shortlisted applicants on the interview rubric."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from selector.intake import read_applications
from selector.models import Review
from selector.store import Store
from tests.test_app_pages import (  # noqa: F401 (template, db: fixtures)
    app_as,
    db,
    export_csv,
    no_exceptions,
    table,
    template,
    texts,
)

STAGED = """
[cohort]
size = 2
[combine]
weights = { screening = 0.5, interview = 0.5 }
[[stages]]
name = "screening"
label = "Application screening"
size = 4
[[stages.criteria]]
id = "merit"
label = "Merit"
[[stages]]
name = "interview"
label = "Interview"
[[stages.criteria]]
id = "talk"
label = "Talk"
description = "How the interview went."
"""


@pytest.fixture
def staged(db: Store) -> Store:  # noqa: F811
    """Cycle 2027 (the newest, so the one shown) with stages, 12 applicants, each screened."""
    system = db.system_user()
    db.create_cycle(system, "2027", STAGED)
    db.import_applications(system, "2027", read_applications(export_csv(), filename="x.csv"))
    ids = [a.applicant_id for a in db.applicants(system, "2027")]
    merit = [Review(a, "r2@example.org", {"merit": 1 + i % 5}) for i, a in enumerate(ids)]
    db.save_reviews(system, "2027", merit)
    return db


def selection(store: Store) -> AppTest:
    return app_as(store, "chair").switch_page("app_pages/selection.py").run()


def test_the_chair_decides_the_shortlist_then_the_cohort_among_it(staged: Store) -> None:
    system = staged.system_user()
    at = selection(staged)
    no_exceptions(at)
    assert "No shortlist yet" in texts(at)
    assert at.button(key="decide_cohort").disabled
    at.button(key="decide_shortlist").click().run()
    no_exceptions(at)
    shown = table(at, "Application screening score")
    chosen = set(shown[shown["Selected"]]["Applicant"].str.split(" ").str[0])
    assert len(chosen) == 4
    assert staged.shortlist(system, "2027") is None  # decided, not yet final
    at.button(key="finalise_shortlist").click().run()
    no_exceptions(at)
    assert set(staged.shortlist(system, "2027") or ()) == chosen
    assert "Shortlist in force: 4 applicants" in texts(at)
    assert "have no Interview score yet" in texts(at)

    # The interviews come in: one interviewer scores every shortlisted applicant.
    talk = {a: 5 - i for i, a in enumerate(sorted(chosen))}
    staged.save_reviews(
        system,
        "2027",
        [Review(a, "r1@example.org", {"talk": t}, stage="interview") for a, t in talk.items()],
    )
    at.run()
    progress = table(at, "Scored")
    assert progress["Scored"].tolist() == [1, 1, 1, 1]
    at.button(key="decide_cohort").click().run()
    no_exceptions(at)
    cohort = table(at, "Combined score")
    selected = set(cohort[cohort["Selected"]]["Applicant"].str.split(" ").str[0])
    assert len(selected) == 2 and selected <= chosen
    outside = cohort[~cohort["Applicant"].str.split(" ").str[0].isin(chosen)]
    assert outside["Reason"].str.contains("not on the shortlist").all()
    at.button(key="finalise_cohort").click().run()
    no_exceptions(at)
    (final,) = [r for r in staged.runs(system, "2027") if r.final]
    assert set(final.decision["selected"]) == selected
    assert final.decision["shortlist"] == sorted(chosen)


def test_an_interviewer_scores_on_the_interview_rubric(staged: Store) -> None:
    system = staged.system_user()
    ids = [a.applicant_id for a in staged.applicants(system, "2027")]
    staged.record_run(
        system,
        "2027",
        config_text=STAGED,
        decision={"status": "optimal", "selected": ids[:4]},
        final=True,
        stage="screening",
    )
    staged.set_assignments(system, "2027", [(ids[0], "r1@example.org")], stage="interview")
    at = app_as(staged, "r1")
    no_exceptions(at)
    assert at.radio(key="review_stage").value == "screening"
    assert "No applicants are assigned to you" in texts(at)
    at.radio(key="review_stage").set_value("interview").run()
    no_exceptions(at)
    assert [o.split(" ")[1] for o in at.radio(key="queue").options] == [ids[0]]
    assert "How the interview went." in str(at.radio(key=f"score_{ids[0]}_talk").help)
    assert not [r for r in at.radio if r.key and r.key.endswith("_merit")]
    at.radio(key=f"score_{ids[0]}_talk").set_value(4).run()
    no_exceptions(at)
    saved = staged.review(system, "2027", ids[0], "r1@example.org", stage="interview")
    assert saved is not None and saved.scores == {"talk": 4} and saved.stage == "interview"
    assert staged.review(system, "2027", ids[0], "r1@example.org") is None


def test_the_coordinator_assigns_interviewers_to_the_shortlisted_only(staged: Store) -> None:
    system = staged.system_user()
    at = app_as(staged, "coordinator").switch_page("app_pages/reviewers.py").run()
    no_exceptions(at)
    assert "No shortlist yet" in texts(at)
    ids = [a.applicant_id for a in staged.applicants(system, "2027")]
    staged.record_run(
        system,
        "2027",
        config_text=STAGED,
        decision={"status": "optimal", "selected": ids[:4]},
        final=True,
        stage="screening",
    )
    at.run()
    at.number_input(key="interview_k").set_value(2)
    at.button(key="assign_interviewers").click().run()
    no_exceptions(at)
    pairs = staged.assignments(system, "2027", stage="interview")
    assert {a for a, _ in pairs} == set(ids[:4])
    # Two interviewers where the own-program rule leaves two (r1 and r2 are the only ones).
    assert max(sum(a == x for a, _ in pairs) for x in ids[:4]) == 2
    assert staged.assignments(system, "2027") == []  # the first stage's are apart
    assert set(table(at, "Interviewer")["Applicant"]) == set(ids[:4])
