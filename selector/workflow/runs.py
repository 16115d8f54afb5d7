"""Recorded runs: list them, and verify one by deciding it again from its own inputs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from selector.auth import User
    from selector.models import Review
    from selector.selection import Decision
    from selector.store import Run, Store


def find_run(store: Store, actor: User, cycle: str | None, run_id: int | None) -> Run:
    """A recorded run by id (in ``cycle``, else in any cycle), or the latest run of ``cycle``
    (default: the newest cycle) when ``run_id`` is None."""
    from selector.errors import InputError

    if run_id is None:
        runs = store.runs(actor, cycle)
        if not runs:
            name = store.cycle(cycle).name
            raise InputError("run_missing", f"no selection run in cycle {name} yet")
        return runs[0]
    names = [cycle] if cycle is not None else [c.name for c in store.cycles()]
    for name in names:
        runs = store.runs(actor, name, every_stage=True)
        found = next((r for r in runs if r.id == run_id), None)
        if found is not None:
            return found
    raise InputError("run_unknown", f"no selection run {run_id}")


def run_summary(run: Run) -> dict[str, Any]:
    """One run as ``selector runs list --json`` shows it (its inputs left out)."""
    d = run.decision
    robustness = d.get("robustness")
    return {
        "id": run.id,
        "cycle": run.cycle,
        "at": run.at.isoformat(),
        "actor": run.actor,
        "final": run.final,
        "unfinalised": run.unfinalised,
        "stage": run.stage or d.get("stage") or None,
        "status": d.get("status"),
        "selected": d.get("selected") or [],
        "input_hash": run.input_hash,
        "keeps_inputs": run.inputs is not None,
        "fills_run": d.get("fills_run"),
        "robustness": None
        if not robustness
        else {"draws": robustness.get("draws"), "seed": robustness.get("seed")},
    }


def list_runs(store: Store, actor: User, cycle: str | None) -> list[dict[str, Any]]:
    """The recorded runs of a cycle (default: the newest), newest first: its cohorts and,
    in a staged cycle, its shortlists (``stage``); one of each in force."""
    runs = store.runs(actor, cycle, every_stage=True)
    in_force = {
        next((r.id for r in runs if r.final and r.stage == kind), None)
        for kind in {r.stage for r in runs}
    }
    return [{**run_summary(r), "in_force": r.id in in_force} for r in runs]


@dataclass
class Verification:
    """What deciding a run again from its own inputs gave: ``differences`` is empty when the
    cohort, status, total score and input hash are the same; ``data_current`` says whether
    today's stored data still hashes to the run's (information only)."""

    run_id: int
    cycle: str
    input_hash: str
    differences: list[str] = field(default_factory=list)
    data_current: bool = False
    replayed_from: str = "the run's own inputs"

    @property
    def identical(self) -> bool:
        return not self.differences

    def to_json(self) -> dict[str, Any]:
        return {
            "run": self.run_id,
            "cycle": self.cycle,
            "input_hash": self.input_hash,
            "identical": self.identical,
            "differences": self.differences,
            "data_current": self.data_current,
            "replayed_from": self.replayed_from,
        }


def _cohort_difference(recorded: list[str], now: list[str]) -> str | None:
    gone = sorted(set(recorded) - set(now))
    new = sorted(set(now) - set(recorded))
    if not gone and not new:
        return None
    parts = []
    if gone:
        parts.append(f"only in the run: {', '.join(gone)}")
    if new:
        parts.append(f"only now: {', '.join(new)}")
    return "cohort differs (" + "; ".join(parts) + ")"


def verify_run(
    store: Store, actor: User, cycle: str | None = None, run_id: int | None = None
) -> Verification:
    """Decide a recorded run again from the inputs it kept, with its config snapshot and
    locks, and compare: the inputs' hash, the status, the cohort and its total score. A run
    recorded before runs kept their inputs is replayed on today's data when that still hashes
    to the run's; otherwise it cannot be replayed (a difference)."""
    return replay(store, actor, find_run(store, actor, cycle, run_id))[2]


def replay(
    store: Store, actor: User, run: Run, *, explain: bool = False
) -> tuple[Decision | None, list[Review], Verification]:
    """A recorded run decided again (its lot drawn again from the recorded seed), the reviews
    it was decided on, and how it compares with the record (:func:`verify_run`). The decision
    is None when the run cannot be replayed."""
    from selector.config import loads_config
    from selector.stages import decide_stage
    from selector.store import input_hash, inputs_from_json

    recorded = run.decision
    staged = bool(recorded.get("stage")) and not run.stage  # a staged cycle's final cohort
    today = store.selection_inputs(actor, run.cycle, every_stage=staged)
    result = Verification(run.id, run.cycle, run.input_hash)
    result.data_current = input_hash(*today, run.config_text) == run.input_hash
    trainees: list[str] = []
    if run.inputs is not None:
        applicants, reviews = inputs_from_json(run.inputs)
        trainees = list(run.inputs.get("trainees") or [])
        digest = input_hash(applicants, reviews, run.config_text)
        if digest != run.input_hash:
            result.differences.append(
                f"input hash differs: recorded {run.input_hash}, its kept inputs hash to {digest}"
            )
    elif result.data_current:
        applicants, reviews = today
        result.replayed_from = "today's data (the run kept no inputs; they still hash the same)"
    else:
        result.differences.append(
            "the run kept no inputs and today's data no longer hashes to its input hash: "
            "it cannot be replayed"
        )
        return None, [], result
    config = loads_config(run.config_text, f"run {run.id}")
    decision = decide_stage(
        applicants,
        reviews,
        config,
        run.stage or None,
        shortlist=recorded.get("shortlist"),
        include=recorded.get("include") or [],
        exclude=recorded.get("exclude") or [],
        explain=explain,
        trainees=trainees,
    )
    drawn = recorded.get("lottery")
    if drawn:  # the lot replays from its recorded seed, over the bootstrap it was drawn from
        from selector.workflow.decide import settle

        robust = recorded.get("robustness") or {}
        decision, _, lottery = settle(
            decision, reviews, robust.get("draws"), drawn["seed"], config if staged else None
        )
        if lottery is not None and lottery.drawn != drawn.get("drawn"):
            result.differences.append(
                f"the lot differs: recorded {', '.join(drawn.get('drawn') or []) or 'none'}, "
                f"now {', '.join(lottery.drawn) or 'none'}"
            )
    if decision.status != recorded.get("status"):
        result.differences.append(
            f"status differs: recorded {recorded.get('status')}, now {decision.status}"
        )
    cohort = _cohort_difference(list(recorded.get("selected") or []), decision.selected)
    if cohort:
        result.differences.append(cohort)
    total = recorded.get("total_score")
    if decision.total_score != total:
        result.differences.append(
            f"total score differs: recorded {total}, now {decision.total_score}"
        )
    return decision, list(reviews), result
