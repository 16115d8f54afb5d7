"""An interview round: a cycle in stages, each with its own rubric.

The first stage (screening: the application) picks a **shortlist** by the same integer
program as a cohort, under the shortlist's own size and rules
(:meth:`TrackConfig.stage_config`). The last stage (interview) scores only the shortlisted.
The final decision is made among the shortlisted on the **combined score**: Σ weight ×
the stage's aggregate score, each aggregate first put on 0–100 (0 the rubric's lowest
weighted total, 100 its highest) so that weights compare stages with different rubrics, and
optionally standardised per reviewer within its stage (``[combine] standardize``).

Reviews carry their stage (:attr:`Review.stage`: "" for the first stage, the stage's name
for a later one), so one list holds a cycle's reviews of every stage.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from selector.config import TrackConfig
from selector.errors import InputError
from selector.models import Applicant, Review
from selector.scoring import SCORE_DECIMALS, ScoreTable, aggregate

if TYPE_CHECKING:
    from selector.selection import Decision, SolverName

#: Why an applicant outside the shortlist has no combined score.
NOT_SHORTLISTED = "not on the shortlist"


def first_stage(config: TrackConfig) -> str:
    """The name of the stage that picks the shortlist."""
    return config.stages[0].name


def final_stage(config: TrackConfig) -> str:
    """The name of the stage the cohort is decided after."""
    return config.stages[-1].name


def stage_reviews(reviews: Iterable[Review], config: TrackConfig, name: str) -> list[Review]:
    """The reviews of one stage."""
    key = config.stage_key(name)
    return [r for r in reviews if r.stage == key]


@dataclass(frozen=True)
class Scale:
    """How one stage's aggregate enters the combined score: weight × 100 × (score − low) /
    span."""

    weight: float
    low: float
    span: float

    def part(self, score: float) -> float:
        return self.weight * 100.0 * (score - self.low) / self.span


def scales(config: TrackConfig) -> dict[str, Scale]:
    """Each stage's :class:`Scale`, by name."""
    assert config.combine is not None
    out = {}
    for stage in config.stages:
        cfg = config.stage_config(stage.name)
        out[stage.name] = Scale(
            config.combine.weights[stage.name], cfg.min_total, cfg.max_total - cfg.min_total
        )
    return out


def stage_tables(reviews: Sequence[Review], config: TrackConfig) -> dict[str, ScoreTable]:
    """Each stage's aggregate scores, by stage name, on its own rubric."""
    return {
        s.name: aggregate(stage_reviews(reviews, config, s.name), config.stage_config(s.name))
        for s in config.stages
    }


def combined_scores(
    applicant_ids: Iterable[str],
    reviews: Sequence[Review],
    config: TrackConfig,
    shortlist: Collection[str],
) -> ScoreTable:
    """The combined score of every shortlisted applicant scored in every stage; the others
    unscored, with why (:data:`NOT_SHORTLISTED`, or the stage whose score is missing)."""
    tables = stage_tables(reviews, config)
    weights = scales(config)
    scores: dict[str, float] = {}
    n_reviews: dict[str, int] = {}
    unscored: dict[str, str] = {}
    for aid in sorted(set(applicant_ids) | {r.applicant_id for r in reviews}):
        if aid not in shortlist:
            unscored[aid] = NOT_SHORTLISTED
            n_reviews[aid] = 0
            continue
        missing = [
            f"{name}: {table.unscored_reason(aid)}"
            for name, table in tables.items()
            if aid not in table.scores
        ]
        if missing:
            unscored[aid] = "; ".join(missing)
            n_reviews[aid] = 0
            continue
        parts = [weights[name].part(table.scores[aid]) for name, table in tables.items()]
        scores[aid] = round(math.fsum(parts), SCORE_DECIMALS)
        n_reviews[aid] = sum(table.n_reviews.get(aid, 0) for table in tables.values())
    problems = [p for table in tables.values() for p in table.problems]
    standardized = any(t.standardized for t in tables.values())
    return ScoreTable(scores, n_reviews, {}, problems, unscored, standardized)


def require_shortlist(config: TrackConfig, shortlist: Collection[str] | None) -> set[str]:
    """The shortlist, refused when the config has no stages or there is none yet."""
    if not config.stages:
        raise InputError("stages_none", "this config has no stages: decide the cohort directly")
    if not shortlist:
        raise InputError(
            "shortlist_none",
            f"no shortlist yet: decide and finalise the {first_stage(config)!r} stage first",
        )
    return set(shortlist)


def decide_stage(
    applicants: Iterable[Applicant],
    reviews: Sequence[Review],
    config: TrackConfig,
    stage: str | None = None,
    *,
    shortlist: Collection[str] | None = None,
    include: Iterable[str] = (),
    exclude: Iterable[str] = (),
    solver: SolverName = "highs",
    trainees: Collection[str] = (),
    explain: bool = True,
) -> Decision:
    """One decision of a cycle: without stages the cohort, as ever; with stages, the first
    stage's shortlist (``stage`` its name: its own reviews, rubric, size and rules) or the
    final cohort (``stage`` None or the last stage's name: among ``shortlist`` on the
    combined score). ``reviews`` may hold every stage's: each decision reads its own."""
    from functools import partial

    from selector.selection import decide

    run = partial(
        decide,
        include=include,
        exclude=exclude,
        solver=solver,
        explain=explain,
        trainees=trainees,
    )
    if not config.stages:
        if stage is not None:
            config.stage(stage)  # the error: this config has no stages
        return run(applicants, reviews, config)
    if stage == first_stage(config):
        return run(applicants, stage_reviews(reviews, config, stage), config.stage_config(stage))
    if stage is not None:
        config.stage(stage)  # an unknown name is refused
    chosen = require_shortlist(config, shortlist)
    people = list(applicants)
    table = combined_scores((a.applicant_id for a in people), reviews, config, chosen)
    return run(people, reviews, config.stage_config(final_stage(config)), table=table)
