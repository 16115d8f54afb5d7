"""Review drafts: a reviewer's part-scored review, kept in the database so that it survives
log-out, the idle time-out and a browser refresh, until the review is saved.

A draft is not a review: calibration, selection and progress read only reviews. A user keeps
and reads only their own drafts, and a reviewer only of applicants assigned to them, not
conflicted and not withdrawn (the same one error for every other id as for reviews)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from selector.auth import Action, User
from selector.errors import InputError
from selector.models import Review
from selector.store.access import AccessMixin
from selector.store.cycles import to_cycle
from selector.store.reviews import _score_check
from selector.store.schema import ApplicantRow, CycleRow, DraftRow, utcnow


@dataclass(frozen=True)
class Draft:
    """A part-scored review: the criteria scored so far and the comment."""

    applicant_id: str
    scores: dict[str, float]
    comment: str
    updated_at: dt.datetime


class DraftsMixin(AccessMixin):
    """Keeping, reading and dropping one's own review drafts."""

    def _draft_row(
        self, s: Session, actor: User, cycle: CycleRow, applicant_id: str
    ) -> tuple[ApplicantRow, DraftRow | None]:
        """The applicant a user may keep a draft of (by the id they see), and its draft."""
        if actor.id is None:
            raise InputError("draft_no_account", "drafts belong to an account; the CLI has none")
        if actor.can(Action.REVIEW_UNASSIGNED):
            app = self._shown_row(s, actor, cycle, applicant_id)
        else:
            app = self._assigned_row(s, actor, cycle, applicant_id)
        mine = DraftRow.applicant_pk == app.id, DraftRow.reviewer_id == actor.id
        row = s.scalars(select(DraftRow).where(*mine)).first()
        return app, row

    def save_draft(
        self,
        actor: User,
        cycle: str | None,
        applicant_id: str,
        scores: dict[str, float],
        comment: str = "",
    ) -> None:
        """Keep (create or replace) the actor's draft of one applicant; its scores are checked
        against the rubric (any subset of the criteria). Not audited: a draft is not a review."""
        with self._tx() as s:
            cycle_row = self._cycle_row(s, cycle)
            check = _score_check(to_cycle(cycle_row).config)
            check(Review(applicant_id, actor.email, dict(scores), comment))
            app, row = self._draft_row(s, actor, cycle_row, applicant_id)
            if row is None:
                row = DraftRow(applicant_pk=app.id, reviewer_id=actor.id)
                s.add(row)
            row.scores = {k: float(v) for k, v in scores.items()}
            row.comment = comment
            row.updated_at = utcnow()

    def draft(self, actor: User, cycle: str | None, applicant_id: str) -> Draft | None:
        """The actor's draft of one applicant, if one is kept."""
        with self._tx(write=False) as s:
            cycle_row = self._cycle_row(s, cycle)
            _, row = self._draft_row(s, actor, cycle_row, applicant_id)
            if row is None:
                return None
            return Draft(applicant_id, dict(row.scores or {}), row.comment, row.updated_at)

    def drafts(self, actor: User, cycle: str | None) -> dict[str, Draft]:
        """The actor's drafts in a cycle by the applicant id they see; a reviewer's only of
        applicants they may read now (assigned, not conflicted, not withdrawn)."""
        with self._tx(write=False) as s:
            cycle_row = self._cycle_row(s, cycle)
            query = (
                select(ApplicantRow.id, ApplicantRow.applicant_id, DraftRow)
                .join(DraftRow, DraftRow.applicant_pk == ApplicantRow.id)
                .where(ApplicantRow.cycle_id == cycle_row.id, DraftRow.reviewer_id == actor.id)
            )
            rows = list(s.execute(query))
            if not actor.can(Action.REVIEW_UNASSIGNED):
                visible = self._visible_pks(s, actor, cycle_row)
                rows = [r for r in rows if r[0] in visible]
            shown = self._pseudonyms(s, actor, cycle_row)
            found = {}
            for _, applicant_id, row in rows:
                name = applicant_id if shown is None else shown[applicant_id]
                found[name] = Draft(name, dict(row.scores or {}), row.comment, row.updated_at)
            return found

    def discard_draft(self, actor: User, cycle: str | None, applicant_id: str) -> bool:
        """Drop the actor's draft of one applicant; whether there was one."""
        with self._tx() as s:
            cycle_row = self._cycle_row(s, cycle)
            _, row = self._draft_row(s, actor, cycle_row, applicant_id)
            if row is None:
                return False
            s.delete(row)
            return True
