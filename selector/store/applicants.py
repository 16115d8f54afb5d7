"""Applicants: importing an export (planned as a diff against the store, then applied in one
transaction), reading them under the role rules, withdrawing and restoring them.

An import adds new applicants, updates changed ones, withdraws those missing from the export
(kept with their reviews) and keeps an applicant whose row turned invalid as it was. A
re-submission under a new response ID keeps the stored applicant with the same e-mail."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from selector.auth import SEED_USER, Action, User
from selector.demo_accounts import DEMO_CYCLE
from selector.emails import normalize_email
from selector.errors import InputError
from selector.intake import IntakeResult, email_id
from selector.models import Applicant
from selector.store.access import AccessMixin
from selector.store.cycles import Cycle, CyclesMixin, demo_cycle_refused, to_cycle
from selector.store.schema import (
    ApplicantRow,
    AssignmentRow,
    CycleRow,
    DraftRow,
    OfferRow,
    ReviewRow,
    UserRow,
    utcnow,
)


@dataclass(frozen=True)
class ImportReport:
    """What an import did (or would do): applicant ids per outcome, and the rejected rows.

    Within a cycle a person is their normalised e-mail; a response id is the form's, not the
    person's. ``resubmitted`` maps the id of a re-submission (the form gave it a new response
    ID) to the stored applicant with the same e-mail, whose id and reviews it keeps.
    ``id_reused`` maps a response id that names a stored applicant with another e-mail (a form
    whose numbering restarted) to the fresh id the newcomer gets instead: a different person,
    who never takes over the stored one's reviews. ``names`` gives every id's name, ``changes``
    each updated applicant's changed fields as ``{field: (old, new)}`` (an answer by its
    header, a restored withdrawal as ``withdrawn``); ``active_before`` how many applicants were
    active (not withdrawn) before it."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    withdrawn: list[str] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)
    resubmitted: dict[str, str] = field(default_factory=dict)
    id_reused: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    changes: dict[str, dict[str, tuple[Any, Any]]] = field(default_factory=dict)
    active_before: int = 0

    def to_json(self) -> dict[str, Any]:
        """``{"added": n, "updated": n, "unchanged": n, "withdrawn": n, "rejected": [...]}``,
        plus ``"resubmitted": {new id: kept id}`` when there were re-submissions and
        ``"id_reused": {response id: new id}`` when a response id named another person."""
        counts: dict[str, Any] = {
            "added": len(self.added),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
            "withdrawn": len(self.withdrawn),
            "rejected": self.rejected,
        }
        if self.resubmitted:
            counts["resubmitted"] = dict(self.resubmitted)
        if self.id_reused:
            counts["id_reused"] = dict(self.id_reused)
        return counts


def fresh_id(email: str, taken: set[str]) -> str:
    """An applicant id for ``email`` that no id in ``taken`` has: the e-mail's id
    (:func:`~selector.intake.email_id`), suffixed "-2", "-3", ... when that is taken too."""
    base = email_id(email)
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


@dataclass(frozen=True)
class MergeReport:
    """What merging two records of one person did: ``keep`` stays (id, reviews, history)
    and takes the application of ``application_from`` (the one in the latest export);
    ``other`` is gone. ``moved`` are the reviewers whose review moved to ``keep``;
    ``dropped`` those who had reviewed both, whose review of ``other`` was removed (its scores
    and comment kept in the audit entry)."""

    keep: str
    other: str
    application_from: str
    moved: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)


def mass_withdrawal(report: ImportReport) -> bool:
    """Whether an import would withdraw more than half of the active applicants (a roster,
    a score file or another cycle's export uploaded by mistake)."""
    return len(report.withdrawn) * 2 > report.active_before > 0


def _to_applicant(row: ApplicantRow, *, pseudonym: str | None = None) -> Applicant:
    """The stored applicant; with a ``pseudonym`` (blind review) the id, name, e-mail and
    program are hidden, also from the answers (filtered against the real ones first)."""
    full = Applicant(
        applicant_id=row.applicant_id,
        name=row.name,
        email=row.email,
        pgy=row.pgy,
        specialty=row.specialty,
        program=row.program,
        pgy1_approved=row.pgy1_approved,
        answers=dict(row.answers or {}),
        row=row.source_row,
    )
    if pseudonym is None:
        return full
    return replace(
        full,
        applicant_id=pseudonym,
        name=f"Applicant {pseudonym}",
        email="",
        program="",
        answers=full.reviewer_answers(blind=True),
    )


#: The stored fields of an applicant besides its id and answers.
_STORED_FIELDS = ("name", "email", "pgy", "specialty", "program", "pgy1_approved")


def _fields(item: Applicant | ApplicantRow) -> dict[str, Any]:
    """The stored fields of an applicant or its row, for comparing an import with the store."""
    return {f: getattr(item, f) for f in _STORED_FIELDS} | {"answers": dict(item.answers or {})}


def _diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """``{field: (old, new)}`` of the fields that differ; answers one by one, by header."""
    out = {k: (v, new[k]) for k, v in old.items() if k != "answers" and new[k] != v}
    old_answers, new_answers = old["answers"], new["answers"]
    for header in [*old_answers, *(h for h in new_answers if h not in old_answers)]:
        before, after = old_answers.get(header), new_answers.get(header)
        if before != after:
            out[header] = (before, after)
    return out


class ApplicantsMixin(CyclesMixin, AccessMixin):
    """Importing, reading and withdrawing applicants."""

    def check_importable(self, actor: User, cycle: str | None) -> Cycle:
        """The cycle if ``actor`` may import applications or score files into it; never the
        demo cycle (an :class:`InputError` says to create a cycle of one's own first)."""
        actor.require(Action.IMPORT)
        with self._tx(write=False) as s:
            row = self._cycle_row(s, cycle)
            if row.name == DEMO_CYCLE and actor != SEED_USER:
                raise demo_cycle_refused(row.name)
            return to_cycle(row)

    def _plan_import(
        self, s: Session, cycle: CycleRow, intake: IntakeResult
    ) -> tuple[ImportReport, dict[str, ApplicantRow], list[Applicant]]:
        """The import's report, the stored applicants by id, and the accepted applicants under
        the id of the stored applicant with the same (normalised) e-mail: the same person,
        whatever response id the form gave them. A newcomer whose response id a stored
        applicant with another e-mail holds gets a fresh id (:func:`fresh_id`)."""
        existing = {
            r.applicant_id: r
            for r in s.scalars(select(ApplicantRow).where(ApplicantRow.cycle_id == cycle.id))
        }
        report = ImportReport(
            rejected=[r.to_json() for r in intake.rejected],
            active_before=sum(1 for r in existing.values() if not r.withdrawn),
        )
        by_email = {normalize_email(r.email): r for r in existing.values()}
        taken = set(existing) | {a.applicant_id for a in intake.accepted}
        accepted: list[Applicant] = []
        for a in intake.accepted:
            stored = by_email.get(normalize_email(a.email))
            if stored is not None:
                if a.applicant_id != stored.applicant_id:
                    report.resubmitted[a.applicant_id] = stored.applicant_id
                    a = replace(a, applicant_id=stored.applicant_id)
            elif a.applicant_id in existing:  # the id is another person's: a newcomer
                new_id = fresh_id(a.email, taken)
                taken.add(new_id)
                report.id_reused[a.applicant_id] = new_id
                a = replace(a, applicant_id=new_id)
            accepted.append(a)
        seen: set[str] = set()
        for a in accepted:
            seen.add(a.applicant_id)
            report.names[a.applicant_id] = a.name
            row = existing.get(a.applicant_id)
            if row is None:
                report.added.append(a.applicant_id)
                continue
            diff = _diff(_fields(row), _fields(a))
            if row.withdrawn:
                diff["withdrawn"] = (True, False)
            if diff:
                report.updated.append(a.applicant_id)
                report.changes[a.applicant_id] = diff
            else:
                report.unchanged.append(a.applicant_id)
        keep = seen | self._kept_by_rejected(intake, existing, by_email)
        for applicant_id, row in existing.items():
            if applicant_id not in keep and not row.withdrawn:
                report.withdrawn.append(applicant_id)
                report.names[applicant_id] = row.name
        if not intake.accepted and existing:
            raise InputError(
                "import_empty",
                "the file has no valid applications; nothing was changed "
                "(importing it would withdraw every applicant)",
            )
        return report, existing, accepted

    @staticmethod
    def _kept_by_rejected(
        intake: IntakeResult, existing: dict[str, ApplicantRow], by_email: dict[str, ApplicantRow]
    ) -> set[str]:
        """The stored applicants a rejected row names, kept rather than withdrawn: by the
        row's e-mail when a stored applicant has it, else by its response id."""
        kept: set[str] = set()
        for r in intake.rejected:
            stored = by_email.get(normalize_email(r.email)) if r.email else None
            if stored is not None:
                kept.add(stored.applicant_id)
            elif r.applicant_id is not None and r.applicant_id in existing:
                row = existing[r.applicant_id]
                if not r.email or normalize_email(row.email) == normalize_email(r.email):
                    kept.add(r.applicant_id)
        return kept

    def preview_import(self, actor: User, cycle: str | None, intake: IntakeResult) -> ImportReport:
        """What :meth:`import_applications` would do, without writing anything."""
        actor.require(Action.IMPORT)
        with self._tx(write=False) as s:
            cycle_row = self._cycle_row(s, cycle)
            if cycle_row.name == DEMO_CYCLE and actor != SEED_USER:
                raise demo_cycle_refused(cycle_row.name)
            report, _, _ = self._plan_import(s, cycle_row, intake)
            return report

    def import_applications(
        self,
        actor: User,
        cycle: str | None,
        intake: IntakeResult,
        *,
        create_with: str | None = None,
        allow_mass_withdrawal: bool = False,
    ) -> ImportReport:
        """Apply an applications export in one transaction: add new applicants, update changed
        ones, withdraw those missing from the export (kept with their reviews), keep reviews.
        One that would withdraw more than half of the active applicants is refused
        (``mass_withdrawal``) unless ``allow_mass_withdrawal``.

        ``create_with`` (a config TOML) creates the named cycle when it does not exist, in the
        same transaction: an import that fails or is killed leaves no empty cycle behind."""
        actor.require(Action.IMPORT)
        created = False
        leaving_demo = create_with is not None and cycle != DEMO_CYCLE and self._leaving_demo(actor)
        with self._tx() as s:
            name = cycle.strip() if cycle is not None else None
            known = name is None or s.scalar(select(CycleRow.id).where(CycleRow.name == name))
            if create_with is not None and name is not None and not known:
                actor.require(Action.MANAGE_CYCLES)
                cycle_row = self._insert_cycle(s, actor, name, create_with)
                created = True
            else:
                cycle_row = self._cycle_row(s, cycle)
                if cycle_row.name == DEMO_CYCLE and actor != SEED_USER:
                    raise demo_cycle_refused(cycle_row.name)
            report = self._apply_import(s, actor, cycle_row, intake, allow_mass_withdrawal)
        if created and leaving_demo:
            self.retire_demo()
        return report

    def _apply_import(
        self,
        s: Session,
        actor: User,
        cycle_row: CycleRow,
        intake: IntakeResult,
        allow_mass_withdrawal: bool = False,
    ) -> ImportReport:
        """:meth:`import_applications` inside its transaction."""
        report, existing, accepted = self._plan_import(s, cycle_row, intake)
        if mass_withdrawal(report) and not allow_mass_withdrawal:
            n, active = len(report.withdrawn), report.active_before
            raise InputError(
                "mass_withdrawal",
                f"this import would withdraw {n} of {active} active applicants; nothing was "
                "changed (is it the right file? to withdraw them, confirm with "
                "--allow-mass-withdrawal)",
                withdrawn=n,
                active=active,
            )
        now = utcnow()
        changed = set(report.updated)
        for a in accepted:
            row = existing.get(a.applicant_id)
            if row is None:
                s.add(
                    ApplicantRow(
                        cycle_id=cycle_row.id,
                        applicant_id=a.applicant_id,
                        source_row=a.row,
                        created_at=now,
                        updated_at=now,
                        **_fields(a),
                    )
                )
                continue
            row.source_row = a.row
            if a.applicant_id in changed:
                old, new = _fields(row), _fields(a)
                diff_old = {k: v for k, v in old.items() if new[k] != v}
                diff_new = {k: v for k, v in new.items() if old[k] != v}
                if row.withdrawn:
                    diff_old["withdrawn"], diff_new["withdrawn"] = True, False
                for key, value in new.items():
                    setattr(row, key, value)
                row.withdrawn = False
                row.updated_at = now
                self._audit(
                    s, actor, cycle_row, "applicant.update", a.applicant_id, diff_old, diff_new
                )
        for applicant_id in report.withdrawn:
            row = existing[applicant_id]
            row.withdrawn = True
            row.updated_at = now
            self._audit(
                s,
                actor,
                cycle_row,
                "applicant.withdraw",
                applicant_id,
                {"withdrawn": False},
                {"withdrawn": True},
            )
        summary = report.to_json()
        summary["rejected"] = len(report.rejected)
        self._audit(s, actor, cycle_row, "import", cycle_row.name, None, summary)
        return report

    def applicants(
        self, actor: User, cycle: str | None, *, include_withdrawn: bool = False
    ) -> list[Applicant]:
        """The applicants this user may read, by applicant id. A reviewer sees only those
        assigned to them and not conflicted (never withdrawn ones; identity hidden in a blind
        cycle); coordinators and chairs see all."""
        with self._tx(write=False) as s:
            cycle_row = self._cycle_row(s, cycle)
            query = (
                select(ApplicantRow)
                .where(ApplicantRow.cycle_id == cycle_row.id)
                .order_by(ApplicantRow.applicant_id)
            )
            if actor.can(Action.READ_ALL):
                return self._all_applicants(s, cycle_row, include_withdrawn=include_withdrawn)
            visible = self._visible_pks(s, actor, cycle_row)
            shown = self._pseudonyms(s, actor, cycle_row)
            found = [
                _to_applicant(r, pseudonym=None if shown is None else shown[r.applicant_id])
                for r in s.scalars(query)
                if r.id in visible
            ]
            return sorted(found, key=lambda a: a.applicant_id)

    def _all_applicants(
        self, s: Session, cycle: CycleRow, *, include_withdrawn: bool = False
    ) -> list[Applicant]:
        """Every applicant of the cycle (by default not withdrawn), by id: read as plain
        columns, as a cycle may hold tens of thousands."""
        query = (
            select(
                ApplicantRow.applicant_id,
                ApplicantRow.name,
                ApplicantRow.email,
                ApplicantRow.pgy,
                ApplicantRow.specialty,
                ApplicantRow.program,
                ApplicantRow.pgy1_approved,
                ApplicantRow.answers,
                ApplicantRow.source_row,
            )
            .where(ApplicantRow.cycle_id == cycle.id)
            .order_by(ApplicantRow.applicant_id)
        )
        if not include_withdrawn:
            query = query.where(ApplicantRow.withdrawn.is_(False))
        rows = s.connection().execute(query)  # plain rows: no ORM bookkeeping per applicant
        return [
            Applicant(a, name, email, pgy, specialty, program, approved, dict(answers or {}), row)
            for a, name, email, pgy, specialty, program, approved, answers, row in rows
        ]

    def applicant(self, actor: User, cycle: str | None, applicant_id: str) -> Applicant:
        """One applicant, if this user may read it (else :class:`PermissionDenied`)."""
        with self._tx(write=False) as s:
            cycle_row = self._cycle_row(s, cycle)
            if actor.can(Action.READ_ALL):
                return _to_applicant(self._applicant_row(s, cycle_row, applicant_id))
            row = self._assigned_row(s, actor, cycle_row, applicant_id)
            shown = self._pseudonyms(s, actor, cycle_row)
            return _to_applicant(row, pseudonym=None if shown is None else shown[row.applicant_id])

    def withdrawn(self, actor: User, cycle: str | None) -> list[str]:
        """Applicant ids marked withdrawn (their reviews are kept)."""
        actor.require(Action.READ_ALL)
        with self._tx(write=False) as s:
            cycle_row = self._cycle_row(s, cycle)
            return list(
                s.scalars(
                    select(ApplicantRow.applicant_id)
                    .where(ApplicantRow.cycle_id == cycle_row.id, ApplicantRow.withdrawn.is_(True))
                    .order_by(ApplicantRow.applicant_id)
                )
            )

    def _set_withdrawn(
        self, actor: User, cycle: str | None, applicant_id: str, withdrawn: bool, reason: str
    ) -> bool:
        actor.require(Action.IMPORT)
        with self._tx() as s:
            cycle_row = self._cycle_row(s, cycle)
            row = self._applicant_row(s, cycle_row, applicant_id)
            if row.withdrawn == withdrawn:
                return False
            action = "applicant.withdraw" if withdrawn else "applicant.restore"
            new: dict[str, Any] = {"withdrawn": withdrawn}
            if reason.strip():
                new["reason"] = reason.strip()
            self._audit(
                s, actor, cycle_row, action, applicant_id, {"withdrawn": row.withdrawn}, new
            )
            row.withdrawn = withdrawn
            row.updated_at = utcnow()
            return True

    def withdraw_applicant(
        self, actor: User, cycle: str | None, applicant_id: str, reason: str = ""
    ) -> bool:
        """Mark an applicant withdrawn (the reason audited): kept with their reviews, out of
        the assignments and the selection pool. Whether it changed anything."""
        return self._set_withdrawn(actor, cycle, applicant_id, True, reason)

    def restore_applicant(
        self, actor: User, cycle: str | None, applicant_id: str, reason: str = ""
    ) -> bool:
        """Undo a withdrawal: the applicant is selectable again, with every review and
        assignment kept. Whether it changed anything."""
        return self._set_withdrawn(actor, cycle, applicant_id, False, reason)

    def merge_applicants(
        self, actor: User, cycle: str | None, keep_id: str, other_id: str
    ) -> MergeReport:
        """Merge two records of one person (their e-mail changed between exports) into
        ``keep_id``, audited: it keeps its id and reviews, and takes the application of the
        record in the latest export (the one not withdrawn; else the one updated last). The
        other's reviews move to it where it has none from that reviewer; a clash keeps the
        kept record's review and removes the other's (its scores and comment go into the
        audit entry). The other record, its assignments and remaining reviews are removed."""
        actor.require(Action.IMPORT)
        if keep_id == other_id:
            raise InputError("merge_same", f"cannot merge {keep_id!r} with itself")
        with self._tx() as s:
            cycle_row = self._cycle_row(s, cycle)
            if cycle_row.name == DEMO_CYCLE and actor != SEED_USER:
                raise demo_cycle_refused(cycle_row.name)
            keep = self._applicant_row(s, cycle_row, keep_id)
            other = self._applicant_row(s, cycle_row, other_id)
            if s.scalars(select(OfferRow.id).where(OfferRow.applicant_pk == other.id)).first():
                raise InputError(
                    "merge_offered",
                    f"{other_id} has an offer of a seat: merge it the other way round "
                    f"(keep {other_id})",
                )
            source = _current(keep, other)
            before = {"applicant_id": keep_id, **_fields(keep), "withdrawn": keep.withdrawn}
            merged = {"applicant_id": other_id, **_fields(other), "withdrawn": other.withdrawn}
            moved, dropped = self._move_reviews(s, keep, other)
            for key, value in _fields(source).items():
                setattr(keep, key, value)
            keep.source_row = source.source_row
            keep.withdrawn = keep.withdrawn and other.withdrawn
            keep.updated_at = utcnow()
            s.delete(other)
            s.flush()
            after = {"applicant_id": keep_id, **_fields(keep), "withdrawn": keep.withdrawn}
            self._audit(
                s,
                actor,
                cycle_row,
                "applicant.merge",
                keep_id,
                {"kept": before, "merged": merged, "dropped_reviews": dropped},
                {**after, "moved_reviews": moved},
            )
            return MergeReport(
                keep_id,
                other_id,
                source.applicant_id,
                moved,
                [d["reviewer"] for d in dropped],
            )

    @staticmethod
    def _move_reviews(
        s: Session, keep: ApplicantRow, other: ApplicantRow
    ) -> tuple[list[str], list[dict[str, Any]]]:
        """Move ``other``'s reviews and assignments to ``keep`` where it has none from that
        reviewer; delete the rest. The moved reviewers, and the dropped reviews in full."""
        emails: dict[int, str] = {
            uid: email for uid, email in s.execute(select(UserRow.id, UserRow.email))
        }
        keep_reviewers = set(
            s.scalars(select(ReviewRow.reviewer_id).where(ReviewRow.applicant_pk == keep.id))
        )
        moved: list[str] = []
        dropped: list[dict[str, Any]] = []
        reviews = s.scalars(select(ReviewRow).where(ReviewRow.applicant_pk == other.id)).all()
        for review in sorted(reviews, key=lambda r: emails.get(r.reviewer_id, "")):
            email = emails.get(review.reviewer_id, "")
            if review.reviewer_id in keep_reviewers:
                dropped.append(
                    {
                        "reviewer": email,
                        "scores": dict(review.scores or {}),
                        "comment": review.comment,
                        "conflict": review.conflict,
                        "conflict_reason": review.conflict_reason,
                    }
                )
                s.delete(review)
            else:
                review.applicant_pk = keep.id
                moved.append(email)
        keep_assigned = set(
            s.scalars(
                select(AssignmentRow.reviewer_id).where(AssignmentRow.applicant_pk == keep.id)
            )
        )
        for assignment in s.scalars(
            select(AssignmentRow).where(AssignmentRow.applicant_pk == other.id)
        ).all():
            if assignment.reviewer_id in keep_assigned:
                s.delete(assignment)
            else:
                assignment.applicant_pk = keep.id
        keep_drafts = {
            (uid, stage)
            for uid, stage in s.execute(
                select(DraftRow.reviewer_id, DraftRow.stage).where(DraftRow.applicant_pk == keep.id)
            )
        }
        for draft in s.scalars(select(DraftRow).where(DraftRow.applicant_pk == other.id)).all():
            kept = (draft.reviewer_id, draft.stage) in keep_drafts
            if kept or draft.reviewer_id in keep_reviewers:
                s.delete(draft)  # the kept record's draft or review is the one that stays
            else:
                draft.applicant_pk = keep.id
        s.flush()
        return moved, dropped


def _current(keep: ApplicantRow, other: ApplicantRow) -> ApplicantRow:
    """Of two records of one person, the one whose application is current: the one not
    withdrawn (in the latest export), else the one updated last (``other`` on a tie)."""
    if keep.withdrawn != other.withdrawn:
        return other if keep.withdrawn else keep
    return keep if keep.updated_at > other.updated_at else other
