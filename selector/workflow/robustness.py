"""How sure a scenario's cohort is, for the Selection page: the bootstrap with a seed drawn
from the data's hash (the same data gives the same figures), and its rows for a chart."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from selector.models import Review
    from selector.selection import Decision
    from selector.selection.robustness import Robustness

#: Draws the dashboard asks for: about half a second for a pool of 40 with a cohort of 10.
DASHBOARD_DRAWS = 200


def scenario_robustness(
    decision: Decision,
    reviews: Sequence[Review],
    input_hash: str | None,
    *,
    draws: int = DASHBOARD_DRAWS,
) -> Robustness | None:
    """The bootstrap of a scenario's decision (None when no cohort fits), seeded by the hash
    of the data and the decision's locks."""
    from selector.workflow.decide import assess

    return assess(decision, reviews, draws, scenario_seed(decision, input_hash))


def scenario_seed(decision: Decision, input_hash: str | None) -> str:
    """The seed of a scenario's bootstrap (and lottery): the data's hash and the locks."""
    locks = ",".join(decision.include) + "|" + ",".join(decision.exclude)
    return f"dashboard:{(input_hash or '')[:16]}:{locks}"


def robustness_rows(decision: Decision, found: Robustness) -> list[dict[str, Any]]:
    """One row per selectable applicant, most often selected first: id, name, in the cohort
    or not, selection probability and verdict (secure, contested, near-miss or blank)."""
    verdict = {a: "secure" for a in found.secure}
    verdict.update({a: "contested" for a in found.contested})
    verdict.update({a: "near-miss" for a in found.near_misses})
    chosen = set(decision.selected)
    order = sorted(found.probability, key=lambda a: (-found.probability[a], a))
    return [
        {
            "Applicant": a,
            "Name": decision.applicants[a].name,
            "In cohort": a in chosen,
            "Probability": found.probability[a],
            "Verdict": verdict.get(a, ""),
        }
        for a in order
    ]
