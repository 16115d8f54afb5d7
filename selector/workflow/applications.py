"""Import an applications export into a cycle: where to, what it would change, and doing it."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from selector.auth import User
    from selector.intake import IntakeResult
    from selector.store import ImportReport, MergeReport, Store


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
            names={a.applicant_id: a.name for a in intake.accepted},
        )
    return store.preview_import(actor, cycle, intake)


def import_applications(
    store: Store,
    actor: User,
    cycle: str,
    intake: IntakeResult,
    *,
    allow_mass_withdrawal: bool = False,
) -> ImportReport:
    """Import in one transaction (adds, updates, withdraws). A cycle that does not exist yet
    is created in the same transaction (a failed import leaves none), from the previous cycle
    of the track as `cycles create` makes one: its config and track (the default config for
    a first cycle). One that would withdraw more than half of the active applicants is
    refused (``mass_withdrawal``) unless ``allow_mass_withdrawal``."""
    from selector.config import DEFAULT_CONFIG_PATH, read_config_text
    from selector.workflow.track import new_cycle_base

    config_text = None
    if not _exists(store, cycle):
        base = new_cycle_base(store)
        config_text = (
            base.config_text if base is not None else read_config_text(DEFAULT_CONFIG_PATH)
        )
    return store.import_applications(
        actor, cycle, intake, create_with=config_text, allow_mass_withdrawal=allow_mass_withdrawal
    )


def mass_withdrawal(report: ImportReport) -> bool:
    """Whether the import would withdraw more than half of the active applicants, and so
    needs a confirmation (``--allow-mass-withdrawal``, a typed one on the Upload page)."""
    from selector.store import mass_withdrawal as too_many

    return too_many(report)


def merge_applicants(
    store: Store, actor: User, cycle: str | None, keep_id: str, other_id: str
) -> MergeReport:
    """Merge two records of one person (their e-mail changed) into ``keep_id``; see
    :meth:`selector.store.Store.merge_applicants`."""
    return store.merge_applicants(actor, cycle, keep_id, other_id)


def _shown(value: Any) -> str:
    """A stored value as a person reads it in a preview (long answers shortened)."""
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "..."


def preview_rows(report: ImportReport) -> list[dict[str, str]]:
    """The preview as rows a person reads: one per person (by name) and outcome, and for a
    changed one a row per changed field with its old and new value."""
    rows: list[dict[str, str]] = []
    reused = {new: old for old, new in report.id_reused.items()}
    moved = {kept: new for new, kept in report.resubmitted.items()}

    def row(outcome: str, aid: str, field: str = "", old: Any = "", new: Any = "") -> None:
        rows.append(
            {
                "Outcome": outcome,
                "Applicant": aid,
                "Name": report.names.get(aid, ""),
                "Field": field,
                "Old": "" if field == "" else _shown(old),
                "New": "" if field == "" else _shown(new),
            }
        )

    for aid in report.added:
        if aid in reused:
            row("new", aid, "response id", reused[aid], f"{aid} (another person has {reused[aid]})")
        else:
            row("new", aid)
    for aid in report.updated:
        for field, (old, new) in report.changes.get(aid, {}).items():
            row("changed", aid, field, old, new)
    for aid in report.withdrawn:
        row("withdrawn", aid)
    for aid in report.unchanged:
        if aid in moved:
            row("unchanged", aid, "response id", moved[aid], aid)
    return rows


def preview_text(report: ImportReport) -> list[str]:
    """The preview as lines for the CLI: each new, changed and withdrawn person by name, the
    changed fields as ``old → new``."""
    lines: list[str] = []
    for r in preview_rows(report):
        head = f"  {r['Outcome']}: {r['Applicant']} {r['Name']}".rstrip()
        lines.append(f"{head}: {r['Field']} {r['Old']} → {r['New']}" if r["Field"] else head)
    return lines
