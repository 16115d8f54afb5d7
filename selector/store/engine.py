"""Where the data lives and how to reach it: URLs, engines (SQLite pragmas), schema revisions.

``Store(url)``, else ``$SELECTOR_DB``, else the SQLite file ``./var/selector.db`` under the
current directory (:data:`DEFAULT_PATH`). On SQLite every connection turns on WAL, a busy
timeout and foreign keys, and every writing transaction starts ``BEGIN IMMEDIATE`` so
concurrent writers queue instead of failing (reads start deferred and never wait for a writer).

Opening a store upgrades its schema to the newest Alembic revision (:func:`ensure_schema`).
Whether it is already there is a cheap check, done on every open: the ``alembic_version`` row
against the head read from the revision files themselves (:func:`head_revision`), so Alembic
is imported only when there is something to migrate.
"""

from __future__ import annotations

import ast
import functools
import os
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from selector.errors import InputError, Location

#: The SQLite file used when neither a URL nor ``$SELECTOR_DB`` is given (relative to cwd).
DEFAULT_PATH = Path("var") / "selector.db"
#: Where the Alembic revisions live (inside the package, so an installed wheel can migrate).
MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
#: PostgreSQL advisory lock held while migrating (any constant unique to this application).
MIGRATION_LOCK_KEY = 0x5E1EC7
#: How long a SQLite writer waits for another one before giving up, in milliseconds.
SQLITE_BUSY_TIMEOUT_MS = 60_000
#: The execution option marking a read-only transaction (a deferred ``BEGIN`` on SQLite).
READ_ONLY_OPTION = "selector_read_only"


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


def db_unavailable(url: str, exc: DBAPIError) -> InputError:
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


# --------------------------------------------------------------------------------------
# Schema revisions


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
    """The Alembic revision the database is at (None for an empty database). A read: on
    SQLite it takes no write lock."""
    with engine.connect().execution_options(**{READ_ONLY_OPTION: True}) as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        versions = list(conn.scalars(text("SELECT version_num FROM alembic_version")))
    if len(versions) > 1:
        raise InputError("db_schema_branched", f"the database is at several revisions: {versions}")
    return versions[0] if versions else None


@functools.lru_cache(maxsize=1)
def _revision_files() -> dict[str, str | None]:
    """Revision → the revision it follows, read from ``migrations/versions/*.py`` with
    :mod:`ast` (module-level ``revision`` and ``down_revision``), without importing Alembic."""
    graph: dict[str, str | None] = {}
    for path in sorted((MIGRATIONS_DIR / "versions").glob("*.py")):
        found: dict[str, Any] = {}
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            target, value = None, None
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target, value = node.targets[0], node.value
            elif isinstance(node, ast.AnnAssign):
                target, value = node.target, node.value
            names = ("revision", "down_revision")
            if isinstance(target, ast.Name) and target.id in names and value is not None:
                found[target.id] = ast.literal_eval(value)
        if isinstance(found.get("revision"), str):
            down = found.get("down_revision")
            graph[found["revision"]] = down if isinstance(down, str) or down is None else "?"
    return graph


def head_revision() -> str:
    """The newest schema revision this release knows."""
    graph = _revision_files()
    heads = set(graph) - {down for down in graph.values() if down is not None}
    if len(heads) == 1 and "?" not in graph.values():
        return heads.pop()
    from alembic.script import ScriptDirectory  # a merge or branches: ask Alembic

    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


def known_revisions() -> set[str]:
    """Every schema revision this release knows (a database at another one is newer)."""
    return set(_revision_files())


def ensure_schema(engine: Engine) -> None:
    """Upgrade the database to :func:`head_revision` unless it is there already (the usual
    case, answered by one small read)."""
    if current_revision(engine) != head_revision():
        migrate(engine)
