"""Accounts: adding them, passwords, roles, throttled logins, and the end of the demo logins.

A real account or cycle next to the demo one ends the demo's public logins
(:meth:`UsersMixin.retire_demo`); which accounts those are is data
(:mod:`selector.demo_accounts`), not the seeding code, which builds on the store."""

from __future__ import annotations

import functools
import secrets
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from selector.auth import (
    SEED_USER,
    SYSTEM_USER,
    Action,
    Role,
    User,
    account_action,
    hash_password,
    needs_rehash,
    normalize_email,
    parse_role,
    verify_password,
)
from selector.demo_accounts import DEMO_CYCLE, accounts, demo_emails
from selector.errors import InputError, PermissionDenied
from selector.store.core import StoreCore
from selector.store.schema import CycleRow, UserRow


@functools.lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """A hash to verify against when there is no account, so both cases take as long."""
    return hash_password("no account has this password")


#: How an account can log in, as :meth:`UsersMixin.login_states` names it.
LOGIN_PASSWORD, LOGIN_NO_PASSWORD, LOGIN_DISABLED = "password", "no password", "disabled"


def one_time_password() -> str:
    """A fresh random password to show once (16 URL-safe characters from :mod:`secrets`)."""
    return secrets.token_urlsafe(12)


def _login_state(row: UserRow) -> str:
    if row.login_disabled:
        return LOGIN_DISABLED
    return LOGIN_PASSWORD if row.password_hash else LOGIN_NO_PASSWORD


def _to_user(row: UserRow) -> User:
    return User(id=row.id, email=row.email, name=row.name, role=Role(row.role), program=row.program)


class UsersMixin(StoreCore):
    """Accounts and logins."""

    def add_user(
        self,
        actor: User,
        email: str,
        name: str,
        role: Role | str,
        password: str | None,
        program: str = "",
    ) -> User:
        """Create an account; ``password=None`` makes one that cannot log in until one is set.
        A chair account only by a chair or the CLI (:func:`selector.auth.account_action`)."""
        role = role if isinstance(role, Role) else parse_role(role)
        actor.require(account_action(role))
        email = normalize_email(email)
        if "@" not in email:
            raise InputError("email_invalid", f"{email!r} is not an e-mail address")
        leaving_demo = self._leaving_demo(actor, role)
        pw_hash = hash_password(password) if password is not None else ""
        with self._tx() as s:
            added = _to_user(self._insert_user(s, actor, email, name, role, pw_hash, program))
        if leaving_demo:  # a real account: the public demo logins end now
            self.retire_demo()
        return added

    def _insert_user(
        self, s: Session, actor: User, email: str, name: str, role: Role, pw_hash: str, program: str
    ) -> UserRow:
        """Add an account inside the caller's transaction (audited)."""
        if s.scalars(select(UserRow).where(UserRow.email == email)).first() is not None:
            raise InputError("user_exists", f"a user {email!r} already exists")
        row = UserRow(
            email=email,
            name=name.strip(),
            role=role.value,
            program=program.strip(),
            password_hash=pw_hash,
        )
        s.add(row)
        s.flush()
        self._audit(s, actor, None, "user.add", email, None, {"role": role.value, "name": name})
        return row

    @staticmethod
    def _require_account_change(actor: User, row: UserRow | None, *roles: Role) -> None:
        """Refuse to touch another's account (or give any account ``roles``) unless ``actor``
        may manage its role and the new one: a chair's account or the chair role needs a
        chair or the CLI, any other a coordinator (:func:`selector.auth.account_action`)."""
        if row is not None and row.email == actor.email and not roles:
            return
        held = (Role(row.role),) if row is not None else ()
        actor.require(account_action(*held, *roles))

    def set_password(self, actor: User, email: str, password: str) -> None:
        """Set a password: one's own; a coordinator anyone's but a chair's; a chair a chair's."""
        if normalize_email(email) != actor.email and not (
            actor.can(Action.MANAGE_USERS) or actor.can(Action.MANAGE_CHAIRS)
        ):
            actor.require(Action.MANAGE_USERS)  # before looking the account up
        self._write_password(actor, email, password, "user.password")

    def reset_password(self, actor: User, email: str) -> str:
        """Give an account a new one-time password and return it (to be shown once, never
        stored in clear); a disabled account is enabled again. Who may: as
        :meth:`set_password`."""
        password = one_time_password()
        self._write_password(actor, email, password, "user.password_reset", "one-time")
        return password

    def _write_password(
        self, actor: User, email: str, password: str, action: str, note: str | None = None
    ) -> None:
        """Check who may, hash outside any transaction, check again and write: a password
        set is a login enabled (audited as such when it was disabled, after a reset)."""
        with self._tx(write=False) as s:
            self._require_account_change(actor, self._user_row(s, email))
        pw_hash = hash_password(password)
        with self._tx() as s:
            row = self._user_row(s, email)
            self._require_account_change(actor, row)
            was_disabled = row.login_disabled
            row.password_hash = pw_hash
            row.login_disabled = False
            self._audit(s, actor, None, action, row.email, None, note)
            if was_disabled and note is not None:
                self._audit(s, actor, None, "user.enable_login", row.email)

    def enable_login(self, actor: User, email: str) -> str:
        """Enable a disabled account: :meth:`reset_password`, whose one-time password is the
        way back in (the old password is gone)."""
        return self.reset_password(actor, email)

    def disable_logins(self, actor: User, emails: Iterable[str]) -> int:
        """:meth:`disable_login` for several accounts in one transaction (all or none);
        returns how many still had a login. Unknown e-mails are skipped."""
        with self._tx() as s:
            return sum(self._disable_login(s, actor, email) for email in emails)

    def disable_login(self, actor: User, email: str) -> bool:
        """Disable an account: its password removed, no login of any kind (single sign-on
        too), never assigned; True if it had a password. A chair's login only by a chair or
        the CLI. :meth:`enable_login` undoes it with a one-time password."""
        with self._tx() as s:
            return self._disable_login(s, actor, email)

    def _disable_login(self, s: Session, actor: User, email: str) -> bool:
        row = s.scalars(select(UserRow).where(UserRow.email == normalize_email(email))).first()
        actor.require(account_action(*((Role(row.role),) if row else ())))
        if row is None:
            return False
        had_password = bool(row.password_hash)
        if had_password or not row.login_disabled:
            row.password_hash = ""
            row.login_disabled = True
            self._audit(s, actor, None, "user.disable_login", row.email)
        return had_password

    def set_role(self, actor: User, email: str, role: Role | str) -> User:
        """Change an account's role; to or from chair only by a chair or the CLI."""
        role = role if isinstance(role, Role) else parse_role(role)
        actor.require(account_action(role))
        with self._tx() as s:
            row = self._user_row(s, email)
            self._require_account_change(actor, row, role)
            if row.role != role.value:
                self._audit(s, actor, None, "user.role", row.email, row.role, role.value)
                row.role = role.value
            return _to_user(row)

    def login_enabled(self, email: str) -> bool:
        """Whether the account exists and has a password (disabled logins have none)."""
        with self._tx(write=False) as s:
            stored = s.scalar(
                select(UserRow.password_hash).where(UserRow.email == normalize_email(email))
            )
            return bool(stored)

    def login_disabled(self, email: str) -> bool:
        """Whether the account was disabled (no login, single sign-on included)."""
        with self._tx(write=False) as s:
            return bool(
                s.scalar(
                    select(UserRow.login_disabled).where(UserRow.email == normalize_email(email))
                )
            )

    def login_states(self, actor: User) -> dict[str, str]:
        """Each account's login by e-mail: ``"password"``, ``"no password"`` (single sign-on
        only, or not set yet) or ``"disabled"``; for coordinators and chairs."""
        if not (actor.can(Action.MANAGE_USERS) or actor.can(Action.READ_ALL)):
            actor.require(Action.MANAGE_USERS)
        with self._tx(write=False) as s:
            return {r.email: _login_state(r) for r in s.scalars(select(UserRow))}

    def authenticate(self, email: str, password: str) -> User | None:
        """The user whose e-mail and password match, else None. An unknown e-mail costs the
        same hashing time as a wrong password, so timing does not reveal who has an account;
        the hash is checked outside any transaction, so logins never hold up writers.

        Throttled per normalised e-mail, known or not (:attr:`throttle`, see
        :mod:`selector.throttle`): after a few failures, attempts are refused with
        :class:`~selector.throttle.LoginRefused` for a growing time, without hashing."""
        key = normalize_email(email)
        with self.throttle.attempt(key) as outcome:
            with self._tx(write=False) as s:
                row = s.scalars(select(UserRow).where(UserRow.email == key)).first()
                user, stored = (_to_user(row), row.password_hash) if row else (None, "")
            if user is None or not stored:
                verify_password(_dummy_hash(), password)
                outcome[0] = False
                return None
            if not verify_password(stored, password):
                outcome[0] = False
                return None
            outcome[0] = True
        if needs_rehash(stored):
            self._set_hash(user.email, hash_password(password))
        return user

    def single_sign_on(self, email: str, *, verified: bool = True) -> User:
        """The account a single-sign-on identity comes in as: the one with its e-mail
        (case-insensitively); single sign-on never creates one. Refused with
        :class:`PermissionDenied` when the identity has no e-mail, its provider says the
        e-mail is not ``verified``, no account has it, or the account is disabled."""
        key = normalize_email(email)
        if not key:
            raise PermissionDenied(
                "sso_no_email",
                "Your single sign-on identity gives no e-mail address, so selector cannot "
                "tell which account is yours.",
            )
        if not verified:
            raise PermissionDenied(
                "sso_unverified",
                f"Your identity provider says {key} is not verified, so selector cannot "
                "trust it to name your account.",
                email=key,
            )
        with self._tx(write=False) as s:
            row = s.scalars(select(UserRow).where(UserRow.email == key)).first()
            user, disabled = (_to_user(row), row.login_disabled) if row else (None, False)
        if user is None:
            raise PermissionDenied(
                "sso_unknown",
                f"{key} has no account in selector; ask the coordinator to add one.",
                email=key,
            )
        if disabled:
            raise PermissionDenied(
                "sso_disabled",
                f"The account {key} is disabled; ask the coordinator to enable it.",
                email=key,
            )
        return user

    def _set_hash(self, email: str, password_hash: str) -> None:
        with self._tx() as s:
            self._user_row(s, email).password_hash = password_hash

    def users(self, actor: User, role: Role | str | None = None) -> list[User]:
        """All accounts (optionally one role), for coordinators and chairs."""
        if not (actor.can(Action.MANAGE_USERS) or actor.can(Action.READ_ALL)):
            actor.require(Action.MANAGE_USERS)
        with self._tx(write=False) as s:
            query = select(UserRow).order_by(UserRow.email)
            if role is not None:
                query = query.where(UserRow.role == Role(role).value)
            return [_to_user(r) for r in s.scalars(query)]

    def user(self, email: str) -> User | None:
        """The account with this e-mail, if any (no secrets in it)."""
        with self._tx(write=False) as s:
            row = s.scalars(select(UserRow).where(UserRow.email == normalize_email(email))).first()
            return _to_user(row) if row else None

    def _demo_live(self) -> bool:
        """Whether the demo cycle is here with its public logins still working."""
        with self._tx(write=False) as s:
            if s.scalar(select(CycleRow.id).where(CycleRow.name == DEMO_CYCLE)) is None:
                return False
            return bool(
                s.scalar(
                    select(UserRow.id)
                    .where(UserRow.email.in_(demo_emails()), UserRow.password_hash != "")
                    .limit(1)
                )
            )

    def _leaving_demo(self, actor: User, role: Role | None = None) -> bool:
        """Before an action that ends the demo logins (real data arrives): whether they are
        live. A demo account may then only add an account for itself (same role), so the
        person leaving the demo is never locked out; anything else it is refused."""
        if actor == SEED_USER or not self._demo_live():
            return False
        if not actor.system and actor.email in demo_emails() and role != actor.role:
            raise InputError(
                "demo_leave_first",
                f"first add a {actor.role.value} account for yourself (Start for real, or "
                "Reviewers & assignments): real data ends the public demo logins, this one too",
            )
        return True

    def retire_demo(self) -> int:
        """Real data has arrived: the public demo logins end now (the demo cycle stays);
        returns how many were still enabled."""
        return self.disable_logins(SYSTEM_USER, [a["email"] for a in accounts()])
