"""Who may see which applicant, and by which name: a reviewer reads only applicants
assigned to them, not conflicted and not withdrawn, and in a blind cycle names them only by
pseudonym (:func:`selector.blind.pseudonyms`, keyed with a secret kept in the database), never
by applicant id. Applicants, assignments and reviews all ask here."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from selector.auth import Action, User
from selector.blind import pseudonyms
from selector.errors import InputError, PermissionDenied
from selector.store.core import StoreCore
from selector.store.schema import ApplicantRow, AssignmentRow, AuditRow, CycleRow, ReviewRow, RunRow


def not_assigned(applicant_id: str) -> PermissionDenied:
    """The one answer a reviewer gets for an applicant they may not see, whether it exists,
    is assigned to someone else, is withdrawn or is conflicted."""
    return PermissionDenied("not_assigned", f"no applicant {applicant_id!r} is assigned to you")


def not_shortlisted(applicant_id: str, stage: str) -> InputError:
    """The answer to scoring or assigning, in a later stage, an applicant not shortlisted."""
    return InputError(
        "not_shortlisted",
        f"{applicant_id} is not on the shortlist: only shortlisted applicants are scored in "
        f"the {stage!r} stage",
    )


class AccessMixin(StoreCore):
    """The visibility rules shared by the per-concern parts of the store."""

    def _pseudonyms(self, s: Session, actor: User, cycle: CycleRow) -> dict[str, str] | None:
        """Applicant id → the pseudonym this user sees it by: a reviewer in a blind cycle
        never sees applicant ids (an id made from an e-mail gives the applicant away). None
        when the user sees the ids themselves."""
        if not cycle.blind or actor.can(Action.READ_ALL):
            return None
        ids = s.scalars(select(ApplicantRow.applicant_id).where(ApplicantRow.cycle_id == cycle.id))
        return pseudonyms(self._pseudonym_key, cycle.name, ids)

    def _shown_row(self, s: Session, actor: User, cycle: CycleRow, shown_id: str) -> ApplicantRow:
        """The applicant a user names by the id they see (its pseudonym in blind review)."""
        shown = self._pseudonyms(s, actor, cycle)
        if shown is None:
            return self._applicant_row(s, cycle, shown_id)
        real = next((a for a, p in shown.items() if p == shown_id), None)
        if real is None:
            raise InputError(
                "applicant_unknown", f"no applicant {shown_id!r} in cycle {cycle.name!r}"
            )
        return self._applicant_row(s, cycle, real)

    def _visible_pks(self, s: Session, actor: User, cycle: CycleRow) -> set[int]:
        """Applicant keys a reviewer may read: assigned, not conflicted, not withdrawn."""
        assigned = set(
            s.scalars(
                select(AssignmentRow.applicant_pk)
                .join(ApplicantRow, ApplicantRow.id == AssignmentRow.applicant_pk)
                .where(
                    ApplicantRow.cycle_id == cycle.id,
                    ApplicantRow.withdrawn.is_(False),
                    AssignmentRow.reviewer_id == actor.id,
                    AssignmentRow.kind != "excluded",
                )
            )
        )
        conflicted = set(
            s.scalars(
                select(ReviewRow.applicant_pk).where(
                    ReviewRow.reviewer_id == actor.id, ReviewRow.conflict.is_(True)
                )
            )
        )
        return assigned - conflicted

    def _assigned_row(
        self,
        s: Session,
        actor: User,
        cycle: CycleRow,
        applicant_id: str,
        *,
        conflicted: bool = False,
        withdrawn: bool = False,
    ) -> ApplicantRow:
        """For a reviewer: the applicant if assigned to them and (unless ``conflicted`` or
        ``withdrawn``) not conflicted, not withdrawn. Otherwise one error,
        :func:`not_assigned`, the same whether the id exists or not, so ids cannot be
        probed (that an applicant of theirs was withdrawn, a reviewer may be told). In blind
        review ``applicant_id`` is the pseudonym the reviewer sees."""
        real_id: str | None = applicant_id
        shown = self._pseudonyms(s, actor, cycle)
        if shown is not None:
            real_id = next((a for a, p in shown.items() if p == applicant_id), None)
        app = s.scalars(
            select(ApplicantRow).where(
                ApplicantRow.cycle_id == cycle.id, ApplicantRow.applicant_id == real_id
            )
        ).first()
        if app is None or (app.withdrawn and not withdrawn):
            raise not_assigned(applicant_id)
        kinds = set(  # one per stage the pair is assigned (or excluded) in
            s.scalars(
                select(AssignmentRow.kind).where(
                    AssignmentRow.applicant_pk == app.id, AssignmentRow.reviewer_id == actor.id
                )
            )
        )
        own_conflict = any(
            s.scalars(
                select(ReviewRow.conflict).where(
                    ReviewRow.applicant_pk == app.id, ReviewRow.reviewer_id == actor.id
                )
            )
        )
        if own_conflict and not conflicted:
            raise not_assigned(applicant_id)
        if not kinds - {"excluded"} and not (conflicted and own_conflict):
            raise not_assigned(applicant_id)  # a reassignment drops a conflicted pair
        return app

    @staticmethod
    def _unfinalised(s: Session, cycle_row: CycleRow) -> set[int]:
        """Ids of the cycle's final runs undone: each "run.unfinalise" audit entry names one
        (the audit log is the record; a run row is never changed)."""
        targets = s.scalars(
            select(AuditRow.target).where(
                AuditRow.cycle_id == cycle_row.id, AuditRow.action == "run.unfinalise"
            )
        )
        return {int(t) for t in targets if t.isdigit()}

    def _shortlist(self, s: Session, cycle: CycleRow) -> set[str] | None:
        """The shortlist in force: the cohort of the newest final run of a stage (the
        first stage of a staged cycle), not undone; None when there is none."""
        undone = self._unfinalised(s, cycle)
        rows = s.execute(
            select(RunRow.id, RunRow.decision)
            .where(RunRow.cycle_id == cycle.id, RunRow.final.is_(True), RunRow.stage != "")
            .order_by(RunRow.id.desc())
        )
        for run_id, decision in rows:
            if run_id not in undone:
                return set(decision.get("selected") or ())
        return None
