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
from selector.intake import IntakeResult
from selector.models import Applicant
from selector.store.access import AccessMixin
from selector.store.cycles import Cycle, CyclesMixin, demo_cycle_refused, to_cycle
from selector.store.schema import ApplicantRow, CycleRow, utcnow


@dataclass(frozen=True)
class ImportReport:
    """What an import did (or would do): applicant ids per outcome, and the rejected rows.

    ``resubmitted`` maps the id of a re-submission (the form gave it a new response ID) to the
    stored applicant with the same e-mail, whose id and reviews it keeps."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    withdrawn: list[str] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)
    resubmitted: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """``{"added": n, "updated": n, "unchanged": n, "withdrawn": n, "rejected": [...]}``,
        plus ``"resubmitted": {new id: kept id}`` when there were re-submissions."""
        counts: dict[str, Any] = {
            "added": len(self.added),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
            "withdrawn": len(self.withdrawn),
            "rejected": self.rejected,
        }
        if self.resubmitted:
            counts["resubmitted"] = dict(self.resubmitted)
        return counts


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
        """The import's report, the stored applicants by id, and the accepted applicants with
        a re-submission under a new response ID given its stored applicant's id (same
        e-mail, case-insensitive), so it keeps its reviews instead of being withdrawn."""
        existing = {
            r.applicant_id: r
            for r in s.scalars(select(ApplicantRow).where(ApplicantRow.cycle_id == cycle.id))
        }
        report = ImportReport(rejected=[r.to_json() for r in intake.rejected])
        new_ids = {a.applicant_id for a in intake.accepted}
        by_email = {
            normalize_email(r.email): r for r in existing.values() if r.applicant_id not in new_ids
        }
        accepted: list[Applicant] = []
        for a in intake.accepted:
            stored = by_email.get(normalize_email(a.email))
            if a.applicant_id not in existing and stored is not None:
                report.resubmitted[a.applicant_id] = stored.applicant_id
                a = replace(a, applicant_id=stored.applicant_id)
            accepted.append(a)
        seen: set[str] = set()
        for a in accepted:
            seen.add(a.applicant_id)
            row = existing.get(a.applicant_id)
            if row is None:
                report.added.append(a.applicant_id)
            elif row.withdrawn or _fields(row) != _fields(a):
                report.updated.append(a.applicant_id)
            else:
                report.unchanged.append(a.applicant_id)
        keep = seen | intake.rejected_ids  # a row that turned invalid keeps its applicant
        for applicant_id, row in existing.items():
            if applicant_id not in keep and not row.withdrawn:
                report.withdrawn.append(applicant_id)
        if not intake.accepted and existing:
            raise InputError(
                "import_empty",
                "the file has no valid applications; nothing was changed "
                "(importing it would withdraw every applicant)",
            )
        return report, existing, accepted

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
    ) -> ImportReport:
        """Apply an applications export in one transaction: add new applicants, update changed
        ones, withdraw those missing from the export (kept with their reviews), keep reviews.

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
            report = self._apply_import(s, actor, cycle_row, intake)
        if created and leaving_demo:
            self._retire_demo()
        return report

    def _apply_import(
        self, s: Session, actor: User, cycle_row: CycleRow, intake: IntakeResult
    ) -> ImportReport:
        """:meth:`import_applications` inside its transaction."""
        report, existing, accepted = self._plan_import(s, cycle_row, intake)
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
        self, actor: User, cycle: str | None, applicant_id: str, withdrawn: bool
    ) -> None:
        actor.require(Action.IMPORT)
        with self._tx() as s:
            cycle_row = self._cycle_row(s, cycle)
            row = self._applicant_row(s, cycle_row, applicant_id)
            if row.withdrawn != withdrawn:
                action = "applicant.withdraw" if withdrawn else "applicant.restore"
                self._audit(
                    s,
                    actor,
                    cycle_row,
                    action,
                    applicant_id,
                    {"withdrawn": row.withdrawn},
                    {"withdrawn": withdrawn},
                )
                row.withdrawn = withdrawn
                row.updated_at = utcnow()

    def withdraw_applicant(self, actor: User, cycle: str | None, applicant_id: str) -> None:
        """Mark an applicant withdrawn: kept with their reviews, not selectable."""
        self._set_withdrawn(actor, cycle, applicant_id, True)

    def restore_applicant(self, actor: User, cycle: str | None, applicant_id: str) -> None:
        """Undo a withdrawal: the applicant is selectable again, with every review kept."""
        self._set_withdrawn(actor, cycle, applicant_id, False)
