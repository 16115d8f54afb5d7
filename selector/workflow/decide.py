"""Decide a cohort: on a stored cycle (and record the run), or on files."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
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
    #: In a staged cycle: the stage decided, and the shortlist the cohort was decided among.
    staged: dict[str, Any] = field(default_factory=dict)
    #: Whether the run was recorded as the cycle's final run (:func:`finalise_cycle`).
    final: bool = False


#: Draws of the bootstrap behind a lottery when none were asked for.
LOTTERY_DRAWS = 1000


def assess(
    decision: Decision,
    reviews: Sequence[Review],
    draws: int | None,
    seed: str | None,
    staged: TrackConfig | None = None,
) -> Robustness | None:
    """The bootstrap's robustness of an optimal decision, when ``draws`` asks for it;
    ``staged`` is the config of a staged cycle whose final cohort ``decision`` is (each
    stage's reviews are resampled)."""
    if draws is None or decision.status != "optimal":
        return None
    if staged is not None:
        from selector.selection.staged import staged_robustness

        return staged_robustness(decision, reviews, staged, draws=draws, seed=seed)
    from selector.selection.robustness import robustness

    return robustness(decision, reviews, draws=draws, seed=seed)


def settle(
    decision: Decision,
    reviews: Sequence[Review],
    draws: int | None,
    seed: str | None,
    staged: TrackConfig | None = None,
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
    found = assess(decision, reviews, draws, seed, staged)
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
    stage: str | None = None,
    final: bool = False,
) -> CycleDecision:
    """Decide on the stored cycle and record the run. The inputs are read once: the run is
    recorded with the hash of exactly the data decided on (refused if it changed meanwhile)
    and the inputs themselves, so it can be replayed. With ``roster`` the roster is written
    first, so a failed write records nothing; it is written again with the run's id once
    recorded. With ``robustness`` (draws) the bootstrap's result is recorded with the run.

    In a staged cycle ``stage`` names the first stage to decide its shortlist (``final``
    records it as the shortlist in force), else the cohort is decided among the shortlist
    in force on the combined score of every stage (:mod:`selector.stages`). The track's
    current trainees are kept out when the config says so."""
    from selector.config import columns_of
    from selector.errors import InputError
    from selector.roster import write_roster
    from selector.stages import decide_stage
    from selector.store import input_hash
    from selector.workflow.track import emails_of, second_years

    if stage is not None:
        config.stage(stage)  # an unknown stage, or a stage of a config without, is refused
    shortlisting = stage is not None and stage == config.stages[0].name
    combined = bool(config.stages) and not shortlisting
    if final and not config.stages:
        raise InputError(
            "final_not_staged",
            "a cohort of a cycle without stages is finalised as a scenario (Roster page)",
        )
    applicants, reviews = store.selection_inputs(actor, cycle, every_stage=combined)
    config.require_known_fields(columns_of(applicants), config_source)
    seconds = second_years(store, actor, cycle)  # every role that decides reads them
    shortlist = store.shortlist(actor, cycle) if combined else None
    decision = decide_stage(
        applicants,
        reviews,
        config,
        stage if shortlisting else None,
        shortlist=shortlist,
        include=include,
        exclude=exclude,
        solver=solver,
        trainees=emails_of(seconds),
    )
    decision, found, lottery = settle(
        decision, reviews, robustness, seed, config if combined else None
    )
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
    staged: dict[str, Any] = {}
    if config.stages:
        staged = {"stage": stage if shortlisting else config.stages[-1].name}
        if shortlist is not None:
            staged["shortlist"] = shortlist
    run_id = store.record_run(
        actor,
        cycle,
        config_text=config_text,
        decision=decision_json(decision, found, lottery) | staged,
        inputs=(applicants, reviews),
        input_hash=digest,
        final=final,
        stage=stage if shortlisting and stage is not None else "",
        trainees=decision.trainees,
    )
    if roster is not None:
        write(roster, run_id=run_id)
    return CycleDecision(decision, found, run_id, digest, lottery, staged)


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


def finalise_cycle(
    store: Store,
    actor: User,
    cycle: str | None,
    config: TrackConfig,
    *,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    confirm_open_reviews: bool = False,
    robustness: int | None = None,
    seed: str | None = None,
    config_source: str = "<config>",
) -> CycleDecision:
    """Decide on the stored cycle and record the run as final, as the Roster page finalises
    a scenario (:func:`~selector.workflow.finalise_scenario`, the chair only): with reviews
    still open it is refused (``open_reviews_unconfirmed``) unless ``confirm_open_reviews``
    confirms every one open now. A decision that finds no cohort is recorded as a plain run
    and not finalised (the caller shows the diagnosis)."""
    from selector.auth import Action
    from selector.config import columns_of
    from selector.selection import decide
    from selector.store import input_hash
    from selector.workflow.progress import open_reviews
    from selector.workflow.robustness import scenario_seed
    from selector.workflow.scenario import finalise_scenario, scenario_config_text

    actor.require(Action.FINALIZE)
    found_cycle = store.cycle(cycle)
    applicants, reviews = store.selection_inputs(actor, found_cycle.name)
    config.require_known_fields(columns_of(applicants), config_source)
    decision = decide(applicants, reviews, config, include=include, exclude=exclude)
    config_text = scenario_config_text(found_cycle, config)
    digest = input_hash(applicants, reviews, config_text)
    decision, found, lottery = settle(
        decision, reviews, robustness, seed or scenario_seed(decision, digest)
    )
    if decision.status != "optimal":
        run_id = store.record_run(
            actor,
            found_cycle.name,
            config_text=config_text,
            decision=decision_json(decision, found, lottery),
            inputs=(applicants, reviews),
            input_hash=digest,
        )
        return CycleDecision(decision, found, run_id, digest, lottery)
    now_open = open_reviews(store, actor, found_cycle.name)
    run_id = finalise_scenario(
        store,
        actor,
        found_cycle,
        config,
        decision,
        digest,
        confirmed_open=now_open if confirm_open_reviews and now_open else None,
        robustness=found,
        lottery=lottery,
    )
    return CycleDecision(decision, found, run_id, digest, lottery, final=True)
