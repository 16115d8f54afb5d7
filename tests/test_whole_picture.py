"""Deciding with the whole picture (issue 10): open reviews said before a decision and
confirmed by name when finalising; a declared conflict is not an open review; applicants
short of reviewers get one more; one application read whole, with access kept in the core;
finalising undone by an audited entry."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest

from selector import workflow
from selector.auth import User
from selector.cli import main
from selector.config import DEFAULT_CONFIG_PATH, load_config
from selector.errors import InputError, PermissionDenied
from selector.models import Review
from selector.store import Store
from tests.test_store import full_scores, intake, make_rows

CONFIG = load_config(DEFAULT_CONFIG_PATH)
R1, R2 = "r1@example.org", "r2@example.org"


def review(
    applicant: str, reviewer: str, *, complete: bool = True, conflict: bool = False
) -> Review:
    scores = full_scores(3) if complete else {"awareness": 3}
    return Review(applicant, reviewer, {} if conflict else scores, conflict=conflict)


# ------------------------------------------------------------------ progress (pure)


def test_a_declared_conflict_is_not_an_open_review() -> None:
    """The Committee page said "119 of 120" when one reviewer declared a conflict."""
    pairs = [("A001", R1), ("A001", R2), ("A002", R1), ("A002", R2)]
    reviews = [
        review("A001", R1),
        review("A001", R2, conflict=True),
        review("A002", R1),
        review("A002", R2),
    ]
    progress = workflow.review_progress(pairs, reviews, CONFIG)
    assert (progress.complete, progress.assigned) == (3, 3)
    assert progress.share == 1.0
    assert progress.conflicts == 1
    assert progress.of(R2).open == 0 and progress.of(R2).conflicts == 1
    assert progress.open_pairs == ()


def test_open_counts_pairs_not_totals() -> None:
    """A complete review of an applicant not assigned does not close an assigned open one."""
    progress = workflow.review_progress([("A001", R1)], [review("A002", R1)], CONFIG)
    assert progress.of(R1).open == 1
    assert progress.open_pairs == (("A001", R1),)


def test_applicants_short_of_reviewers_count_complete_or_open_never_conflicted() -> None:
    pairs = [("A001", R1), ("A001", R2), ("A002", R1)]
    reviews = [review("A001", R2, conflict=True), review("A003", R2)]
    progress = workflow.review_progress(pairs, reviews, CONFIG)
    short = progress.short(["A001", "A002", "A003", "A004"], 2)
    assert short == {"A001": 1, "A002": 1, "A003": 1, "A004": 0}
    # An open review of a disabled account will not come in: a gap; a complete one counts.
    gone = progress.short(["A001", "A003"], 1, disabled=[R1, R2])
    assert gone == {"A001": 0}


def test_open_reviews_name_applicants_and_reviewers() -> None:
    found = workflow.open_reviews_of(
        ["A001", "A002", "A003"],
        [review("A001", R1), review("A002", R1, complete=False)],
        [("A001", R1), ("A002", R1), ("A003", R2)],
        CONFIG,
        {"A002": "Ann Lee", R1: "Rae Reviewer"},
    )
    assert found.unreviewed == ("A002", "A003")
    assert found.open == (("A002", R1), ("A003", R2))
    assert found.summary() == (
        "2 of 3 applicants have no complete review; 2 assigned reviews are open."
    )
    assert found.pair_text(("A002", R1)) == "A002 · Ann Lee (Rae Reviewer, r1@example.org)"
    assert not workflow.open_reviews_of(["A001"], [review("A001", R1)], [("A001", R1)], CONFIG)


# ------------------------------------------------------------------ a stored cycle


@pytest.fixture
def cycle(store: Store, people: dict[str, User]) -> Store:
    """Six applicants, two reviewers each where the own-program rule allows; r2 reviewed
    A002 and A003 completely, with comments."""
    system = store.system_user()
    store.add_user(system, "r3@example.org", "Rev Three", "reviewer", None, "Program 9")
    store.import_applications(system, "2026", intake(make_rows(6)))
    store.assign(system, "2026", k=2)
    store.set_assignments(system, "2026", [("A002", R2), ("A003", R2)])
    store.save_reviews(
        system,
        "2026",
        [
            Review("A002", R2, full_scores(4), comment="Clear project plan."),
            Review("A003", R2, full_scores(2), comment="Thin on action."),
        ],
    )
    return store


def test_select_on_a_stored_cycle_warns_about_open_reviews(
    cycle: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    """13 of 22 unreviewed, and `select` said nothing: now a warning first, and a JSON key."""
    config = tmp_config(size=2)
    code = main(["select", "--db", cycle.url, "--config", config, "--json"])
    out, err = capsys.readouterr()
    assert code == 0
    assert "4 of 6 applicants have no complete review" in err
    assert "A001 · Testperson A" in err
    data = json.loads(out)
    assert data["open_reviews"]["unreviewed"] == ["A001", "A004", "A005", "A006"]
    assert {"applicant_id": "A001", "reviewer": R2} in data["open_reviews"]["open"]


def tmp_config(*, size: int) -> str:
    """The bundled config with a smaller cohort, in a folder of its own (a PostgreSQL URL
    names no folder to write it beside)."""
    text = (
        DEFAULT_CONFIG_PATH.read_text(encoding="utf-8")
        .replace("size = 10", f"size = {size}")
        .replace("min_distinct = 5", "min_distinct = 1")
    )
    path = Path(tempfile.mkdtemp(prefix="selector-config-")) / "small.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def decided(store: Store, size: int = 2) -> workflow.Scenario:
    c = store.cycle("2026")
    config = load_config(tmp_config(size=size))
    applicants, reviews = store.selection_inputs(store.system_user(), "2026")
    return workflow.decide_scenario(c, applicants, reviews, config)


def test_finalising_with_open_reviews_needs_a_confirmation_naming_them(
    cycle: Store, people: dict[str, User]
) -> None:
    chair = people["chair"]
    done = decided(cycle)
    c = cycle.cycle("2026")
    with pytest.raises(InputError) as info:
        workflow.finalise_scenario(cycle, chair, c, done.config, done.decision, done.input_hash)
    assert info.value.code == "open_reviews_unconfirmed"
    assert not cycle.runs(chair, "2026")

    seen = workflow.open_reviews(cycle, chair, "2026")
    partial = workflow.OpenReviews(seen.applicants, seen.unreviewed, seen.open[1:])
    with pytest.raises(InputError):  # one open review not confirmed
        workflow.finalise_scenario(
            cycle, chair, c, done.config, done.decision, done.input_hash, confirmed_open=partial
        )
    run_id = workflow.finalise_scenario(
        cycle, chair, c, done.config, done.decision, done.input_hash, confirmed_open=seen
    )
    (run,) = cycle.runs(chair, "2026")
    assert run.id == run_id and run.final
    assert run.decision["open_reviews"]["unreviewed"] == list(seen.unreviewed)


def test_unfinalise_is_audited_and_the_previous_final_run_is_in_force_again(
    cycle: Store, people: dict[str, User], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    chair = people["chair"]
    done = decided(cycle)
    c = cycle.cycle("2026")
    seen = workflow.open_reviews(cycle, chair, "2026")
    first = workflow.finalise_scenario(
        cycle, chair, c, done.config, done.decision, done.input_hash, confirmed_open=seen
    )
    second = workflow.finalise_scenario(
        cycle, chair, c, done.config, done.decision, done.input_hash, confirmed_open=seen
    )
    with pytest.raises(PermissionDenied):
        workflow.unfinalise(cycle, people["coordinator"], "2026")
    assert workflow.unfinalise(cycle, chair, "2026", "a review came in late") == second
    runs = {r.id: r for r in cycle.runs(chair, "2026")}
    assert runs[second].unfinalised and not runs[second].final
    assert runs[first].final
    entry = next(e for e in cycle.audit_log(chair, "2026") if e.action == "run.unfinalise")
    assert entry.target == str(second) and entry.new["reason"] == "a review came in late"

    code = main(["runs", "unfinalise", "--db", cycle.url, "--reason", "again"])
    assert code == 0
    assert f"run {first} is no longer final" in capsys.readouterr().out
    main(["runs", "list", "--db", cycle.url, "--json"])
    listed = json.loads(capsys.readouterr().out)
    assert not any(r["final"] for r in listed)
    assert {r["id"] for r in listed if r["unfinalised"]} == {first, second}
    assert main(["runs", "unfinalise", "--db", cycle.url]) == 2  # nothing final is left
    # The roster falls back to the latest run, no longer to an undone final one.
    assert workflow.roster_of_final_run(cycle, chair, "2026", tmp_path / "r.csv").source == (
        f"run {second}"
    )


# ------------------------------------------------------------------ one application


def test_the_chair_reads_the_whole_application(cycle: Store, people: dict[str, User]) -> None:
    chair = people["chair"]
    cycle.declare_conflict(cycle.system_user(), "2026", "A002", "same lab", reviewer_email=R1)
    view = workflow.application_view(cycle, chair, "2026", "A002")
    assert view.title == "A002 · Testperson B"
    assert view.answers["Why DEI"] == "essay 2"
    by = {line.reviewer: line for line in view.reviews}
    assert by[R2].comment == "Clear project plan." and by[R2].reviewer_name == "Rev Two"
    assert by[R2].total is not None
    assert by[R1].conflict and by[R1].conflict_reason == "same lab"
    assert any("conflict declared by Rev One" in f for f in view.flags)
    actions = [e.action for e in view.history]
    assert "review.save" in actions and "conflict.declare" in actions
    assert all(e.target.split(" ")[0] == "A002" for e in view.history)


def test_a_reviewer_reads_only_their_assigned_application_and_own_review(
    cycle: Store, people: dict[str, User]
) -> None:
    r2 = people["r2"]
    view = workflow.application_view(cycle, r2, "2026", "A002")
    assert [line.reviewer for line in view.reviews] == [R2]
    assert view.history == ()
    unassigned = next(
        a.applicant_id
        for a in cycle.applicants(cycle.system_user(), "2026")
        if (a.applicant_id, R2) not in set(cycle.assignments(cycle.system_user(), "2026"))
    )
    with pytest.raises(PermissionDenied):
        workflow.application_view(cycle, r2, "2026", unassigned)
    cycle.declare_conflict(r2, "2026", "A003")
    with pytest.raises(PermissionDenied):
        workflow.application_view(cycle, r2, "2026", "A003")


def test_in_blind_review_a_reviewer_never_reads_the_name(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'blind.db'}")
    system = store.system_user()
    store.create_cycle(system, "2026", DEFAULT_CONFIG_PATH.read_text("utf-8"), blind=True)
    rev = store.add_user(system, R1, "Rev One", "reviewer", "pw-rev1-11", "Program 9")
    store.import_applications(system, "2026", intake(make_rows(2)))
    store.set_assignment(system, "2026", "A001", R1, True)
    (shown,) = [a.applicant_id for a in store.applicants(rev, "2026")]
    view = workflow.application_view(store, rev, "2026", shown)
    assert view.name is None and view.applicant_id == shown != "A001"
    assert "Testperson" not in repr(view) and "person1@" not in repr(view)
    with pytest.raises(PermissionDenied):
        workflow.application_view(store, rev, "2026", "A001")  # never by the real id


def test_add_reviewer_picks_an_eligible_one(cycle: Store, people: dict[str, User]) -> None:
    coord = people["coordinator"]
    system = cycle.system_user()
    cycle.declare_conflict(system, "2026", "A001", reviewer_email=R1)
    cycle.disable_login(coord, "r3@example.org")
    cycle.add_user(system, "r4@example.org", "Rev Four", "reviewer", None, "Program 1")
    cycle.add_user(system, "r5@example.org", "Rev Five", "reviewer", None, "Program 7")
    assigned = {e for a, e in cycle.assignments(coord, "2026") if a == "A001"}
    options = [e for e, _ in cycle.reviewer_options(coord, "2026", "A001")]
    assert R1 not in options  # conflicted
    assert "r3@example.org" not in options  # disabled
    assert "r4@example.org" not in options  # A001 is in Program 1
    assert not assigned & set(options)
    assert workflow.add_reviewer(cycle, coord, "2026", "A001") == "r5@example.org"
    assert ("A001", "r5@example.org") in cycle.assignments(coord, "2026")
    with pytest.raises(InputError) as info:
        workflow.add_reviewer(cycle, coord, "2026", "A001", R1)
    assert info.value.code == "reviewer_not_eligible"
    with pytest.raises(PermissionDenied):
        workflow.add_reviewer(cycle, people["chair"], "2026", "A002")
