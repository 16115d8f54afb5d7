"""Offers: a seat offered to each member of a final run, the answers, and the offers that fill
declined seats. Coordinator and chair make offers and record answers (Action.MAKE_OFFERS);
every offer and every answer is an audit entry ("offer.make", "offer.answer") whose target is
the applicant id, so it is part of the applicant's history.

An offer's status is ``offered`` until answered; ``accepted``, ``declined`` (``no_answer``
when the coordinator treats a missing answer by the deadline as a decline) or ``withdrawn``
(later, after accepting, or before answering). ``declined`` and ``withdrawn`` are closed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from selector.auth import Action, User
from selector.errors import InputError
from selector.store.core import StoreCore
from selector.store.schema import ApplicantRow, OfferRow, RunRow, utcnow

OfferStatus = Literal["offered", "accepted", "declined", "withdrawn"]

#: Every status an offer can have, in the order of its life.
STATUSES: tuple[OfferStatus, ...] = ("offered", "accepted", "declined", "withdrawn")

#: The answers each status can still take: an open offer any, an accepted one a withdrawal.
NEXT: dict[str, tuple[str, ...]] = {
    "offered": ("accepted", "declined", "withdrawn"),
    "accepted": ("withdrawn",),
    "declined": (),
    "withdrawn": (),
}


@dataclass(frozen=True)
class Offer:
    """One applicant's offer: when it was made, its deadline, its status and whose seat it
    fills (None for an offer of the final run itself)."""

    applicant_id: str
    name: str
    status: OfferStatus
    offered_at: dt.datetime
    deadline: dt.date | None
    replaces: str | None
    run_id: int
    no_answer: bool = False
    answered_at: dt.datetime | None = None

    @property
    def live(self) -> bool:
        """Whether the offer holds a seat (open or accepted)."""
        return self.status in ("offered", "accepted")

    def to_json(self) -> dict[str, Any]:
        """The ``selector offers list --json`` contract."""
        return {
            "applicant_id": self.applicant_id,
            "name": self.name,
            "status": self.status,
            "offered_at": self.offered_at.isoformat(),
            "deadline": None if self.deadline is None else self.deadline.isoformat(),
            "replaces": self.replaces,
        }


def _offer(row: OfferRow, app: ApplicantRow) -> Offer:
    at = row.offered_at if row.offered_at.tzinfo else row.offered_at.replace(tzinfo=dt.UTC)
    return Offer(
        app.applicant_id,
        app.name,
        row.status,  # type: ignore[arg-type]
        at,
        row.deadline,
        row.replaces,
        row.run_id,
        row.no_answer,
        row.answered_at,
    )


class OffersMixin(StoreCore):
    """Making offers and recording their answers."""

    def offers(self, actor: User, cycle: str | None) -> list[Offer]:
        """The cycle's offers, in the order they were made."""
        actor.require(Action.READ_ALL)
        with self._tx(write=False) as s:
            cycle_row = self._cycle_row(s, cycle)
            rows = s.execute(
                select(OfferRow, ApplicantRow)
                .join(ApplicantRow, ApplicantRow.id == OfferRow.applicant_pk)
                .where(OfferRow.cycle_id == cycle_row.id)
                .order_by(OfferRow.id)
            ).all()
            return [_offer(o, a) for o, a in rows]

    def make_offers(
        self,
        actor: User,
        cycle: str | None,
        run_id: int,
        applicant_ids: Sequence[str],
        *,
        deadline: dt.date | None = None,
        replaces: Mapping[str, str | None] | None = None,
    ) -> list[Offer]:
        """Offer a seat to each applicant (all or none), made from run ``run_id`` of the
        cycle; ``replaces`` names whose seat each fills. Refused for an applicant who already
        has an offer in the cycle. Each offer is audited as "offer.make"."""
        actor.require(Action.MAKE_OFFERS)
        replaces = replaces or {}
        try:
            with self._tx() as s:
                cycle_row = self._cycle_row(s, cycle)
                run = s.get(RunRow, run_id)
                if run is None or run.cycle_id != cycle_row.id:
                    raise InputError("run_unknown", f"no selection run {run_id}")
                had = set(
                    s.scalars(
                        select(ApplicantRow.applicant_id)
                        .join(OfferRow, OfferRow.applicant_pk == ApplicantRow.id)
                        .where(OfferRow.cycle_id == cycle_row.id)
                    )
                )
                again = sorted(set(applicant_ids) & had)
                if again:
                    raise InputError("offer_exists", f"already offered a seat: {', '.join(again)}")
                made = []
                for aid in applicant_ids:
                    app = self._applicant_row(s, cycle_row, aid)
                    row = OfferRow(
                        cycle_id=cycle_row.id,
                        applicant_pk=app.id,
                        run_id=run_id,
                        status="offered",
                        no_answer=False,
                        replaces=replaces.get(aid),
                        deadline=deadline,
                        actor=actor.email,
                        offered_at=utcnow(),
                    )
                    s.add(row)
                    s.flush()
                    self._audit(
                        s,
                        actor,
                        cycle_row,
                        "offer.make",
                        aid,
                        None,
                        {
                            "run": run_id,
                            "deadline": None if deadline is None else deadline.isoformat(),
                            "replaces": row.replaces,
                        },
                    )
                    made.append(_offer(row, app))
                return made
        except IntegrityError:  # another session offered one of them meanwhile
            raise InputError(
                "offer_exists", "another session made these offers meanwhile"
            ) from None

    def record_answer(
        self,
        actor: User,
        cycle: str | None,
        applicant_id: str,
        status: OfferStatus,
        *,
        no_answer: bool = False,
        today: dt.date | None = None,
    ) -> Offer:
        """Record an applicant's answer to its offer (audited as "offer.answer" with the old
        and new status). ``no_answer`` (a decline only) records that nobody answered by the
        deadline; refused before the deadline has passed (``today``: the date it is)."""
        actor.require(Action.MAKE_OFFERS)
        if status not in STATUSES[1:]:
            raise InputError("offer_answer_unknown", f"unknown answer {status!r}")
        if no_answer and status != "declined":
            raise InputError("offer_no_answer", "no answer by the deadline is recorded as declined")
        with self._tx() as s:
            cycle_row = self._cycle_row(s, cycle)
            app = self._applicant_row(s, cycle_row, applicant_id)
            row = s.scalars(
                select(OfferRow).where(
                    OfferRow.cycle_id == cycle_row.id, OfferRow.applicant_pk == app.id
                )
            ).first()
            if row is None:
                raise InputError("offer_missing", f"{applicant_id} has no offer in this cycle")
            if status not in NEXT[row.status]:
                raise InputError(
                    "offer_closed",
                    f"the offer to {applicant_id} is {row.status}: it cannot become {status}",
                )
            today = today or dt.date.today()
            if no_answer and row.deadline is not None and today <= row.deadline:
                raise InputError(
                    "offer_deadline_open",
                    f"the deadline of the offer to {applicant_id} ({row.deadline.isoformat()}) "
                    "has not passed",
                )
            old = row.status
            row.status, row.no_answer, row.answered_at = status, no_answer, utcnow()
            self._audit(
                s,
                actor,
                cycle_row,
                "offer.answer",
                applicant_id,
                {"status": old},
                {"status": status, "no_answer": no_answer},
            )
            return _offer(row, app)
