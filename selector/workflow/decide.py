"""Decide a cohort: on a stored cycle (and record the run), or on files."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from selector.auth import User
    from selector.config import TrackConfig
    from selector.selection import Decision
    from selector.store import Store


def decide_cycle(
    store: Store,
    actor: User,
    cycle: str | None,
    config: TrackConfig,
    config_text: str,
    *,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    solver: Literal["highs", "cbc"] = "highs",
    roster: str | Path | None = None,
    roster_inputs: Mapping[str, bytes] | None = None,
    config_source: str = "<config>",
) -> Decision:
    """Decide on the stored cycle and record the run. The inputs are read once: the run is
    recorded with the hash of exactly the data decided on (refused if it changed meanwhile).
    With ``roster`` the roster is written first, so a failed write records nothing."""
    from selector.config import columns_of
    from selector.roster import write_roster
    from selector.selection import decide

    applicants, reviews = store.selection_inputs(actor, cycle)
    config.require_known_fields(columns_of(applicants), config_source)
    decision = decide(applicants, reviews, config, include=include, exclude=exclude, solver=solver)
    if roster is not None:
        write_roster(decision, roster, inputs=roster_inputs, config_text=config_text)
    store.record_run(
        actor,
        cycle,
        config_text=config_text,
        decision=decision,
        inputs=(applicants, reviews),
    )
    return decision


@dataclass
class FileDecision:
    """A decision made on files, with how many application rows intake rejected."""

    decision: Decision
    rejected_rows: int


def decide_files(
    config: TrackConfig,
    config_text: str,
    config_name: str,
    applications: str,
    scores: str,
    *,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    solver: Literal["highs", "cbc"] = "highs",
    roster: str | Path | None = None,
) -> FileDecision:
    """Decide on an applications export and a score file (nothing is stored). The first
    problem of the score file is the error, with its cell; the roster, when asked for, holds
    the three input files."""
    from selector.config import columns_of
    from selector.errors import InputError, Location
    from selector.intake import read_applications
    from selector.roster import write_roster
    from selector.scorefile import read_scores
    from selector.selection import decide
    from selector.tables import read_bytes

    app_bytes = read_bytes(applications)[0]
    score_bytes = read_bytes(scores)[0]
    inputs = {
        Path(config_name).name: config_text.encode("utf-8"),
        Path(applications).name: app_bytes,
        Path(scores).name: score_bytes,
    }
    intake = read_applications(app_bytes, filename=applications)
    rejected_rows = len(intake.rejected)
    if not intake.accepted:
        raise InputError(
            "applications_empty",
            f"no valid application in the file ({rejected_rows} rejected row(s); "
            f"run `selector validate {applications}`)",
            Location(file=applications),
        )
    config.require_known_fields(columns_of(intake.accepted), config_name)
    result = read_scores(score_bytes, config, intake.accepted, filename=scores)
    if result.errors:
        first = result.errors[0]
        where = first.location
        notes = [f"cell {where.cell}"] if where.cell else []
        if len(result.errors) > 1:
            notes.append(f"and {len(result.errors) - 1} more problem(s) in the file")
        # "file, row N, column 'X': message (cell D7, ...)": the row is named in words.
        raise InputError(
            first.code,
            first.message + (f" ({'; '.join(notes)})" if notes else ""),
            Location(file=where.file, row=where.row, column=where.column),
        )
    decision = decide(
        intake.accepted, result.reviews, config, include=include, exclude=exclude, solver=solver
    )
    if roster is not None:
        write_roster(decision, roster, inputs=inputs, config_text=config_text)
    return FileDecision(decision, rejected_rows)
