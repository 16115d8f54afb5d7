"""A committee's first real cycle, reviewer and coordinator side (issue 10), in the core:
drafts kept in the database, the guided start from the demo, conflicts taken back, one
applicant withdrawn and restored. On SQLite, and PostgreSQL when SELECTOR_TEST_PG_URL is set."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from selector import workflow
from selector.auth import User
from selector.errors import InputError, PermissionDenied
from selector.models import Review
from selector.seed import DEMO_CYCLE, demo_accounts, demo_password, seed_demo
from selector.store import Store
from tests.test_store import CONFIG, full_scores, intake, make_rows

CYCLE = "2026"


def _setup(store: Store, people: dict[str, User]) -> None:
    coord, r1 = people["coordinator"], people["r1"]
    store.import_applications(coord, CYCLE, intake(make_rows(4)))
    store.set_assignments(coord, CYCLE, [("A001", r1.email), ("A002", r1.email)])


# ------------------------------------------------------------------ drafts


def test_a_part_scored_review_is_kept_as_a_draft_until_complete(
    store: Store, people: dict[str, User]
) -> None:
    r1 = people["r1"]
    _setup(store, people)
    config = store.cycle(CYCLE).config
    part = {"awareness": 4.0, "reflection": 2.0}
    assert not workflow.keep_scores(store, r1, CYCLE, config, "A001", part, "halfway")

    # A new store (another process, a refresh, a log-in the next day) reads it back.
    again = Store(store.url)
    draft = again.draft(r1, CYCLE, "A001")
    assert draft is not None and draft.scores == part and draft.comment == "halfway"
    assert set(again.drafts(r1, CYCLE)) == {"A001"}
    again.close()
    # Not a review: nothing that reads reviews sees it.
    assert store.reviews(r1, CYCLE) == []
    assert store.selection_inputs(people["chair"], CYCLE)[1] == []

    assert workflow.keep_scores(store, r1, CYCLE, config, "A001", full_scores(4), "done")
    assert store.draft(r1, CYCLE, "A001") is None  # the review replaced it
    saved = store.review(r1, CYCLE, "A001")
    assert saved is not None and saved.comment == "done"


def test_drafts_are_the_reviewers_own_of_assigned_applicants_only(
    store: Store, people: dict[str, User]
) -> None:
    coord, r1, r2 = people["coordinator"], people["r1"], people["r2"]
    _setup(store, people)
    store.save_draft(r1, CYCLE, "A001", {"awareness": 3.0})
    for applicant_id in ("A003", "A999"):  # not assigned, unknown: one answer
        with pytest.raises(PermissionDenied) as caught:
            store.save_draft(r1, CYCLE, applicant_id, {"awareness": 3.0})
        assert caught.value.code == "not_assigned"
    assert store.drafts(r2, CYCLE) == {}  # another reviewer sees none of r1's
    with pytest.raises(InputError) as off:
        store.save_draft(r1, CYCLE, "A001", {"awareness": 9.0})
    assert off.value.code == "score_off_scale"

    store.declare_conflict(r1, CYCLE, "A001")
    assert store.drafts(r1, CYCLE) == {}  # conflicted: hidden, not readable
    with pytest.raises(PermissionDenied):
        store.draft(r1, CYCLE, "A001")
    store.declare_conflict(r1, CYCLE, "A001", declared=False)
    kept = store.draft(r1, CYCLE, "A001")
    assert kept is not None and kept.scores == {"awareness": 3.0}  # back with the applicant

    store.withdraw_applicant(coord, CYCLE, "A001")
    assert store.drafts(r1, CYCLE) == {}
    with pytest.raises(InputError):
        store.save_draft(store.system_user(), CYCLE, "A001", {})


def test_a_merge_moves_a_draft_with_its_record(store: Store, people: dict[str, User]) -> None:
    coord, r1 = people["coordinator"], people["r1"]
    _setup(store, people)
    store.save_draft(r1, CYCLE, "A002", {"action": 2.0}, "note")
    store.merge_applicants(coord, CYCLE, "A001", "A002")
    moved = store.draft(r1, CYCLE, "A001")
    assert moved is not None and moved.comment == "note"


# ------------------------------------------------------------------ conflicts


def test_taking_a_conflict_back_reopens_the_assignment(
    store: Store, people: dict[str, User]
) -> None:
    coord, r1 = people["coordinator"], people["r1"]
    _setup(store, people)
    workflow.declare_conflict(store, r1, CYCLE, "A002", "was my student")
    assert [c.applicant_id for c in workflow.own_conflicts(store, r1, CYCLE)] == ["A002"]
    store.assign(coord, CYCLE, k=1)  # a reassignment drops the conflicted pair meanwhile
    assert ("A002", r1.email) not in store.assignments(coord, CYCLE)

    workflow.take_back_conflict(store, r1, CYCLE, "A002")
    assert workflow.own_conflicts(store, r1, CYCLE) == []
    assert ("A002", r1.email) in store.assignments(coord, CYCLE)
    assert "A002" in [a.applicant_id for a in store.applicants(r1, CYCLE)]
    # An open review, not an empty saved one.
    assert store.review(r1, CYCLE, "A002") is None
    assert all(r.applicant_id != "A002" for r in store.reviews(coord, CYCLE))


# ------------------------------------------------------------------ withdraw, restore


def test_withdraw_and_restore_one_applicant_with_a_reason(
    store: Store, people: dict[str, User]
) -> None:
    coord, r1, chair = people["coordinator"], people["r1"], people["chair"]
    _setup(store, people)
    store.save_review(r1, CYCLE, Review("A001", r1.email, full_scores(4)))
    assert workflow.set_withdrawn(
        store, coord, CYCLE, "A001", withdrawn=True, reason="moved to another program"
    )
    assert not workflow.set_withdrawn(store, coord, CYCLE, "A001", withdrawn=True)
    assert all(a != "A001" for a, _ in store.assignments(coord, CYCLE))
    applicants, reviews = store.selection_inputs(chair, CYCLE)
    assert "A001" not in [a.applicant_id for a in applicants] and reviews == []
    status = {s.applicant_id: s for s in workflow.applicant_statuses(store, coord, CYCLE)}
    assert status["A001"].withdrawn and status["A001"].reviews == 1  # kept
    entry = store.audit_log(coord, CYCLE, newest=1)[0]
    assert entry.action == "applicant.withdraw"
    assert entry.new == {"withdrawn": True, "reason": "moved to another program"}
    with pytest.raises(PermissionDenied):
        workflow.set_withdrawn(store, r1, CYCLE, "A002", withdrawn=True)

    assert workflow.set_withdrawn(store, coord, CYCLE, "A001", withdrawn=False, reason="back")
    assert ("A001", r1.email) in store.assignments(coord, CYCLE)
    assert [r.applicant_id for r in store.selection_inputs(chair, CYCLE)[1]] == ["A001"]
    with pytest.raises(InputError):
        workflow.set_withdrawn(store, coord, CYCLE, "A404", withdrawn=True)


# ------------------------------------------------------------------ the guided start


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    with Store(f"sqlite:///{path}") as store:
        seed_demo(store)
    return path


@pytest.fixture
def demo(demo_template: Path, tmp_path: Path) -> Store:
    shutil.copy(demo_template, tmp_path / "demo.db")
    return Store(f"sqlite:///{tmp_path / 'demo.db'}")


def start(store: Store, actor: User, **changes: str) -> workflow.Started:
    fields = {
        "coordinator_email": "Me@Hospital.org",
        "coordinator_name": "Real Me",
        "password": "my-own-password",
        "password_again": "my-own-password",
        "chair_email": "chair@hospital.org",
        "chair_name": "Real Chair",
        "cycle": "2027",
    } | changes
    return workflow.start_real_use(store, actor, **fields)  # type: ignore[arg-type]


def test_the_guided_start_makes_both_accounts_and_the_cycle_and_retires_the_demo(
    demo: Store,
) -> None:
    actor = workflow.demo_coordinator(demo)
    assert actor is not None
    done = start(demo, actor)
    assert done.coordinator.email == "me@hospital.org"
    assert done.coordinator.role.value == "coordinator" and done.chair.role.value == "chair"
    assert done.cycle.name == "2027" and done.cycle.config_text == CONFIG
    assert demo.authenticate("me@hospital.org", "my-own-password") is not None
    assert done.chair_password and demo.authenticate("chair@hospital.org", done.chair_password)
    assert demo_accounts(demo) is None
    assert demo.authenticate(actor.email, demo_password(actor.email)) is None
    assert workflow.demo_coordinator(demo) is None
    assert [c.name for c in demo.cycles()] == ["2027", DEMO_CYCLE]
    # Once over, the demo coordinator's account cannot do it again.
    with pytest.raises(PermissionDenied):
        start(demo, actor, coordinator_email="x@hospital.org", chair_email="y@hospital.org")


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"coordinator_email": "me at hospital"}, "is not an address"),
        ({"chair_email": "me@hospital.org"}, "an e-mail of their own"),
        ({"password": "short", "password_again": "short"}, "at least 8 characters"),
        ({"password_again": "another-password"}, "two passwords differ"),
        ({"cycle": " "}, "the cycle needs a name"),
        ({"cycle": DEMO_CYCLE}, "the demo cycle's name"),
        ({"chair_email": "coordinator@example.org"}, "a demo account's"),
        ({"chair_password": "short"}, "the chair's password needs"),
    ],
)
def test_the_guided_start_checks_everything_first_and_writes_nothing(
    demo: Store, changes: dict[str, str], words: str
) -> None:
    actor = workflow.demo_coordinator(demo)
    assert actor is not None
    with pytest.raises(InputError) as caught:
        start(demo, actor, **changes)
    assert words in str(caught.value)
    assert demo.user("me@hospital.org") is None and demo.user("chair@hospital.org") is None
    assert [c.name for c in demo.cycles()] == [DEMO_CYCLE]
    assert demo_accounts(demo) is not None  # the demo logins still work


def test_the_guided_start_names_every_problem_at_once(demo: Store) -> None:
    actor = workflow.demo_coordinator(demo)
    assert actor is not None
    with pytest.raises(InputError) as caught:
        start(demo, actor, coordinator_email="nope", password="x", password_again="x", cycle="")
    assert caught.value.code == "start_invalid"
    assert len(caught.value.params["problems"]) == 3


def test_only_the_demo_coordinator_or_the_cli_starts(
    demo: Store, store: Store, people: dict[str, User]
) -> None:
    reviewer = demo.user(
        next(a["email"] for a in demo_accounts(demo) or [] if a["role"] == "reviewer")
    )
    assert reviewer is not None
    with pytest.raises(PermissionDenied):
        start(demo, reviewer)
    with pytest.raises(PermissionDenied):  # a real coordinator: accounts are made as usual
        start(store, people["coordinator"])
    done = start(store, store.system_user(), cycle="2028")  # the CLI: also without a demo
    assert done.cycle.name == "2028"


# ------------------------------------------------------------------ migration 0005, backup


def test_0005_adds_review_drafts_to_an_older_database_and_its_downgrade_drops_them(
    backend: str, empty_url: str
) -> None:
    from alembic import command
    from sqlalchemy import inspect

    from selector.store import current_revision, make_engine, migrate
    from selector.store.engine import _alembic_config
    from tests.test_migrations import fill_first_schema

    fill_first_schema(empty_url)
    engine = make_engine(empty_url)
    migrate(engine, "0004")
    assert "review_drafts" not in inspect(engine).get_table_names()
    engine.dispose()

    with Store(empty_url) as store:  # opening upgrades to the newest revision
        rev = store.user("rev@example.org")
        assert rev is not None
        store.save_draft(rev, "2025", "A001", {"awareness": 2.0}, "half")
        found = store.draft(rev, "2025", "A001")
        assert found is not None and found.scores == {"awareness": 2.0}
        assert len(store.reviews(store.system_user(), "2025")) == 3  # the old ones, unchanged

    engine = make_engine(empty_url)
    with engine.begin() as conn:
        command.downgrade(_alembic_config(conn), "0004")
    assert current_revision(engine) == "0004"
    assert "review_drafts" not in inspect(engine).get_table_names()
    engine.dispose()


def test_a_backup_holds_the_drafts_and_says_how_many(
    template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from selector.cli import main
    from tests.test_store import PEOPLE

    shutil.copy(template, tmp_path / "selector.db")  # backup copies SQLite files
    store = Store(f"sqlite:///{tmp_path / 'selector.db'}")
    people = {key: store.user(spec[0]) for key, spec in PEOPLE.items()}
    assert all(people.values())
    _setup(store, people)  # type: ignore[arg-type]
    store.save_draft(people["r1"], CYCLE, "A001", {"awareness": 5.0}, "to finish")
    out = tmp_path / "copy.db"
    assert main(["backup", "--db", store.url, "--out", str(out)]) == 0
    assert "1 draft(s)" in capsys.readouterr().out
    with Store(f"sqlite:///{out}") as copy:
        kept = copy.draft(people["r1"], CYCLE, "A001")  # type: ignore[arg-type]
        assert kept is not None and kept.comment == "to finish"
    store.close()
