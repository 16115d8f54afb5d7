"""Decide a cohort: on a stored cycle (and record the run), or on files."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from selector.auth import User
    from selector.config import TrackConfig
    from selector.models import Review
    from selector.selection import Decision
    from selector.selection.lottery import Lottery
    from selector.selection.robustness import Robustness
    from selector.store import Store


@dataclass
class CycleDecision:
    """A decision on a stored cycle: the decision, its robustness when asked for (or needed
    by the lottery), the lottery when the config asks for one, and the run it was recorded
    as (with the hash of its inputs)."""

    decision: Decision
    robustness: Robustness | None
    run_id: int
    input_hash: str
    lottery: Lottery | None = None


#: Draws of the bootstrap behind a lottery when none were asked for.
LOTTERY_DRAWS = 1000


def assess(
    decision: Decision, reviews: Sequence[Review], draws: int | None, seed: str | None
) -> Robustness | None:
    """The bootstrap's robustness of an optimal decision, when ``draws`` asks for it."""
    if draws is None or decision.status != "optimal":
        return None
    from selector.selection.robustness import robustness

    return robustness(decision, reviews, draws=draws, seed=seed)


def settle(
    decision: Decision, reviews: Sequence[Review], draws: int | None, seed: str | None
) -> tuple[Decision, Robustness | None, Lottery | None]:
    """The decision with its robustness when asked for and, when the config says
    ``near_ties = "lottery"``, its contested seats drawn by lot (the bootstrap then runs with
    :data:`LOTTERY_DRAWS` draws unless asked for more or fewer, from a fresh seed unless
    given one; the lot uses the same seed)."""
    lottery_on = decision.config.selection.near_ties == "lottery"
    if lottery_on and decision.status == "optimal":
        from selector.selection.robustness import new_seed

        draws = draws or LOTTERY_DRAWS
        seed = seed or new_seed()
    found = assess(decision, reviews, draws, seed)
    if not lottery_on or found is None:
        return decision, found, None
    from selector.selection.lottery import draw_lots

    drawn, lottery = draw_lots(decision, found, found.seed)
    return drawn, found, lottery


def decision_json(
    decision: Decision, found: Robustness | None, lottery: Lottery | None = None
) -> dict[str, Any]:
    """The decision's JSON object, with ``robustness`` when it was assessed and ``lottery``
    when seats were drawn by lot."""
    out = decision.to_json()
    if found is not None:
        out["robustness"] = found.to_json()
    if lottery is not None:
        out["lottery"] = lottery.to_json()
    return out


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
    robustness: int | None = None,
    seed: str | None = None,
) -> CycleDecision:
    """Decide on the stored cycle and record the run. The inputs are read once: the run is
    recorded with the hash of exactly the data decided on (refused if it changed meanwhile)
    and the inputs themselves, so it can be replayed. With ``roster`` the roster is written
    first, so a failed write records nothing; it is written again with the run's id once
    recorded. With ``robustness`` (draws) the bootstrap's result is recorded with the run.
    The track's current trainees are kept out when the config says so."""
    from selector.config import columns_of
    from selector.roster import write_roster
    from selector.selection import decide
    from selector.store import input_hash
    from selector.workflow.track import emails_of, second_years

    applicants, reviews = store.selection_inputs(actor, cycle)
    config.require_known_fields(columns_of(applicants), config_source)
    seconds = second_years(store, actor, cycle)  # every role that decides reads them
    decision = decide(
        applicants,
        reviews,
        config,
        include=include,
        exclude=exclude,
        solver=solver,
        trainees=emails_of(seconds),
    )
    decision, found, lottery = settle(decision, reviews, robustness, seed)
    digest = input_hash(applicants, reviews, config_text)
    write = partial(
        write_roster,
        decision,
        inputs=roster_inputs,
        config_text=config_text,
        input_hash=digest,
        robustness=found,
        lottery=lottery,
        second_years=seconds,
    )
    if roster is not None:
        write(roster)
    run_id = store.record_run(
        actor,
        cycle,
        config_text=config_text,
        decision=decision_json(decision, found, lottery),
        inputs=(applicants, reviews),
        input_hash=digest,
        trainees=decision.trainees,
    )
    if roster is not None:
        write(roster, run_id=run_id)
    return CycleDecision(decision, found, run_id, digest, lottery)


@dataclass
class FileDecision:
    """A decision made on files, with how many application rows intake rejected, and its
    robustness when asked for."""

    decision: Decision
    rejected_rows: int
    robustness: Robustness | None = None
    lottery: Lottery | None = None


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
    robustness: int | None = None,
    seed: str | None = None,
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
    decision, found, lottery = settle(decision, result.reviews, robustness, seed)
    if roster is not None:
        from selector.store.runs import input_hash

        digest = input_hash(intake.accepted, result.reviews, config_text)
        write_roster(
            decision,
            roster,
            inputs=inputs,
            config_text=config_text,
            input_hash=digest,
            robustness=found,
            lottery=lottery,
        )
    return FileDecision(decision, rejected_rows, found, lottery)
