"""One application as the chair, the coordinator or a reviewer may read it: the answers, each
review with its reviewer, scores and comment, conflicts, flags and its history; and adding a
reviewer to an applicant short of reviewers.

Access is the store's: a reviewer reads only an applicant assigned to them and not
conflicted, only their own review, no history, and in blind review never the name (nor the
id, only the pseudonym they know it by), nor any earlier application of the same person; the
chair and the coordinator read everything, earlier applications in the track included."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from selector.auth import User
    from selector.store import AuditEntry, EarlierApplication, Store


@dataclass(frozen=True)
class ReviewLine:
    """One review of the application: who, the scores by criterion label, the weighted total
    (None while incomplete), the comment, and a declared conflict with its reason."""

    reviewer: str
    reviewer_name: str
    scores: Mapping[str, float]
    total: float | None
    comment: str
    conflict: bool = False
    conflict_reason: str = ""
    stage: str = ""  # a later stage's title ("Interview"); "" for the first (or only) stage


@dataclass(frozen=True)
class ApplicationView:
    """Everything about one application a user may read. ``name`` is None in blind review;
    ``applicant_id`` is the id the user knows it by (a pseudonym in blind review)."""

    applicant_id: str
    name: str | None
    fields: Mapping[str, Any]
    answers: Mapping[str, str]
    reviews: tuple[ReviewLine, ...]
    assigned: tuple[str, ...]  # reviewers assigned (e-mail), as "name (e-mail)"
    flags: tuple[str, ...]
    history: tuple[AuditEntry, ...] = field(default_factory=tuple)
    #: The same person's applications in the track's earlier cycles (matched by e-mail), with
    #: scores and outcomes: for the chair and the coordinator only, never for a reviewer.
    earlier: tuple[EarlierApplication, ...] = field(default_factory=tuple)

    @property
    def title(self) -> str:
        """``A001 · Ann Lee``, or the id alone in blind review."""
        return f"{self.applicant_id} · {self.name}" if self.name else self.applicant_id


def application_view(
    store: Store, actor: User, cycle: str | None, applicant_id: str
) -> ApplicationView:
    """The application of ``applicant_id`` as ``actor`` may read it (see the module
    docstring); a reviewer asking for one not assigned to them gets the store's
    :class:`~selector.errors.PermissionDenied`, whether it exists or not."""
    from selector.auth import Action
    from selector.calibration import disagreements
    from selector.eligibility import ineligibility_reason
    from selector.scoring import review_total
    from selector.workflow.track import current_trainees

    target = store.cycle(cycle)
    config = target.config
    applicant = store.applicant(actor, target.name, applicant_id)  # the access check
    reads_all = actor.can(Action.READ_ALL)
    shown_id = applicant.applicant_id
    blind = target.blind and not reads_all
    names = {u.email: u.name or u.email for u in store.users(actor)} if reads_all else {}
    names.setdefault(actor.email, actor.name or actor.email)
    reasons = {
        c.reviewer: c.reason
        for c in store.conflicts(actor, target.name)
        if c.applicant_id == shown_id
    }
    labels = {c.id: c.label for c in config.criteria}
    reviews = [r for r in store.reviews(actor, target.name) if r.applicant_id == shown_id]
    lines = tuple(
        ReviewLine(
            r.reviewer,
            names.get(r.reviewer, r.reviewer),
            {labels.get(k, k): v for k, v in r.scores.items()},
            None if r.conflict else review_total(r, config)[0],
            r.comment,
            r.conflict,
            reasons.get(r.reviewer, ""),
        )
        for r in reviews
    )
    for stage in config.stages[1:]:  # a later stage's reviews, on its own rubric
        rubric = config.stage_config(stage.name)
        stage_labels = {c.id: c.label for c in rubric.criteria}
        lines += tuple(
            ReviewLine(
                r.reviewer,
                names.get(r.reviewer, r.reviewer),
                {stage_labels.get(k, k): v for k, v in r.scores.items()},
                review_total(r, rubric)[0],
                r.comment,
                stage=stage.title,
            )
            for r in store.reviews(actor, target.name, stage=stage.name)
            if r.applicant_id == shown_id
        )
    assigned = tuple(
        f"{names.get(e, e)} ({e})" if names.get(e, e) != e else e
        for a, e in store.assignments(actor, target.name)
        if a == shown_id
    )
    flags: list[str] = []
    if reads_all:
        if shown_id in store.withdrawn(actor, target.name):
            flags.append("withdrawn: not selectable (its reviews are kept)")
        trainees = current_trainees(store, actor, target.name)
        if (why := ineligibility_reason(applicant, config, trainees)) is not None:
            flags.append(f"not eligible: {why}")
        complete = [line for line in lines if line.total is not None]
        if not complete:
            flags.append("no complete review yet")
        in_force = {line.reviewer for line in lines if line.total is not None} | {
            e for a, e in store.assignments(actor, target.name) if a == shown_id
        }
        in_force -= {line.reviewer for line in lines if line.conflict}
        k = config.review.reviewers_per_applicant
        if len(in_force) < k:
            flags.append(f"short of reviewers: {len(in_force)} of {k}")
        for d in disagreements(reviews, config):
            flags.append(
                f"reviewers disagree: totals spread over {d.spread:.0%} of the scale "
                f"(widest on {labels.get(d.criterion, d.criterion)})"
            )
        flags += [
            f"conflict declared by {names.get(line.reviewer, line.reviewer)}"
            for line in lines
            if line.conflict
        ]
    history = (
        tuple(store.applicant_history(actor, target.name, shown_id))
        if actor.can(Action.READ_AUDIT)
        else ()
    )
    earlier = tuple(store.earlier_applications(actor, target.name, shown_id)) if reads_all else ()
    fields = {"PGY": applicant.pgy, "Specialty": applicant.specialty}
    if not blind:
        fields = {"E-mail": applicant.email, **fields, "Program": applicant.program}
    if applicant.pgy == 1:
        fields["PGY1 approved"] = "yes" if applicant.pgy1_approved else "no"
    return ApplicationView(
        shown_id,
        None if blind else applicant.name,
        fields,
        applicant.reviewer_answers(),
        lines,
        assigned,
        tuple(flags),
        history,
        earlier,
    )


def add_reviewer(
    store: Store, actor: User, cycle: str | None, applicant_id: str, reviewer: str | None = None
) -> str:
    """Assign one more reviewer to an applicant short of reviewers (the coordinator): the
    given one if eligible, else the eligible reviewer with the fewest assignments (not
    disabled, no conflict, not already reviewing it, not from its own program when the
    cycle's rule applies; see :meth:`Store.reviewer_options`). Returns the e-mail; an
    :class:`~selector.errors.InputError` when nobody is eligible."""
    from selector.auth import normalize_email
    from selector.errors import InputError

    options = [email for email, _ in store.reviewer_options(actor, cycle, applicant_id)]
    if reviewer is not None:
        chosen = normalize_email(reviewer)
        if chosen not in options:
            raise InputError(
                "reviewer_not_eligible",
                f"{chosen} cannot review {applicant_id} (disabled, conflicted, already "
                "reviewing it, or from its program)",
            )
    elif options:
        chosen = options[0]
    else:
        raise InputError(
            "reviewer_none_eligible", f"no eligible reviewer is left for {applicant_id}"
        )
    store.set_assignment(actor, cycle, applicant_id, chosen, assigned=True)
    return chosen
