"""A staged cycle's progress, for the Selection page: the shortlist in force and, for each
shortlisted applicant, how many interviewers are assigned and how many have scored."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from selector.auth import User
    from selector.store import Store


@dataclass(frozen=True)
class StageStatus:
    """Where a staged cycle is: its stages, the shortlist in force (None before one is made
    final) and, per shortlisted applicant, interviewers assigned and complete scores given in
    the last stage."""

    first: str
    last: str
    shortlist: list[str] | None
    assigned: dict[str, int] = field(default_factory=dict)
    scored: dict[str, int] = field(default_factory=dict)

    @property
    def unscored(self) -> list[str]:
        """Shortlisted applicants without a complete score in the last stage yet."""
        return [a for a in self.shortlist or () if not self.scored.get(a)]


def stage_status(store: Store, actor: User, cycle: str) -> StageStatus:
    """The shortlist in force and the last stage's assignments and scores (complete ones:
    every criterion of the stage's rubric, no declared conflict)."""
    from selector.scoring import review_total

    config = store.cycle(cycle).config
    first, last = config.stages[0].name, config.stages[-1].name
    shortlist = store.shortlist(actor, cycle)
    if shortlist is None:
        return StageStatus(first, last, None)
    rubric = config.stage_config(last)
    assigned = {a: 0 for a in shortlist}
    for applicant_id, _ in store.assignments(actor, cycle, stage=last):
        if applicant_id in assigned:
            assigned[applicant_id] += 1
    scored = {a: 0 for a in shortlist}
    for review in store.reviews(actor, cycle, stage=last):
        if review.applicant_id in scored and review_total(review, rubric)[0] is not None:
            scored[review.applicant_id] += 1
    return StageStatus(first, last, shortlist, assigned, scored)
