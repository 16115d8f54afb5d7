"""Import an applications export into a cycle: where to, what it would change, and doing it."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from selector.auth import User
    from selector.intake import IntakeResult
    from selector.store import ImportReport, Store


def import_target(store: Store, cycle: str | None) -> str:
    """The cycle to import into: the named one, else the newest that is not the demo, else
    one named after the current year."""
    from selector.seed import DEMO_CYCLE

    if cycle is not None:
        return cycle
    real = [c.name for c in store.cycles() if c.name != DEMO_CYCLE]
    return real[0] if real else str(dt.date.today().year)


def _exists(store: Store, cycle: str) -> bool:
    return any(c.name == cycle for c in store.cycles())


def preview_import(store: Store, actor: User, cycle: str, intake: IntakeResult) -> ImportReport:
    """What importing would change, writing nothing: into a cycle that does not exist yet,
    every accepted application would be added (and the cycle is not created)."""
    from selector.store import ImportReport

    if not _exists(store, cycle):
        return ImportReport(
            added=[a.applicant_id for a in intake.accepted],
            rejected=[r.to_json() for r in intake.rejected],
        )
    return store.preview_import(actor, cycle, intake)


def import_applications(
    store: Store, actor: User, cycle: str, intake: IntakeResult
) -> ImportReport:
    """Import in one transaction (adds, updates, withdraws). A cycle that does not exist yet
    is created with the default config in the same transaction: a failed import leaves none."""
    from selector.config import DEFAULT_CONFIG_PATH, read_config_text

    config_text = None if _exists(store, cycle) else read_config_text(DEFAULT_CONFIG_PATH)
    return store.import_applications(actor, cycle, intake, create_with=config_text)
