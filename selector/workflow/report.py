"""The decision report (PDF) of a recorded run, or of a scenario on the Roster page."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from selector.auth import User
    from selector.models import Review, SecondYears
    from selector.selection import Decision
    from selector.selection.robustness import Robustness
    from selector.store import Cycle, Store

#: Draws of the bootstrap when a run recorded none (seeded by the run's input hash).
REPORT_DRAWS = 200


def report_pdf(
    decision: Decision,
    reviews: Sequence[Review],
    cycle: str,
    *,
    run_id: int | None,
    input_hash: str | None,
    robustness: Robustness | None = None,
    second_years: SecondYears | None = None,
) -> bytes:
    """The PDF of a decision: robustness as given, else assessed with :data:`REPORT_DRAWS`
    draws seeded by the input hash (so the same run gives the same report); the second-year
    trainees beside the cohort when given."""
    from selector.calibration import reliability
    from selector.report import ReportFacts, decision_pdf, reviews_per_applicant
    from selector.workflow.decide import assess

    if robustness is None:
        seed = f"report:{(input_hash or 'unrecorded')[:16]}"
        robustness = assess(decision, reviews, REPORT_DRAWS, seed)
    facts = ReportFacts(
        cycle=cycle,
        run_id=run_id,
        input_hash=input_hash,
        robustness=robustness,
        reliability=reliability(reviews, decision.config),
        reviews_per_applicant=reviews_per_applicant(decision, reviews),
        second_years=second_years,
    )
    return decision_pdf(decision, facts)


def decision_report(
    store: Store, actor: User, cycle: str | None = None, run_id: int | None = None
) -> tuple[int, bytes]:
    """The report of a recorded run (default: the cycle's final run, else its latest),
    decided again from the run's own inputs with its config snapshot and locks; refused when
    that does not give the run's cohort. Returns (run id, PDF bytes)."""
    from selector.errors import InputError
    from selector.selection.robustness import Robustness
    from selector.workflow.runs import find_run, replay
    from selector.workflow.track import second_years

    if run_id is None:
        runs = store.runs(actor, cycle)
        final = next((r for r in runs if r.final), None)
        run = final or find_run(store, actor, cycle, None)
    else:
        run = find_run(store, actor, cycle, run_id)
    recorded = run.decision
    decision, reviews, check = replay(store, actor, run, explain=True)
    if decision is None or not check.identical:
        raise InputError(
            "run_not_reproduced",
            f"run {run.id} cannot be reported: {'; '.join(check.differences)}",
        )
    found = recorded.get("robustness")
    robustness = Robustness.from_json(found, decision.selected) if found else None
    pdf = report_pdf(
        decision,
        reviews,
        run.cycle,
        run_id=run.id,
        input_hash=run.input_hash,
        robustness=robustness,
        second_years=second_years(store, actor, run.cycle),
    )
    return run.id, pdf


def scenario_report(
    store: Store,
    actor: User,
    cycle: Cycle,
    decision: Decision,
    input_hash: str | None,
    robustness: Robustness | None = None,
) -> bytes:
    """The report of a scenario on the Roster page (not a recorded run: no run id), with the
    robustness the Selection page assessed for it when given."""
    from selector.workflow.track import second_years

    _, reviews = store.selection_inputs(actor, cycle.name)
    return report_pdf(
        decision,
        reviews,
        cycle.name,
        run_id=None,
        input_hash=input_hash,
        robustness=robustness,
        second_years=second_years(store, actor, cycle.name),
    )
