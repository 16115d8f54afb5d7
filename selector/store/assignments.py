"""Assignments: which reviewers review which applicant. :meth:`AssignmentsMixin.assign` runs
:mod:`selector.assignment` (k per applicant, loads balanced, manual choices, started reviews
and conflicts respected); manual overrides pin or exclude one pair."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from selector.assignment import Candidate, assign_reviewers, same_program
from selector.auth import SEED_USER, Action, Role, User
from selector.errors import InputError
from selector.store.access import AccessMixin, not_shortlisted
from selector.store.cycles import to_cycle
from selector.store.schema import ApplicantRow, AssignmentRow, CycleRow, ReviewRow, UserRow


@dataclass(frozen=True)
class AssignmentReport:
    """The cycle's assignments after :meth:`Store.assign`: loads, changes, shortfalls."""

    pairs: list[tuple[str, str]]
    loads: dict[str, int]
    added: int
    removed: int
    short: dict[str, int]  # applicant_id → reviewers missing (too few allowed reviewers)
    warnings: list[str] = field(default_factory=list)  # "never from the own …" that cannot apply

    def to_json(self) -> dict[str, Any]:
        spread = max(self.loads.values()) - min(self.loads.values()) if self.loads else 0
        return {
            "assignments": len(self.pairs),
            "added": self.added,
            "removed": self.removed,
            "loads": self.loads,
            "load_spread": spread,
            "short": self.short,
            "warnings": self.warnings,
        }


class AssignmentsMixin(AccessMixin):
    """Assigning reviewers to applicants."""

    def assign(
        self, actor: User, cycle: str | None, k: int | None = None, *, stage: str | None = None
    ) -> AssignmentReport:
        """(Re)assign reviewers: k per applicant (default: the cycle config's), loads balanced,
        manual assignments, started reviews and conflicts respected (see
        :mod:`selector.assignment`). A disabled account is never assigned: its assignments in
        the cycle are removed (its reviews stay). ``stage`` (a name; None the first or only
        stage) is the stage assigned: a later stage's are of the shortlisted applicants."""
        actor.require(Action.ASSIGN)
        with self._tx() as s:
            cycle_row = self._cycle_row(s, cycle)
            config = to_cycle(cycle_row).config
            key = config.stage_key(stage)
            review = config.stage_config(key).review if key else config.review
            k = k if k is not None else review.reviewers_per_applicant
            if k < 1:
                raise InputError("k_invalid", f"k must be 1 or more, not {k}")
            apps = list(
                s.scalars(
                    select(ApplicantRow)
                    .where(ApplicantRow.cycle_id == cycle_row.id, ApplicantRow.withdrawn.is_(False))
                    .order_by(ApplicantRow.applicant_id)
                )
            )
            if key:
                shortlist = self._shortlist(s, cycle_row) or set()
                apps = [a for a in apps if a.applicant_id in shortlist]
            reviewers = list(
                s.scalars(
                    select(UserRow)
                    .where(UserRow.role == Role.REVIEWER.value, UserRow.login_disabled.is_(False))
                    .order_by(UserRow.email)
                )
            )
            by_pk = {a.id: a for a in apps}
            by_uid = {u.id: u for u in reviewers}
            removed = self._unassign_disabled(s, cycle_row)
            rows = [
                r
                for r in s.scalars(
                    select(AssignmentRow)
                    .join(ApplicantRow, ApplicantRow.id == AssignmentRow.applicant_pk)
                    .where(ApplicantRow.cycle_id == cycle_row.id, AssignmentRow.stage == key)
                )
                if r.applicant_pk in by_pk and r.reviewer_id in by_uid
            ]
            reviews = [
                r
                for r in s.scalars(
                    select(ReviewRow)
                    .join(ApplicantRow, ApplicantRow.id == ReviewRow.applicant_pk)
                    .where(ApplicantRow.cycle_id == cycle_row.id)
                )
                if r.applicant_pk in by_pk and r.reviewer_id in by_uid
            ]

            def pair(applicant_pk: int, reviewer_id: int) -> tuple[str, str]:
                return by_pk[applicant_pk].applicant_id, by_uid[reviewer_id].email

            forbidden = {pair(r.applicant_pk, r.reviewer_id) for r in rows if r.kind == "excluded"}
            forbidden |= {pair(r.applicant_pk, r.reviewer_id) for r in reviews if r.conflict}
            current = {pair(r.applicant_pk, r.reviewer_id) for r in rows if r.kind != "excluded"}
            pinned = {pair(r.applicant_pk, r.reviewer_id) for r in rows if r.kind == "manual"}
            pinned |= {
                pair(r.applicant_pk, r.reviewer_id)
                for r in reviews
                if r.scores and not r.conflict and r.stage == key
            }
            result = assign_reviewers(
                [Candidate(a.applicant_id, a.program, a.specialty) for a in apps],
                [Candidate(u.email, u.program) for u in reviewers],
                k,
                avoid_own=review.own_fields if cycle_row.avoid_own_program else (),
                forbidden=forbidden,
                pinned=pinned,
                current=current,
            )
            chosen = set(result.pairs)
            pk_of = {a.applicant_id: a.id for a in apps}
            uid_of = {u.email: u.id for u in reviewers}
            for r in rows:
                if r.kind != "excluded" and pair(r.applicant_pk, r.reviewer_id) not in chosen:
                    s.delete(r)
                    removed += 1
            added = 0
            for applicant_id, email in sorted(chosen - current):
                s.add(
                    AssignmentRow(
                        applicant_pk=pk_of[applicant_id],
                        reviewer_id=uid_of[email],
                        kind="auto",
                        stage=key,
                    )
                )
                added += 1
            report = AssignmentReport(
                result.pairs, result.loads, added, removed, result.short, result.warnings
            )
            done = report.to_json() | ({"stage": stage} if key else {})
            self._audit(s, actor, cycle_row, "assign", cycle_row.name, None, done)
            return report

    @staticmethod
    def _unassign_disabled(s: Session, cycle_row: CycleRow) -> int:
        """Remove the cycle's assignments (not exclusions) of disabled accounts; how many."""
        disabled = select(UserRow.id).where(UserRow.login_disabled.is_(True))
        in_cycle = select(ApplicantRow.id).where(ApplicantRow.cycle_id == cycle_row.id)
        gone = list(
            s.scalars(
                select(AssignmentRow).where(
                    AssignmentRow.reviewer_id.in_(disabled),
                    AssignmentRow.applicant_pk.in_(in_cycle),
                    AssignmentRow.kind != "excluded",
                )
            )
        )
        for r in gone:
            s.delete(r)
        return len(gone)

    def set_assignment(
        self,
        actor: User,
        cycle: str | None,
        applicant_id: str,
        reviewer_email: str,
        assigned: bool,
        *,
        stage: str | None = None,
    ) -> None:
        """A manual override: assign (pinned) or unassign (excluded from later runs of
        :meth:`assign`) one reviewer for one applicant, in one stage (a name; None the first
        or only stage; a later stage's applicant must be on the shortlist)."""
        self.set_assignments(actor, cycle, [(applicant_id, reviewer_email)], assigned, stage=stage)

    def set_assignments(
        self,
        actor: User,
        cycle: str | None,
        pairs: Iterable[tuple[str, str]],
        assigned: bool = True,
        *,
        stage: str | None = None,
    ) -> None:
        """:meth:`set_assignment` for many (applicant_id, reviewer e-mail) pairs, all or none."""
        actor.require(Action.ASSIGN)
        with self._tx() as s:
            cycle_row = self._cycle_row(s, cycle)
            key = to_cycle(cycle_row).config.stage_key(stage)
            shortlist = (self._shortlist(s, cycle_row) or set()) if key else None
            for applicant_id, reviewer_email in pairs:
                if assigned and shortlist is not None and applicant_id not in shortlist:
                    raise not_shortlisted(applicant_id, stage or key)
                self._set_assignment(
                    s, actor, cycle_row, applicant_id, reviewer_email, assigned, key
                )

    def _set_assignment(
        self,
        s: Session,
        actor: User,
        cycle_row: CycleRow,
        applicant_id: str,
        reviewer_email: str,
        assigned: bool,
        stage: str = "",
    ) -> None:
        app = self._applicant_row(s, cycle_row, applicant_id)
        user = self._user_row(s, reviewer_email)
        # The demo's seeding records its (retired) reviewers' finished reviews as assignments.
        if assigned and user.login_disabled and actor != SEED_USER:
            raise InputError(
                "assignment_disabled",
                f"{user.email}'s account is disabled; enable it before assigning",
            )
        if assigned:
            conflicted = s.scalars(
                select(ReviewRow).where(
                    ReviewRow.applicant_pk == app.id,
                    ReviewRow.reviewer_id == user.id,
                    ReviewRow.conflict.is_(True),
                )
            ).first()
            if conflicted is not None:
                raise InputError(
                    "assignment_conflict",
                    f"{user.email} declared a conflict of interest with {applicant_id}",
                )
        row = s.scalars(
            select(AssignmentRow).where(
                AssignmentRow.applicant_pk == app.id,
                AssignmentRow.reviewer_id == user.id,
                AssignmentRow.stage == stage,
            )
        ).first()
        kind = "manual" if assigned else "excluded"
        old = row.kind if row else None
        if old == kind:
            return
        if row is None:
            s.add(AssignmentRow(applicant_pk=app.id, reviewer_id=user.id, kind=kind, stage=stage))
        else:
            row.kind = kind
        target = f"{applicant_id} {user.email}"
        new = kind if not stage else {"kind": kind, "stage": stage}
        self._audit(s, actor, cycle_row, "assignment.set", target, old, new)

    def assignments(
        self, actor: User, cycle: str | None, *, stage: str | None = None
    ) -> list[tuple[str, str]]:
        """(applicant_id, reviewer e-mail) pairs in force in one stage (a name; None the first
        or only stage); a reviewer gets only their own."""
        with self._tx(write=False) as s:
            cycle_row = self._cycle_row(s, cycle)
            key = to_cycle(cycle_row).config.stage_key(stage)
            query = (
                select(ApplicantRow.applicant_id, UserRow.email)
                .select_from(AssignmentRow)
                .join(ApplicantRow, ApplicantRow.id == AssignmentRow.applicant_pk)
                .join(UserRow, UserRow.id == AssignmentRow.reviewer_id)
                .where(
                    ApplicantRow.cycle_id == cycle_row.id,
                    ApplicantRow.withdrawn.is_(False),
                    AssignmentRow.kind != "excluded",
                    AssignmentRow.stage == key,
                )
                .order_by(ApplicantRow.applicant_id, UserRow.email)
            )
            if not actor.can(Action.READ_ALL):
                query = query.where(UserRow.id == actor.id)
            shown = self._pseudonyms(s, actor, cycle_row)
            return [(a if shown is None else shown[a], e) for a, e in s.execute(query)]

    def reviewer_options(
        self, actor: User, cycle: str | None, applicant_id: str
    ) -> list[tuple[str, int]]:
        """The reviewers who may be added to an applicant, least loaded first (e-mail,
        assignments in force in the cycle): reviewer accounts not disabled, not assigned to
        it, not excluded from it by hand, without a declared conflict or a review of it, and
        (when the cycle keeps reviewers from their own program) not from its program or
        the other fields the config names, as :meth:`assign` would choose them."""
        actor.require(Action.ASSIGN)
        with self._tx(write=False) as s:
            cycle_row = self._cycle_row(s, cycle)
            app = self._applicant_row(s, cycle_row, applicant_id)
            own = to_cycle(cycle_row).config.review.own_fields
            fields = own if cycle_row.avoid_own_program else ()
            reviewers = list(
                s.scalars(
                    select(UserRow)
                    .where(UserRow.role == Role.REVIEWER.value, UserRow.login_disabled.is_(False))
                    .order_by(UserRow.email)
                )
            )
            taken = set(
                s.scalars(
                    select(AssignmentRow.reviewer_id).where(AssignmentRow.applicant_pk == app.id)
                )
            )
            taken |= set(
                s.scalars(select(ReviewRow.reviewer_id).where(ReviewRow.applicant_pk == app.id))
            )
            loads: dict[int, int] = {}
            in_force = (
                select(AssignmentRow.reviewer_id)
                .join(ApplicantRow, ApplicantRow.id == AssignmentRow.applicant_pk)
                .where(
                    ApplicantRow.cycle_id == cycle_row.id,
                    ApplicantRow.withdrawn.is_(False),
                    AssignmentRow.kind != "excluded",
                )
            )
            for uid in s.scalars(in_force):
                loads[uid] = loads.get(uid, 0) + 1
            options = [
                (u.email, loads.get(u.id, 0))
                for u in reviewers
                if u.id not in taken
                and not any(same_program(getattr(app, name), u.program) for name in fields)
            ]
            return sorted(options, key=lambda o: (o[1], o[0]))
