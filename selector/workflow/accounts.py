"""Accounts as a coordinator manages them: every account with its login (password, no
password, disabled) and its assignments in a cycle; disabling, enabling and resetting by
e-mail, an unknown e-mail refused."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from selector.auth import User
    from selector.store import Store


@dataclass(frozen=True)
class Account:
    """One account as the Reviewers page and `selector users list` show it. ``login``:
    ``"password"``, ``"no password"`` (single sign-on only, or not set yet) or
    ``"disabled"`` (never assigned, no login); the counts are of ``cycle``."""

    email: str
    name: str
    role: str
    program: str
    login: str
    assigned: int = 0
    complete: int = 0
    open: int = 0
    conflicts: int = 0

    def to_json(self) -> dict[str, Any]:
        fields = asdict(self)
        fields["open_assignments"] = fields.pop("open")
        return fields


def list_accounts(
    store: Store, actor: User, cycle: str | None = None, *, role: str | None = None
) -> tuple[str | None, list[Account]]:
    """The cycle counted (the named or newest one; None when there is none) and every account
    (optionally of one role) with its login and its assignments there."""
    from selector.workflow.progress import ReviewProgress, review_progress

    users = store.users(actor, role=role)
    logins = store.login_states(actor)
    name = None
    progress = ReviewProgress({})
    if cycle is not None or store.cycles():
        target = store.cycle(cycle)
        name = target.name
        pool = {a.applicant_id for a in store.applicants(actor, name)}
        progress = review_progress(
            store.assignments(actor, name), store.reviews(actor, name), target.config, pool=pool
        )
    accounts = []
    for u in users:
        p = progress.of(u.email)
        accounts.append(
            Account(
                u.email,
                u.name,
                u.role.value,
                u.program,
                logins.get(u.email, "no password"),
                p.assigned,
                p.complete,
                p.open,
                p.conflicts,
            )
        )
    return name, accounts


def _known(store: Store, email: str) -> str:
    from selector.auth import normalize_email
    from selector.errors import InputError

    if store.user(email) is None:
        raise InputError("user_unknown", f"no user {normalize_email(email)!r}")
    return normalize_email(email)


def disable_account(store: Store, actor: User, email: str) -> str:
    """Disable an account (no login, never assigned); its e-mail. Unknown: refused."""
    known = _known(store, email)
    store.disable_login(actor, known)
    return known


def enable_account(store: Store, actor: User, email: str) -> str:
    """Enable an account again; the one-time password to hand over (shown once)."""
    return store.enable_login(actor, _known(store, email))


def reset_password(store: Store, actor: User, email: str) -> str:
    """A new one-time password for an account (shown once)."""
    return store.reset_password(actor, _known(store, email))
