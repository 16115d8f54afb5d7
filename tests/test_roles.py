"""Who may do what (issue 8): conflicts a reviewer may not lift, the chair's separation from
the coordinator, one answer for unknown and unassigned applicant ids."""

from __future__ import annotations

import pytest

from selector.auth import SYSTEM_USER, Role, User, grantable_roles
from selector.errors import PermissionDenied, SelectorError
from selector.models import Review
from selector.store import Store
from tests.test_store import full_scores, intake, make_rows


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
