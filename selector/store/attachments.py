"""Attachments: importing a form tool's zip of files into a cycle (one transaction), and
reading an applicant's files under the role rules.

A coordinator imports and reads every file, with the history of replaced ones; a reviewer
reads only the current files of an applicant assigned to them (the same rule, and the same
answer for any other id, as every applicant read: :meth:`AccessMixin._assigned_row`). In a
blind cycle a reviewer gets the files with the words to cover (the applicant's identity), a
file name that says nothing (``attachment-1.pdf``) and a slot label only when it does not
identify the applicant: the workflow shows them redacted or withholds them."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from selector.attachments import EXTENSIONS, Archive, Matcher, identity_terms
from selector.auth import SEED_USER, Action, User
from selector.blind import Identity
from selector.demo_accounts import DEMO_CYCLE
from selector.store.access import AccessMixin
from selector.store.cycles import demo_cycle_refused
from selector.store.schema import ApplicantRow, AttachmentRow, AuditRow, CycleRow, utcnow


@dataclass(frozen=True)
class AttachmentReport:
    """What an import of attachments did: the files stored (``matched`` paths, of which
    ``replaced`` took the place of an earlier file and ``unchanged`` were already there), the
    files matched to no applicant, the files refused (path → why), and the active applicants
    that have no file after it."""

    matched: list[str] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)
    applicants_without: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """``{"matched": N, "unmatched": [path, ...], "applicants_without": [id, ...]}``, with
        ``"refused": {path: why}``, ``"replaced"`` and ``"unchanged"`` (counts)."""
        return {
            "matched": len(self.matched),
            "unmatched": list(self.unmatched),
            "applicants_without": list(self.applicants_without),
            "refused": dict(self.refused),
            "replaced": len(self.replaced),
            "unchanged": len(self.unchanged),
        }


@dataclass(frozen=True)
class Attachment:
    """One stored file of an applicant (``replaced_at`` set: an earlier version)."""

    key: int
    slot: str
    filename: str
    media_type: str
    size: int
    sha256: str
    imported_at: dt.datetime
    replaced_at: dt.datetime | None
    data: bytes


@dataclass(frozen=True)
class ApplicantFiles:
    """An applicant's files as one reader may have them: ``blind_terms`` is set when the
    reader sees the cycle blind, and then every file must be shown redacted or withheld."""

    files: list[Attachment]
    blind_terms: tuple[str, ...] | None = None


def _to_attachment(row: AttachmentRow) -> Attachment:
    return Attachment(
        row.id,
        row.slot,
        row.filename,
        row.media_type,
        row.size,
        row.sha256,
        row.imported_at,
        row.replaced_at,
        row.data,
    )


class AttachmentsMixin(AccessMixin):
    """Importing and reading attachments."""

    def _source_ids(self, s: Session, cycle: CycleRow, ids: set[str]) -> dict[str, str]:
        """Every id a form may have given an applicant → the applicant id: the id itself, the
        response id of a re-submission kept under it, and a response id that an import gave
        to a newcomer under a fresh id (later imports win: the files come from the newest)."""
        known = {a: a for a in ids}
        imports = s.scalars(
            select(AuditRow.new)
            .where(AuditRow.cycle_id == cycle.id, AuditRow.action == "import")
            .order_by(AuditRow.id)
        )
        for summary in imports:
            if not isinstance(summary, dict):
                continue
            for response_id, kept in {
                **summary.get("resubmitted", {}),
                **summary.get("id_reused", {}),
            }.items():
                if kept in ids:
                    known[response_id] = kept
        return known

    def import_attachments(
        self, actor: User, cycle: str | None, archive: Archive
    ) -> AttachmentReport:
        """Store the files of ``archive`` with the applicants they name, in one transaction.
        A file for a slot that holds a different one replaces it (the old one is kept as
        history); the same file again changes nothing; files not in the zip stay."""
        actor.require(Action.IMPORT)
        with self._tx() as s:
            cycle_row = self._cycle_row(s, cycle)
            if cycle_row.name == DEMO_CYCLE and actor != SEED_USER:
                raise demo_cycle_refused(cycle_row.name)
            rows = {
                a.applicant_id: a
                for a in s.scalars(
                    select(ApplicantRow).where(ApplicantRow.cycle_id == cycle_row.id)
                )
            }
            matcher = Matcher(
                self._source_ids(s, cycle_row, set(rows)),
                {a.email: a.applicant_id for a in rows.values()},
            )
            matched, unmatched = matcher.match(archive.files)
            current = {
                (r.applicant_pk, r.slot): r
                for r in s.scalars(
                    select(AttachmentRow).where(
                        AttachmentRow.cycle_id == cycle_row.id, AttachmentRow.replaced_at.is_(None)
                    )
                )
            }
            now = utcnow()
            replaced, unchanged = [], []
            for item in matched:
                applicant = rows[item.applicant_id]
                digest = hashlib.sha256(item.file.data).hexdigest()
                old = current.get((applicant.id, item.slot))
                if old is not None and old.sha256 == digest:
                    unchanged.append(item.file.path)
                    continue
                if old is not None:
                    old.replaced_at = now
                    replaced.append(item.file.path)
                new = AttachmentRow(
                    cycle_id=cycle_row.id,
                    applicant_pk=applicant.id,
                    slot=item.slot[:300],
                    filename=item.file.name[:300],
                    media_type=item.file.media_type,
                    size=len(item.file.data),
                    sha256=digest,
                    data=item.file.data,
                    imported_at=now,
                )
                s.add(new)
                current[applicant.id, item.slot] = new
            s.flush()
            holders = {pk for pk, _ in current}
            without = sorted(
                a.applicant_id for a in rows.values() if not a.withdrawn and a.id not in holders
            )
            report = AttachmentReport(
                matched=[m.file.path for m in matched],
                unmatched=unmatched,
                refused=dict(archive.refused),
                applicants_without=without,
                replaced=replaced,
                unchanged=unchanged,
            )
            summary = {k: v for k, v in report.to_json().items() if k != "refused"}
            summary["unmatched"] = len(unmatched)  # counts only: paths may hold names
            summary["applicants_without"] = len(without)
            summary["refused"] = len(archive.refused)
            self._audit(s, actor, cycle_row, "attachments.import", cycle_row.name, None, summary)
        return report

    def applicant_files(
        self, actor: User, cycle: str | None, applicant_id: str, *, history: bool = False
    ) -> ApplicantFiles:
        """An applicant's current files (with ``history``, the replaced ones too, newest
        first; for those who read everything). A reviewer gets only an applicant assigned to
        them, by the id they see (the pseudonym in blind review), with the identity to cover."""
        with self._tx(write=False) as s:
            cycle_row = self._cycle_row(s, cycle)
            if actor.can(Action.READ_ALL):
                applicant = self._applicant_row(s, cycle_row, applicant_id)
            else:
                applicant = self._assigned_row(s, actor, cycle_row, applicant_id)
                history = False
            query = select(AttachmentRow).where(AttachmentRow.applicant_pk == applicant.id)
            if not history:
                query = query.where(AttachmentRow.replaced_at.is_(None))
            rows = s.scalars(query.order_by(AttachmentRow.slot, AttachmentRow.id.desc())).all()
            files = [_to_attachment(r) for r in rows]
            blind = cycle_row.blind and not actor.can(Action.READ_ALL)
            if not blind:
                return ApplicantFiles(files)
            identity = Identity.of(applicant.name, applicant.email, applicant.program)
            terms = identity_terms(applicant.name, applicant.email, applicant.program)
        shown = [
            Attachment(
                f.key,
                f.slot if identity.view(f.slot) == f.slot else f"file {n}",
                f"attachment-{n}.{EXTENSIONS.get(f.media_type, 'bin')}",
                f.media_type,
                f.size,
                "",
                f.imported_at,
                None,
                f.data,
            )
            for n, f in enumerate(files, 1)
        ]
        return ApplicantFiles(shown, terms)

    def attachment_counts(self, actor: User, cycle: str | None) -> dict[str, int]:
        """Applicant id → how many current files it has (for those who read everything)."""
        actor.require(Action.READ_ALL)
        with self._tx(write=False) as s:
            cycle_row = self._cycle_row(s, cycle)
            rows = s.execute(
                select(ApplicantRow.applicant_id)
                .join(AttachmentRow, AttachmentRow.applicant_pk == ApplicantRow.id)
                .where(AttachmentRow.cycle_id == cycle_row.id, AttachmentRow.replaced_at.is_(None))
            ).scalars()
            counts: dict[str, int] = {}
            for applicant_id in rows:
                counts[applicant_id] = counts.get(applicant_id, 0) + 1
            return counts
