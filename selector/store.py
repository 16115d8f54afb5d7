"""Persistence of the review workflow (SQLAlchemy 2.x), with the role checks in one place.

Where the data lives: ``Store(url)``, else ``$SELECTOR_DB``, else the SQLite file
``./var/selector.db`` under the current directory (:data:`DEFAULT_PATH`). Any SQLAlchemy URL
works (``postgresql+psycopg://...``); on SQLite every connection turns on WAL, a busy timeout
and foreign keys, and every writing transaction starts ``BEGIN IMMEDIATE`` so concurrent
writers queue instead of failing (reads start deferred and never wait for a writer). Opening a
store upgrades its schema to the newest Alembic revision (``selector/migrations``), so a later
release keeps an existing database.

Every method that reads or writes applicant data takes the acting :class:`~selector.auth.User`
first and checks its role here, not in the UI (see :mod:`selector.auth`). In a blind cycle a
reviewer sees and names applicants only by pseudonym (:func:`selector.blind.pseudonyms`, keyed
with a secret kept in the database), never by applicant id. ``cycle`` arguments
are a cycle name, or ``None`` for the newest cycle.

Public API::

    Store(url=None) (also a context manager: closes its pool); store.url; store.system_user()
    add_user(actor, email, name, role, password, program="") -> User
    set_password(actor, email, password); disable_login(actor, email) -> bool
    set_role(actor, email, role) -> User  (the chair role and chairs' accounts: chair or CLI)
    authenticate(email, password) -> User | None; user(email) -> User | None
    users(actor, role=None) -> list[User]
    create_cycle(actor, name, config_text, *, blind=None, avoid_own_program=None) -> Cycle
    cycles() -> list[Cycle]; cycle(name=None) -> Cycle
    update_cycle_config(actor, cycle, config_text) -> Cycle
    check_importable(actor, cycle) -> Cycle  (never the demo cycle)
    preview_import(actor, cycle, intake) -> ImportReport
    import_applications(actor, cycle, intake, *, create_with=None) -> ImportReport
    applicants(actor, cycle, *, include_withdrawn=False) -> list[Applicant]
    applicant(actor, cycle, applicant_id) -> Applicant
    withdraw_applicant / restore_applicant(actor, cycle, applicant_id)
    assign(actor, cycle, k=None) -> AssignmentReport
    set_assignment(actor, cycle, applicant_id, reviewer_email, assigned)
    set_assignments(actor, cycle, pairs, assigned=True)
    assignments(actor, cycle) -> list[(applicant_id, reviewer_email)]
    save_review(actor, cycle, review); save_reviews(actor, cycle, reviews, *, new_reviewers=())
        -> int
    review(actor, cycle, applicant_id, reviewer_email=None) -> Review | None
    reviews(actor, cycle) -> list[Review]
    declare_conflict(actor, cycle, applicant_id, reason="", *, reviewer_email=None, declared=True)
    conflicts(actor, cycle) -> list[Conflict]
    selection_inputs(actor, cycle) -> (applicants, reviews)
    record_run(actor, cycle, *, config_text, decision, final=False, input_hash=None) -> int
    runs(actor, cycle) -> list[Run]; audit_log(actor, cycle=None) -> list[AuditEntry]
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import os
import secrets
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    select,
    text,
)
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    IntegrityError,
    NoSuchModuleError,
    OperationalError,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from selector.assignment import Candidate, assign_reviewers
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
from selector.blind import pseudonyms
from selector.config import TrackConfig, loads_config
from selector.errors import InputError, Location, PermissionDenied
from selector.intake import IntakeResult, clean_email, email_id, format_id, is_email
from selector.models import Applicant, Review
from selector.throttle import LOGINS, LoginThrottle

#: The cycle of the synthetic demo (:mod:`selector.seed`): no real data ever goes into it.
DEMO_CYCLE = "Demo 2026"
#: The SQLite file used when neither a URL nor ``$SELECTOR_DB`` is given (relative to cwd).
DEFAULT_PATH = Path("var") / "selector.db"
#: Where the Alembic revisions live (inside the package, so an installed wheel can migrate).
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
#: PostgreSQL advisory lock held while migrating (any constant unique to this application).
MIGRATION_LOCK_KEY = 0x5E1EC7
#: How long a SQLite writer waits for another one before giving up, in milliseconds.
SQLITE_BUSY_TIMEOUT_MS = 60_000
#: The execution option marking a read-only transaction (a deferred ``BEGIN`` on SQLite).
READ_ONLY_OPTION = "selector_read_only"


@functools.lru_cache(maxsize=32)
def _parse_config(config_text: str, cycle_name: str) -> TrackConfig:
    """A cycle's config, parsed once per text (configs are frozen, so sharing is safe)."""
    return loads_config(config_text, f"cycle {cycle_name}")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# --------------------------------------------------------------------------------------
# Schema. Changes need a new revision in selector/migrations/versions.


class Base(DeclarativeBase):
    """Declarative base of the store's tables."""


class UserRow(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(20))
    program: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(200), default="")  # "" → cannot log in
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class CycleRow(Base):
    __tablename__ = "cycles"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    config_text: Mapped[str] = mapped_column(Text)
    blind: Mapped[bool] = mapped_column(Boolean, default=False)
    avoid_own_program: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class ApplicantRow(Base):
    __tablename__ = "applicants"
    __table_args__ = (UniqueConstraint("cycle_id", "applicant_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"), index=True)
    applicant_id: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(300))
    email: Mapped[str] = mapped_column(String(320))
    pgy: Mapped[int] = mapped_column(Integer)
    specialty: Mapped[str] = mapped_column(String(200))
    program: Mapped[str] = mapped_column(String(200), default="")
    pgy1_approved: Mapped[bool] = mapped_column(Boolean, default=False)
    answers: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    source_row: Mapped[int | None] = mapped_column(Integer, nullable=True)
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class AssignmentRow(Base):
    __tablename__ = "assignments"
    __table_args__ = (UniqueConstraint("applicant_pk", "reviewer_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    applicant_pk: Mapped[int] = mapped_column(ForeignKey("applicants.id"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # "auto", "manual" or "excluded"
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class ReviewRow(Base):
    __tablename__ = "reviews"
    __table_args__ = (UniqueConstraint("applicant_pk", "reviewer_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    applicant_pk: Mapped[int] = mapped_column(ForeignKey("applicants.id"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    scores: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    comment: Mapped[str] = mapped_column(Text, default="")
    conflict: Mapped[bool] = mapped_column(Boolean, default=False)
    conflict_reason: Mapped[str] = mapped_column(Text, default="")  # revision 0002
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class RunRow(Base):
    __tablename__ = "runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"), index=True)
    actor: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    config_text: Mapped[str] = mapped_column(Text)
    input_hash: Mapped[str] = mapped_column(String(64))
    decision: Mapped[dict[str, Any]] = mapped_column(JSON)
    final: Mapped[bool] = mapped_column(Boolean, default=False)  # revision 0002


class SecretRow(Base):
    """Secrets made once per database (revision 0003): the key of blind review's pseudonyms."""

    __tablename__ = "store_secrets"
    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[bytes] = mapped_column(LargeBinary)


class AuditRow(Base):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    actor: Mapped[str] = mapped_column(String(320))
    cycle_id: Mapped[int | None] = mapped_column(ForeignKey("cycles.id"), nullable=True, index=True)
    action: Mapped[str] = mapped_column(String(50))
    target: Mapped[str] = mapped_column(String(400), default="")
    old: Mapped[Any] = mapped_column(JSON, nullable=True)
    new: Mapped[Any] = mapped_column(JSON, nullable=True)


# --------------------------------------------------------------------------------------
# Plain results handed out of the store (never live ORM rows).


@dataclass(frozen=True)
class Cycle:
    """One admission year: its name, config TOML and review options."""

    name: str
    config_text: str
    blind: bool
    avoid_own_program: bool
    created_at: dt.datetime

    @property
    def config(self) -> TrackConfig:
        """The validated track config of this cycle."""
        return _parse_config(self.config_text, self.name)


@dataclass(frozen=True)
class ImportReport:
    """What an import did (or would do): applicant ids per outcome, and the rejected rows.

    ``resubmitted`` maps the id of a re-submission (the form gave it a new response ID) to the
    stored applicant with the same e-mail, whose id and reviews it keeps."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    withdrawn: list[str] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)
    resubmitted: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """``{"added": n, "updated": n, "unchanged": n, "withdrawn": n, "rejected": [...]}``,
        plus ``"resubmitted": {new id: kept id}`` when there were re-submissions."""
        counts: dict[str, Any] = {
            "added": len(self.added),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
            "withdrawn": len(self.withdrawn),
            "rejected": self.rejected,
        }
        if self.resubmitted:
            counts["resubmitted"] = dict(self.resubmitted)
        return counts


@dataclass(frozen=True)
class AssignmentReport:
    """The cycle's assignments after :meth:`Store.assign`: loads, changes, shortfalls."""

    pairs: list[tuple[str, str]]
    loads: dict[str, int]
    added: int
    removed: int
    short: dict[str, int]  # applicant_id → reviewers missing (too few allowed reviewers)

    def to_json(self) -> dict[str, Any]:
        spread = max(self.loads.values()) - min(self.loads.values()) if self.loads else 0
        return {
            "assignments": len(self.pairs),
            "added": self.added,
            "removed": self.removed,
            "loads": self.loads,
            "load_spread": spread,
            "short": self.short,
        }


@dataclass(frozen=True)
class Conflict:
    """A declared conflict of interest: this reviewer does not review this applicant."""

    applicant_id: str
    reviewer: str
    reason: str


@dataclass(frozen=True)
class Run:
    """A recorded selection run: config snapshot, input hash and the full decision JSON."""

    id: int
    cycle: str
    actor: str
    at: dt.datetime
    config_text: str
    input_hash: str
    decision: dict[str, Any]
    final: bool


@dataclass(frozen=True)
class AuditEntry:
    """Who changed what and when, with old and new values."""

    at: dt.datetime
    actor: str
    cycle: str | None
    action: str
    target: str
    old: Any
    new: Any


# --------------------------------------------------------------------------------------
# Engine and migrations


def default_url() -> str:
    """``$SELECTOR_DB`` if set, else the default SQLite file."""
    return os.environ.get("SELECTOR_DB") or f"sqlite:///{DEFAULT_PATH}"


def _parse_url(url: str) -> URL:
    """The parsed URL; text SQLAlchemy cannot parse is an InputError (the URL may hold a
    password, so it is not repeated)."""
    try:
        return make_url(url)
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        raise InputError(
            "db_url_invalid",
            "not a database URL (e.g. sqlite:///var/selector.db or postgresql://host/db)",
        ) from None


def _db_unavailable(url: str, exc: DBAPIError) -> InputError:
    """A driver's refusal (no file, not a database, read-only, no server) as one line."""
    lines = str(exc.orig).strip().splitlines()
    reason = lines[0] if lines else type(exc.orig).__name__
    shown = _parse_url(url).render_as_string(hide_password=True)
    return InputError("db_unavailable", f"cannot use the database {shown}: {reason}")


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite files get WAL, a busy timeout, foreign keys, and
    ``BEGIN IMMEDIATE`` writing transactions (its folder is created when missing)."""
    parsed = _parse_url(url)
    try:
        if parsed.get_backend_name() != "sqlite":
            return create_engine(url, pool_pre_ping=True)
        is_uri = str(parsed.query.get("uri", "")).lower() == "true"  # "file:…?mode=ro&uri=true"
        if parsed.database and parsed.database != ":memory:" and not is_uri:
            folder = Path(parsed.database).parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                in_way = isinstance(exc, FileExistsError | NotADirectoryError)
                raise InputError(
                    "db_unavailable",
                    "cannot create the database folder: "
                    + ("a file is in the way" if in_way else str(exc.strerror)),
                    Location(file=str(folder)),
                ) from None
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
    except (NoSuchModuleError, ImportError):
        raise InputError(
            "db_url_invalid", f"no installed database driver for {parsed.drivername!r} URLs"
        ) from None

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from the driver so BEGIN IMMEDIATE below is honoured.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _sqlite_begin(conn: Connection) -> None:
        # Writes take the write lock up front: a deferred transaction that reads and then
        # writes can fail at once with "database is locked" when another process wrote in
        # between. Reads start deferred: under WAL they see one snapshot and never wait.
        read_only = conn.get_execution_options().get(READ_ONLY_OPTION, False)
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


def _alembic_config(connection: Connection | None = None) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def migrate(engine: Engine, revision: str = "head") -> None:
    """Upgrade the database to ``revision`` in one transaction (concurrent openers queue)."""
    from alembic import command

    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # Concurrent first opens queue here (SQLite queues on BEGIN IMMEDIATE instead).
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        command.upgrade(_alembic_config(conn), revision)


def current_revision(engine: Engine) -> str | None:
    """The Alembic revision the database is at (None for an empty database)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str:
    """The newest schema revision this release knows."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


def known_revisions() -> set[str]:
    """Every schema revision this release knows (a database at another one is newer)."""
    from alembic.script import ScriptDirectory

    return {s.revision for s in ScriptDirectory.from_config(_alembic_config()).walk_revisions()}


# --------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """A hash to verify against when there is no account, so both cases take as long."""
    return hash_password("no account has this password")


def _to_user(row: UserRow) -> User:
    return User(id=row.id, email=row.email, name=row.name, role=Role(row.role), program=row.program)


def _to_cycle(row: CycleRow) -> Cycle:
    return Cycle(row.name, row.config_text, row.blind, row.avoid_own_program, row.created_at)


def _to_applicant(row: ApplicantRow, *, pseudonym: str | None = None) -> Applicant:
    """The stored applicant; with a ``pseudonym`` (blind review) the id, name, e-mail and
    program are hidden, also from the answers (filtered against the real ones first)."""
    full = Applicant(
        applicant_id=row.applicant_id,
        name=row.name,
        email=row.email,
        pgy=row.pgy,
        specialty=row.specialty,
        program=row.program,
        pgy1_approved=row.pgy1_approved,
        answers=dict(row.answers or {}),
        row=row.source_row,
    )
    if pseudonym is None:
        return full
    return replace(
        full,
        applicant_id=pseudonym,
        name=f"Applicant {pseudonym}",
        email="",
        program="",
        answers=full.reviewer_answers(blind=True),
    )


#: The stored fields of an applicant besides its id and answers.
_STORED_FIELDS = ("name", "email", "pgy", "specialty", "program", "pgy1_approved")


def _fields(item: Applicant | ApplicantRow) -> dict[str, Any]:
    """The stored fields of an applicant or its row, for comparing an import with the store."""
    return {f: getattr(item, f) for f in _STORED_FIELDS} | {"answers": dict(item.answers or {})}


def _rejected_ids(intake: IntakeResult) -> set[str]:
    """Applicant ids of rejected rows (by their ID or e-mail cell): those applicants are kept
    as they were, not withdrawn, when a row of theirs turns invalid in a new export."""
    mapping = intake.mapping
    ids = set()
    for r in intake.rejected:
        values = r.values
        raw_id = values.get(mapping.get("applicant_id", ""), "").strip()
        email = clean_email(values.get(mapping.get("email", ""), ""))
        if raw_id:
            ids.add(format_id(raw_id))
        elif is_email(email):
            ids.add(email_id(email))
    return ids


def _not_assigned(applicant_id: str) -> PermissionDenied:
    """The one answer a reviewer gets for an applicant they may not see, whether it exists,
    is assigned to someone else, is withdrawn or is conflicted."""
    return PermissionDenied("not_assigned", f"no applicant {applicant_id!r} is assigned to you")


def _demo_cycle_refused(cycle: str) -> InputError:
    """Real applications or scores never go into the demo cycle: its logins are public and
    its applicants' ids (A001…) would be overwritten and inherit made-up reviews."""
    return InputError(
        "demo_cycle",
        f"cycle {cycle!r} holds only the made-up demo data; create a cycle of your own first "
        "(`selector cycles create NAME`, or New cycle on the Upload page) and import into it",
    )


def _check_scores(review: Review, config: TrackConfig) -> None:
    for criterion_id, value in review.scores.items():
        criterion = config.criterion(criterion_id)
        where = Location(column=criterion_id)
        if criterion is None:
            raise InputError(
                "score_unknown_criterion",
                f"{review.applicant_id}: no criterion {criterion_id!r} in the rubric",
                where,
            )
        if (off_scale := criterion.scale_problem(value)) is not None:
            raise InputError("score_out_of_range", f"{review.applicant_id}: {off_scale}", where)


def input_hash(applicants: Sequence[Applicant], reviews: Sequence[Review], config_text: str) -> str:
    """SHA-256 over the inputs of a selection, so a run can be matched to its data."""
    payload = {
        "config": config_text,
        "applicants": sorted(
            ({**a.canonical(), "answers": dict(a.answers)} for a in applicants),
            key=lambda d: d["applicant_id"],
        ),
        "reviews": sorted(
            (
                {
                    "applicant_id": r.applicant_id,
                    "reviewer": r.reviewer,
                    "scores": dict(r.scores),
                    "conflict": r.conflict,
                }
                for r in reviews
            ),
            key=lambda d: (d["applicant_id"], d["reviewer"]),
        ),
    }
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


_input_hash = input_hash  # record_run's ``input_hash`` argument shadows the function


class Store:
    """The review workflow's database. See the module docstring for the API."""

    def __init__(self, url: str | None = None) -> None:
        self.url = url or default_url()
        self.engine = make_engine(self.url)
        try:
            if current_revision(self.engine) != head_revision():
                migrate(self.engine)
        except DBAPIError as exc:
            self.engine.dispose()
            raise _db_unavailable(self.url, exc) from None
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

    def __enter__(self) -> Store:
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
            raise _db_unavailable(self.url, exc) from None

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

    # ---------------------------------------------------------------- helpers

    def _cycle_row(self, s: Session, cycle: str | None) -> CycleRow:
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

    def check_importable(self, actor: User, cycle: str | None) -> Cycle:
        """The cycle if ``actor`` may import applications or score files into it; never the
        demo cycle (an :class:`InputError` says to create a cycle of one's own first)."""
        actor.require(Action.IMPORT)
        with self._tx(write=False) as s:
            row = self._cycle_row(s, cycle)
            if row.name == DEMO_CYCLE and actor != SEED_USER:
                raise _demo_cycle_refused(row.name)
            return _to_cycle(row)

    def _demo_live(self) -> bool:
        """Whether the demo cycle is here with its public logins still working."""
        from selector.seed import demo_emails  # seed builds on the store

        if DEMO_CYCLE not in {c.name for c in self.cycles()}:
            return False
        return any(self.login_enabled(email) for email in demo_emails())

    def _leaving_demo(self, actor: User, role: Role | None = None) -> bool:
        """Before an action that ends the demo logins (real data arrives): whether they are
        live. A demo account may then only add an account for itself (same role), so the
        person leaving the demo is never locked out; anything else it is refused."""
        if actor == SEED_USER or not self._demo_live():
            return False
        from selector.seed import demo_emails

        if not actor.system and actor.email in demo_emails() and role != actor.role:
            raise InputError(
                "demo_leave_first",
                f"first add a {actor.role.value} account for yourself (Reviewers & "
                "assignments): real data ends the public demo logins, this one too",
            )
        return True

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

    def _pseudonyms(self, s: Session, actor: User, cycle: CycleRow) -> dict[str, str] | None:
        """Applicant id → the pseudonym this user sees it by: a reviewer in a blind cycle
        never sees applicant ids (an id made from an e-mail gives the applicant away). None
        when the user sees the ids themselves."""
        if not cycle.blind or actor.can(Action.READ_ALL):
            return None
        ids = s.scalars(select(ApplicantRow.applicant_id).where(ApplicantRow.cycle_id == cycle.id))
        return pseudonyms(self._pseudonym_key, cycle.name, ids)

    def _shown_row(self, s: Session, actor: User, cycle: CycleRow, shown_id: str) -> ApplicantRow:
        """The applicant a user names by the id they see (its pseudonym in blind review)."""
        shown = self._pseudonyms(s, actor, cycle)
        if shown is None:
            return self._applicant_row(s, cycle, shown_id)
        real = next((a for a, p in shown.items() if p == shown_id), None)
        if real is None:
            raise InputError(
                "applicant_unknown", f"no applicant {shown_id!r} in cycle {cycle.name!r}"
            )
        return self._applicant_row(s, cycle, real)

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

    def _visible_pks(self, s: Session, actor: User, cycle: CycleRow) -> set[int]:
        """Applicant keys a reviewer may read: assigned, not conflicted, not withdrawn."""
        assigned = set(
            s.scalars(
                select(AssignmentRow.applicant_pk)
                .join(ApplicantRow, ApplicantRow.id == AssignmentRow.applicant_pk)
                .where(
                    ApplicantRow.cycle_id == cycle.id,
                    ApplicantRow.withdrawn.is_(False),
                    AssignmentRow.reviewer_id == actor.id,
                    AssignmentRow.kind != "excluded",
                )
            )
        )
        conflicted = set(
            s.scalars(
                select(ReviewRow.applicant_pk).where(
                    ReviewRow.reviewer_id == actor.id, ReviewRow.conflict.is_(True)
                )
            )
        )
        return assigned - conflicted

    def _assigned_row(
        self,
        s: Session,
        actor: User,
        cycle: CycleRow,
        applicant_id: str,
        *,
        conflicted: bool = False,
        withdrawn: bool = False,
    ) -> ApplicantRow:
        """For a reviewer: the applicant if assigned to them and (unless ``conflicted`` or
        ``withdrawn``) not conflicted, not withdrawn. Otherwise one error,
        :func:`_not_assigned`, the same whether the id exists or not, so ids cannot be
        probed (that an applicant of theirs was withdrawn, a reviewer may be told). In blind
        review ``applicant_id`` is the pseudonym the reviewer sees."""
        real_id: str | None = applicant_id
        shown = self._pseudonyms(s, actor, cycle)
        if shown is not None:
            real_id = next((a for a, p in shown.items() if p == applicant_id), None)
        app = s.scalars(
            select(ApplicantRow).where(
                ApplicantRow.cycle_id == cycle.id, ApplicantRow.applicant_id == real_id
            )
        ).first()
        if app is None or (app.withdrawn and not withdrawn):
            raise _not_assigned(applicant_id)
        kind = s.scalars(
            select(AssignmentRow.kind).where(
                AssignmentRow.applicant_pk == app.id, AssignmentRow.reviewer_id == actor.id
            )
        ).first()
        own_conflict = s.scalars(
            select(ReviewRow.conflict).where(
                ReviewRow.applicant_pk == app.id, ReviewRow.reviewer_id == actor.id
            )
        ).first()
        if own_conflict and not conflicted:
            raise _not_assigned(applicant_id)
        if (kind is None or kind == "excluded") and not (conflicted and own_conflict):
            raise _not_assigned(applicant_id)  # a reassignment drops a conflicted pair
        return app

    def _conflict_declarer(self, s: Session, cycle: CycleRow, target: str) -> str | None:
        """Who declared the conflict in force on ``target`` ("applicant_id reviewer"): the
        actor of the newest audit entry that turned it on (a declaration, or a saved review
        marked conflicted); None when the log does not say."""
        rows = s.scalars(
            select(AuditRow)
            .where(
                AuditRow.cycle_id == cycle.id,
                AuditRow.target == target,
                AuditRow.action.in_(("conflict.declare", "review.save")),
            )
            .order_by(AuditRow.id.desc())
        )
        for row in rows:
            new, old = row.new or {}, row.old or {}
            if (
                isinstance(new, dict)
                and new.get("conflict")
                and not (isinstance(old, dict) and old.get("conflict"))
            ):
                return row.actor
        return None

    # ---------------------------------------------------------------- users

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
            self._retire_demo()
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
        with self._tx(write=False) as s:  # checked before hashing, and again when writing
            self._require_account_change(actor, self._user_row(s, email))
        pw_hash = hash_password(password)
        with self._tx() as s:
            row = self._user_row(s, email)
            self._require_account_change(actor, row)
            row.password_hash = pw_hash
            self._audit(s, actor, None, "user.password", row.email)

    def disable_login(self, actor: User, email: str) -> bool:
        """Remove an account's password so nobody can log in as it; True if it had one.
        A chair's login only by a chair or the CLI."""
        with self._tx() as s:
            row = s.scalars(select(UserRow).where(UserRow.email == normalize_email(email))).first()
            actor.require(account_action(*((Role(row.role),) if row else ())))
            if row is None or not row.password_hash:
                return False
            row.password_hash = ""
            self._audit(s, actor, None, "user.disable_login", row.email)
            return True

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

    # ---------------------------------------------------------------- cycles

    def create_cycle(
        self,
        actor: User,
        name: str,
        config_text: str,
        *,
        blind: bool | None = None,
        avoid_own_program: bool | None = None,
    ) -> Cycle:
        """Create a cycle with its config; ``blind``/``avoid_own_program`` default to the
        config's ``[review]`` values. A real cycle next to the demo one disables the demo
        logins, whose passwords are public (:func:`selector.seed.retire_demo`); a demo account
        must first add an account for itself (else it would lock itself out)."""
        actor.require(Action.MANAGE_CYCLES)
        name = name.strip()
        leaving_demo = name != DEMO_CYCLE and self._leaving_demo(actor)
        with self._tx() as s:
            created = _to_cycle(
                self._insert_cycle(s, actor, name, config_text, blind, avoid_own_program)
            )
        if leaving_demo:
            self._retire_demo()
        return created

    def _insert_cycle(
        self,
        s: Session,
        actor: User,
        name: str,
        config_text: str,
        blind: bool | None = None,
        avoid_own_program: bool | None = None,
    ) -> CycleRow:
        """Add a cycle inside the caller's transaction (audited)."""
        if not name:
            raise InputError("cycle_name_empty", "a cycle needs a name")
        config = loads_config(config_text, f"cycle {name}")
        if s.scalars(select(CycleRow).where(CycleRow.name == name)).first() is not None:
            raise InputError("cycle_exists", f"a cycle named {name!r} already exists")
        row = CycleRow(
            name=name,
            config_text=config_text,
            blind=config.review.blind if blind is None else blind,
            avoid_own_program=(
                config.review.avoid_own_program if avoid_own_program is None else avoid_own_program
            ),
        )
        s.add(row)
        s.flush()
        self._audit(s, actor, row, "cycle.create", name)
        return row

    def _retire_demo(self) -> None:
        """Real data has arrived: the public demo logins end now."""
        from selector.seed import retire_demo  # seed builds on the store

        retire_demo(self)

    def cycles(self) -> list[Cycle]:
        """Every cycle, newest first."""
        with self._tx(write=False) as s:
            rows = s.scalars(
                select(CycleRow).order_by(CycleRow.created_at.desc(), CycleRow.id.desc())
            )
            return [_to_cycle(r) for r in rows]

    def cycle(self, name: str | None = None) -> Cycle:
        """The named cycle, or the newest one."""
        with self._tx(write=False) as s:
            return _to_cycle(self._cycle_row(s, name))

    def update_cycle_config(self, actor: User, cycle: str | None, config_text: str) -> Cycle:
        """Replace a cycle's config TOML after validating it (old and new text audited).
        A ``[review]`` ``blind`` or ``avoid_own_program`` value the new config changes is
        applied to the cycle; one it leaves alone keeps the cycle's setting (which
        :meth:`create_cycle` may have set apart from the config)."""
        actor.require(Action.EDIT_CONFIG)
        with self._tx() as s:
            row = self._cycle_row(s, cycle)
            new = loads_config(config_text, f"cycle {row.name}").review
            old = _to_cycle(row).config.review
            if new.blind != old.blind:
                row.blind = new.blind
            if new.avoid_own_program != old.avoid_own_program:
                row.avoid_own_program = new.avoid_own_program
            if row.config_text != config_text:
                self._audit(s, actor, row, "cycle.config", row.name, row.config_text, config_text)
                row.config_text = config_text
            return _to_cycle(row)

    # ---------------------------------------------------------------- applicants

    def _plan_import(
        self, s: Session, cycle: CycleRow, intake: IntakeResult
    ) -> tuple[ImportReport, dict[str, ApplicantRow], list[Applicant]]:
        """The import's report, the stored applicants by id, and the accepted applicants with
        a re-submission under a new response ID given its stored applicant's id (same
        e-mail, case-insensitive), so it keeps its reviews instead of being withdrawn."""
        existing = {
            r.applicant_id: r
            for r in s.scalars(select(ApplicantRow).where(ApplicantRow.cycle_id == cycle.id))
        }
        report = ImportReport(rejected=[r.to_json() for r in intake.rejected])
        new_ids = {a.applicant_id for a in intake.accepted}
        by_email = {
            normalize_email(r.email): r for r in existing.values() if r.applicant_id not in new_ids
        }
        accepted: list[Applicant] = []
        for a in intake.accepted:
            stored = by_email.get(normalize_email(a.email))
            if a.applicant_id not in existing and stored is not None:
                report.resubmitted[a.applicant_id] = stored.applicant_id
                a = replace(a, applicant_id=stored.applicant_id)
            accepted.append(a)
        seen: set[str] = set()
        for a in accepted:
            seen.add(a.applicant_id)
            row = existing.get(a.applicant_id)
            if row is None:
                report.added.append(a.applicant_id)
            elif row.withdrawn or _fields(row) != _fields(a):
                report.updated.append(a.applicant_id)
            else:
                report.unchanged.append(a.applicant_id)
        keep = seen | _rejected_ids(intake)
        for applicant_id, row in existing.items():
            if applicant_id not in keep and not row.withdrawn:
                report.withdrawn.append(applicant_id)
        if not intake.accepted and existing:
            raise InputError(
                "import_empty",
                "the file has no valid applications; nothing was changed "
                "(importing it would withdraw every applicant)",
            )
        return report, existing, accepted

    def preview_import(self, actor: User, cycle: str | None, intake: IntakeResult) -> ImportReport:
        """What :meth:`import_applications` would do, without writing anything."""
        actor.require(Action.IMPORT)
        with self._tx(write=False) as s:
            cycle_row = self._cycle_row(s, cycle)
            if cycle_row.name == DEMO_CYCLE and actor != SEED_USER:
                raise _demo_cycle_refused(cycle_row.name)
            report, _, _ = self._plan_import(s, cycle_row, intake)
            return report

    def import_applications(
        self,
        actor: User,
        cycle: str | None,
        intake: IntakeResult,
        *,
        create_with: str | None = None,
    ) -> ImportReport:
        """Apply an applications export in one transaction: add new applicants, update changed
        ones, withdraw those missing from the export (kept with their reviews), keep reviews.

        ``create_with`` (a config TOML) creates the named cycle when it does not exist, in the
        same transaction: an import that fails or is killed leaves no empty cycle behind."""
        actor.require(Action.IMPORT)
        created = False
        leaving_demo = create_with is not None and cycle != DEMO_CYCLE and self._leaving_demo(actor)
        with self._tx() as s:
            name = cycle.strip() if cycle is not None else None
            known = name is None or s.scalar(select(CycleRow.id).where(CycleRow.name == name))
            if create_with is not None and name is not None and not known:
                actor.require(Action.MANAGE_CYCLES)
                cycle_row = self._insert_cycle(s, actor, name, create_with)
                created = True
            else:
                cycle_row = self._cycle_row(s, cycle)
                if cycle_row.name == DEMO_CYCLE and actor != SEED_USER:
                    raise _demo_cycle_refused(cycle_row.name)
            report = self._apply_import(s, actor, cycle_row, intake)
        if created and leaving_demo:
            self._retire_demo()
        return report

    def _apply_import(
        self, s: Session, actor: User, cycle_row: CycleRow, intake: IntakeResult
    ) -> ImportReport:
        """:meth:`import_applications` inside its transaction."""
        report, existing, accepted = self._plan_import(s, cycle_row, intake)
        now = _now()
        changed = set(report.updated)
        for a in accepted:
            row = existing.get(a.applicant_id)
            if row is None:
                s.add(
                    ApplicantRow(
                        cycle_id=cycle_row.id,
                        applicant_id=a.applicant_id,
                        source_row=a.row,
                        created_at=now,
                        updated_at=now,
                        **_fields(a),
                    )
                )
                continue
            row.source_row = a.row
            if a.applicant_id in changed:
                old, new = _fields(row), _fields(a)
                diff_old = {k: v for k, v in old.items() if new[k] != v}
                diff_new = {k: v for k, v in new.items() if old[k] != v}
                if row.withdrawn:
                    diff_old["withdrawn"], diff_new["withdrawn"] = True, False
                for key, value in new.items():
                    setattr(row, key, value)
                row.withdrawn = False
                row.updated_at = now
                self._audit(
                    s, actor, cycle_row, "applicant.update", a.applicant_id, diff_old, diff_new
                )
        for applicant_id in report.withdrawn:
            row = existing[applicant_id]
            row.withdrawn = True
            row.updated_at = now
            self._audit(
                s,
                actor,
                cycle_row,
                "applicant.withdraw",
                applicant_id,
                {"withdrawn": False},
                {"withdrawn": True},
            )
        summary = report.to_json()
        summary["rejected"] = len(report.rejected)
        self._audit(s, actor, cycle_row, "import", cycle_row.name, None, summary)
        return report

    def applicants(
        self, actor: User, cycle: str | None, *, include_withdrawn: bool = False
    ) -> list[Applicant]:
        """The applicants this user may read, by applicant id. A reviewer sees only those
        assigned to them and not conflicted (never withdrawn ones; identity hidden in a blind
        cycle); coordinators and chairs see all."""
        with self._tx(write=False) as s:
            cycle_row = self._cycle_row(s, cycle)
            query = (
                select(ApplicantRow)
                .where(ApplicantRow.cycle_id == cycle_row.id)
                .order_by(ApplicantRow.applicant_id)
            )
            if actor.can(Action.READ_ALL):
                if not include_withdrawn:
                    query = query.where(ApplicantRow.withdrawn.is_(False))
                return [_to_applicant(r) for r in s.scalars(query)]
            visible = self._visible_pks(s, actor, cycle_row)
            shown = self._pseudonyms(s, actor, cycle_row)
            found = [
                _to_applicant(r, pseudonym=None if shown is None else shown[r.applicant_id])
                for r in s.scalars(query)
                if r.id in visible
            ]
            return sorted(found, key=lambda a: a.applicant_id)

    def applicant(self, actor: User, cycle: str | None, applicant_id: str) -> Applicant:
        """One applicant, if this user may read it (else :class:`PermissionDenied`)."""
        with self._tx(write=False) as s:
            cycle_row = self._cycle_row(s, cycle)
            if actor.can(Action.READ_ALL):
                return _to_applicant(self._applicant_row(s, cycle_row, applicant_id))
            row = self._assigned_row(s, actor, cycle_row, applicant_id)
            shown = self._pseudonyms(s, actor, cycle_row)
            return _to_applicant(row, pseudonym=None if shown is None else shown[row.applicant_id])

    def withdrawn(self, actor: User, cycle: str | None) -> list[str]:
        """Applicant ids marked withdrawn (their reviews are kept)."""
        actor.require(Action.READ_ALL)
        with self._tx(write=False) as s:
            cycle_row = self._cycle_row(s, cycle)
            return list(
                s.scalars(
                    select(ApplicantRow.applicant_id)
                    .where(ApplicantRow.cycle_id == cycle_row.id, ApplicantRow.withdrawn.is_(True))
                    .order_by(ApplicantRow.applicant_id)
                )
            )

    def _set_withdrawn(
        self, actor: User, cycle: str | None, applicant_id: str, withdrawn: bool
    ) -> None:
        actor.require(Action.IMPORT)
        with self._tx() as s:
            cycle_row = self._cycle_row(s, cycle)
            row = self._applicant_row(s, cycle_row, applicant_id)
            if row.withdrawn != withdrawn:
                action = "applicant.withdraw" if withdrawn else "applicant.restore"
                self._audit(
                    s,
                    actor,
                    cycle_row,
                    action,
                    applicant_id,
                    {"withdrawn": row.withdrawn},
                    {"withdrawn": withdrawn},
                )
                row.withdrawn = withdrawn
                row.updated_at = _now()

    def withdraw_applicant(self, actor: User, cycle: str | None, applicant_id: str) -> None:
        """Mark an applicant withdrawn: kept with their reviews, not selectable."""
        self._set_withdrawn(actor, cycle, applicant_id, True)

    def restore_applicant(self, actor: User, cycle: str | None, applicant_id: str) -> None:
        """Undo a withdrawal: the applicant is selectable again, with every review kept."""
        self._set_withdrawn(actor, cycle, applicant_id, False)

    # ---------------------------------------------------------------- assignments

    def assign(self, actor: User, cycle: str | None, k: int | None = None) -> AssignmentReport:
        """(Re)assign reviewers: k per applicant (default: the cycle config's), loads balanced,
        manual assignments, started reviews and conflicts respected (see
        :mod:`selector.assignment`)."""
        actor.require(Action.ASSIGN)
        with self._tx() as s:
            cycle_row = self._cycle_row(s, cycle)
            k = k if k is not None else _to_cycle(cycle_row).config.review.reviewers_per_applicant
            if k < 1:
                raise InputError("k_invalid", f"k must be 1 or more, not {k}")
            apps = list(
                s.scalars(
                    select(ApplicantRow)
                    .where(ApplicantRow.cycle_id == cycle_row.id, ApplicantRow.withdrawn.is_(False))
                    .order_by(ApplicantRow.applicant_id)
                )
            )
            reviewers = list(
                s.scalars(
                    select(UserRow)
                    .where(UserRow.role == Role.REVIEWER.value)
                    .order_by(UserRow.email)
                )
            )
            by_pk = {a.id: a for a in apps}
            by_uid = {u.id: u for u in reviewers}
            rows = [
                r
                for r in s.scalars(
                    select(AssignmentRow)
                    .join(ApplicantRow, ApplicantRow.id == AssignmentRow.applicant_pk)
                    .where(ApplicantRow.cycle_id == cycle_row.id)
                )
                if r.applicant_pk in by_pk and r.reviewer_id in by_uid
            ]
            reviews = [
                r
                for r in s.scalars(
                    select(ReviewRow)
                    .join(ApplicantRow, ApplicantRow.id == ReviewRow.applicant_pk)
                    .where(ApplicantRow.cycle_id == cycle_row.id)
                )
                if r.applicant_pk in by_pk and r.reviewer_id in by_uid
            ]

            def pair(applicant_pk: int, reviewer_id: int) -> tuple[str, str]:
                return by_pk[applicant_pk].applicant_id, by_uid[reviewer_id].email

            forbidden = {pair(r.applicant_pk, r.reviewer_id) for r in rows if r.kind == "excluded"}
            forbidden |= {pair(r.applicant_pk, r.reviewer_id) for r in reviews if r.conflict}
            current = {pair(r.applicant_pk, r.reviewer_id) for r in rows if r.kind != "excluded"}
            pinned = {pair(r.applicant_pk, r.reviewer_id) for r in rows if r.kind == "manual"}
            pinned |= {
                pair(r.applicant_pk, r.reviewer_id) for r in reviews if r.scores and not r.conflict
            }
            result = assign_reviewers(
                [Candidate(a.applicant_id, a.program) for a in apps],
                [Candidate(u.email, u.program) for u in reviewers],
                k,
                avoid_own_program=cycle_row.avoid_own_program,
                forbidden=forbidden,
                pinned=pinned,
                current=current,
            )
            chosen = set(result.pairs)
            pk_of = {a.applicant_id: a.id for a in apps}
            uid_of = {u.email: u.id for u in reviewers}
            removed = 0
            for r in rows:
                if r.kind != "excluded" and pair(r.applicant_pk, r.reviewer_id) not in chosen:
                    s.delete(r)
                    removed += 1
            added = 0
            for applicant_id, email in sorted(chosen - current):
                s.add(
                    AssignmentRow(
                        applicant_pk=pk_of[applicant_id], reviewer_id=uid_of[email], kind="auto"
                    )
                )
                added += 1
            report = AssignmentReport(result.pairs, result.loads, added, removed, result.short)
            self._audit(s, actor, cycle_row, "assign", cycle_row.name, None, report.to_json())
            return report

    def set_assignment(
        self, actor: User, cycle: str | None, applicant_id: str, reviewer_email: str, assigned: bool
    ) -> None:
        """A manual override: assign (pinned) or unassign (excluded from later runs of
        :meth:`assign`) one reviewer for one applicant."""
        self.set_assignments(actor, cycle, [(applicant_id, reviewer_email)], assigned)

    def set_assignments(
        self,
        actor: User,
        cycle: str | None,
        pairs: Iterable[tuple[str, str]],
        assigned: bool = True,
    ) -> None:
        """:meth:`set_assignment` for many (applicant_id, reviewer e-mail) pairs, all or none."""
        actor.require(Action.ASSIGN)
        with self._tx() as s:
            cycle_row = self._cycle_row(s, cycle)
            for applicant_id, reviewer_email in pairs:
                self._set_assignment(s, actor, cycle_row, applicant_id, reviewer_email, assigned)

    def _set_assignment(
        self,
        s: Session,
        actor: User,
        cycle_row: CycleRow,
        applicant_id: str,
        reviewer_email: str,
        assigned: bool,
    ) -> None:
        app = self._applicant_row(s, cycle_row, applicant_id)
        user = self._user_row(s, reviewer_email)
        if assigned:
            conflicted = s.scalars(
                select(ReviewRow).where(
                    ReviewRow.applicant_pk == app.id,
                    ReviewRow.reviewer_id == user.id,
                    ReviewRow.conflict.is_(True),
                )
            ).first()
            if conflicted is not None:
                raise InputError(
                    "assignment_conflict",
                    f"{user.email} declared a conflict of interest with {applicant_id}",
                )
        row = s.scalars(
            select(AssignmentRow).where(
                AssignmentRow.applicant_pk == app.id, AssignmentRow.reviewer_id == user.id
            )
        ).first()
        kind = "manual" if assigned else "excluded"
        old = row.kind if row else None
        if old == kind:
            return
        if row is None:
            s.add(AssignmentRow(applicant_pk=app.id, reviewer_id=user.id, kind=kind))
        else:
            row.kind = kind
        self._audit(
            s, actor, cycle_row, "assignment.set", f"{applicant_id} {user.email}", old, kind
        )

    def assignments(self, actor: User, cycle: str | None) -> list[tuple[str, str]]:
        """(applicant_id, reviewer e-mail) pairs in force; a reviewer gets only their own."""
        with self._tx(write=False) as s:
            cycle_row = self._cycle_row(s, cycle)
            query = (
                select(ApplicantRow.applicant_id, UserRow.email)
                .select_from(AssignmentRow)
                .join(ApplicantRow, ApplicantRow.id == AssignmentRow.applicant_pk)
                .join(UserRow, UserRow.id == AssignmentRow.reviewer_id)
                .where(
                    ApplicantRow.cycle_id == cycle_row.id,
                    ApplicantRow.withdrawn.is_(False),
                    AssignmentRow.kind != "excluded",
                )
                .order_by(ApplicantRow.applicant_id, UserRow.email)
            )
            if not actor.can(Action.READ_ALL):
                query = query.where(UserRow.id == actor.id)
            shown = self._pseudonyms(s, actor, cycle_row)
            return [(a if shown is None else shown[a], e) for a, e in s.execute(query)]

    # ---------------------------------------------------------------- reviews

    def _save_review(
        self, s: Session, actor: User, cycle_row: CycleRow, config: TrackConfig, review: Review
    ) -> None:
        email = normalize_email(review.reviewer)
        if email != actor.email:
            actor.require(Action.REVIEW_FOR_OTHERS)
        _check_scores(review, config)
        if actor.can(Action.REVIEW_UNASSIGNED):
            app = self._shown_row(s, actor, cycle_row, review.applicant_id)
        else:  # a reviewer: one answer for unknown, unassigned, withdrawn and conflicted ids
            app = self._assigned_row(s, actor, cycle_row, review.applicant_id, withdrawn=True)
        if app.withdrawn:
            raise InputError(
                "applicant_withdrawn", f"{review.applicant_id} is withdrawn; restore it first"
            )
        user = self._user_row(s, email)
        row = s.scalars(
            select(ReviewRow).where(
                ReviewRow.applicant_pk == app.id, ReviewRow.reviewer_id == user.id
            )
        ).first()
        if row is not None and row.conflict and not review.conflict:
            # Only declare_conflict(declared=False) lifts a conflict, never a saved score sheet.
            raise InputError(
                "review_conflicted",
                f"{review.applicant_id}: {email} declared a conflict of interest with this "
                "applicant; withdraw the conflict first",
            )
        new = {
            "scores": dict(review.scores),
            "comment": review.comment,
            "conflict": review.conflict,
        }
        if row is None:
            s.add(
                ReviewRow(
                    applicant_pk=app.id,
                    reviewer_id=user.id,
                    scores=dict(review.scores),
                    comment=review.comment,
                    conflict=review.conflict,
                )
            )
            old = None
        else:
            old = {
                "scores": dict(row.scores or {}),
                "comment": row.comment,
                "conflict": row.conflict,
            }
            if old == new:
                return
            row.scores = dict(review.scores)
            row.comment = review.comment
            row.conflict = review.conflict
            row.updated_at = _now()
        self._audit(s, actor, cycle_row, "review.save", f"{app.applicant_id} {email}", old, new)

    def save_review(self, actor: User, cycle: str | None, review: Review) -> None:
        """Save (create or replace) one review; a reviewer only their own, of an applicant
        assigned to them. Old and new scores go to the audit log."""
        self.save_reviews(actor, cycle, [review])

    def save_reviews(
        self,
        actor: User,
        cycle: str | None,
        reviews: Iterable[Review],
        *,
        new_reviewers: Iterable[str] = (),
    ) -> int:
        """Save several reviews in one transaction (all or none); returns how many.

        ``new_reviewers`` (e-mails) are first added as reviewer accounts without a password,
        in the same transaction, so a failed or killed save leaves no account behind."""
        emails = sorted({normalize_email(e) for e in new_reviewers})
        if emails:
            actor.require(Action.MANAGE_USERS)
        with self._tx() as s:
            for email in emails:
                self._insert_user(s, actor, email, email.split("@")[0], Role.REVIEWER, "", "")
            cycle_row = self._cycle_row(s, cycle)
            if cycle_row.name == DEMO_CYCLE and actor.system and actor != SEED_USER:
                raise _demo_cycle_refused(cycle_row.name)  # a score file from the CLI
            config = _to_cycle(cycle_row).config
            n = 0
            for review in reviews:
                self._save_review(s, actor, cycle_row, config, review)
                n += 1
            return n

    def _review_query(self, cycle_row: CycleRow) -> Any:
        return (
            select(ReviewRow, ApplicantRow.applicant_id, UserRow.email)
            .join(ApplicantRow, ApplicantRow.id == ReviewRow.applicant_pk)
            .join(UserRow, UserRow.id == ReviewRow.reviewer_id)
            .where(ApplicantRow.cycle_id == cycle_row.id)
            .order_by(ApplicantRow.applicant_id, UserRow.email)
        )

    @staticmethod
    def _to_review(row: ReviewRow, applicant_id: str, email: str) -> Review:
        return Review(
            applicant_id=applicant_id,
            reviewer=email,
            scores=dict(row.scores or {}),
            comment=row.comment,
            conflict=row.conflict,
        )

    def reviews(self, actor: User, cycle: str | None) -> list[Review]:
        """Reviews this user may read: all for coordinators and chairs, a reviewer's own else."""
        with self._tx(write=False) as s:
            cycle_row = self._cycle_row(s, cycle)
            query = self._review_query(cycle_row)
            if not actor.can(Action.READ_ALL):
                query = query.where(ReviewRow.reviewer_id == actor.id)
            shown = self._pseudonyms(s, actor, cycle_row)
            return [
                self._to_review(r, a if shown is None else shown[a], e)
                for r, a, e in s.execute(query)
            ]

    def review(
        self, actor: User, cycle: str | None, applicant_id: str, reviewer_email: str | None = None
    ) -> Review | None:
        """One review (by default the actor's own) of one applicant, if saved."""
        email = normalize_email(reviewer_email or actor.email)
        if email != actor.email:
            actor.require(Action.READ_ALL)
        with self._tx(write=False) as s:
            cycle_row = self._cycle_row(s, cycle)
            try:
                app = self._shown_row(s, actor, cycle_row, applicant_id)
            except InputError:
                return None
            query = self._review_query(cycle_row).where(
                ApplicantRow.id == app.id, UserRow.email == email
            )
            found = s.execute(query).first()
            return self._to_review(found[0], applicant_id, found[2]) if found else None

    def declare_conflict(
        self,
        actor: User,
        cycle: str | None,
        applicant_id: str,
        reason: str = "",
        *,
        reviewer_email: str | None = None,
        declared: bool = True,
    ) -> None:
        """Declare (or, with ``declared=False``, withdraw) a conflict of interest: the reviewer
        no longer sees the applicant, is not assigned it, and their review does not count.

        Declaring one for someone else, and withdrawing one someone else declared (the audit
        log says who), take :attr:`Action.ASSIGN`: a reviewer may withdraw only a conflict
        they declared themselves. A reviewer declares only on applicants assigned to them
        (else the same error for an unknown id as for one assigned to someone else)."""
        email = normalize_email(reviewer_email or actor.email)
        if email != actor.email:
            actor.require(Action.ASSIGN)
        with self._tx() as s:
            cycle_row = self._cycle_row(s, cycle)
            if actor.can(Action.ASSIGN) or actor.can(Action.REVIEW_UNASSIGNED):
                app = self._shown_row(s, actor, cycle_row, applicant_id)
            else:
                app = self._assigned_row(
                    s, actor, cycle_row, applicant_id, conflicted=True, withdrawn=True
                )
            user = self._user_row(s, email)
            row = s.scalars(
                select(ReviewRow).where(
                    ReviewRow.applicant_pk == app.id, ReviewRow.reviewer_id == user.id
                )
            ).first()
            target = f"{app.applicant_id} {email}"  # the real id: the audit log never hides
            lifting = not declared and row is not None and row.conflict
            if (
                lifting
                and not actor.can(Action.ASSIGN)
                and self._conflict_declarer(s, cycle_row, target) != actor.email
            ):
                raise PermissionDenied(
                    "conflict_not_yours",
                    "this conflict of interest was declared for you by someone else; "
                    "ask the coordinator to withdraw it",
                    action=str(Action.ASSIGN),
                    role=str(actor.role),
                )
            old = {"conflict": row.conflict, "reason": row.conflict_reason} if row else None
            if row is None:
                row = ReviewRow(applicant_pk=app.id, reviewer_id=user.id, scores={}, comment="")
                s.add(row)
            row.conflict = declared
            row.conflict_reason = reason.strip() if declared else ""
            row.updated_at = _now()
            self._audit(
                s,
                actor,
                cycle_row,
                "conflict.declare" if declared else "conflict.withdraw",
                target,
                old,
                {"conflict": declared, "reason": row.conflict_reason},
            )

    def conflicts(self, actor: User, cycle: str | None) -> list[Conflict]:
        """Declared conflicts; a reviewer gets only their own."""
        with self._tx(write=False) as s:
            cycle_row = self._cycle_row(s, cycle)
            query = self._review_query(cycle_row).where(ReviewRow.conflict.is_(True))
            if not actor.can(Action.READ_ALL):
                query = query.where(ReviewRow.reviewer_id == actor.id)
            shown = self._pseudonyms(s, actor, cycle_row)
            return [
                Conflict(a if shown is None else shown[a], e, r.conflict_reason)
                for r, a, e in s.execute(query)
            ]

    # ---------------------------------------------------------------- selection runs

    def selection_inputs(
        self, actor: User, cycle: str | None
    ) -> tuple[list[Applicant], list[Review]]:
        """The selectable applicants (not withdrawn) and their reviews, for selection.decide."""
        actor.require(Action.RUN_SELECTION)
        applicants = self.applicants(actor, cycle)
        ids = {a.applicant_id for a in applicants}
        reviews = [r for r in self.reviews(actor, cycle) if r.applicant_id in ids]
        return applicants, reviews

    def record_run(
        self,
        actor: User,
        cycle: str | None,
        *,
        config_text: str,
        decision: Any,
        final: bool = False,
        input_hash: str | None = None,
    ) -> int:
        """Record a selection run (config snapshot, input hash, ``decision.to_json()``);
        a final run needs the chair. Returns the run id.

        ``input_hash`` is :func:`input_hash` of the data the decision was made on: when the
        stored data no longer hashes the same, the run is refused, so a run never claims data
        it was not decided on. Without it the current data is hashed."""
        actor.require(Action.FINALIZE if final else Action.RUN_SELECTION)
        decision_json = decision.to_json() if hasattr(decision, "to_json") else dict(decision)
        applicants, reviews = self.selection_inputs(actor, cycle)
        digest = _input_hash(applicants, reviews, config_text)
        if input_hash is not None and input_hash != digest:
            raise InputError(
                "run_inputs_changed",
                "the data changed since this decision (applications, reviews or rules); "
                "run it again",
            )
        with self._tx() as s:
            cycle_row = self._cycle_row(s, cycle)
            row = RunRow(
                cycle_id=cycle_row.id,
                actor=actor.email,
                config_text=config_text,
                input_hash=digest,
                decision=json.loads(json.dumps(decision_json, default=str)),
                final=final,
            )
            s.add(row)
            s.flush()
            self._audit(
                s,
                actor,
                cycle_row,
                "run.final" if final else "run",
                str(row.id),
                None,
                {"input_hash": digest, "selected": decision_json.get("selected")},
            )
            return row.id

    def runs(self, actor: User, cycle: str | None) -> list[Run]:
        """Recorded selection runs of a cycle, newest first."""
        actor.require(Action.READ_ALL)
        with self._tx(write=False) as s:
            cycle_row = self._cycle_row(s, cycle)
            rows = s.scalars(
                select(RunRow).where(RunRow.cycle_id == cycle_row.id).order_by(RunRow.id.desc())
            )
            return [
                Run(
                    r.id,
                    cycle_row.name,
                    r.actor,
                    r.created_at,
                    r.config_text,
                    r.input_hash,
                    r.decision,
                    r.final,
                )
                for r in rows
            ]

    def audit_log(self, actor: User, cycle: str | None = None) -> list[AuditEntry]:
        """Who changed what and when (oldest first); one cycle's entries, or all."""
        actor.require(Action.READ_AUDIT)
        with self._tx(write=False) as s:
            names = {c.id: c.name for c in s.scalars(select(CycleRow))}
            query = select(AuditRow).order_by(AuditRow.id)
            if cycle is not None:
                query = query.where(AuditRow.cycle_id == self._cycle_row(s, cycle).id)
            return [
                AuditEntry(
                    r.at,
                    r.actor,
                    names.get(r.cycle_id) if r.cycle_id else None,
                    r.action,
                    r.target,
                    r.old,
                    r.new,
                )
                for r in s.scalars(query)
            ]
