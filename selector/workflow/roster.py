"""The roster of a cycle's final (else latest) recorded run, decided again on the stored data
from that run's config snapshot and locks; or decided now with another config and recorded."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from selector.auth import User
    from selector.models import Applicant, Review
    from selector.selection import Decision
    from selector.store import Run, Store


@dataclass
class RosterResult:
    """The roster written: its cycle, where its decision came from ("final run 3",
    "config rules.toml"), and the decision."""

    cycle: str
    source: str
    decision: Decision


def recorded_run(
    store: Store, actor: User, cycle: str, applicants: list[Applicant], reviews: list[Review]
) -> Run:
    """The run whose roster to write: the cycle's latest final run, else its latest run;
    refused when the data changed since it was decided."""
    from selector.errors import InputError
    from selector.store import input_hash

    runs = store.runs(actor, cycle)
    if not runs:
        raise InputError(
            "run_missing", f"no selection run in cycle {cycle} yet: run `selector select`"
        )
    run = next((r for r in runs if r.final), runs[0])
    if input_hash(applicants, reviews, run.config_text) != run.input_hash:
        raise InputError(
            "run_stale",
            f"the data of cycle {cycle} changed since run {run.id}; run `selector select` again",
        )
    return run


def roster_of_final_run(
    store: Store,
    actor: User,
    cycle: str | None,
    out: str | Path,
    *,
    config_text: str | None = None,
    config_name: str | None = None,
) -> RosterResult:
    """Write the roster of the cycle's final (else latest) run, decided again from its config
    snapshot and locks, with each member's offer status once the cycle has offers (the
    roster's cohort is then the accepted cohort); refused when the data changed since or
    the cohort is not reproduced.
    With ``config_text``, decide now with that config, without locks, and record the run.
    The inputs are read once; a failed write records nothing."""
    from selector.config import loads_config
    from selector.errors import InputError
    from selector.roster import write_roster
    from selector.stages import decide_stage
    from selector.store import input_hash
    from selector.workflow.track import emails_of, second_years

    target = store.cycle(cycle)
    name = target.name
    # A staged cycle's cohort is decided on every stage's reviews, among its shortlist.
    staged = bool(target.config.stages)
    applicants, reviews = store.selection_inputs(actor, name, every_stage=staged)
    run: Run | None = None
    if config_text is not None:
        source = f"config {config_name}"
    else:
        run = recorded_run(store, actor, name, applicants, reviews)
        config_text, source = run.config_text, f"{'final ' if run.final else ''}run {run.id}"
    include, exclude = (run.decision["include"], run.decision["exclude"]) if run else ([], [])
    seconds = second_years(store, actor, name)
    if run is not None:  # decided again as it was: with the trainees it kept
        trainees = frozenset((run.inputs or {}).get("trainees") or [])
    else:
        trainees = emails_of(seconds)
    config = loads_config(config_text, source)
    shortlist = None
    if config.stages:
        shortlist = run.decision.get("shortlist") if run else store.shortlist(actor, name)
    decision = decide_stage(
        applicants,
        reviews,
        config,
        shortlist=shortlist,
        include=include,
        exclude=exclude,
        trainees=trainees,
    )
    if run is not None and sorted(decision.selected) != sorted(run.decision["selected"]):
        raise InputError(
            "run_not_reproduced",
            f"deciding {source} again gave another cohort; run `selector select` again",
        )
    digest = input_hash(applicants, reviews, config_text)
    # Once the cycle has offers, the final run's roster is the accepted cohort with statuses.
    offers = store.offers(actor, name) if run is not None else []
    # A failed write records nothing; a new run's roster is written again with its id.
    write_roster(
        decision,
        out,
        config_text=config_text,
        input_hash=digest,
        run_id=None if run is None else run.id,
        offers=offers,
        second_years=seconds,
    )
    if run is None:
        run_id = store.record_run(
            actor,
            name,
            config_text=config_text,
            decision=decision,
            inputs=(applicants, reviews),
            input_hash=digest,
            trainees=decision.trainees,
        )
        write_roster(
            decision,
            out,
            config_text=config_text,
            input_hash=digest,
            run_id=run_id,
            second_years=seconds,
        )
    return RosterResult(name, source, decision)
