"""Roles, the permission table and argon2 password hashing."""

from __future__ import annotations

import pytest

from selector.auth import (
    PERMISSIONS,
    SYSTEM_USER,
    Action,
    Role,
    User,
    hash_password,
    normalize_email,
    parse_role,
    verify_password,
)
from selector.errors import InputError, PermissionDenied


def make_user(role: Role = Role.REVIEWER, **overrides: object) -> User:
    fields: dict[str, object] = {"id": 1, "email": "someone@example.org", "name": "Some One"}
    fields.update(overrides)
    return User(role=role, **fields)  # type: ignore[arg-type]


def test_hash_is_argon2id_salted_and_verifies() -> None:
    first, second = hash_password("correct horse"), hash_password("correct horse")
    assert first.startswith("$argon2id$") and first != second
    assert verify_password(first, "correct horse")
    assert not verify_password(first, "correct horsE")
    assert not verify_password("not a hash", "correct horse")


def test_short_password_is_refused() -> None:
    with pytest.raises(InputError) as info:
        hash_password("1234567")
    assert info.value.code == "password_short"


@pytest.mark.parametrize(
    ("text", "role"),
    [("coordinator", Role.COORDINATOR), (" Chair ", Role.CHAIR), ("REVIEWER", Role.REVIEWER)],
)
def test_parse_role(text: str, role: Role) -> None:
    assert parse_role(text) is role


def test_unknown_role_lists_the_valid_ones() -> None:
    with pytest.raises(InputError, match="coordinator, reviewer, chair"):
        parse_role("admin")


@pytest.mark.parametrize(
    ("role", "action", "allowed"),
    [
        (Role.COORDINATOR, Action.IMPORT, True),
        (Role.CHAIR, Action.IMPORT, False),
        (Role.REVIEWER, Action.IMPORT, False),
        (Role.CHAIR, Action.READ_ALL, True),
        (Role.REVIEWER, Action.READ_ALL, False),
        (Role.CHAIR, Action.FINALIZE, True),
        (Role.COORDINATOR, Action.FINALIZE, False),
        (Role.COORDINATOR, Action.MANAGE_USERS, True),
        (Role.CHAIR, Action.MANAGE_USERS, False),
        (Role.REVIEWER, Action.REVIEW_FOR_OTHERS, False),
    ],
)
def test_permission_table(role: Role, action: Action, allowed: bool) -> None:
    user = make_user(role)
    assert user.can(action) is allowed
    if not allowed:
        with pytest.raises(PermissionDenied) as info:
            user.require(action)
        assert info.value.exit_code == 4 and info.value.params["role"] == role.value


def test_reviewers_have_no_extra_rights_and_system_has_all() -> None:
    assert PERMISSIONS[Role.REVIEWER] == frozenset()
    assert all(SYSTEM_USER.can(action) for action in Action)


def test_emails_compare_case_insensitively() -> None:
    assert normalize_email("  Someone@Example.ORG ") == "someone@example.org"
