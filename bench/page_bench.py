"""Benchmark of the dashboard: how long each page takes to render with 1,000 applicants.

Run: ``python bench/page_bench.py`` (``--applicants N`` to change the size; ``--small`` for a
quick check that every page still renders, as tests/test_page_bench.py runs it). Builds a
temporary database (N synthetic applicants, 10 reviewers, 3 complete reviews each), then
renders every page with Streamlit's AppTest as the role that may open it: once cold (the
page's first run in a new session, e.g. reading the upload) and ``--runs`` times warm (a
rerun, as after a click). The Selection and Roster pages show a decision made beforehand,
since solving is the selection engine's cost (see ``bench/selection_bench.py``), not the
page's. Goal: every page under 500 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from streamlit.testing.v1 import AppTest  # noqa: E402

from app_pages import state  # noqa: E402
from selector.auth import User  # noqa: E402
from selector.config import DEFAULT_CONFIG_PATH  # noqa: E402
from selector.intake import read_applications  # noqa: E402
from selector.models import Review  # noqa: E402
from selector.selection import decide  # noqa: E402
from selector.store import Store  # noqa: E402

GOAL_S = 0.5
REVIEWERS = 10
SPECIALTIES = (
    "Internal Medicine",
    "Pediatrics",
    "Family Medicine",
    "Surgery",
    "Psychiatry",
    "Emergency Medicine",
    "Obstetrics and Gynecology",
    "Neurology",
    "Anesthesiology",
    "Radiology",
)


def export_csv(n: int) -> bytes:
    """A synthetic applications export with ``n`` applicants (obviously fake names)."""
    lines = ["ID,Name,Email,PGY,Specialty,Program,Why DEI,Leadership"]
    for i in range(1, n + 1):
        lines.append(
            f"{i},Bench Resident {i:04d},bench{i:04d}@example.org,{2 + i % 4},"
            f"{SPECIALTIES[i % len(SPECIALTIES)]},Program {i % 6},"
            f"A statement of a few sentences from applicant {i}.,Leadership answer {i}."
        )
    return ("\n".join(lines) + "\n").encode()


def build(url: str, n: int) -> tuple[Store, dict[str, User], bytes]:
    """The database: one cycle, n applicants, 10 reviewers, 3 complete reviews each."""
    store = Store(url)
    system = store.system_user()
    config_text = DEFAULT_CONFIG_PATH.read_text(encoding="utf-8")
    store.create_cycle(system, "Bench", config_text)
    users = {
        "coordinator": store.add_user(
            system, "coord@example.org", "Bench Coordinator", "coordinator", "bench-pass"
        ),
        "chair": store.add_user(system, "chair@example.org", "Bench Chair", "chair", "bench-pass"),
    }
    for r in range(REVIEWERS):
        users[f"r{r}"] = store.add_user(
            system, f"rev{r}@example.org", f"Bench Reviewer {r}", "reviewer", "bench-pass"
        )
    data = export_csv(n)
    store.import_applications(system, "Bench", read_applications(data, filename="bench.csv"))
    criteria = [c.id for c in store.cycle("Bench").config.criteria]
    ids = [a.applicant_id for a in store.applicants(system, "Bench")]
    pairs = [
        (a, f"rev{(i + k) % REVIEWERS}@example.org") for i, a in enumerate(ids) for k in range(3)
    ]
    store.set_assignments(system, "Bench", pairs)
    rng = random.Random(7)
    reviews = [Review(a, e, {c: float(rng.randint(1, 5)) for c in criteria}) for a, e in pairs]
    store.save_reviews(system, "Bench", reviews[: len(reviews) * 9 // 10])
    return store, users, data


def timed(at: AppTest) -> float:
    """Seconds one run of the page takes; an exception on the page fails the bench."""
    start = time.perf_counter()
    at.run()
    elapsed = time.perf_counter() - start
    if at.exception:
        raise RuntimeError(at.exception[0].value)
    return elapsed


def main(argv: list[str] | None = None) -> int:
    """Build the database, render each page, print the figures; exit 1 above the goal."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--applicants", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5, help="warm reruns per page (median)")
    parser.add_argument(
        "--small", action="store_true", help="30 applicants, one warm run: does every page render"
    )
    args = parser.parse_args(argv)
    if args.small:
        args.applicants, args.runs = 30, 1

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        os.environ["SELECTOR_DB"] = url
        t0 = time.perf_counter()
        store, users, export = build(url, args.applicants)
        chair = users["chair"]
        applicants, reviews = store.selection_inputs(chair, "Bench")
        config = store.cycle("Bench").config
        decision = decide(applicants, reviews, config)
        print(
            f"setup: {len(applicants)} applicants, {len(reviews)} reviews, "
            f"database built and decision {decision.status} in {time.perf_counter() - t0:.1f} s\n"
        )
        pages = [
            ("Log in", None, None),
            (f"Upload ({args.applicants:,}-row export)", "coordinator", "upload.py"),
            ("Reviewers & assignments", "coordinator", "reviewers.py"),
            ("Track config", "coordinator", "track_config.py"),
            ("My reviews", "r0", "my_reviews.py"),
            ("Committee", "chair", "committee.py"),
            ("Selection (with a decision)", "chair", "selection.py"),
            ("Roster (with a decision)", "chair", "roster.py"),
            ("Track", "chair", "track.py"),
        ]
        print(f"{'page':32} {'cold ms':>9} {'warm ms':>9}  goal {GOAL_S * 1000:.0f} ms")
        worst = 0.0
        for title, who, page in pages:
            at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
            if who is not None:
                at.session_state[state.USER] = users[who]
                at.session_state[state.LAST_SEEN] = time.time()
                at.session_state[state.SCENARIOS] = {
                    "Bench": {"A": {"config": config, "decision": decision}}
                }
            at.run()  # first run: the default page of the role
            if page is not None:
                at.switch_page(f"app_pages/{page}")
            if page == "upload.py":
                at.run()
                at.file_uploader(key="upload_file").set_value(("bench.csv", export, "text/csv"))
            cold = timed(at)
            if page == "upload.py":  # the export was really read and compared
                accepted = {m.label: m.value for m in at.metric}["Accepted"]
                assert accepted == str(args.applicants), accepted
            warm = statistics.median(timed(at) for _ in range(args.runs))
            worst = max(worst, warm)
            flag = "ok" if warm < GOAL_S else "SLOW"
            print(f"{title:32} {cold * 1000:9.0f} {warm * 1000:9.0f}  {flag}")
        store.close()
    return 0 if worst < GOAL_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
