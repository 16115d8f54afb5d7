"""A demo cycle in a store, from the synthetic demo data, so the dashboard can be tried at once.

:func:`seed_demo` imports ``data/demo_applications.xlsx`` into cycle :data:`DEMO_CYCLE`,
creates the accounts of ``data/demo_reviewers.csv`` with the passwords of
:func:`demo_password` (shown on the login page: they guard made-up data only), assigns each
reviewer the applicants they scored and saves ``data/demo_scores.csv``. When the files are not
there (an installed package), the same bytes come from :func:`selector.demo.make_demo`.
Seeding again adds only what is missing (accounts, reviews), never overwriting what was entered.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from selector.auth import SEED_USER
from selector.config import DEFAULT_CONFIG_PATH
from selector.demo_accounts import (
    APPLICATIONS_FILE,
    DATA_DIR,
    DEMO_CYCLE,
    SCORES_FILE,
    accounts,
    demo_emails,
    demo_files,
    demo_password,
)
from selector.errors import InputError, Location
from selector.intake import read_applications
from selector.store import Store

__all__ = [
    "DATA_DIR",
    "DEMO_CYCLE",
    "demo_accounts",
    "demo_emails",
    "demo_password",
    "seed_demo",
]


def demo_accounts(store: Store, data_dir: str | Path | None = None) -> list[dict[str, str]] | None:
    """The demo accounts (e-mail, name, role, password) while the store holds only the demo
    cycle and their logins work; None otherwise. Read-only, as the login page calls it on
    every render: the demo logins are disabled when real data arrives (a real cycle or
    account, :meth:`Store.create_cycle`, :meth:`Store.add_user`)."""
    names = {c.name for c in store.cycles()}
    if names != {DEMO_CYCLE}:
        return None
    shown = [{k: v for k, v in a.items() if k != "program"} for a in accounts(data_dir)]
    if not any(store.login_enabled(a["email"]) for a in shown):
        return None
    return shown


def seed_demo(store: Store, data_dir: str | Path | None = None) -> dict[str, Any]:
    """Create (or complete) the demo cycle; returns its name, counts and the demo accounts
    with their passwords."""
    from selector.scorefile import read_scores

    files = demo_files(Path(data_dir) if data_dir is not None else DATA_DIR)
    system = SEED_USER  # the one actor that writes into the demo cycle
    if DEMO_CYCLE not in {c.name for c in store.cycles()}:
        config_text = DEFAULT_CONFIG_PATH.read_text(encoding="utf-8")
        store.create_cycle(system, DEMO_CYCLE, config_text)
    cycle = store.cycle(DEMO_CYCLE)

    demo = accounts(data_dir)
    for a in demo:
        if store.user(a["email"]) is None:
            store.add_user(system, a["email"], a["name"], a["role"], a["password"], a["program"])
    if {c.name for c in store.cycles()} != {DEMO_CYCLE}:
        store.retire_demo()  # real data is already there: no public passwords

    added = 0
    if not store.applicants(system, cycle.name, include_withdrawn=True):
        intake = read_applications(files[APPLICATIONS_FILE], filename=APPLICATIONS_FILE)
        added = len(store.import_applications(system, cycle.name, intake).added)
    applicants = store.applicants(system, cycle.name)
    scores = read_scores(files[SCORES_FILE], cycle.config, applicants, filename=SCORES_FILE)
    errors = [p for p in scores.problems if p.severity == "error"]
    if errors:
        raise InputError(
            "demo_scores_invalid",
            f"the demo scores do not fit the demo applicants: {errors[0]}",
            Location(file=SCORES_FILE),
        )
    # Only reviews not yet there: seeding again never overwrites what someone entered.
    have = {(r.applicant_id, r.reviewer) for r in store.reviews(system, cycle.name)}
    missing = [r for r in scores.reviews if (r.applicant_id, r.reviewer) not in have]
    store.set_assignments(system, cycle.name, [(r.applicant_id, r.reviewer) for r in missing])
    saved = store.save_reviews(system, cycle.name, missing)
    return {
        "cycle": cycle.name,
        "applicants": len(applicants),
        "added": added,
        "reviews": saved,
        "accounts": [{k: v for k, v in a.items() if k != "program"} for a in demo],
    }
