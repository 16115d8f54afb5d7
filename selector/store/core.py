"""What every part of the store shares: the engine, transactions, the per-database secrets,
and the lookups and audit entry every concern uses (a cycle, an account, an applicant by id).

:class:`StoreCore` is the base of the per-concern mixins that make up
:class:`selector.store.Store`; it holds no domain rules of its own."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Self

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from selector.auth import SYSTEM_USER, User, normalize_email
from selector.errors import InputError
from selector.store.engine import (
    READ_ONLY_OPTION,
    db_unavailable,
    default_url,
    ensure_schema,
    make_engine,
)
from selector.store.schema import ApplicantRow, AuditRow, CycleRow, SecretRow, UserRow
from selector.throttle import LOGINS, LoginThrottle


class StoreCore:
    """The database of the review workflow: engine, sessions and shared lookups."""

    def __init__(self, url: str | None = None) -> None:
        self.url = url or default_url()
        self.engine = make_engine(self.url)
        try:
            ensure_schema(self.engine)
        except DBAPIError as exc:
            self.engine.dispose()
            raise db_unavailable(self.url, exc) from None
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        #: Failed logins per e-mail: the process-wide throttle (tests give a store its own).
        self.throttle: LoginThrottle = LOGINS
        self._read_sessions = sessionmaker(
            self.engine.execution_options(**{READ_ONLY_OPTION: True}), expire_on_commit=False
        )
        self._pseudonym_key = self._secret("pseudonym")

    def close(self) -> None:
        """Release the connection pool."""
        self.engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _tx(self, *, write: bool = True) -> Iterator[Session]:
        """One transaction; on SQLite a write takes the write lock up front, a read
        (``write=False``) does not, so reads never queue behind a writer."""
        sessions = self._sessions if write else self._read_sessions
        try:
            with sessions.begin() as session:
                yield session
        except OperationalError as exc:  # read-only file, full disk, lost server, busy too long
            raise db_unavailable(self.url, exc) from None

    def _secret(self, name: str) -> bytes:
        """A per-database secret, made on first use if the migration's is missing."""
        with self._tx(write=False) as s:
            row = s.get(SecretRow, name)
        if row is None:
            try:
                with self._tx() as s:
                    row = SecretRow(name=name, value=secrets.token_bytes(32))
                    s.add(row)
            except IntegrityError:  # another process made it meanwhile
                with self._tx(write=False) as s:
                    row = s.get(SecretRow, name)
        assert row is not None
        return row.value

    @staticmethod
    def system_user() -> User:
        """The CLI actor: whoever holds the database URL holds every right."""
        return SYSTEM_USER

    # ---------------------------------------------------------------- shared lookups

    def _cycle_row(self, s: Session, cycle: str | None) -> CycleRow:
        """The named cycle, or the newest one for ``None``."""
        if cycle is None:
            row = s.scalars(
                select(CycleRow).order_by(CycleRow.created_at.desc(), CycleRow.id.desc())
            ).first()
            if row is None:
                raise InputError("cycle_missing", "no cycle yet: import applications first")
            return row
        row = s.scalars(select(CycleRow).where(CycleRow.name == cycle)).first()
        if row is None:
            raise InputError("cycle_unknown", f"no cycle named {cycle!r}")
        return row

    def _user_row(self, s: Session, email: str) -> UserRow:
        row = s.scalars(select(UserRow).where(UserRow.email == normalize_email(email))).first()
        if row is None:
            raise InputError("user_unknown", f"no user {email!r}")
        return row

    def _applicant_row(self, s: Session, cycle: CycleRow, applicant_id: str) -> ApplicantRow:
        row = s.scalars(
            select(ApplicantRow).where(
                ApplicantRow.cycle_id == cycle.id, ApplicantRow.applicant_id == applicant_id
            )
        ).first()
        if row is None:
            raise InputError(
                "applicant_unknown", f"no applicant {applicant_id!r} in cycle {cycle.name!r}"
            )
        return row

    def _audit(
        self,
        s: Session,
        actor: User,
        cycle: CycleRow | None,
        action: str,
        target: str = "",
        old: Any = None,
        new: Any = None,
    ) -> None:
        """Log who changed what (old and new values), inside the caller's transaction."""
        s.add(
            AuditRow(
                actor=actor.email,
                cycle_id=cycle.id if cycle else None,
                action=action,
                target=target,
                old=old,
                new=new,
            )
        )
