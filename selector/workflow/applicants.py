"""One applicant at a time, as a coordinator manages them: the list with each one's status,
and withdrawing or restoring one (a reason audited). A withdrawn applicant leaves the
assignments and the selection pool and keeps their reviews; restoring brings both back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from selector.auth import User
    from selector.store import Store


@dataclass(frozen=True)
class ApplicantStatus:
    """One applicant as the Applicants page and `selector applicants list` show it."""

    applicant_id: str
    name: str
    specialty: str
    withdrawn: bool
    reviews: int  # saved reviews (a declared conflict is not one), kept while withdrawn


def applicant_statuses(store: Store, actor: User, cycle: str | None) -> list[ApplicantStatus]:
    """Every applicant of the cycle, withdrawn ones too, with their status and reviews."""
    withdrawn = set(store.withdrawn(actor, cycle))
    counts: dict[str, int] = {}
    for r in store.reviews(actor, cycle):
        if not r.conflict and r.scores:
            counts[r.applicant_id] = counts.get(r.applicant_id, 0) + 1
    return [
        ApplicantStatus(
            a.applicant_id,
            a.name,
            a.specialty,
            a.applicant_id in withdrawn,
            counts.get(a.applicant_id, 0),
        )
        for a in store.applicants(actor, cycle, include_withdrawn=True)
    ]


def set_withdrawn(
    store: Store,
    actor: User,
    cycle: str | None,
    applicant_id: str,
    *,
    withdrawn: bool,
    reason: str = "",
) -> bool:
    """Withdraw (``withdrawn=True``) or restore one applicant, the reason audited; False
    when it already was so (nothing written). An unknown id is refused."""
    if withdrawn:
        return store.withdraw_applicant(actor, cycle, applicant_id, reason)
    return store.restore_applicant(actor, cycle, applicant_id, reason)
