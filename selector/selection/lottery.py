"""Seats the committee cannot separate, drawn by lot (``[selection] near_ties = "lottery"``).

The bootstrap (:mod:`~selector.selection.robustness`) tells which seats are secure (selected
in at least 95% of draws) and which applicants are contested: the cohort's other members and
the near-misses. The secure members keep their seats; the other seats are drawn by lot among
the contested applicants, every rule kept (the Swiss National Science Foundation's partial
randomisation; Heyard et al. 2022):

1. the lot: the contested applicants ordered by the SHA-256 of ``'<seed>:lottery:<id>'``
   (the seed is recorded, so the draw replays);
2. walking that order, an applicant takes a seat if some cohort with the secure members, the
   seats already drawn, this applicant and exactly as many contested applicants as there are
   seats to draw keeps every rule (one feasibility solve each); else it is passed over.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, cast

from selector.selection.model import UNITS, Candidate, build_model
from selector.selection.robustness import Robustness, candidates
from selector.selection.solve import Solver, SolverName

if TYPE_CHECKING:
    from selector.selection.decision import Decision


@dataclass(frozen=True)
class Lottery:
    """Which seats were drawn by lot, among whom, in which order, from which seed."""

    seed: str
    pool: list[str]  # the contested applicants the seats were drawn among
    seats: int  # how many seats were drawn
    order: list[str]  # the lot: the pool in the order it was drawn
    drawn: list[str]  # who won a seat
    kept: list[str]  # the secure members, who kept theirs

    def to_json(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "pool": self.pool,
            "seats": self.seats,
            "order": self.order,
            "drawn": self.drawn,
            "kept": self.kept,
        }

    def text(self) -> str:
        if not self.seats:
            return "no seat was drawn by lot: every seat is secure or nobody is contested"
        return (
            f"{self.seats} seat(s) drawn by lot (seed {self.seed!r}) among {len(self.pool)} "
            f"contested applicants ({', '.join(self.pool)}): {', '.join(self.drawn)}"
        )


def lot_order(ids: list[str], seed: str) -> list[str]:
    """The lot: ``ids`` ordered by the SHA-256 of ``'<seed>:lottery:<id>'``."""
    return sorted(ids, key=lambda a: hashlib.sha256(f"{seed}:lottery:{a}".encode()).hexdigest())


def draw_lots(decision: Decision, found: Robustness, seed: str) -> tuple[Decision, Lottery]:
    """The decision with its contested seats drawn by lot among the contested applicants
    (see the module's docstring), and the record of the draw. Reasons say who was drawn and
    who was not; margins of the pool are dropped (they describe the optimum, not the lot)."""
    locked = set(decision.include) | set(decision.exclude)
    kept = list(found.secure)
    pool = sorted(a for a in found.uncertain if a not in locked)
    seats = len(decision.selected) - len(kept)
    if seats <= 0 or len(pool) <= seats:
        return decision, Lottery(seed, pool, 0, [], [], kept)
    cands = candidates(decision, floor=True)
    model = build_model(cands, decision.config, decision.include, decision.exclude)
    name = cast("SolverName", decision.solver.get("name", "highs"))
    engine = Solver(model, name)
    if engine.solve() is None:  # the model handed to the solver once, for fast re-solves
        return decision, Lottery(seed, pool, 0, [], [], kept)
    inside = set(pool)
    fixed = {c.id: 1 if c.id in kept else 0 for c in cands if c.id not in inside}
    order = lot_order(pool, seed)
    drawn: list[str] = []
    for a in order:
        if len(drawn) == seats:
            fixed[a] = 0
            continue
        if engine.solve({**fixed, a: 1}, count=(pool, seats)) is not None:
            fixed[a] = 1
            drawn.append(a)
        else:
            fixed[a] = 0
    lottery = Lottery(seed, pool, seats, order, drawn, kept)
    if len(drawn) < seats:  # no cohort of the contested keeps the rules: the optimum stands
        return decision, replace(lottery, seats=0, drawn=[])
    return _apply(decision, lottery, {c.id: c for c in cands}), lottery


def _replacements(
    decision: Decision, lottery: Lottery, selected: list[str], cands: dict[str, Candidate]
) -> dict[str, str | None]:
    """Who takes a seat of the lottery's cohort if it is declined, everyone else kept: the
    next applicant of the lot who can, else the best-scored one who can."""
    from selector.selection.explain import Swaps

    swaps = Swaps([cands[a] for a in selected], decision.config, decision.include, decision.exclude)
    chosen = set(selected)
    by_score = sorted(
        (c for c in cands.values() if c.id not in lottery.pool),
        key=lambda c: (-c.units, c.id),
    )
    queue = [cands[a] for a in lottery.order if a in cands] + by_score
    return {
        m: next((c.id for c in queue if c.id not in chosen and swaps.ok(cands[m], c)), None)
        for m in sorted(selected)
    }


def _apply(decision: Decision, lottery: Lottery, cands: dict[str, Candidate]) -> Decision:
    """The decision with the lottery's cohort, its total and its reasons."""
    selected = sorted([*lottery.kept, *lottery.drawn], key=lambda a: (-decision.scores[a], a))
    total = sum(round(decision.scores[a] * UNITS) for a in selected)
    among = f"{len(lottery.pool)} applicants the committee cannot separate"
    reasons = dict(decision.reasons)
    margins = dict(decision.margins)
    last = max(lottery.order.index(a) for a in lottery.drawn)
    for a in lottery.pool:
        margins[a] = None
        if a in lottery.drawn:
            reasons[a] = f"selected by lot among {among} (seed {lottery.seed!r})"
        elif lottery.order.index(a) < last:
            reasons[a] = (
                f"not selected: drawn by lot among {among} (seed {lottery.seed!r}), but no "
                "cohort with it and the seats drawn before it keeps every rule"
            )
        else:
            reasons[a] = f"not selected: not drawn by lot among {among} (seed {lottery.seed!r})"
    replacements = _replacements(decision, lottery, selected, cands)
    return replace(
        decision,
        selected=selected,
        total_score=round(total / UNITS, 4),
        reasons=reasons,
        margins=margins,
        replacements=replacements,
    )
