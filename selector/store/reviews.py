"""Reviews: one reviewer's scores for one applicant, saved under the role rules (a reviewer
only their own, of applicants assigned to them), and declared conflicts of interest.

Every save and declaration goes to the audit log with its old and new values."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from selector.auth import SEED_USER, Action, Role, User, normalize_email
from selector.config import TrackConfig
from selector.demo_accounts import DEMO_CYCLE
from selector.errors import InputError, Location, PermissionDenied
from selector.models import Review
from selector.store.access import AccessMixin, not_assigned, not_shortlisted
from selector.store.cycles import demo_cycle_refused, to_cycle
from selector.store.schema import (
    ApplicantRow,
    AssignmentRow,
    AuditRow,
    Base,
    CycleRow,
    DraftRow,
    ReviewRow,
    UserRow,
    utcnow,
)
from selector.store.users import UsersMixin


@dataclass(frozen=True)
class Conflict:
    """A declared conflict of interest: this reviewer does not review this applicant."""

    applicant_id: str
    reviewer: str
    reason: str


def _score_check(config: TrackConfig) -> Callable[[Review], None]:
    """A check of a review's scores against the rubric (criteria looked up once)."""
    criteria = {c.id: c for c in config.criteria}

    def check(review: Review) -> None:
        for criterion_id, value in review.scores.items():
            criterion = criteria.get(criterion_id)
            if criterion is None:
                raise InputError(
                    "score_unknown_criterion",
                    f"{review.applicant_id}: no criterion {criterion_id!r} in the rubric",
                    Location(column=criterion_id),
                )
            if (off_scale := criterion.scale_problem(value)) is not None:
                raise InputError(
                    "score_off_scale",
                    f"{review.applicant_id}: {off_scale}",
                    Location(column=criterion_id),
                )

    return check


@dataclass
class _StageGate:
    """What a save in a later stage checks beyond the first stage's rules: the stage's own
    rubric, the applicant on the shortlist, no conflict declared (conflicts are kept in the
    first stage's rows and hold for every stage). In the first stage it lets all through."""

    stage: str
    name: str | None
    config: TrackConfig
    shortlist: set[str] | None = None
    conflicted: set[tuple[int, int]] = field(default_factory=set)

    @classmethod
    def of(cls, config: TrackConfig, stage: str) -> _StageGate:
        if not stage:
            return cls(stage, None, config)
        name = config.stage_name(stage)
        if name is None or config.stage_key(name) != stage:
            raise InputError("stage_unknown", f"no later stage {stage!r} in this cycle's config")
        return cls(stage, name, config.stage_config(name))

    def read(self, s: Session, shortlist: set[str] | None, pks: set[int], uids: set[int]) -> None:
        """The shortlist in force and the declared conflicts among these pairs."""
        if not self.stage:
            return
        self.shortlist = shortlist or set()
        if pks:
            declared = select(ReviewRow.applicant_pk, ReviewRow.reviewer_id).where(
                ReviewRow.applicant_pk.in_(pks),
                ReviewRow.reviewer_id.in_(uids),
                ReviewRow.conflict.is_(True),
            )
            self.conflicted = {(pk, uid) for pk, uid in s.execute(declared)}

    def refuse(self, shown: str, applicant_id: str, pk: int, uid: int, email: str) -> None:
        """Raise when this review may not be saved in the stage."""
        if self.shortlist is not None and applicant_id not in self.shortlist:
            raise not_shortlisted(shown, self.name or self.stage)
        if (pk, uid) in self.conflicted:
            raise InputError(
                "review_conflicted",
                f"{shown}: {email} declared a conflict of interest with this applicant; "
                "withdraw the conflict first",
            )


#: Longest ``IN (...)`` list a batch reads by; a longer one reads the whole cycle instead.
_IN_LIMIT = 500


@dataclass
class _Pair:
    """One (applicant, reviewer) review while a batch is saved: the stored row's id (None
    until written) and the values it will have."""

    id: int | None
    scores: dict[str, float]
    comment: str
    conflict: bool
    changed: bool = False

    def values(self) -> dict[str, Any]:
        return {"scores": dict(self.scores), "comment": self.comment, "conflict": self.conflict}


def _drop_drafts(s: Session, pairs: set[tuple[int, int]], stage: str) -> None:
    """Delete the drafts in ``stage`` of these (applicant key, reviewer id) pairs: their
    reviews were saved (one statement, executed for many)."""
    if not pairs:
        return
    drafts = Base.metadata.tables[DraftRow.__tablename__]
    s.execute(
        delete(drafts).where(
            drafts.c.applicant_pk == bindparam("pk"),
            drafts.c.reviewer_id == bindparam("uid"),
            drafts.c.stage == stage,
        ),
        [{"pk": pk, "uid": uid} for pk, uid in sorted(pairs)],
    )


class ReviewsMixin(UsersMixin, AccessMixin):
    """Saving and reading reviews and conflicts of interest."""

    def _named_applicants(
        self, s: Session, actor: User, cycle: CycleRow, names: set[str]
    ) -> dict[str, tuple[int, str, bool]]:
        """The applicants a user names (by pseudonym in blind review), read at once: name →
        (key, applicant id, withdrawn). Names that match no applicant are left out."""
        shown = self._pseudonyms(s, actor, cycle)
        if shown is None:
            real_of = {name: name for name in names}
        else:
            real_of = {p: a for a, p in shown.items() if p in names}
        query = select(ApplicantRow.applicant_id, ApplicantRow.id, ApplicantRow.withdrawn).where(
            ApplicantRow.cycle_id == cycle.id
        )
        if len(real_of) <= _IN_LIMIT:
            query = query.where(ApplicantRow.applicant_id.in_(set(real_of.values())))
        found = {a: (pk, a, withdrawn) for a, pk, withdrawn in s.execute(query)}
        return {name: found[real] for name, real in real_of.items() if real in found}

    def _save_batch(
        self,
        s: Session,
        actor: User,
        cycle: CycleRow,
        config: TrackConfig,
        batch: list[Review],
        stage: str = "",
    ) -> None:
        """Save ``batch`` (reviews of one ``stage``, by its stored key) inside the caller's
        transaction: everything it needs is read once, each review is checked in order (the
        first bad one stops the save, as one at a time would), then the new and changed rows
        and their audit entries are written in bulk. A later stage's review is of a
        shortlisted applicant only, and never by a reviewer with a declared conflict."""
        gate = _StageGate.of(config, stage)
        check = _score_check(gate.config)
        emails = {r.reviewer: normalize_email(r.reviewer) for r in batch}
        named = self._named_applicants(s, actor, cycle, {r.applicant_id for r in batch})
        pks = {pk for pk, _, _ in named.values()}
        users = select(UserRow.email, UserRow.id).where(UserRow.email.in_(set(emails.values())))
        uids = {email: uid for email, uid in s.execute(users)}
        stored = select(
            ReviewRow.applicant_pk,
            ReviewRow.reviewer_id,
            ReviewRow.id,
            ReviewRow.scores,
            ReviewRow.comment,
            ReviewRow.conflict,
        ).where(ReviewRow.reviewer_id.in_(set(uids.values())), ReviewRow.stage == stage)
        if len(pks) <= _IN_LIMIT:
            stored = stored.where(ReviewRow.applicant_pk.in_(pks))
        else:
            stored = stored.join(ApplicantRow, ApplicantRow.id == ReviewRow.applicant_pk).where(
                ApplicantRow.cycle_id == cycle.id
            )
        pairs = {
            (pk, uid): _Pair(row_id, dict(scores or {}), comment, conflict)
            for pk, uid, row_id, scores, comment, conflict in s.execute(stored)
        }
        gate.read(s, self._shortlist(s, cycle), pks, set(uids.values()))
        # A reviewer names only applicants assigned to them (one error for every other id).
        reviewer = not actor.can(Action.REVIEW_UNASSIGNED)
        kinds: dict[int, str] = {}
        if reviewer and pks:
            assigned = select(AssignmentRow.applicant_pk, AssignmentRow.kind).where(
                AssignmentRow.reviewer_id == actor.id,
                AssignmentRow.applicant_pk.in_(pks),
                AssignmentRow.stage == stage,
            )
            kinds = {pk: kind for pk, kind in s.execute(assigned)}

        audit: list[dict[str, Any]] = []
        saved: set[tuple[int, int]] = set()
        now = utcnow()
        for review in batch:
            email = emails[review.reviewer]
            if email != actor.email:
                actor.require(Action.REVIEW_FOR_OTHERS)
            check(review)
            app = named.get(review.applicant_id)
            if reviewer:  # unknown, unassigned and conflicted ids get the same answer
                own = pairs.get((app[0], actor.id)) if app and actor.id is not None else None
                kind = kinds.get(app[0]) if app else None
                if app is None or (own and own.conflict) or kind in (None, "excluded"):
                    raise not_assigned(review.applicant_id)
            elif app is None:
                raise InputError(
                    "applicant_unknown",
                    f"no applicant {review.applicant_id!r} in cycle {cycle.name!r}",
                )
            pk, applicant_id, withdrawn = app
            if withdrawn:
                raise InputError(
                    "applicant_withdrawn", f"{review.applicant_id} is withdrawn; restore it first"
                )
            uid = uids.get(email)
            if uid is None:
                raise InputError("user_unknown", f"no user {email!r}")
            gate.refuse(review.applicant_id, applicant_id, pk, uid, email)
            pair = pairs.get((pk, uid))
            if pair is not None and pair.conflict and not review.conflict:
                # Only declare_conflict(declared=False) lifts a conflict, never a saved sheet.
                raise InputError(
                    "review_conflicted",
                    f"{review.applicant_id}: {email} declared a conflict of interest with this "
                    "applicant; withdraw the conflict first",
                )
            new = {
                "scores": dict(review.scores),
                "comment": review.comment,
                "conflict": review.conflict,
            }
            saved.add((pk, uid))  # the review replaces any draft of it
            if pair is None:
                old = None
                pairs[pk, uid] = _Pair(
                    None, dict(review.scores), review.comment, review.conflict, changed=True
                )
            else:
                old = pair.values()
                if old == new:
                    continue
                pair.scores, pair.comment = dict(review.scores), review.comment
                pair.conflict, pair.changed = review.conflict, True
            audit.append(
                {
                    "at": now,
                    "actor": actor.email,
                    "cycle_id": cycle.id,
                    "action": "review.save",
                    "target": f"{applicant_id} {email}",
                    "old": old,
                    "new": new,
                }
            )

        s.flush()  # rows added earlier in this transaction (new accounts) are written first
        added = [
            {"applicant_pk": pk, "reviewer_id": uid, "conflict_reason": "", "created_at": now}
            | {"stage": stage}
            | {"updated_at": now, **p.values()}
            for (pk, uid), p in pairs.items()
            if p.changed and p.id is None
        ]
        changed = [
            {"row_id": p.id, "updated_at": now, **p.values()}
            for p in pairs.values()
            if p.changed and p.id is not None
        ]
        # Core statements on the tables: executemany, without the ORM's per-row bookkeeping.
        reviews = Base.metadata.tables[ReviewRow.__tablename__]
        log = Base.metadata.tables[AuditRow.__tablename__]
        if added:
            s.execute(insert(reviews), added)
        if changed:
            s.execute(update(reviews).where(reviews.c.id == bindparam("row_id")), changed)
        if audit:
            s.execute(insert(log), audit)
        _drop_drafts(s, saved, stage)

    def save_review(self, actor: User, cycle: str | None, review: Review) -> None:
        """Save (create or replace) one review; a reviewer only their own, of an applicant
        assigned to them. Old and new scores go to the audit log."""
        self.save_reviews(actor, cycle, [review])

    def save_reviews(
        self,
        actor: User,
        cycle: str | None,
        reviews: Iterable[Review],
        *,
        new_reviewers: Iterable[str] = (),
    ) -> int:
        """Save several reviews in one transaction (all or none); returns how many.

        ``new_reviewers`` (e-mails) are first added as reviewer accounts without a password,
        in the same transaction, so a failed or killed save leaves no account behind."""
        emails = sorted({normalize_email(e) for e in new_reviewers})
        if emails:
            actor.require(Action.MANAGE_USERS)
        with self._tx() as s:
            for email in emails:
                self._insert_user(s, actor, email, email.split("@")[0], Role.REVIEWER, "", "")
            cycle_row = self._cycle_row(s, cycle)
            if cycle_row.name == DEMO_CYCLE and actor.system and actor != SEED_USER:
                raise demo_cycle_refused(cycle_row.name)  # a score file from the CLI
            config = to_cycle(cycle_row).config
            batch = list(reviews)
            for stage in sorted({r.stage for r in batch}):  # one stage after the other
                part = [r for r in batch if r.stage == stage]
                self._save_batch(s, actor, cycle_row, config, part, stage)
            return len(batch)

    def _review_query(self, cycle_row: CycleRow) -> Any:
        return (
            select(ReviewRow, ApplicantRow.applicant_id, UserRow.email)
            .join(ApplicantRow, ApplicantRow.id == ReviewRow.applicant_pk)
            .join(UserRow, UserRow.id == ReviewRow.reviewer_id)
            .where(ApplicantRow.cycle_id == cycle_row.id)
            .order_by(ApplicantRow.applicant_id, UserRow.email)
        )

    @staticmethod
    def _to_review(row: ReviewRow, applicant_id: str, email: str) -> Review:
        return Review(
            applicant_id=applicant_id,
            reviewer=email,
            scores=dict(row.scores or {}),
            comment=row.comment,
            conflict=row.conflict,
            stage=row.stage,
        )

    def reviews(
        self, actor: User, cycle: str | None, *, stage: str | None = None, every_stage: bool = False
    ) -> list[Review]:
        """Reviews this user may read: all for coordinators and chairs, a reviewer's own else;
        of one stage (by name; None the first, or only, stage), or of ``every_stage``."""
        with self._tx(write=False) as s:
            cycle_row = self._cycle_row(s, cycle)
            key = None if every_stage else to_cycle(cycle_row).config.stage_key(stage)
            return self._read_reviews(s, actor, cycle_row, stage=key)

    def _read_reviews(
        self,
        s: Session,
        actor: User,
        cycle: CycleRow,
        *,
        selectable_only: bool = False,
        stage: str | None = "",
    ) -> list[Review]:
        """:meth:`reviews` inside the caller's transaction, read as plain columns;
        ``selectable_only`` leaves out the reviews of withdrawn applicants; ``stage`` is the
        stored key of the stage read ("" the first), None for every stage."""
        query = (
            select(
                ApplicantRow.applicant_id,
                UserRow.email,
                ReviewRow.scores,
                ReviewRow.comment,
                ReviewRow.conflict,
                ReviewRow.stage,
            )
            .join(ApplicantRow, ApplicantRow.id == ReviewRow.applicant_pk)
            .join(UserRow, UserRow.id == ReviewRow.reviewer_id)
            .where(ApplicantRow.cycle_id == cycle.id)
            .order_by(ApplicantRow.applicant_id, UserRow.email)
        )
        if not actor.can(Action.READ_ALL):
            query = query.where(ReviewRow.reviewer_id == actor.id)
        if selectable_only:
            query = query.where(ApplicantRow.withdrawn.is_(False))
        if stage is not None:
            query = query.where(ReviewRow.stage == stage)
        shown = self._pseudonyms(s, actor, cycle)
        return [
            Review(a if shown is None else shown[a], e, dict(scores or {}), comment, conflict, st)
            for a, e, scores, comment, conflict, st in s.connection().execute(query)
        ]

    def review(
        self,
        actor: User,
        cycle: str | None,
        applicant_id: str,
        reviewer_email: str | None = None,
        *,
        stage: str | None = None,
    ) -> Review | None:
        """One review (by default the actor's own) of one applicant, if saved; of one stage
        (by name; None the first, or only, stage)."""
        email = normalize_email(reviewer_email or actor.email)
        if email != actor.email:
            actor.require(Action.READ_ALL)
        with self._tx(write=False) as s:
            cycle_row = self._cycle_row(s, cycle)
            try:
                app = self._shown_row(s, actor, cycle_row, applicant_id)
            except InputError:
                return None
            key = to_cycle(cycle_row).config.stage_key(stage)
            query = self._review_query(cycle_row).where(
                ApplicantRow.id == app.id, UserRow.email == email, ReviewRow.stage == key
            )
            found = s.execute(query).first()
            return self._to_review(found[0], applicant_id, found[2]) if found else None

    def declare_conflict(
        self,
        actor: User,
        cycle: str | None,
        applicant_id: str,
        reason: str = "",
        *,
        reviewer_email: str | None = None,
        declared: bool = True,
    ) -> None:
        """Declare (or, with ``declared=False``, withdraw) a conflict of interest: the reviewer
        no longer sees the applicant, is not assigned it, and their review does not count.

        Declaring one for someone else, and withdrawing one someone else declared (the audit
        log says who), take :attr:`Action.ASSIGN`: a reviewer may withdraw only a conflict
        they declared themselves. A reviewer declares only on applicants assigned to them
        (else the same error for an unknown id as for one assigned to someone else)."""
        email = normalize_email(reviewer_email or actor.email)
        if email != actor.email:
            actor.require(Action.ASSIGN)
        with self._tx() as s:
            cycle_row = self._cycle_row(s, cycle)
            if actor.can(Action.ASSIGN) or actor.can(Action.REVIEW_UNASSIGNED):
                app = self._shown_row(s, actor, cycle_row, applicant_id)
            else:
                app = self._assigned_row(
                    s, actor, cycle_row, applicant_id, conflicted=True, withdrawn=True
                )
            user = self._user_row(s, email)
            row = s.scalars(
                select(ReviewRow).where(
                    ReviewRow.applicant_pk == app.id,
                    ReviewRow.reviewer_id == user.id,
                    ReviewRow.stage == "",  # a conflict is kept in the first stage's row
                )
            ).first()
            target = f"{app.applicant_id} {email}"  # the real id: the audit log never hides
            lifting = not declared and row is not None and row.conflict
            if (
                lifting
                and not actor.can(Action.ASSIGN)
                and self._conflict_declarer(s, cycle_row, target) != actor.email
            ):
                raise PermissionDenied(
                    "conflict_not_yours",
                    "this conflict of interest was declared for you by someone else; "
                    "ask the coordinator to withdraw it",
                    action=str(Action.ASSIGN),
                    role=str(actor.role),
                )
            old = {"conflict": row.conflict, "reason": row.conflict_reason} if row else None
            if row is None:
                row = ReviewRow(applicant_pk=app.id, reviewer_id=user.id, scores={}, comment="")
                s.add(row)
            row.conflict = declared
            row.conflict_reason = reason.strip() if declared else ""
            row.updated_at = utcnow()
            self._audit(
                s,
                actor,
                cycle_row,
                "conflict.declare" if declared else "conflict.withdraw",
                target,
                old,
                {"conflict": declared, "reason": row.conflict_reason},
            )
            if lifting:
                self._reopen(s, actor, cycle_row, row, target)

    def _reopen(
        self, s: Session, actor: User, cycle: CycleRow, row: ReviewRow, target: str
    ) -> None:
        """After a conflict is taken back: the pair is an open review again. A review row
        the declaration made (no scores, no comment) goes, so nothing counts it as a review;
        an assignment a reassignment dropped meanwhile comes back (pinned), unless a
        coordinator excluded the pair."""
        if not row.scores and not row.comment:
            s.delete(row)
        kind = s.scalar(
            select(AssignmentRow.kind).where(
                AssignmentRow.applicant_pk == row.applicant_pk,
                AssignmentRow.reviewer_id == row.reviewer_id,
                AssignmentRow.stage == "",
            )
        )
        if kind is None:
            s.add(
                AssignmentRow(
                    applicant_pk=row.applicant_pk, reviewer_id=row.reviewer_id, kind="manual"
                )
            )
            self._audit(s, actor, cycle, "assignment.set", target, None, "manual")

    def conflicts(self, actor: User, cycle: str | None) -> list[Conflict]:
        """Declared conflicts; a reviewer gets only their own."""
        with self._tx(write=False) as s:
            cycle_row = self._cycle_row(s, cycle)
            query = self._review_query(cycle_row).where(ReviewRow.conflict.is_(True))
            if not actor.can(Action.READ_ALL):
                query = query.where(ReviewRow.reviewer_id == actor.id)
            shown = self._pseudonyms(s, actor, cycle_row)
            return [
                Conflict(a if shown is None else shown[a], e, r.conflict_reason)
                for r, a, e in s.execute(query)
            ]

    def _conflict_declarer(self, s: Session, cycle: CycleRow, target: str) -> str | None:
        """Who declared the conflict in force on ``target`` ("applicant_id reviewer"): the
        actor of the newest audit entry that turned it on (a declaration, or a saved review
        marked conflicted); None when the log does not say."""
        rows = s.scalars(
            select(AuditRow)
            .where(
                AuditRow.cycle_id == cycle.id,
                AuditRow.target == target,
                AuditRow.action.in_(("conflict.declare", "review.save")),
            )
            .order_by(AuditRow.id.desc())
        )
        for row in rows:
            new, old = row.new or {}, row.old or {}
            if (
                isinstance(new, dict)
                and new.get("conflict")
                and not (isinstance(old, dict) and old.get("conflict"))
            ):
                return row.actor
        return None
