"""Robustness of a staged cycle's final cohort: each draw resamples every stage's reviews.

An applicant's combined score (:mod:`selector.stages`) is Σ weight × the stage's aggregate
on 0–100; a draw resamples each stage's counted reviews of the applicant with replacement
(standardised once on the original data when the stage says so), averages them per stage and
combines them, then decides again on the same model as :class:`~.robustness.Bootstrap`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING

from selector.config import TrackConfig
from selector.models import Review
from selector.selection.model import UNITS
from selector.selection.robustness import Bootstrap, Robustness, draw_rng, robustness

if TYPE_CHECKING:
    import numpy as np

    from selector.selection.decision import Decision


def stage_values(
    reviews: Sequence[Review], config: TrackConfig
) -> dict[str, dict[str, list[float]]]:
    """Stage name → each applicant's counted review values in the stage (standardised when
    the stage says so), in reviewer order: what a draw resamples."""
    from selector.scoring import standardized_totals
    from selector.stages import stage_tables

    out: dict[str, dict[str, list[float]]] = {}
    for name, table in stage_tables(reviews, config).items():
        values = standardized_totals(table.totals) if table.standardized else table.totals
        by_applicant: dict[str, list[float]] = defaultdict(list)
        for (applicant_id, _), v in sorted(values.items()):
            by_applicant[applicant_id].append(v)
        out[name] = dict(by_applicant)
    return out


class StagedBootstrap(Bootstrap):
    """:class:`Bootstrap` whose draw resamples each stage and combines the stages."""

    def __init__(self, decision: Decision, reviews: Sequence[Review], config: TrackConfig) -> None:
        import numpy as np

        from selector.stages import scales

        per_stage = stage_values(reviews, config)
        scored = {a: [s] for a, s in decision.scores.items()}
        super().__init__(decision, scored)
        self.stages: list[tuple[float, float, float, list[tuple[int, np.ndarray, np.ndarray]]]] = []
        for name, scale in scales(config).items():
            values = per_stage[name]
            by_count: dict[int, list[int]] = defaultdict(list)
            for k, a in enumerate(self.ids):
                by_count[len(values[a])].append(k)
            groups = [
                (m, np.array(rows), np.array([values[self.ids[k]] for k in rows], dtype=float))
                for m, rows in sorted(by_count.items())
            ]
            self.stages.append((scale.weight, scale.low, scale.span, groups))

    def scores(self, rng: np.random.Generator) -> np.ndarray:
        """One draw's combined scores in units: each stage's reviews resampled."""
        import numpy as np

        total = np.zeros(len(self.ids), dtype=float)
        for weight, low, span, groups in self.stages:
            means = np.empty(len(self.ids), dtype=float)
            for m, rows, table in groups:
                pick = rng.integers(0, m, size=(len(rows), m))
                means[rows] = np.take_along_axis(table, pick, axis=1).sum(axis=1) / m
            total += weight * 100.0 * (np.round(means, 4) - low) / span
        return np.asarray(np.rint(np.round(total, 4) * UNITS).astype(np.int64))

    def batch(self, seed: str, start: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
        """Draws ``start`` to ``stop - 1``, one at a time: each stage resampled from the draw's
        own stream (:func:`~.robustness.draw_rng`), then its tie-break permutation."""
        import numpy as np

        n = len(self.ids)
        units = np.empty((stop - start, n), dtype=np.int64)
        perms = np.empty((stop - start, n), dtype=np.int64)
        for j, k in enumerate(range(start, stop)):
            rng = draw_rng(seed, k)
            units[j] = self.scores(rng)
            perms[j] = rng.permutation(n)
        return units, perms


def staged_robustness(
    decision: Decision,
    reviews: Sequence[Review],
    config: TrackConfig,
    *,
    draws: int,
    seed: str | None = None,
) -> Robustness:
    """How sure a staged cycle's final cohort is (``config`` the staged config, ``reviews``
    every stage's): :func:`~.robustness.robustness` with a :class:`StagedBootstrap`."""
    boot = StagedBootstrap(decision, reviews, config)
    return robustness(decision, reviews, draws=draws, seed=seed, bootstrap=boot)
