"""Backups of the SQLite database: a consistent copy taken while the dashboard writes, and a
checked, atomic restore that keeps the database it replaces.

``backup`` copies through SQLite's online backup API (``sqlite3.Connection.backup`` on the
store's own DBAPI connection) in one step: under WAL it reads one snapshot, so the copy holds
every transaction committed before it started and none after, and writers never wait for it.

``restore`` refuses a file that is not a SQLite database, fails ``PRAGMA integrity_check``,
lacks selector's tables, or comes from a newer schema than this release knows. It refuses while
another process has the database open (the dashboard, a running command): replacing the file
under an open connection would leave that process writing to the old one. It then copies the
current database to ``<db>.before-restore-<time>`` and moves the checked copy into place with
one rename, so at every moment the path holds either the old database or the new one.

PostgreSQL has its own tools (``pg_dump``, ``pg_restore``); both commands say how to use them.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import time
from contextlib import closing, suppress
from dataclasses import dataclass
from pathlib import Path

from selector.errors import InputError, Location

#: The tables a selector database has at every schema revision.
REQUIRED_TABLES = frozenset({"alembic_version", "users", "cycles", "applicants", "reviews"})
#: The byte of a WAL database's ``-shm`` file every open connection holds a read lock on
#: (SQLite's "dead man switch", ``UNIX_SHM_DMS`` in os_unix.c).
_SHM_DMS_BYTE = 128


@dataclass(frozen=True)
class Summary:
    """What a database file holds, for the one line the commands print."""

    revision: str | None
    cycles: int
    applicants: int
    reviews: int
    size: int  # bytes
    drafts: int = 0  # part-scored reviews (revision 0005; none before)
    attachments: int = 0  # applicants' current files (revision 0009; none before)

    def __str__(self) -> str:
        return (
            f"{self.cycles} cycle(s), {self.applicants} applicant(s), {self.reviews} review(s), "
            f"{self.drafts} draft(s), {self.attachments} attachment(s), "
            f"schema {self.revision or 'none'}, {self.size / 1e6:.1f} MB"
        )


def sqlite_path(url: str, command: str) -> Path:
    """The file of a SQLite URL; another backend, or a SQLite URL that is not one plain file,
    is refused with the tool to use instead."""
    from selector.store.engine import _parse_url

    parsed = _parse_url(url)
    if parsed.get_backend_name() == "postgresql":
        from sqlalchemy.engine import URL

        plain = URL.create(  # the server and database only: never a password
            "postgresql", parsed.username, None, parsed.host, parsed.port, parsed.database
        ).render_as_string()
        how = {
            "backup": f"pg_dump --format=custom --file=FILE '{plain}'",
            "restore": f"pg_restore --clean --if-exists --dbname='{plain}' FILE "
            "(or psql -f FILE for a plain SQL dump)",
        }[command]
        raise InputError(
            f"{command}_postgresql", f"{command} copies SQLite files; on PostgreSQL use {how}"
        )
    is_uri = str(parsed.query.get("uri", "")).lower() == "true"
    if parsed.get_backend_name() != "sqlite" or not parsed.database or is_uri:
        raise InputError(
            f"{command}_unsupported", f"{command} needs a SQLite file URL (sqlite:///path.db)"
        )
    if parsed.database == ":memory:":
        raise InputError(f"{command}_unsupported", f"{command} needs a SQLite file, not :memory:")
    return Path(parsed.database)


def summarize(conn: sqlite3.Connection, path: Path) -> Summary:
    """Revision and counts of an open selector database."""

    def count(table: str) -> int:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])

    def has(table: str) -> bool:
        found = "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?"
        return conn.execute(found, (table,)).fetchone() is not None

    row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    return Summary(
        row[0] if row else None,
        count("cycles"),
        count("applicants"),
        count("reviews"),
        path.stat().st_size,
        count("review_drafts") if has("review_drafts") else 0,
        int(
            conn.execute("SELECT count(*) FROM attachments WHERE replaced_at IS NULL").fetchone()[0]
        )
        if has("attachments")
        else 0,
    )


def _temp_next_to(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _check(conn: sqlite3.Connection, file: str) -> None:
    """Refuse a copy that fails the integrity check or is not a selector database."""
    where = Location(file=file)
    try:
        verdict = conn.execute("PRAGMA integrity_check").fetchone()[0]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.DatabaseError as exc:
        raise InputError("restore_not_sqlite", f"not a SQLite database ({exc})", where) from None
    if verdict != "ok":
        raise InputError(
            "restore_corrupt", "the file fails SQLite's integrity check; nothing was changed", where
        )
    if not tables >= REQUIRED_TABLES:
        raise InputError(
            "restore_not_selector", "not a selector database (its tables are missing)", where
        )


def backup(url: str, out: str | Path, *, force: bool = False) -> tuple[Summary, float]:
    """Copy the database at ``url`` to ``out`` (one self-contained file, checked); returns what
    it holds and the seconds the copy took. Safe while others read and write."""
    from selector.store import make_engine

    source = sqlite_path(url, "backup")
    out = Path(out)
    if not source.is_file():
        raise InputError("db_missing", "no database here", Location(file=str(source)))
    if out.exists() and (out.resolve() == source.resolve() or not force):
        same = out.resolve() == source.resolve()
        raise InputError(
            "backup_exists",
            "that is the database itself" if same else "already exists (--force replaces it)",
            Location(file=str(out)),
        )
    if not out.parent.is_dir():
        raise InputError("backup_unwritable", "no such folder", Location(file=str(out.parent)))
    temp = _temp_next_to(out)
    engine = make_engine(url)
    start = time.perf_counter()
    try:
        raw = engine.raw_connection()
        try:
            target = sqlite3.connect(temp)
            with closing(target):
                # One step (pages=-1): one read snapshot, never restarted by a writer.
                raw.driver_connection.backup(target)  # type: ignore[union-attr]
                seconds = time.perf_counter() - start
                target.execute("PRAGMA journal_mode=DELETE")  # one file, no -wal beside it
                _check(target, str(out))
                summary = summarize(target, temp)
        finally:
            raw.close()
        _fsync(temp)
        os.replace(temp, out)
    except OSError as exc:
        raise InputError(
            "backup_unwritable", f"cannot write: {exc.strerror}", Location(file=str(out))
        ) from None
    finally:
        engine.dispose()
        with suppress(FileNotFoundError):
            temp.unlink()
    return summary, seconds


def in_use(path: Path) -> bool:
    """Whether another process has the SQLite database at ``path`` open (it holds a read lock
    on the ``-shm`` file while it does). Always False where ``fcntl`` is missing (Windows)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on POSIX
        return False
    shm = path.with_name(path.name + "-shm")
    try:
        fd = os.open(shm, os.O_RDWR)
    except FileNotFoundError:
        return False
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, _SHM_DMS_BYTE)
    except OSError:
        return True
    else:
        fcntl.lockf(fd, fcntl.LOCK_UN, 1, _SHM_DMS_BYTE)
        return False
    finally:
        os.close(fd)


@dataclass(frozen=True)
class Restored:
    """What a restore did: the database it put in place, and where the previous one went."""

    summary: Summary
    previous: Path | None


def restore(url: str, file: str | Path) -> Restored:
    """Replace the database at ``url`` with the backup ``file`` (checked first); the previous
    database is kept next to it. Refused while another process has the database open."""
    from selector.store import Store, head_revision, known_revisions

    target = sqlite_path(url, "restore")
    file = Path(file)
    if not file.is_file():
        raise InputError("file_missing", "no such file", Location(file=str(file)))
    if target.exists() and file.resolve() == target.resolve():
        raise InputError("restore_same", "that is the database itself", Location(file=str(file)))
    if target.exists() and in_use(target):
        raise InputError(
            "restore_in_use",
            "the database is open in another process (the dashboard or a running command); "
            "stop it, then restore",
            Location(file=str(target)),
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = _temp_next_to(target)
    try:
        try:
            source = sqlite3.connect(f"file:{file}?mode=ro", uri=True)
            with closing(source), closing(sqlite3.connect(temp)) as copy:
                source.backup(copy)
                copy.execute("PRAGMA journal_mode=DELETE")
                _check(copy, str(file))
                revision = summarize(copy, temp).revision
        except sqlite3.DatabaseError as exc:
            raise InputError(
                "restore_not_sqlite", f"not a SQLite database ({exc})", Location(file=str(file))
            ) from None
        if revision is None:
            raise InputError(
                "restore_not_selector",
                "not a selector database (no schema revision)",
                Location(file=str(file)),
            )
        if revision not in known_revisions():
            raise InputError(
                "restore_newer_schema",
                f"written by a newer selector (schema {revision!r}; this release knows up to "
                f"{head_revision()!r}); upgrade selector first",
                Location(file=str(file)),
            )
        _fsync(temp)
        previous = _keep_previous(target) if target.exists() else None
        for leftover in ("-wal", "-shm"):  # the old database's: they must not meet the new one
            with suppress(FileNotFoundError):
                target.with_name(target.name + leftover).unlink()
        os.replace(temp, target)
    finally:
        with suppress(FileNotFoundError):
            temp.unlink()
    # Opening the store upgrades an older schema, as on any open.
    with Store(url) as store, closing(store.engine.raw_connection()) as raw:
        summary = summarize(raw.driver_connection, target)  # type: ignore[arg-type]
    return Restored(summary, previous)


def _keep_previous(target: Path) -> Path:
    """Copy the current database (with anything still in its -wal) beside it, stamped."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    previous = target.with_name(f"{target.name}.before-restore-{stamp}")
    with closing(sqlite3.connect(target)) as current, closing(sqlite3.connect(previous)) as keep:
        current.backup(keep)
        keep.execute("PRAGMA journal_mode=DELETE")
    _fsync(previous)
    return previous
