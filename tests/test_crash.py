"""A process killed in the middle of an import leaves the database exactly as it was."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from selector.config import DEFAULT_CONFIG_PATH
from selector.intake import read_applications
from selector.models import Review
from selector.store import Store

ROOT = Path(__file__).resolve().parent.parent

# The importer: once the import transaction has written its first applicant rows (inside the
# transaction, not yet committed), it says so and waits to be killed.
IMPORTER = """
import sys, time
from pathlib import Path
from sqlalchemy import event
from selector.intake import read_applications
from selector.store import Store

url, export, marker = sys.argv[1], sys.argv[2], Path(sys.argv[3])
store = Store(url)
data = read_applications(export)

@event.listens_for(store.engine, "after_cursor_execute")
def pause(conn, cursor, statement, parameters, context, executemany):
    if statement.startswith("INSERT INTO applicants"):
        marker.write_text("mid-import")
        time.sleep(120)

store.import_applications(store.system_user(), "2026", data)
print("import finished: the test did not kill it in time")
"""


def export(path: Path, ids: range, changed: tuple[int, ...] = ()) -> Path:
    lines = ["ID,Name,Email,PGY,Specialty,Essay"]
    for i in ids:
        pgy = 4 if i in changed else 2 + i % 2
        lines.append(f"{i},Testperson {i},p{i}@example.org,{pgy},Psychiatry,essay {i}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def snapshot(store: Store) -> tuple[object, ...]:
    system = store.system_user()
    return (
        store.applicants(system, "2026", include_withdrawn=True),
        store.withdrawn(system, "2026"),
        store.reviews(system, "2026"),
        [(e.action, e.target, e.old, e.new) for e in store.audit_log(system)],
    )


@pytest.mark.slow
def test_killed_import_leaves_the_database_as_it_was(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'selector.db'}"
    store = Store(url)
    system = store.system_user()
    store.create_cycle(system, "2026", DEFAULT_CONFIG_PATH.read_text(encoding="utf-8"))
    store.import_applications(
        system, "2026", read_applications(export(tmp_path / "v1.csv", range(1, 1001)))
    )
    store.add_user(system, "rev@example.org", "Rev", "reviewer", None)
    criteria = [c.id for c in store.cycle("2026").config.criteria]
    store.save_reviews(
        system,
        "2026",
        [
            Review(f"A{i:03d}", "rev@example.org", dict.fromkeys(criteria, 3.0))
            for i in range(1, 101)
        ],
    )
    before = snapshot(store)

    # v2: 500 withdrawn, 1,500 new, 10 changed — killed halfway through.
    v2 = export(tmp_path / "v2.csv", range(501, 3001), changed=tuple(range(501, 511)))
    marker = tmp_path / "marker"
    proc = subprocess.Popen(
        [sys.executable, "-c", IMPORTER, url, str(v2), str(marker)],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the importer never reached the pause"
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    after = Store(url)
    assert snapshot(after) == before
    with after.engine.connect() as conn:
        assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"

    # The lock died with the process: the same import now goes through, every review kept.
    report = after.import_applications(system, "2026", read_applications(v2))
    assert report.to_json() == {
        "added": 2000, "updated": 10, "unchanged": 490, "withdrawn": 500, "rejected": [],
    }  # fmt: skip
    assert len(after.reviews(system, "2026")) == 100
    applicants, reviews = after.selection_inputs(system, "2026")
    assert len(applicants) == 2500 and len(reviews) == 0  # reviewed ones are all withdrawn


class Killed(BaseException):
    """Stands for SIGKILL: nothing after it runs, no handler catches it."""


def test_killed_scores_import_leaves_no_new_reviewer_accounts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from selector.cli import main

    url = f"sqlite:///{tmp_path / 'selector.db'}"
    apps = export(tmp_path / "v1.csv", range(1, 4))
    assert main(["import", str(apps), "--cycle", "2026", "--db", url]) == 0
    store = Store(url)
    criteria = [c.id for c in store.cycle("2026").config.criteria]
    lines = ["applicant_id,reviewer," + ",".join(criteria)]
    lines += [f"A00{i},new{i}@example.org," + ",".join("3" * len(criteria)) for i in (1, 2, 3)]
    (tmp_path / "scores.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    users_before = store.users(store.system_user())

    def killed(*args: object) -> None:  # after the accounts were written, before any review
        raise Killed

    monkeypatch.setattr(Store, "_save_batch", killed)
    with pytest.raises(Killed):
        main(
            [
                "scores",
                "import",
                str(tmp_path / "scores.csv"),
                "--cycle",
                "2026",
                "--db",
                url,
                "--create-reviewers",
            ]
        )
    after = Store(url)
    assert after.users(after.system_user()) == users_before
    assert after.reviews(after.system_user(), "2026") == []
    monkeypatch.undo()  # the same import, not killed, saves accounts and reviews together
    assert (
        main(["scores", "import", str(tmp_path / "scores.csv"), "--db", url, "--create-reviewers"])
        == 0
    )
    assert len(after.users(after.system_user(), role="reviewer")) == 3
    assert len(after.reviews(after.system_user(), "2026")) == 3


def test_killed_first_import_leaves_no_empty_cycle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from selector.cli import main

    url = f"sqlite:///{tmp_path / 'selector.db'}"
    apps = export(tmp_path / "v1.csv", range(1, 4))

    def killed(*args: object) -> None:  # after the cycle row was written, before applicants
        raise Killed

    monkeypatch.setattr(Store, "_plan_import", killed)
    with pytest.raises(Killed):
        main(["import", str(apps), "--cycle", "2027", "--db", url])
    store = Store(url)
    assert store.cycles() == []
    assert store.audit_log(store.system_user()) == []
    monkeypatch.undo()
    assert main(["import", str(apps), "--cycle", "2027", "--db", url]) == 0
    assert [c.name for c in store.cycles()] == ["2027"]
    assert len(store.applicants(store.system_user(), "2027")) == 3
