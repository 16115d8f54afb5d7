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
        self, s: Session, actor: User, cycle: CycleRow, applicant_id: str, stage: str
    ) -> tuple[ApplicantRow, DraftRow | None]:
        """The applicant a user may keep a draft of (by the id they see), and its draft in
        ``stage`` (the stage's stored key: "" the first)."""
        if actor.id is None:
            raise InputError("draft_no_account", "drafts belong to an account; the CLI has none")
        if actor.can(Action.REVIEW_UNASSIGNED):
            app = self._shown_row(s, actor, cycle, applicant_id)
        else:
            app = self._assigned_row(s, actor, cycle, applicant_id)
        mine = (
            DraftRow.applicant_pk == app.id,
            DraftRow.reviewer_id == actor.id,
            DraftRow.stage == stage,
        )
        row = s.scalars(select(DraftRow).where(*mine)).first()
        return app, row

    def save_draft(
        self,
        actor: User,
        cycle: str | None,
        applicant_id: str,
        scores: dict[str, float],
        comment: str = "",
        stage: str = "",
    ) -> None:
        """Keep (create or replace) the actor's draft of one applicant in ``stage`` (its
        stored key; "" the first); its scores are checked against the stage's rubric (any
        subset of the criteria). Not audited: a draft is not a review."""
        with self._tx() as s:
            cycle_row = self._cycle_row(s, cycle)
            config = to_cycle(cycle_row).config
            name = config.stage_name(stage) if stage else None
            if stage and (name is None or config.stage_key(name) != stage):
                raise InputError(
                    "stage_unknown", f"no later stage {stage!r} in this cycle's config"
                )
            check = _score_check(config.stage_config(name) if name else config)
            check(Review(applicant_id, actor.email, dict(scores), comment))
            app, row = self._draft_row(s, actor, cycle_row, applicant_id, stage)
            if row is None:
                row = DraftRow(applicant_pk=app.id, reviewer_id=actor.id, stage=stage)
                s.add(row)
            row.scores = {k: float(v) for k, v in scores.items()}
            row.comment = comment
            row.updated_at = utcnow()

    def draft(
        self, actor: User, cycle: str | None, applicant_id: str, stage: str = ""
    ) -> Draft | None:
        """The actor's draft of one applicant in ``stage``, if one is kept."""
        with self._tx(write=False) as s:
            cycle_row = self._cycle_row(s, cycle)
            _, row = self._draft_row(s, actor, cycle_row, applicant_id, stage)
            if row is None:
                return None
            return Draft(applicant_id, dict(row.scores or {}), row.comment, row.updated_at)

    def drafts(self, actor: User, cycle: str | None, stage: str = "") -> dict[str, Draft]:
        """The actor's drafts in a cycle's ``stage`` by the applicant id they see; a
        reviewer's only of applicants they may read now (assigned, not conflicted, not
        withdrawn)."""
        with self._tx(write=False) as s:
            cycle_row = self._cycle_row(s, cycle)
            query = (
                select(ApplicantRow.id, ApplicantRow.applicant_id, DraftRow)
                .join(DraftRow, DraftRow.applicant_pk == ApplicantRow.id)
                .where(
                    ApplicantRow.cycle_id == cycle_row.id,
                    DraftRow.reviewer_id == actor.id,
                    DraftRow.stage == stage,
                )
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

    def discard_draft(
        self, actor: User, cycle: str | None, applicant_id: str, stage: str = ""
    ) -> bool:
        """Drop the actor's draft of one applicant in ``stage``; whether there was one."""
        with self._tx() as s:
            cycle_row = self._cycle_row(s, cycle)
            _, row = self._draft_row(s, actor, cycle_row, applicant_id, stage)
            if row is None:
                return False
            s.delete(row)
            return True
