"""Review progress of a cycle: per reviewer, the reviews assigned, complete and declared
conflicts. One definition, shown by the Reviewers & assignments and Committee pages."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from selector.config import TrackConfig
    from selector.models import Review


@dataclass(frozen=True)
class ReviewerProgress:
    """One reviewer's progress. ``complete``: their reviews that count (every criterion
    scored, no conflict) of applicants in the pool; ``open``: assigned but not complete."""

    reviewer: str
    assigned: int
    complete: int
    conflicts: int

    @property
    def open(self) -> int:
        """Assigned reviews not complete yet."""
        return max(self.assigned - self.complete, 0)

    @property
    def done(self) -> int:
        """Complete reviews, at most as many as assigned (all of them with nothing assigned)."""
        return min(self.complete, self.assigned) if self.assigned else self.complete


@dataclass(frozen=True)
class ReviewProgress:
    """Progress of every reviewer with an assignment or a review, by e-mail."""

    reviewers: dict[str, ReviewerProgress]

    @property
    def assigned(self) -> int:
        """Assigned reviews in force."""
        return sum(p.assigned for p in self.reviewers.values())

    @property
    def complete(self) -> int:
        """Assigned reviews that are complete (a review beyond one's assignment not counted)."""
        return sum(min(p.complete, p.assigned) for p in self.reviewers.values())

    @property
    def share(self) -> float:
        """The share of assigned reviews that are complete (0 with nothing assigned)."""
        return self.complete / self.assigned if self.assigned else 0.0

    def of(self, reviewer: str) -> ReviewerProgress:
        """One reviewer's progress (zeros for one with nothing assigned or reviewed)."""
        return self.reviewers.get(reviewer, ReviewerProgress(reviewer, 0, 0, 0))


def review_progress(
    pairs: Iterable[tuple[str, str]],
    reviews: Iterable[Review],
    config: TrackConfig,
    pool: Collection[str] | None = None,
) -> ReviewProgress:
    """Progress from the assignments in force (applicant id, reviewer e-mail, as
    ``Store.assignments`` gives them) and the reviews; only reviews of applicants in the
    ``pool`` (the ids not withdrawn) count, all of them without one (as
    ``Store.selection_inputs`` gives them)."""
    from selector.scoring import review_total

    assigned = Counter(email for _, email in pairs)
    complete: Counter[str] = Counter()
    conflicts: Counter[str] = Counter()
    for r in reviews:
        if pool is not None and r.applicant_id not in pool:
            continue
        if r.conflict:
            conflicts[r.reviewer] += 1
        elif review_total(r, config)[0] is not None:
            complete[r.reviewer] += 1
    return ReviewProgress(
        {
            email: ReviewerProgress(email, assigned[email], complete[email], conflicts[email])
            for email in sorted(set(assigned) | set(complete))
        }
    )
