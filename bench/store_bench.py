"""Benchmark of the store where a user waits, each figure next to its floor.

Run: ``python bench/store_bench.py`` (``--applicants N --reviewers R``: the default, 20,000
applicants with 3 reviews each, is 60,000 reviews; ``--quick`` is 2,000 × 3). Prints, for each
measure, the project's seconds, the floor's seconds and their ratio:

- open: ``Store(url)`` on a database already at the newest schema, in a fresh process (the
  first thing every CLI command does); floor: ``sqlite3.connect`` and reading
  ``alembic_version``.
- save reviews: ``Store.save_reviews`` of every review (what ``selector scores import`` does),
  then again with every score changed; floor: a bare ``sqlite3`` ``executemany`` writing the
  same review and audit rows in one transaction.
- select inputs: what a stored ``select`` reads and hashes (``selection_inputs`` then
  ``record_run``), the inputs loaded once (``record_run(inputs=...)``) and twice (the old
  call); floor: a bare ``sqlite3`` read of the same rows. The solve itself is timed alone
  (``decide(explain=False)``); its floor is ``bench/selection_bench.py``'s concern.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from selector.config import DEFAULT_CONFIG_PATH  # noqa: E402
from selector.intake import read_applications  # noqa: E402
from selector.models import Review  # noqa: E402
from selector.store import Store  # noqa: E402

CYCLE = "2026"


def row(name: str, project: float, floor: float, goal: float | None = None) -> None:
    ratio = project / floor if floor else float("inf")
    verdict = "" if goal is None else ("  ok" if ratio <= goal else f"  MISSES {goal:g}×")
    print(f"{name:<34} {project:9.3f} s {floor:9.3f} s {ratio:8.1f}×{verdict}")


def build(path: Path, applicants: int, reviewers: int) -> tuple[str, list[Review], list[str]]:
    """A store with one cycle of ``applicants`` and ``reviewers`` accounts (no reviews yet),
    and the reviews to save: every reviewer scores every applicant."""
    url = f"sqlite:///{path}"
    lines = ["ID,Name,Email,PGY,Specialty,Program,Why DEI"]
    lines += [
        f"{i},Testperson {i},p{i}@example.org,{2 + i % 4},Specialty {i % 24},"
        f"Program {i % 40},An essay about equity."
        for i in range(1, applicants + 1)
    ]
    export = path.with_suffix(".csv")
    export.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with Store(url) as store:
        system = store.system_user()
        store.create_cycle(system, CYCLE, DEFAULT_CONFIG_PATH.read_text(encoding="utf-8"))
        store.import_applications(system, CYCLE, read_applications(export))
        criteria = [c.id for c in store.cycle(CYCLE).config.criteria]
        emails = [f"rev{r}@example.org" for r in range(reviewers)]
        for email in emails:
            store.add_user(system, email, email, "reviewer", None)
        reviews = [
            Review(a.applicant_id, email, dict.fromkeys(criteria, 1.0 + (i + r) % 5), "ok")
            for i, a in enumerate(store.applicants(system, CYCLE))
            for r, email in enumerate(emails)
        ]
    return url, reviews, criteria


def bare_save(path: Path, reviews: list[Review], *, update: bool) -> float:
    """The floor: the same review and audit rows written with ``executemany``, one
    transaction (ids looked up with one SELECT each, as any writer must)."""
    start = time.perf_counter()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("BEGIN IMMEDIATE")
    (cycle_id,) = conn.execute("SELECT id FROM cycles WHERE name = ?", (CYCLE,)).fetchone()
    pks = dict(
        conn.execute("SELECT applicant_id, id FROM applicants WHERE cycle_id = ?", (cycle_id,))
    )
    uids = dict(conn.execute("SELECT email, id FROM users"))
    now = dt.datetime.now(dt.UTC).isoformat(sep=" ")
    audit = []
    if update:
        conn.executemany(
            "UPDATE reviews SET scores = ?, comment = ?, conflict = ?, updated_at = ? "
            "WHERE applicant_pk = ? AND reviewer_id = ?",
            [
                (
                    json.dumps(r.scores),
                    r.comment,
                    r.conflict,
                    now,
                    pks[r.applicant_id],
                    uids[r.reviewer],
                )
                for r in reviews
            ],
        )
    else:
        conn.executemany(
            "INSERT INTO reviews (applicant_pk, reviewer_id, scores, comment, conflict, "
            "conflict_reason, created_at, updated_at) VALUES (?, ?, ?, ?, ?, '', ?, ?)",
            [
                (
                    pks[r.applicant_id],
                    uids[r.reviewer],
                    json.dumps(r.scores),
                    r.comment,
                    r.conflict,
                    now,
                    now,
                )
                for r in reviews
            ],
        )
    for r in reviews:
        new = {"scores": r.scores, "comment": r.comment, "conflict": r.conflict}
        audit.append(
            (now, "cli", cycle_id, "review.save", f"{r.applicant_id} {r.reviewer}", json.dumps(new))
        )
    conn.executemany(
        "INSERT INTO audit_log (at, actor, cycle_id, action, target, old, new) "
        "VALUES (?, ?, ?, ?, ?, NULL, ?)",
        audit,
    )
    conn.execute("COMMIT")
    conn.close()
    return time.perf_counter() - start


def bare_read(path: Path) -> float:
    """The floor of loading a cycle's selection inputs: the same rows, decoded."""
    start = time.perf_counter()
    conn = sqlite3.connect(path)
    (cycle_id,) = conn.execute("SELECT id FROM cycles WHERE name = ?", (CYCLE,)).fetchone()
    apps = conn.execute(
        "SELECT applicant_id, name, email, pgy, specialty, program, pgy1_approved, answers, "
        "source_row FROM applicants WHERE cycle_id = ? AND NOT withdrawn ORDER BY applicant_id",
        (cycle_id,),
    ).fetchall()
    answers = [json.loads(a[7]) for a in apps]
    revs = conn.execute(
        "SELECT a.applicant_id, u.email, r.scores, r.comment, r.conflict FROM reviews r "
        "JOIN applicants a ON a.id = r.applicant_pk JOIN users u ON u.id = r.reviewer_id "
        "WHERE a.cycle_id = ? ORDER BY a.applicant_id, u.email",
        (cycle_id,),
    ).fetchall()
    scores = [json.loads(r[2]) for r in revs]
    conn.close()
    assert len(answers) == len(apps) and len(scores) == len(revs)
    return time.perf_counter() - start


def in_fresh_process(code: str, runs: int = 5) -> float:
    """The median of what ``code`` prints (seconds), each run in a new interpreter."""
    times = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
        )
        times.append(float(out.stdout.strip().splitlines()[-1]))
    return statistics.median(times)


def bench_open(url: str, path: Path) -> None:
    project = in_fresh_process(
        "import time; from selector.store import Store; t = time.perf_counter(); "
        f"Store({url!r}).close(); print(time.perf_counter() - t)"
    )
    floor = in_fresh_process(
        "import time, sqlite3; t = time.perf_counter(); c = sqlite3.connect("
        f"{str(path)!r}); c.execute('SELECT version_num FROM alembic_version').fetchall(); "
        "c.close(); print(time.perf_counter() - t)"
    )
    row("open Store(url) (at head)", project, floor)


def bench_save(base: Path, folder: Path, reviews: list[Review]) -> None:
    ours, theirs = folder / "ours.db", folder / "floor.db"
    for target in (ours, theirs):
        shutil.copy(base, target)
    with Store(f"sqlite:///{ours}") as store:
        start = time.perf_counter()
        store.save_reviews(store.system_user(), CYCLE, reviews)
        first = time.perf_counter() - start
        changed = [
            Review(
                r.applicant_id, r.reviewer, {k: 5.0 - v + 1 for k, v in r.scores.items()}, "edited"
            )
            for r in reviews
        ]
        start = time.perf_counter()
        store.save_reviews(store.system_user(), CYCLE, changed)
        again = time.perf_counter() - start
    row(f"save_reviews, {len(reviews):,} new", first, bare_save(theirs, reviews, update=False), 5)
    row(
        f"save_reviews, {len(reviews):,} changed", again, bare_save(theirs, changed, update=True), 5
    )


def bench_select(path: Path) -> None:
    from selector.selection import decide

    with Store(f"sqlite:///{path}") as store:
        system = store.system_user()
        cycle = store.cycle(CYCLE)
        start = time.perf_counter()
        applicants, reviews = store.selection_inputs(system, CYCLE)
        load = time.perf_counter() - start
        start = time.perf_counter()
        decision = decide(applicants, reviews, cycle.config, explain=False)
        solve = time.perf_counter() - start
        start = time.perf_counter()
        store.record_run(system, CYCLE, config_text=cycle.config_text, decision=decision)
        twice = load + time.perf_counter() - start
        try:
            start = time.perf_counter()
            store.record_run(
                system,
                CYCLE,
                config_text=cycle.config_text,
                decision=decision,
                inputs=(applicants, reviews),  # type: ignore[call-arg]
            )
            once: float | None = load + time.perf_counter() - start
        except TypeError:  # a store without inputs=
            once = None
    floor = bare_read(path)
    print(
        f"  ({len(applicants):,} applicants, {len(reviews):,} reviews; solve alone {solve:.3f} s)"
    )
    row("load + record_run (loads twice)", twice, floor)
    if once is not None:
        row("load + record_run(inputs=) (once)", once, floor)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applicants", type=int, default=20_000)
    parser.add_argument("--reviewers", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="2,000 applicants")
    args = parser.parse_args()
    applicants = 2_000 if args.quick else args.applicants
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        base = folder / "base.db"
        url, reviews, _ = build(base, applicants, args.reviewers)
        print(f"{'measure':<34} {'project':>11} {'floor':>11} {'ratio':>9}")
        bench_open(url, base)
        bench_save(base, folder, reviews)
        bench_select(folder / "ours.db")


if __name__ == "__main__":
    main()
