"""Benchmark of `selector backup` and `selector restore`: the demo database and a large one.

Run: ``python bench/backup_bench.py`` (``--applicants N --reviewers R`` to change the large
one; the default, 2,000 applicants with 10 reviews each, is 20,000 reviews). Prints the size of
each database and how long the copy itself, the whole backup (copy, integrity check, rename)
and a restore take.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from selector.backup import backup, restore  # noqa: E402
from selector.config import DEFAULT_CONFIG_PATH  # noqa: E402
from selector.intake import read_applications  # noqa: E402
from selector.models import Review  # noqa: E402
from selector.seed import seed_demo  # noqa: E402
from selector.store import Store  # noqa: E402


def large(path: Path, applicants: int, reviewers: int) -> str:
    url = f"sqlite:///{path}"
    lines = ["ID,Name,Email,PGY,Specialty,Why DEI"]
    essay = "A paragraph about leadership and equity in residency. " * 20
    lines += [
        f"{i},Testperson {i},p{i}@example.org,{2 + i % 3},Psychiatry,{essay}"
        for i in range(1, applicants + 1)
    ]
    export = path.with_suffix(".csv")
    export.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with Store(url) as store:
        system = store.system_user()
        store.create_cycle(system, "2026", DEFAULT_CONFIG_PATH.read_text(encoding="utf-8"))
        store.import_applications(system, "2026", read_applications(export))
        criteria = [c.id for c in store.cycle("2026").config.criteria]
        emails = [f"rev{r}@example.org" for r in range(reviewers)]
        for email in emails:
            store.add_user(system, email, email, "reviewer", None)
        reviews = [
            Review(a.applicant_id, email, dict.fromkeys(criteria, 1.0 + (i + r) % 5), "ok")
            for i, a in enumerate(store.applicants(system, "2026"))
            for r, email in enumerate(emails)
        ]
        store.save_reviews(system, "2026", reviews)
    return url


def measure(name: str, url: str, folder: Path) -> None:
    out = folder / f"{name}.backup.db"
    start = time.perf_counter()
    summary, copy_s = backup(url, out)
    total_s = time.perf_counter() - start
    start = time.perf_counter()
    restore(url, out)
    restore_s = time.perf_counter() - start
    print(
        f"{name:<6} {summary}: copy {copy_s * 1000:.0f} ms, backup {total_s * 1000:.0f} ms, "
        f"restore {restore_s * 1000:.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--applicants", type=int, default=2000)
    parser.add_argument("--reviewers", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        demo_url = f"sqlite:///{folder / 'demo.db'}"
        with Store(demo_url) as store:
            seed_demo(store)
        measure("demo", demo_url, folder)
        measure("large", large(folder / "large.db", args.applicants, args.reviewers), folder)


if __name__ == "__main__":
    main()
