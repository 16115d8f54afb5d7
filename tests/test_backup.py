"""`selector backup` and `selector restore`: consistent copies while writers write, checked and
atomic restores that keep the database they replace."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import closing
from pathlib import Path

import pytest

from selector.cli import main
from selector.config import DEFAULT_CONFIG_PATH
from selector.intake import read_applications
from selector.models import Review
from selector.store import Store

ROOT = Path(__file__).resolve().parent.parent
N = 1500  # applicants: with their essays a few MB, so a copy overlaps the writer's saves


def make_db(path: Path) -> str:
    url = f"sqlite:///{path}"
    lines = ["ID,Name,Email,PGY,Specialty,Essay"]
    essay = "essay " * 300
    lines += [f"{i},Testperson {i},p{i}@example.org,2,Psychiatry,{essay}" for i in range(N)]
    export = path.with_suffix(".csv")
    export.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with Store(url) as store:
        system = store.system_user()
        store.create_cycle(system, "2026", DEFAULT_CONFIG_PATH.read_text(encoding="utf-8"))
        store.import_applications(system, "2026", read_applications(export))
        store.add_user(system, "rev@example.org", "Rev", "reviewer", None)
    return url


def state(path: Path) -> dict[str, object]:
    """What a database file holds, checked the way an operator would."""
    with closing(sqlite3.connect(path)) as conn:
        one = lambda sql: conn.execute(sql).fetchone()[0]  # noqa: E731
        return {
            "integrity": one("PRAGMA integrity_check"),
            "foreign_keys": conn.execute("PRAGMA foreign_key_check").fetchall(),
            "orphans": one(
                "SELECT count(*) FROM reviews r LEFT JOIN applicants a ON a.id = r.applicant_pk "
                "WHERE a.id IS NULL"
            ),
            "reviews": one("SELECT count(*) FROM reviews"),
            "saves": one("SELECT count(*) FROM audit_log WHERE action = 'review.save'"),
            "applicants": one("SELECT count(*) FROM applicants"),
        }


@pytest.mark.slow
def test_backups_while_a_writer_saves_reviews_are_consistent_and_restore(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "selector.db"
    url = make_db(db)
    criteria = [c.id for c in Store(url).cycle("2026").config.criteria]
    stop, saved = threading.Event(), [0]

    def writer() -> None:  # one review per transaction (a review row and its audit row)
        with Store(url) as store:
            for i in range(N):
                if stop.is_set():
                    return
                review = Review(f"A{i:03d}", "rev@example.org", dict.fromkeys(criteria, 3.0))
                store.save_reviews(store.system_user(), "2026", [review])
                saved[0] += 1

    def wait_for_more_than(n: int) -> None:  # the writer saves at least once more
        deadline = time.monotonic() + 30
        while saved[0] <= n:
            assert time.monotonic() < deadline and thread.is_alive(), "the writer stopped"
            time.sleep(0.005)

    thread = threading.Thread(target=writer)
    thread.start()
    counts: list[int] = []
    try:
        for k in range(4):
            wait_for_more_than(counts[-1] if counts else 0)
            out = tmp_path / f"backup{k}.db"
            assert main(["backup", "--db", url, "--out", str(out)]) == 0
            copy = state(out)
            # One point in time: every review with its audit row, every review's applicant.
            assert copy["integrity"] == "ok" and copy["foreign_keys"] == []
            assert copy["orphans"] == 0 and copy["reviews"] == copy["saves"]
            assert copy["applicants"] == N
            counts.append(int(str(copy["reviews"])))
            assert not list(tmp_path.glob(f"backup{k}.db-*"))  # one self-contained file
        wait_for_more_than(counts[-1])
    finally:
        stop.set()
        thread.join()
    assert "backed up to" in capsys.readouterr().out
    assert counts == sorted(counts) and counts[-1] < saved[0]  # the writer went on meanwhile
    assert len(set(counts)) > 1, counts  # and wrote between the copies

    # Restore the second copy over the database the writer left.
    assert main(["restore", str(tmp_path / "backup1.db"), "--db", url]) == 0
    out = capsys.readouterr().out
    assert "restored" in out and "previous database is kept as" in out
    (previous,) = tmp_path.glob("selector.db.before-restore-*")
    assert state(db)["reviews"] == counts[1] and state(db)["integrity"] == "ok"
    assert state(previous)["reviews"] == saved[0]  # nothing the writer saved is lost
    with Store(url) as store:
        assert len(store.reviews(store.system_user(), "2026")) == counts[1]


@pytest.fixture
def small(tmp_path: Path) -> tuple[str, Path]:
    """A migrated database with cycle 2026 and a backup of it."""
    db = tmp_path / "selector.db"
    url = f"sqlite:///{db}"
    with Store(url) as store:
        store.create_cycle(
            store.system_user(), "2026", DEFAULT_CONFIG_PATH.read_text(encoding="utf-8")
        )
    assert main(["backup", "--db", url, "--out", str(tmp_path / "copy.db")]) == 0
    return url, tmp_path / "copy.db"


def refused(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    capsys.readouterr()
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("selector: error:")
    return err[0]


def test_restore_refuses_what_is_not_a_good_selector_database(
    small: tuple[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, copy = small
    text_file = tmp_path / "notes.db"
    text_file.write_text("not a database\n" * 100, encoding="utf-8")
    other = tmp_path / "other.db"
    with closing(sqlite3.connect(other)) as conn:
        conn.execute("CREATE TABLE t (x)")
    newer = tmp_path / "newer.db"
    newer.write_bytes(copy.read_bytes())
    with closing(sqlite3.connect(newer)) as conn, conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_future'")
    torn = tmp_path / "torn.db"
    torn.write_bytes(copy.read_bytes()[: len(copy.read_bytes()) // 2])
    before = Path(url.removeprefix("sqlite:///")).read_bytes()
    cases = {
        text_file: "not a SQLite database",
        other: "not a selector database",
        newer: "newer selector",
        torn: "SQLite",
        tmp_path / "missing.db": "no such file",
        Path(url.removeprefix("sqlite:///")): "the database itself",
    }
    for file, phrase in cases.items():
        assert phrase in refused(["restore", str(file), "--db", url], capsys), file
    assert Path(url.removeprefix("sqlite:///")).read_bytes() == before
    assert not list(tmp_path.glob("*.before-restore-*")) and not list(tmp_path.glob(".*.tmp"))


def test_restore_refuses_while_another_process_has_the_database_open(
    small: tuple[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    url, copy = small
    holder = subprocess.Popen(  # the dashboard, say: a store with an open connection
        [
            sys.executable,
            "-c",
            "import sys, time; from selector.store import Store; s = Store(sys.argv[1]); "
            "s.cycles(); print('open', flush=True); time.sleep(60)",
            url,
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        assert "open in another process" in refused(["restore", str(copy), "--db", url], capsys)
    finally:
        holder.kill()
        holder.communicate()
    assert main(["restore", str(copy), "--db", url]) == 0


def test_backup_refuses_to_overwrite_unless_forced(
    small: tuple[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    url, copy = small
    assert "--force" in refused(["backup", "--db", url, "--out", str(copy)], capsys)
    db = url.removeprefix("sqlite:///")
    assert "database itself" in refused(["backup", "--db", url, "--out", db, "--force"], capsys)
    assert main(["backup", "--db", url, "--out", str(copy), "--force"]) == 0


@pytest.mark.parametrize(("command", "tool"), [("backup", "pg_dump"), ("restore", "pg_restore")])
def test_postgresql_is_pointed_to_its_own_tools(
    command: str, tool: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = "postgresql+psycopg://sel:secret@db.example.org:5432/selector"
    argv = [command, "--db", url, *(["--out", "x.dump"] if command == "backup" else ["x.dump"])]
    line = refused(argv, capsys)
    assert tool in line and "postgresql://sel@db.example.org:5432/selector" in line
    assert "secret" not in line and "***" not in line
