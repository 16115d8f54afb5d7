"""Review progress of a cycle: per reviewer, the reviews assigned, complete and declared
conflicts; per applicant, who reviews it. One definition, shown by the Reviewers &
assignments, Committee and Selection pages and the CLI's ``select``.

A declared conflict is not an open review: an assignment whose reviewer declared a conflict
counts under conflicts, never as assigned or open."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from selector.auth import User
    from selector.config import TrackConfig
    from selector.models import Review
    from selector.store import Store

Pair = tuple[str, str]  # (applicant id, reviewer e-mail)


@dataclass(frozen=True)
class ReviewerProgress:
    """One reviewer's progress. ``assigned``: assignments in force without a declared
    conflict; ``complete``: their reviews that count (every criterion scored, no conflict)
    of applicants in the pool, assigned or not; ``done``: the assigned ones of those."""

    reviewer: str
    assigned: int
    complete: int
    conflicts: int
    done: int = 0

    @property
    def open(self) -> int:
        """Assigned reviews not complete yet (a declared conflict is not open)."""
        return max(self.assigned - self.done, 0)


@dataclass(frozen=True)
class ReviewProgress:
    """Progress of every reviewer with an assignment or a review, by e-mail; the open
    (assigned, not complete, not conflicted) pairs; and per applicant the reviewers in force
    (complete, or assigned and open; never conflicted)."""

    reviewers: dict[str, ReviewerProgress]
    open_pairs: tuple[Pair, ...] = ()
    reviewers_of: Mapping[str, frozenset[str]] = field(default_factory=dict)
    complete_pairs: frozenset[Pair] = frozenset()  # reviews that count, of the pool

    @property
    def reviewed(self) -> frozenset[str]:
        """Applicants with at least one complete review."""
        return frozenset(a for a, _ in self.complete_pairs)

    @property
    def assigned(self) -> int:
        """Assigned reviews in force (declared conflicts not counted)."""
        return sum(p.assigned for p in self.reviewers.values())

    @property
    def complete(self) -> int:
        """Assigned reviews that are complete (a review beyond one's assignment not counted)."""
        return sum(p.done for p in self.reviewers.values())

    @property
    def conflicts(self) -> int:
        """Declared conflicts."""
        return sum(p.conflicts for p in self.reviewers.values())

    @property
    def share(self) -> float:
        """The share of assigned reviews that are complete (0 with nothing assigned)."""
        return self.complete / self.assigned if self.assigned else 0.0

    def of(self, reviewer: str) -> ReviewerProgress:
        """One reviewer's progress (zeros for one with nothing assigned or reviewed)."""
        return self.reviewers.get(reviewer, ReviewerProgress(reviewer, 0, 0, 0))

    def short(
        self, applicant_ids: Iterable[str], k: int, *, disabled: Collection[str] = ()
    ) -> dict[str, int]:
        """Applicants with fewer than ``k`` reviewers in force → how many they have. An open
        review of a ``disabled`` account (e-mails) is a gap: it will not come in."""
        out = {}
        for a in applicant_ids:
            n = sum(
                1
                for r in self.reviewers_of.get(a, ())
                if r not in disabled or (a, r) in self.complete_pairs
            )
            if n < k:
                out[a] = n
        return out


def review_progress(
    pairs: Iterable[Pair],
    reviews: Iterable[Review],
    config: TrackConfig,
    pool: Collection[str] | None = None,
) -> ReviewProgress:
    """Progress from the assignments in force (applicant id, reviewer e-mail, as
    ``Store.assignments`` gives them) and the reviews; only reviews of applicants in the
    ``pool`` (the ids not withdrawn) count, all of them without one (as
    ``Store.selection_inputs`` gives them)."""
    from selector.scoring import review_total

    conflicted: set[Pair] = set()
    complete: set[Pair] = set()
    for r in reviews:
        if pool is not None and r.applicant_id not in pool:
            continue
        key = (r.applicant_id, r.reviewer)
        if r.conflict:
            conflicted.add(key)
        elif review_total(r, config)[0] is not None:
            complete.add(key)
    in_force = [p for p in dict.fromkeys(pairs) if p not in conflicted]
    assigned = Counter(email for _, email in in_force)
    done = Counter(email for p in in_force if p in complete for email in (p[1],))
    counted = Counter(email for _, email in complete)
    conflicts = Counter(email for _, email in conflicted)
    reviewers_of: dict[str, set[str]] = defaultdict(set)
    for a, email in [*in_force, *complete]:
        reviewers_of[a].add(email)
    return ReviewProgress(
        {
            email: ReviewerProgress(
                email, assigned[email], counted[email], conflicts[email], done[email]
            )
            for email in sorted(set(assigned) | set(counted) | set(conflicts))
        },
        open_pairs=tuple(sorted(p for p in in_force if p not in complete)),
        reviewers_of={a: frozenset(r) for a, r in reviewers_of.items()},
        complete_pairs=frozenset(complete),
    )


@dataclass(frozen=True)
class OpenReviews:
    """What is not in yet before a decision: the applicants of the pool without a complete
    review, and the assigned reviews still open, with names beside ids (applicant id → name,
    reviewer e-mail → name)."""

    applicants: int
    unreviewed: tuple[str, ...]
    open: tuple[Pair, ...]
    names: Mapping[str, str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.unreviewed or self.open)

    def label(self, key: str) -> str:
        """``id · name`` (the id alone when the name is not known)."""
        name = self.names.get(key)
        return f"{key} · {name}" if name and name != key else key

    def pair_text(self, pair: Pair) -> str:
        """One open review in words: ``A001 · Ann Lee (Rae Reviewer, r1@example.org)``."""
        applicant, reviewer = pair
        name = self.names.get(reviewer)
        who = f"{name}, {reviewer}" if name and name != reviewer else reviewer
        return f"{self.label(applicant)} ({who})"

    def summary(self) -> str:
        """One sentence of the counts: ``13 of 22 applicants have no complete review; 26
        assigned reviews are open.``"""
        return (
            f"{len(self.unreviewed)} of {self.applicants} applicants have no complete review; "
            f"{len(self.open)} assigned review{'' if len(self.open) == 1 else 's'} "
            f"{'is' if len(self.open) == 1 else 'are'} open."
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "applicants": self.applicants,
            "unreviewed": list(self.unreviewed),
            "open": [{"applicant_id": a, "reviewer": r} for a, r in self.open],
        }


def open_reviews_of(
    applicant_ids: Sequence[str],
    reviews: Iterable[Review],
    pairs: Iterable[Pair],
    config: TrackConfig,
    names: Mapping[str, str] | None = None,
) -> OpenReviews:
    """:class:`OpenReviews` of a pool (``applicant_ids``) from its reviews and assignments."""
    pool = set(applicant_ids)
    progress = review_progress([p for p in pairs if p[0] in pool], reviews, config, pool=pool)
    return OpenReviews(
        len(pool),
        tuple(a for a in applicant_ids if a not in progress.reviewed),
        progress.open_pairs,
        dict(names or {}),
    )


def open_reviews(
    store: Store, actor: User, cycle: str | None, *, stage: str | None = None
) -> OpenReviews:
    """The open reviews of a stored cycle (its selectable applicants), with names; in a
    staged cycle, of one stage (a name; None the first): a later stage's pool is the
    shortlist in force, its reviews and assignments that stage's, checked on its rubric."""
    target = store.cycle(cycle)
    name, config = target.name, target.config
    applicants, _ = store.selection_inputs(actor, name)
    key = config.stage_key(stage)
    reviews = store.reviews(actor, name, stage=stage)
    ids = [a.applicant_id for a in applicants]
    if key:
        shortlist = set(store.shortlist(actor, name) or ())
        ids = [a for a in ids if a in shortlist]
        config = config.stage_config(key)
    names = {a.applicant_id: a.name for a in applicants}
    names |= {u.email: u.name or u.email for u in store.users(actor)}
    return open_reviews_of(ids, reviews, store.assignments(actor, name, stage=stage), config, names)
