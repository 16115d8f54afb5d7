"""The demo's public logins, as data: the demo cycle's name and the demo accounts.

Both the store (which refuses real data in the demo cycle and ends the demo logins when real
data arrives) and :mod:`selector.seed` (which creates the demo) read them here, so the store
never imports the seeding code. The accounts come from ``data/demo_reviewers.csv``, or, when
the files are not there (an installed package), from :func:`selector.demo.make_demo`.
"""

from __future__ import annotations

import csv
import functools
import io
from pathlib import Path

from selector.auth import normalize_email

#: The cycle of the synthetic demo (:mod:`selector.seed`): no real data ever goes into it.
DEMO_CYCLE = "Demo 2026"
#: Where the committed demo files are.
DATA_DIR = Path(__file__).resolve().parent.parent / "data"
#: The demo files (made by :mod:`selector.demo`): applications export, scores, accounts.
APPLICATIONS_FILE = "demo_applications.xlsx"
SCORES_FILE = "demo_scores.csv"
REVIEWERS_FILE = "demo_reviewers.csv"
DEMO_FILES = (APPLICATIONS_FILE, SCORES_FILE, REVIEWERS_FILE)


def demo_password(email: str) -> str:
    """The demo account's password: ``demo-`` and the part of the e-mail before the @."""
    return "demo-" + email.split("@")[0]


@functools.lru_cache(maxsize=4)
def demo_files(data_dir: Path = DATA_DIR) -> dict[str, bytes]:
    """The demo files by name: the committed ones, else generated (same bytes)."""
    if all((data_dir / n).is_file() for n in DEMO_FILES):
        return {n: (data_dir / n).read_bytes() for n in DEMO_FILES}
    from selector.demo import make_demo  # openpyxl and the generator, only when needed

    return make_demo()


def accounts(data_dir: str | Path | None = None) -> list[dict[str, str]]:
    """The demo accounts: e-mail, name, role, program and (public) password."""
    files = demo_files(Path(data_dir) if data_dir is not None else DATA_DIR)
    text = files[REVIEWERS_FILE].decode("utf-8-sig")
    return [
        {
            "email": row["email"],
            "name": row["name"],
            "role": row["role"],
            "program": row["program"],
            "password": demo_password(row["email"]),
        }
        for row in csv.DictReader(io.StringIO(text))
    ]


def demo_emails(data_dir: str | Path | None = None) -> frozenset[str]:
    """The e-mail addresses of the demo accounts (whose passwords are public)."""
    return frozenset(normalize_email(a["email"]) for a in accounts(data_dir))
