"""Users, roles and passwords: who may do what, decided here and in the store, never in the UI.

Roles:

coordinator
    Imports applications and score files, manages users, cycles and assignments; reads all.
reviewer
    Reads only the applicants assigned to them and not conflicted; writes only their own reviews.
chair
    Reads everything, writes their own reviews, runs and finalises selections, makes offers
    (as the coordinator does) and records their answers; the only role
    (besides the server's shell, :data:`SYSTEM_USER`) that grants the chair role or manages a
    chair's account, so a coordinator cannot make themself a chair and finalise.

Passwords are hashed with argon2id (argon2-cffi); only the hash is stored. At most
:data:`selector.throttle.HASH_SLOTS` hashes run at once (64 MiB each); failed logins are
throttled per account by :mod:`selector.throttle`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from selector import throttle
from selector.emails import normalize_email as normalize_email  # re-exported for the store and CLI
from selector.errors import InputError, Location, PermissionDenied


class Role(StrEnum):
    """A user's role in the committee."""

    COORDINATOR = "coordinator"
    REVIEWER = "reviewer"
    CHAIR = "chair"


class Action(StrEnum):
    """Things a role may be allowed to do (see :data:`PERMISSIONS`)."""

    IMPORT = "import"  # applications and score files
    MANAGE_USERS = "manage users"
    MANAGE_CYCLES = "manage cycles"
    EDIT_CONFIG = "edit a cycle's config"
    ASSIGN = "assign reviewers"
    READ_ALL = "read all applicants and reviews"
    REVIEW_FOR_OTHERS = "enter reviews for other reviewers"
    REVIEW_UNASSIGNED = "review an applicant not assigned to you"
    RUN_SELECTION = "run a selection"
    FINALIZE = "finalise a selection"
    MAKE_OFFERS = "make offers and record their answers"
    READ_AUDIT = "read the audit log"
    MANAGE_CHAIRS = "grant the chair role or manage a chair's account"
    SEND_LETTERS = "edit, render and send the decision letters"


#: Which role may do what. A reviewer may only write their own reviews of assigned applicants.
PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.COORDINATOR: frozenset(
        {
            Action.IMPORT,
            Action.MANAGE_USERS,
            Action.MANAGE_CYCLES,
            Action.EDIT_CONFIG,
            Action.ASSIGN,
            Action.READ_ALL,
            Action.REVIEW_FOR_OTHERS,
            Action.REVIEW_UNASSIGNED,
            Action.RUN_SELECTION,
            Action.MAKE_OFFERS,
            Action.READ_AUDIT,
            Action.SEND_LETTERS,
        }
    ),
    Role.CHAIR: frozenset(
        {
            Action.READ_ALL,
            Action.EDIT_CONFIG,
            Action.REVIEW_UNASSIGNED,
            Action.RUN_SELECTION,
            Action.FINALIZE,
            Action.MAKE_OFFERS,
            Action.READ_AUDIT,
            Action.MANAGE_CHAIRS,
            Action.SEND_LETTERS,
        }
    ),
    Role.REVIEWER: frozenset(),
}


@dataclass(frozen=True)
class User:
    """An authenticated person (or the CLI's system actor, which may do everything)."""

    id: int | None
    email: str
    name: str
    role: Role
    program: str = ""
    system: bool = False

    def can(self, action: Action) -> bool:
        """Whether this user's role allows ``action``."""
        return self.system or action in PERMISSIONS[self.role]

    def require(self, action: Action) -> None:
        """Raise :class:`PermissionDenied` unless this user may do ``action``."""
        if not self.can(action):
            raise PermissionDenied(
                "permission_denied",
                f"{self.email} ({self.role}) may not {action}",
                action=str(action),
                role=str(self.role),
            )


def account_action(*roles: Role) -> Action:
    """What it takes to create, change, reset or disable an account holding (or given) any of
    ``roles``: :attr:`Action.MANAGE_CHAIRS` when one is the chair, else
    :attr:`Action.MANAGE_USERS`."""
    return Action.MANAGE_CHAIRS if Role.CHAIR in roles else Action.MANAGE_USERS


def grantable_roles(actor: User) -> list[Role]:
    """The roles ``actor`` may give a new or existing account (the dashboard offers these)."""
    return [role for role in Role if actor.can(account_action(role))]


#: The CLI actor: whoever holds the database URL holds every right.
SYSTEM_USER = User(id=None, email="system", name="selector CLI", role=Role.COORDINATOR, system=True)
#: The actor that seeds the demo cycle (:mod:`selector.seed`): the only one that writes
#: applications into it, and whose new accounts (the demo ones) leave the demo logins alone.
SEED_USER = User(
    id=None, email="demo seed", name="selector demo seed", role=Role.COORDINATOR, system=True
)

_hasher = PasswordHasher()

#: Shortest password accepted for a new account.
MIN_PASSWORD_LENGTH = 8


def parse_role(text: str) -> Role:
    """A role from its name (any case); an :class:`InputError` lists the valid ones."""
    try:
        return Role(text.strip().lower())
    except ValueError:
        raise InputError(
            "role_unknown",
            f"unknown role {text!r}; use one of {', '.join(r.value for r in Role)}",
            Location(column="role"),
        ) from None


def hash_password(password: str) -> str:
    """The argon2id hash of a password (a new random salt every time)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputError(
            "password_short",
            f"a password needs at least {MIN_PASSWORD_LENGTH} characters",
            Location(column="password"),
        )
    with throttle.HASH_SLOTS.hold():
        return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches the stored hash; never raises for a wrong password
    (:class:`~selector.throttle.LoginRefused` when every hashing slot stays busy)."""
    with throttle.HASH_SLOTS.hold():
        try:
            return _hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False


def needs_rehash(password_hash: str) -> bool:
    """Whether a stored hash uses older argon2 parameters than the current ones."""
    return _hasher.check_needs_rehash(password_hash)
