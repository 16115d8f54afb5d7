"""Who may do what (issue 8): conflicts a reviewer may not lift, the chair's separation from
the coordinator, one answer for unknown and unassigned applicant ids."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from selector.auth import SYSTEM_USER, Role, User, grantable_roles
from selector.cli import main
from selector.errors import InputError, PermissionDenied, SelectorError
from selector.models import Review
from selector.seed import DEMO_CYCLE, demo_accounts, demo_password, seed_demo
from selector.store import Store
from tests.test_store import CONFIG, full_scores, intake, make_rows


def _setup(store: Store, people: dict[str, User]) -> None:
    coord, r1 = people["coordinator"], people["r1"]
    store.import_applications(coord, "2026", intake(make_rows(4)))
    store.set_assignments(coord, "2026", [("A001", r1.email), ("A002", r1.email)])


# ------------------------------------------------------------------ conflicts


def test_a_reviewer_cannot_lift_a_conflict_the_coordinator_declared(
    store: Store, people: dict[str, User]
) -> None:
    coord, r1 = people["coordinator"], people["r1"]
    _setup(store, people)
    store.declare_conflict(coord, "2026", "A001", "same lab", reviewer_email=r1.email)
    with pytest.raises(PermissionDenied) as caught:
        store.declare_conflict(r1, "2026", "A001", declared=False)
    assert caught.value.code == "conflict_not_yours"
    assert [c.applicant_id for c in store.conflicts(coord, "2026")] == ["A001"]
    with pytest.raises(PermissionDenied):
        store.applicant(r1, "2026", "A001")
    with pytest.raises(PermissionDenied):
        store.save_review(r1, "2026", Review("A001", r1.email, full_scores(5)))
    # Re-declaring it (another reason) does not make it theirs.
    store.declare_conflict(r1, "2026", "A001", "my words")
    with pytest.raises(PermissionDenied):
        store.declare_conflict(r1, "2026", "A001", declared=False)
    # The coordinator may lift it; then the reviewer reads and scores again.
    store.declare_conflict(coord, "2026", "A001", reviewer_email=r1.email, declared=False)
    assert store.applicant(r1, "2026", "A001").applicant_id == "A001"
    store.save_review(r1, "2026", Review("A001", r1.email, full_scores(4)))


def test_a_reviewer_withdraws_a_conflict_they_declared_themselves(
    store: Store, people: dict[str, User]
) -> None:
    coord, r1 = people["coordinator"], people["r1"]
    _setup(store, people)
    store.declare_conflict(r1, "2026", "A002", "was my student")
    store.assign(coord, "2026", k=1)  # a reassignment drops the conflicted pair
    store.declare_conflict(r1, "2026", "A002", declared=False)
    assert store.conflicts(coord, "2026") == []
    # A conflict marked on a saved review by the reviewer is theirs as well.
    store.save_review(r1, "2026", Review("A001", r1.email, {}, conflict=True))
    store.declare_conflict(r1, "2026", "A001", declared=False)
    assert store.conflicts(r1, "2026") == []


def test_a_conflict_set_by_a_score_file_is_not_the_reviewers_to_lift(
    store: Store, people: dict[str, User]
) -> None:
    r1 = people["r1"]
    _setup(store, people)
    store.save_review(SYSTEM_USER, "2026", Review("A001", r1.email, {}, conflict=True))
    with pytest.raises(PermissionDenied):
        store.declare_conflict(r1, "2026", "A001", declared=False)


# ------------------------------------------------------------------ unknown = unassigned


def _error(call: object) -> tuple[type, str, str]:
    assert callable(call)
    with pytest.raises(SelectorError) as caught:
        call()
    return type(caught.value), caught.value.code, str(caught.value).replace("A003", "A999")


def test_unknown_and_unassigned_ids_get_the_same_error(
    store: Store, people: dict[str, User]
) -> None:
    r1 = people["r1"]
    _setup(store, people)  # A003 exists and is not r1's; A999 does not exist
    store.withdraw_applicant(people["coordinator"], "2026", "A004")
    for applicant_id in ("A003", "A999"):
        assert store.review(r1, "2026", applicant_id) is None
    calls = {
        "declare": lambda aid: lambda: store.declare_conflict(r1, "2026", aid, "x"),
        "withdraw": lambda aid: lambda: store.declare_conflict(r1, "2026", aid, declared=False),
        "read": lambda aid: lambda: store.applicant(r1, "2026", aid),
        "save": lambda aid: (
            lambda: store.save_review(r1, "2026", Review(aid, r1.email, full_scores(3)))
        ),
    }
    for name, call in calls.items():
        unassigned, unknown = _error(call("A003")), _error(call("A999"))
        assert unassigned == unknown, name
        assert unknown == (
            PermissionDenied,
            "not_assigned",
            "no applicant 'A999' is assigned to you",
        )
        withdrawn = _error(call("A004"))
        assert withdrawn[:2] == unknown[:2], name
    assert store.conflicts(people["coordinator"], "2026") == []


# ------------------------------------------------------------------ the chair apart


def test_a_coordinator_cannot_make_or_take_over_a_chair(
    store: Store, people: dict[str, User]
) -> None:
    coord, chair = people["coordinator"], people["chair"]
    attempts = {
        "create a chair": lambda: store.add_user(
            coord, "c2@example.org", "C2", "chair", "pw-12345678"
        ),
        "reset the chair's password": lambda: store.set_password(coord, chair.email, "mine-1234"),
        "disable the chair's login": lambda: store.disable_login(coord, chair.email),
        "demote the chair": lambda: store.set_role(coord, chair.email, Role.REVIEWER),
        "promote themself": lambda: store.set_role(coord, coord.email, Role.CHAIR),
        "promote a reviewer": lambda: store.set_role(coord, people["r1"].email, "chair"),
    }
    for what, attempt in attempts.items():
        with pytest.raises(PermissionDenied):
            attempt()
            pytest.fail(f"a coordinator could {what}")
    assert store.authenticate(chair.email, "pw-chair-1") == chair
    assert store.user(coord.email).role == Role.COORDINATOR  # type: ignore[union-attr]
    assert [u.email for u in store.users(coord, role="chair")] == [chair.email]
    # What a coordinator still does: reviewer and coordinator accounts.
    store.add_user(coord, "r3@example.org", "R3", "reviewer", "pw-r3-1234")
    store.set_role(coord, "r3@example.org", Role.COORDINATOR)
    store.set_password(coord, "r3@example.org", "pw-r3-5678")
    assert store.disable_login(coord, "r3@example.org")


def test_a_chair_or_the_cli_grants_the_chair_role(store: Store, people: dict[str, User]) -> None:
    chair = people["chair"]
    second = store.add_user(chair, "c2@example.org", "Chair Two", Role.CHAIR, "pw-c2-12345")
    store.set_password(chair, second.email, "pw-c2-67890")
    assert store.authenticate(second.email, "pw-c2-67890") == second
    with pytest.raises(PermissionDenied):  # a chair manages chairs, not other accounts
        store.add_user(chair, "r9@example.org", "R9", "reviewer", "pw-r9-12345")
    store.set_role(SYSTEM_USER, people["r1"].email, Role.CHAIR)
    assert store.disable_login(SYSTEM_USER, second.email)
    actions = [e.action for e in store.audit_log(SYSTEM_USER)]
    assert {"user.role", "user.disable_login", "user.password"} <= set(actions)


def test_the_account_forms_offer_only_the_roles_one_may_grant(people: dict[str, User]) -> None:
    assert grantable_roles(people["coordinator"]) == [Role.COORDINATOR, Role.REVIEWER]
    assert grantable_roles(people["chair"]) == [Role.CHAIR]
    assert grantable_roles(people["r1"]) == []
    assert grantable_roles(SYSTEM_USER) == list(Role)


# ------------------------------------------------------------------ the demo stays apart


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    with Store(f"sqlite:///{path}") as s:
        seed_demo(s)
    return path


@pytest.fixture
def demo(demo_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    shutil.copy(demo_file, tmp_path / "demo.db")
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    monkeypatch.setenv("SELECTOR_DB", url)
    with Store(url) as s:
        yield s


def _demo_user(store: Store, email: str) -> User:
    user = store.authenticate(email, demo_password(email))
    assert user is not None
    return user


def test_real_applications_and_scores_never_go_into_the_demo_cycle(demo: Store) -> None:
    coord = _demo_user(demo, "coordinator@example.org")
    real = intake(make_rows(4))  # ids A001-A004, as the demo's own applicants
    before = demo.applicant(SYSTEM_USER, DEMO_CYCLE, "A001")
    for actor in (SYSTEM_USER, coord):
        for call in (demo.preview_import, demo.import_applications, demo.check_importable):
            with pytest.raises(InputError) as caught:
                call(actor, None, *([real] if call != demo.check_importable else []))  # type: ignore[operator]
            assert caught.value.code == "demo_cycle"
            assert "create a cycle of your own first" in str(caught.value)
    with pytest.raises(InputError, match="create a cycle of your own"):
        demo.save_reviews(SYSTEM_USER, None, [Review("A001", "reviewer1@example.org", {})])
    assert demo.applicant(SYSTEM_USER, DEMO_CYCLE, "A001") == before
    assert demo_accounts(demo) is not None  # nothing real arrived: the demo goes on


def test_any_real_account_retires_the_demo_logins(demo: Store) -> None:
    demo.add_user(SYSTEM_USER, "me@hospital.org", "Me", "coordinator", "my-own-password")
    assert demo.authenticate("chair@example.org", demo_password("chair@example.org")) is None
    assert demo_accounts(demo) is None


def test_a_demo_account_leaves_the_demo_only_through_an_account_of_its_own(demo: Store) -> None:
    coord = _demo_user(demo, "coordinator@example.org")
    with pytest.raises(InputError) as caught:
        demo.create_cycle(coord, "2027", CONFIG)
    assert caught.value.code == "demo_leave_first"
    with pytest.raises(InputError, match="coordinator account for yourself"):
        demo.add_user(coord, "r@hospital.org", "R", "reviewer", "their-password")
    assert demo_accounts(demo) is not None and [c.name for c in demo.cycles()] == [DEMO_CYCLE]
    me = demo.add_user(coord, "me@hospital.org", "Me", "coordinator", "my-own-password")
    assert demo.authenticate(coord.email, demo_password(coord.email)) is None
    assert demo.authenticate(me.email, "my-own-password") == me  # not locked out
    demo.create_cycle(me, "2027", CONFIG)


def test_the_cli_refuses_the_demo_cycle_in_one_line(
    demo: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.test_cli_store import write_export

    scores = tmp_path / "scores.csv"
    scores.write_text("applicant_id,reviewer,criterion,score\nA001,me@hospital.org,awareness,3\n")
    export = str(write_export(tmp_path / "real.csv"))
    for argv in (["scores", "import", str(scores)], ["import", export, "--cycle", DEMO_CYCLE]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "create a cycle of your own first" in err, argv
    assert demo.user("me@hospital.org") is None  # nothing was written, no reviewer added
    assert demo_accounts(demo) is not None
    # Without --cycle, `selector import` starts a real cycle of its own: the demo ends.
    assert main(["import", export]) == 0
    assert DEMO_CYCLE not in {demo.cycle().name} and demo_accounts(demo) is None
