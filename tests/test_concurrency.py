"""Eight processes save 200 reviews each into one SQLite file at the same time: every save is
there afterwards and the file passes SQLite's integrity check."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from selector.config import DEFAULT_CONFIG_PATH
from selector.intake import read_applications
from selector.store import Store

ROOT = Path(__file__).resolve().parent.parent
PROCESSES = 8
APPLICANTS = 200

# One reviewer process: wait for the start signal, then save one review per applicant, each
# in its own transaction, as that reviewer (so the role checks run too).
WORKER = """
import sys, time
from pathlib import Path
from selector.models import Review
from selector.store import Store

url, email, j, go = sys.argv[1], sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
store = Store(url)
me = store.user(email)
criteria = [c.id for c in store.cycle("2026").config.criteria]
while not go.exists():
    time.sleep(0.005)
for i in range(1, int(sys.argv[5]) + 1):
    scores = {c: float(1 + (i + j + k) % 5) for k, c in enumerate(criteria)}
    store.save_review(me, "2026", Review(f"A{i:03d}", email, scores, comment=f"{j}/{i}"))
print("done")
"""


@pytest.mark.slow
def test_eight_processes_saving_200_reviews_each(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    store = Store(url)
    system = store.system_user()
    store.create_cycle(system, "2026", DEFAULT_CONFIG_PATH.read_text(encoding="utf-8"))
    lines = ["ID,Name,Email,PGY,Specialty"] + [
        f"{i},Testperson {i},p{i}@example.org,2,Psychiatry" for i in range(1, APPLICANTS + 1)
    ]
    data = read_applications("\n".join(lines).encode(), filename="apps.csv")
    store.import_applications(system, "2026", data)
    emails = [f"rev{j}@example.org" for j in range(PROCESSES)]
    for email in emails:
        store.add_user(system, email, email, "reviewer", None)
    report = store.assign(system, "2026", k=PROCESSES)
    assert len(report.pairs) == PROCESSES * APPLICANTS

    go = tmp_path / "go"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, url, email, str(j), str(go), str(APPLICANTS)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for j, email in enumerate(emails)
    ]
    time.sleep(1.0)  # let every worker open the store
    go.touch()
    for w in workers:
        out, err = w.communicate(timeout=300)
        assert w.returncode == 0, err
        assert out.strip() == "done"

    reviews = store.reviews(system, "2026")
    assert len(reviews) == PROCESSES * APPLICANTS
    criteria = [c.id for c in store.cycle("2026").config.criteria]
    for r in reviews:
        j, i = int(r.reviewer[3:].split("@")[0]), int(r.applicant_id[1:])
        assert r.comment == f"{j}/{i}"
        assert r.scores == {c: float(1 + (i + j + k) % 5) for k, c in enumerate(criteria)}
    saves = [e for e in store.audit_log(system, "2026") if e.action == "review.save"]
    assert len(saves) == PROCESSES * APPLICANTS
    with store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
