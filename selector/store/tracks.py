"""Tracks: the cycles of one program, year after year. A cycle's place in its track (the
cycle before it), the final cohort of a cycle, and an applicant's earlier applications in
the track, linked by e-mail.

The demo cycle is never part of a real track's years: it is skipped as a previous cycle and
in a track's list of cycles."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from selector.auth import Action, User
from selector.demo_accounts import DEMO_CYCLE
from selector.emails import normalize_email
from selector.models import Applicant
from selector.store.applicants import _to_applicant
from selector.store.cycles import Cycle, to_cycle
from selector.store.runs import RunsMixin
from selector.store.schema import ApplicantRow, CycleRow, ReviewRow, RunRow, TrackRow


@dataclass(frozen=True)
class EarlierApplication:
    """One earlier application of the same person (same e-mail) in the track: the cycle,
    the id it had there, its aggregate score and outcome in that cycle's final run (None and
    "no final decision" without one), and its complete reviews."""

    cycle: str
    applicant_id: str
    name: str
    score: float | None
    outcome: str
    reviews: int


def outcome(decision: dict[str, Any], applicant_id: str) -> str:
    """An applicant's outcome in a recorded decision, in the committee's words."""
    if applicant_id in decision.get("selected", []):
        return "selected"
    reason = (decision.get("reasons") or {}).get(applicant_id)
    if isinstance(reason, dict) and reason.get("text"):
        return str(reason["text"])
    return "not selected"


class TracksMixin(RunsMixin):
    """Tracks and the years of a track."""

    def tracks(self) -> list[str]:
        """Every track's name, oldest first."""
        with self._tx(write=False) as s:
            return list(s.scalars(select(TrackRow.name).order_by(TrackRow.id)))

    def track_cycles(self, track: str) -> list[Cycle]:
        """The cycles of a track, oldest first (never the demo cycle)."""
        with self._tx(write=False) as s:
            rows = s.scalars(
                select(CycleRow)
                .join(TrackRow, CycleRow.track_id == TrackRow.id)
                .where(TrackRow.name == track, CycleRow.name != DEMO_CYCLE)
                .order_by(CycleRow.created_at, CycleRow.id)
            )
            return [to_cycle(r) for r in rows]

    def previous_cycle(self, cycle: str | None) -> Cycle | None:
        """The cycle before this one in its track (None for a track's first cycle)."""
        target = self.cycle(cycle)
        years = [c.name for c in self.track_cycles(target.track)]
        if target.name not in years or years.index(target.name) == 0:
            return None
        return self.cycle(years[years.index(target.name) - 1])

    def _final_run_row(self, s: Session, cycle_row: CycleRow) -> RunRow | None:
        """The cycle's final run in force (the newest final run not undone), or None."""
        undone = self._unfinalised(s, cycle_row)
        return s.scalars(
            select(RunRow)
            .where(
                RunRow.cycle_id == cycle_row.id,
                RunRow.final.is_(True),
                RunRow.id.not_in(undone),
            )
            .order_by(RunRow.id.desc())
        ).first()

    def final_cohort(self, actor: User, cycle: str | None) -> list[Applicant]:
        """The members of the cycle's final run in force (withdrawn ones too: they were
        chosen), by applicant id; empty without a final run. The chair and coordinator."""
        actor.require(Action.READ_ALL)
        with self._tx(write=False) as s:
            cycle_row = self._cycle_row(s, cycle)
            run = self._final_run_row(s, cycle_row)
            chosen = list(run.decision.get("selected") or []) if run is not None else []
            if not chosen:
                return []
            rows = s.scalars(
                select(ApplicantRow)
                .where(ApplicantRow.cycle_id == cycle_row.id, ApplicantRow.applicant_id.in_(chosen))
                .order_by(ApplicantRow.applicant_id)
            )
            return [_to_applicant(r) for r in rows]

    def earlier_applications(
        self, actor: User, cycle: str | None, applicant_id: str
    ) -> list[EarlierApplication]:
        """The same person's applications in the track's earlier cycles (oldest first),
        matched by e-mail (case-insensitive). The chair and coordinator only: a reviewer
        never learns of them (in blind review they would name the person)."""
        actor.require(Action.READ_ALL)
        target = self.cycle(cycle)
        email = normalize_email(self.applicant(actor, target.name, applicant_id).email)
        earlier = []
        for year in self.track_cycles(target.track):
            if year.name == target.name:
                break
            earlier.append(year.name)
        out = []
        with self._tx(write=False) as s:
            for name in earlier:
                cycle_row = self._cycle_row(s, name)
                rows = list(
                    s.scalars(
                        select(ApplicantRow)
                        .where(
                            ApplicantRow.cycle_id == cycle_row.id,
                            func.lower(func.trim(ApplicantRow.email)) == email,
                        )
                        .order_by(ApplicantRow.applicant_id)
                    )
                )
                if not rows:
                    continue
                run = self._final_run_row(s, cycle_row)
                decision = run.decision if run is not None else None
                for row in rows:
                    done = s.scalar(
                        select(func.count(ReviewRow.id)).where(
                            ReviewRow.applicant_pk == row.id, ReviewRow.conflict.is_(False)
                        )
                    )
                    score = (
                        None
                        if decision is None
                        else decision.get("scores", {}).get(row.applicant_id)
                    )
                    said = (
                        "no final decision"
                        if decision is None
                        else outcome(decision, row.applicant_id)
                    )
                    out.append(
                        EarlierApplication(name, row.applicant_id, row.name, score, said, done or 0)
                    )
        return out
