"""A reviewer's own work on an applicant: scores kept as they are given (a draft until every
criterion is scored, then the review), conflicts of interest declared and taken back."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from selector.auth import User
    from selector.config import TrackConfig
    from selector.store import Conflict, Store


def keep_scores(
    store: Store,
    actor: User,
    cycle: str,
    config: TrackConfig,
    applicant_id: str,
    scores: dict[str, float],
    comment: str,
    stage: str = "",
) -> bool:
    """Keep what the reviewer has given so far: the review once every criterion of
    ``config`` (the stage's rubric) is scored (its draft is then dropped), else a draft.
    True when the review was saved, False when a draft was kept. ``stage`` is the stored
    key of a later stage (:meth:`TrackConfig.stage_key`; "" the first), whose drafts are
    kept apart from the first stage's."""
    from selector.models import Review

    wanted = [c.id for c in config.criteria]
    given = {c: float(scores[c]) for c in wanted if c in scores}
    if len(given) == len(wanted):
        review = Review(applicant_id, actor.email, given, comment, stage=stage)
        store.save_review(actor, cycle, review)
        return True
    store.save_draft(actor, cycle, applicant_id, given, comment, stage)
    return False


def declare_conflict(
    store: Store, actor: User, cycle: str, applicant_id: str, reason: str = ""
) -> None:
    """Declare the actor's conflict of interest with an applicant (they no longer see it)."""
    store.declare_conflict(actor, cycle, applicant_id, reason=reason)


def take_back_conflict(store: Store, actor: User, cycle: str, applicant_id: str) -> None:
    """Take back a conflict the actor declared: the applicant is theirs to review again
    (its assignment open, any draft kept)."""
    store.declare_conflict(actor, cycle, applicant_id, declared=False)


def own_conflicts(store: Store, actor: User, cycle: str) -> list[Conflict]:
    """The conflicts of interest the actor has declared in a cycle."""
    return [c for c in store.conflicts(actor, cycle) if c.reviewer == actor.email]
