"""A bootstrap draw's cohort without a solver, when it can be proven the unique optimum.

Most draws of the bootstrap (:mod:`selector.selection.robustness`) are decided by taking the
best applicants in order of their perturbed score while the caps allow; this module does that
and then *proves* the result optimal, or says it cannot, and the draw goes to the solver.

**The candidate cohort S.** Every cost is an exact integer: a draw's perturbed score
``units + offset`` times ``K`` (the offsets are ``perm / K`` units, so ``C = units·K + perm``;
the perms are a permutation, so the costs are distinct). Greedy: the locked-in applicants
first, then the others by cost, highest first, skipping anyone fixed out in this draw (below
the floor, locked out) and anyone who would break an upper bound (the cohort size, ``max_pgy1``,
any ``max_per_value``), stopping when the cohort is full, or at the first cost ≤ 0 once it has
its minimum size. S must then keep every rule, the lower bounds too (``min_size``,
``min_distinct``, ``min_per_value``, the locks), or the draw goes to the solver.

**The certificate.** Take the LP relaxation R of the program with only these rows: the cohort
size (dual ``u``), the PGY1 cap (dual ``q``), the per-value caps of *one* diversity rule F
(duals ``r_v``), ``0 ≤ x ≤ 1``, the locks and this draw's floor. Every other rule is dropped,
so R's feasible set holds the program's. For an applicant e that is neither fixed nor locked,
its reduced cost is ``d_e = C_e − u − q·[e is PGY1] − r_{F(e)}`` (no ``r`` for a blank value).
If there are duals with

* ``q ≥ 0``, and ``q > 0`` only when S holds exactly ``max_pgy1`` PGY1s;
* ``r_v ≥ 0``, and ``r_v > 0`` only when S holds exactly ``max_per_value`` of value v;
* ``u > 0`` only when S has the maximum size, ``u < 0`` only when it has the minimum size;
* ``d_e > 0`` for every such e in S, and ``d_e < 0`` for every such e outside S (strictly),

then for any x feasible in R, ``C·x = Σ d_e·x_e + u·Σx + q·Σ_PGY1 x + Σ_v r_v·Σ_v x`` (plus the
locked members' constant) ``≤ Σ_{e∈S} d_e + u·|S| + q·|S∩PGY1| + Σ_v r_v·|S∩v| = C(S)``, each
term's bound holding by the sign conditions, with equality only when x is 1 on S and 0 off it
(the strict signs of d). So S is the *unique* optimum of R, hence of the program (S keeps every
rule, and the program's cohorts are feasible in R), and of the program's own LP relaxation:
the solver, given the same costs, returns S too. That is why the tie-break offsets stay exactly
those of the solver's draw: the two paths answer the same question.

**Finding the duals.** With ``a_v = u + r_v`` for a value v whose cap S fills (``a_v = u``
otherwise, and for blank values), the conditions are intervals: ``u`` between the best
non-PGY1 outside S and the worst non-PGY1 in S among the free values; ``u + q`` likewise for
the PGY1s; for each full value v, ``a_v`` above its best outsiders and below its worst members
(PGY1s shifted by q), and ``a_v ≥ u``. Eliminating each ``a_v`` leaves bounds on ``u``, on
``q`` and on ``u + q``: the duals exist when the three intervals (with the sign conditions) are
non-empty and ``u + q`` can lie in the third, which is exact arithmetic on integers (held in
float64, exact below 2⁵³; the path is off beyond). F is tried for each diversity rule whose cap
S fills somewhere (none: no ``r``). When the check fails — the greedy cohort was not optimal,
two rules' caps bind together, a lower bound is not met by S, or two cohorts tie exactly — the
draw goes to the LP and, if fractional, the integer program, as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from selector.config import TrackConfig
from selector.selection.model import Candidate, group_key

if TYPE_CHECKING:
    import numpy as np

#: Costs must stay below this in magnitude for float64 to hold their sums exactly.
EXACT = 2.0**50


@dataclass(frozen=True)
class Cap:
    """One diversity rule's ``max_per_value``: each candidate's value and the cap."""

    slots: np.ndarray  # int per candidate: its value's number, ``values`` when blank
    values: int  # number of distinct values
    cap: int
    onehot: np.ndarray  # candidates × values: 1 where the candidate has the value


class FastPath:
    """The greedy cohort and its certificate for one bootstrap's candidates (``cands``, in the
    bootstrap's column order), built once; :meth:`cohorts` decides a batch of draws, one row
    per draw, with array operations over the whole batch."""

    def __init__(
        self,
        cands: Sequence[Candidate],
        config: TrackConfig,
        include: Sequence[str],
        exclude: Sequence[str],
    ) -> None:
        import numpy as np

        index = {c.id: k for k, c in enumerate(cands)}
        self.n = n = len(cands)
        self.lo, hi = config.cohort.bounds
        self.hi = n if hi is None else hi
        self.sized = hi is not None  # a maximum size row exists
        self.max_pgy1 = config.eligibility.max_pgy1
        self.pgy1 = np.array([c.pgy1 for c in cands], dtype=bool)
        self.locked_in = np.array([index[a] for a in include if a in index], dtype=np.int64)
        self.locked_out = np.zeros(n, dtype=bool)
        self.locked_out[[index[a] for a in exclude if a in index]] = True
        self.free = ~self.locked_out  # neither locked in nor out: the reduced costs' domain
        self.free[self.locked_in] = False
        self.caps: list[Cap] = []
        self.spreads: list[tuple[np.ndarray, int]] = []  # (candidates × values, min_distinct)
        self.named: list[tuple[np.ndarray, int]] = []  # (members, min_per_value)
        for rule in config.diversity:
            keys = [c.keys.get(rule.field) for c in cands]
            codes = {k: j for j, k in enumerate(sorted({k for k in keys if k is not None}))}
            slots = np.array([len(codes) if k is None else codes[k] for k in keys], dtype=np.int64)
            onehot = (slots[:, None] == np.arange(len(codes))[None, :]).astype(np.float64)
            if rule.max_per_value is not None:
                self.caps.append(Cap(slots, len(codes), rule.max_per_value, onehot))
            if rule.min_distinct is not None:
                self.spreads.append((onehot, rule.min_distinct))
            for value, need in rule.min_per_value.items():
                if need > 0:
                    named = codes.get(group_key(value) or "", -1)
                    self.named.append(((slots == named).astype(np.float64), need))
        # The exchanges apply to an exact cohort size, a PGY1 cap and at most one cap family.
        self.swaps_apply = self.lo == self.hi and self.max_pgy1 is not None and len(self.caps) < 2

    # ----------------------------------------------------------------------------------------
    # The greedy cohort

    def greedy(
        self, costs: np.ndarray, out: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each draw's greedy cohort (see the module's docstring): (chosen, complete,
        unlimited), where ``complete`` is False for a draw whose cohort could not be completed
        (a lock fixed out or over a cap, fewer than the minimum size) and ``unlimited`` is the
        greedy cohort without the PGY1 cap (with one cap family at most)."""
        import numpy as np

        if len(self.caps) > 1:
            each = [self._greedy_loop(c, o) for c, o in zip(costs, out, strict=True)]
            chosen = np.array([r for r, _ in each])
            return chosen, np.array([ok for _, ok in each]), chosen
        draws, n = costs.shape
        excluded = out | self.locked_out
        key = np.where(excluded, -np.inf, costs)
        key[:, self.locked_in] = np.inf  # the locks first
        order = np.argsort(-key, axis=1, kind="stable")
        rows = np.arange(draws)[:, None]
        skip = excluded[rows, order]
        pgy1 = self.pgy1[order]
        positive = costs[rows, order] > 0
        positive[:, : len(self.locked_in)] = True  # the locks are taken whatever their cost
        slots = self.caps[0].slots[order] if self.caps else None
        taken = self._take(skip, slots, positive)
        unlimited = np.zeros((draws, n), dtype=bool)  # the greedy without the PGY1 cap
        unlimited[rows, order] = taken
        if self.max_pgy1 is not None:
            # Until the cap's last PGY1 is taken the PGY1 cap blocks nobody; after it, every
            # PGY1: each PGY1 with max_pgy1 taken before it is skipped, and the greedy rerun.
            taken_pgy1 = taken & pgy1
            before = np.cumsum(taken_pgy1, axis=1) - taken_pgy1
            taken = self._take(skip | (pgy1 & (before >= self.max_pgy1)), slots, positive)
        chosen = np.zeros((draws, n), dtype=bool)
        chosen[rows, order] = taken
        complete = taken.sum(axis=1) >= self.lo
        if len(self.locked_in):
            complete &= taken[:, : len(self.locked_in)].all(axis=1)
        return chosen, complete, unlimited

    def _take(self, skip: np.ndarray, slots: np.ndarray | None, positive: np.ndarray) -> np.ndarray:
        """Greedy along each row (in cost order) under the size and at most one cap family:
        which it takes. Of a value's candidates not skipped only the first ``cap`` can be
        taken; of those, the first ``hi``, and none of cost ≤ 0 past the minimum size."""
        import numpy as np

        ok = ~skip
        if slots is not None:
            cap = self.caps[0]
            value = np.where(ok, slots, cap.values)  # the skipped and the blanks: no cap
            if cap.values < 2**15 - 1:
                value = value.astype(np.int16)  # a stable sort of int16 is a radix sort
            by_value = np.argsort(value, axis=1, kind="stable")
            rows = np.arange(len(value))[:, None]
            sorted_value = value[rows, by_value]
            places = np.broadcast_to(np.arange(value.shape[1]), value.shape)
            first = np.ones(value.shape, dtype=bool)
            np.not_equal(sorted_value[:, 1:], sorted_value[:, :-1], out=first[:, 1:])
            rank = np.empty(value.shape, dtype=np.int64)
            start = np.maximum.accumulate(np.where(first, places, 0), axis=1)
            rank[rows, by_value] = places - start
            ok &= (rank < cap.cap) | (value == cap.values)
        before = np.cumsum(ok, axis=1) - ok  # taken before this one, if it is ok
        return ok & (before < self.hi) & (positive | (before < self.lo))

    def _greedy_loop(self, costs: np.ndarray, out: np.ndarray) -> tuple[np.ndarray, bool]:
        """One draw's greedy cohort with several cap families: one candidate at a time."""
        import numpy as np

        chosen = np.zeros(self.n, dtype=bool)
        caps = [(cap.slots.tolist(), [0] * (cap.values + 1), cap) for cap in self.caps]
        pgy1 = self.pgy1.tolist()
        cap_pgy1 = self.n if self.max_pgy1 is None else self.max_pgy1
        found: list[int] = []
        n_pgy1 = 0
        skip = (out | self.locked_out).tolist()
        locks = self.locked_in.tolist()
        ranked = [i for i in np.argsort(-costs, kind="stable").tolist() if i not in locks]
        for k, i in enumerate([*locks, *ranked]):
            locked = k < len(locks)
            if len(found) >= self.hi or (not locked and costs[i] <= 0 and len(found) >= self.lo):
                break
            if skip[i] or (pgy1[i] and n_pgy1 >= cap_pgy1):
                continue
            if any(s[i] < cap.values and n[s[i]] >= cap.cap for s, n, cap in caps):
                continue
            found.append(i)
            n_pgy1 += pgy1[i]
            for s, n, _ in caps:
                n[s[i]] += 1
        chosen[found] = True
        complete = len(found) >= self.lo and bool(chosen[self.locked_in].all())
        return chosen, complete

    # ----------------------------------------------------------------------------------------
    # The certificate

    def keeps_lower_bounds(self, chosen: np.ndarray) -> np.ndarray:
        """Per draw, whether its cohort meets every ``min_distinct`` and ``min_per_value``."""
        import numpy as np

        ok = np.ones(len(chosen), dtype=bool)
        weights = chosen.astype(np.float64)
        for onehot, need in self.spreads:
            ok &= ((weights @ onehot) > 0).sum(axis=1) >= need
        for members, need in self.named:
            ok &= weights @ members >= need
        return ok

    def certified(self, costs: np.ndarray, out: np.ndarray, chosen: np.ndarray) -> np.ndarray:
        """Per draw, whether duals as in the module's docstring prove its cohort the unique
        optimum: tried with ``r`` on each cap family that some value fills (none: no ``r``)."""
        import numpy as np

        weights = chosen.astype(np.float64)
        fills = [(weights @ cap.onehot) >= cap.cap for cap in self.caps]
        proven = np.zeros(len(chosen), dtype=bool)
        untried = np.ones(len(chosen), dtype=bool)
        for cap, full in zip(self.caps, fills, strict=True):
            rows = full.any(axis=1)
            untried &= ~rows
            if rows.any():
                proven[rows] |= self._duals(costs[rows], out[rows], chosen[rows], cap, full[rows])
        if untried.any():
            proven[untried] = self._duals(costs[untried], out[untried], chosen[untried])
        return proven

    def _duals(
        self,
        costs: np.ndarray,
        out: np.ndarray,
        chosen: np.ndarray,
        cap: Cap | None = None,
        full: np.ndarray | None = None,
    ) -> np.ndarray:
        """Per draw, whether duals exist with ``r`` on ``cap``'s ``full`` values only."""
        import numpy as np

        draws = len(costs)
        values = 0 if cap is None else cap.values
        slots = np.full(self.n, values, dtype=np.int64) if cap is None else cap.slots
        # Each candidate's class: its value (one class for blanks) × PGY1 or not; per draw and
        # class the worst cost inside the cohort and the best outside (free candidates only).
        classes = 2 * (values + 1)
        code = np.arange(draws)[:, None] * classes + (2 * slots + self.pgy1)[None, :]
        free = self.free & ~out
        inside, outside = free & chosen, free & ~chosen
        lowest = np.full(draws * classes, np.inf)
        highest = np.full(draws * classes, -np.inf)
        np.minimum.at(lowest, code[inside], costs[inside])
        np.maximum.at(highest, code[outside], costs[outside])
        worst_in = lowest.reshape(draws, values + 1, 2)
        best_out = highest.reshape(draws, values + 1, 2)
        fixed = np.zeros((draws, values + 1), dtype=bool)  # a value the cohort fills: own a_v
        if full is not None:
            fixed[:, :values] = full
        a1, b1 = best_out[:, :, 0], worst_in[:, :, 0]  # not PGY1
        a2, b2 = best_out[:, :, 1], worst_in[:, :, 1]  # PGY1
        inf = np.inf
        # u: between the best non-PGY1 outside and the worst inside, over the other values.
        u_lo = np.where(fixed, -inf, a1).max(axis=1)
        u_hi = b1.min(axis=1)  # below every non-PGY1 inside (a full value's: u ≤ a_v < b1)
        w_lo = np.where(fixed, -inf, a2).max(axis=1)  # w = u + q: the same for PGY1s
        w_hi = b2.min(axis=1)
        q_lo = np.where(fixed, a2 - b1, -inf).max(axis=1)  # a full value's a_v exists
        q_hi = np.where(fixed, b2 - a1, inf).min(axis=1)
        ok = ~np.any(fixed & ((a1 >= b1) | (a2 >= b2)), axis=1)
        # The sign conditions: closed bounds at 0 (u: by the size rows; q: by the PGY1 cap).
        size = chosen.sum(axis=1)
        u_top = np.where(self.sized & (size == self.hi), inf, 0.0)
        u_bottom = np.where((self.lo > 0) & (size == self.lo), -inf, 0.0)
        n_pgy1 = (chosen & self.pgy1).sum(axis=1) if self.max_pgy1 is not None else -1
        q_top = np.where(n_pgy1 == self.max_pgy1, inf, 0.0)
        u = _bounds(u_lo, u_bottom, u_hi, u_top)
        q = _bounds(q_lo, np.zeros(draws), q_hi, q_top)
        w = _bounds(w_lo, np.full(draws, -inf), w_hi, np.full(draws, inf))
        both = (
            u[0] + q[0],
            u[1] & q[1],
            u[2] + q[2],
            u[3] & q[3],
        )
        return ok & _nonempty(*u) & _nonempty(*q) & _nonempty(*w) & _nonempty(*_meet(both, w))

    def cohorts(self, costs: np.ndarray, out: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each draw's cohort and whether it is proven the unique optimum (one row per draw).

        ``costs``: the exact integer costs (as float64); ``out``: fixed out in each draw."""
        import numpy as np

        if self.n == 0 or float(np.max(np.abs(costs))) >= EXACT:
            return np.zeros(costs.shape, dtype=bool), np.zeros(len(costs), dtype=bool)
        chosen, complete, unlimited = self.greedy(costs, out)
        proven = complete & self.keeps_lower_bounds(chosen)
        if proven.any():
            proven[proven] = self.certified(costs[proven], out[proven], chosen[proven])
        if self.swaps_apply:
            # The greedy cohort is not optimal when an early PGY1 took the seat of its value
            # that a later non-PGY1 needed: exchanges from the greedy without the PGY1 cap.
            again = []
            for k in np.flatnonzero(~proven).tolist():
                swapped = self.exchange(costs[k], out[k], unlimited[k])
                if swapped is not None and not np.array_equal(swapped, chosen[k]):
                    chosen[k] = swapped
                    again.append(k)
            if again:
                rows = np.array(again)
                ok = self.keeps_lower_bounds(chosen[rows])
                ok[ok] = self.certified(costs[rows[ok]], out[rows[ok]], chosen[rows[ok]])
                proven[rows] = ok
        return chosen, proven

    def exchange(self, costs: np.ndarray, out: np.ndarray, start: np.ndarray) -> np.ndarray | None:
        """From the greedy cohort without the PGY1 cap (optimal under the size and one cap
        family alone), the best exchanges of a PGY1 member for a non-PGY1 until the PGY1 cap
        holds (Gabow and Tarjan 1984: for a matroid and a cap on one colour, each best
        exchange gives the best cohort with one fewer of that colour). Only a candidate: the
        certificate decides. None when no exchange is possible."""
        import numpy as np

        assert self.max_pgy1 is not None
        chosen = start.copy()
        cap = self.caps[0] if self.caps else None
        slots = cap.slots if cap is not None else np.zeros(self.n, dtype=np.int64)
        limit = cap.cap if cap is not None else self.n
        blank = cap.values if cap is not None else 1
        for _ in range(int(np.count_nonzero(chosen & self.pgy1)) - self.max_pgy1):
            counts = np.bincount(slots[chosen], minlength=blank + 1)
            counts[blank] = 0  # blanks: no cap
            outside = ~chosen & ~out & self.free & ~self.pgy1
            # The best non-PGY1 outside per value (it may replace a member of its value), and
            # the best whose value has room (it may replace anyone).
            best = np.full(blank + 1, -np.inf)
            np.maximum.at(best, slots[outside], costs[outside])
            room = outside & (counts[slots] < limit)
            best_room = float(costs[room].max()) if room.any() else -np.inf
            members = np.flatnonzero(chosen & self.pgy1 & self.free)
            gains = np.maximum(best[slots[members]], best_room) - costs[members]
            if members.size == 0 or not np.isfinite(gains.max()):
                return None
            e = int(members[int(np.argmax(gains))])
            pool = outside & (slots == slots[e]) if best[slots[e]] >= best_room else room
            f = int(np.argmax(np.where(pool, costs, -np.inf)))
            chosen[e], chosen[f] = False, True
        return chosen


Bounds = tuple["np.ndarray", "np.ndarray", "np.ndarray", "np.ndarray"]


def _bounds(lo: np.ndarray, lo_sign: np.ndarray, hi: np.ndarray, hi_sign: np.ndarray) -> Bounds:
    """Intervals (lo, lo closed, hi, hi closed): strictly above ``lo`` and at least
    ``lo_sign``, strictly below ``hi`` and at most ``hi_sign``."""
    import numpy as np

    return np.maximum(lo, lo_sign), lo_sign > lo, np.minimum(hi, hi_sign), hi_sign < hi


def _meet(a: Bounds, b: Bounds) -> Bounds:
    """The intersection of two intervals."""
    import numpy as np

    lo = np.maximum(a[0], b[0])
    lo_closed = np.where(a[0] > b[0], a[1], np.where(b[0] > a[0], b[1], a[1] & b[1]))
    hi = np.minimum(a[2], b[2])
    hi_closed = np.where(a[2] < b[2], a[3], np.where(b[2] < a[2], b[3], a[3] & b[3]))
    return lo, lo_closed, hi, hi_closed


def _nonempty(
    lo: np.ndarray, lo_closed: np.ndarray, hi: np.ndarray, hi_closed: np.ndarray
) -> np.ndarray:
    return (lo < hi) | ((lo == hi) & lo_closed & hi_closed)
