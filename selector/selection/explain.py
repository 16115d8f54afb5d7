"""Why the cohort is what it is: margins, replacements, rule prices, top-N (reasons, in words:
:mod:`~selector.selection.reasons`).

* replacements: the best one-for-one swap that keeps every rule, found without a solver
  (:class:`Swaps`);
* margins: OPT − OPT with an applicant excluded (a member) or forced in (anyone else), exact,
  from swap and LP bounds where they agree and from classes of interchangeable applicants
  where they do not (:class:`Classes`);
* rule prices: OPT without a rule − OPT;
* the unconstrained top-N by score alone, to compare;
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from selector.config import TrackConfig
from selector.selection.model import (
    UNITS,
    Candidate,
    Model,
    Rule,
    build_model,
    class_cap,
    class_key,
    group_key,
    reduce_pool,
)
from selector.selection.solve import Solver, SolverName


class Swaps:
    """A feasible cohort's counts per rule, to test one-for-one swaps (and single additions or
    removals) against every rule without a solver."""

    def __init__(
        self,
        cohort: Iterable[Candidate],
        config: TrackConfig,
        include: Iterable[str],
        exclude: Iterable[str],
    ) -> None:
        members = list(cohort)
        self.config = config
        self.size = len(members)
        self.pgy1 = sum(c.pgy1 for c in members)
        self.include = set(include)
        self.exclude = set(exclude)
        self.counts = [
            Counter(k for c in members if (k := c.keys.get(d.field)) is not None)
            for d in config.diversity
        ]
        self.floors = [
            {k: n for v, n in d.min_per_value.items() if (k := group_key(v)) is not None}
            for d in config.diversity
        ]
        # Each diversity rule's ids: its cap, its spread, and its named floors by group key.
        self.ids: list[tuple[str | None, str | None, dict[str, str]]] = []
        for i, d in enumerate(config.diversity):
            cap = config.rule_id("max_per_value", i) if d.max_per_value is not None else None
            spread = config.rule_id("min_distinct", i) if d.min_distinct is not None else None
            named = {
                k: config.rule_id("min_per_value", i, v)
                for v, n in sorted(d.min_per_value.items())
                if n > 0 and (k := group_key(v)) is not None
            }
            self.ids.append((cap, spread, named))

    def ok(self, out: Candidate | None, into: Candidate | None) -> bool:
        """Whether the cohort without ``out`` and with ``into`` still keeps every rule."""
        return not self.broken(out, into, first=True)

    def broken(
        self, out: Candidate | None, into: Candidate | None, *, first: bool = False
    ) -> list[str]:
        """The ids of the rules the cohort without ``out`` and with ``into`` breaks, in rule
        order (with ``first``, stop at the first)."""
        found: list[str] = []
        lo, hi = self.config.cohort.bounds
        size = self.size - (out is not None) + (into is not None)
        if size < lo or (hi is not None and size > hi):
            found.append("size")
        cap = self.config.eligibility.max_pgy1
        if cap is not None and not (first and found):
            pgy1 = self.pgy1 - (out.pgy1 if out else 0) + (into.pgy1 if into else 0)
            if pgy1 > cap:
                found.append("max_pgy1")
        for d, counts, floors, ids in zip(
            self.config.diversity, self.counts, self.floors, self.ids, strict=True
        ):
            if first and found:
                return found
            k_out = out.keys.get(d.field) if out else None
            k_in = into.keys.get(d.field) if into else None
            if k_out == k_in:
                continue
            cap_id, spread_id, named = ids
            if cap_id and k_in is not None and counts[k_in] >= (d.max_per_value or 0):
                found.append(cap_id)
            if spread_id and d.min_distinct is not None:
                distinct = len(counts) - (k_out is not None and counts[k_out] == 1)
                distinct += k_in is not None and counts[k_in] == 0
                if distinct < d.min_distinct:
                    found.append(spread_id)
            if k_out is not None and k_out in named and counts[k_out] - 1 < floors[k_out]:
                found.append(named[k_out])
        if into is not None and into.below_floor:
            found.append("min_score")
        if out is not None and out.id in self.include:
            found.append("lock_in")
        if into is not None and into.id in self.exclude:
            found.append("lock_out")
        return found


def replacements(
    cohort: list[Candidate], order: list[Candidate], swaps: Swaps
) -> dict[str, str | None]:
    """For each member, the first applicant in priority order (the best-scored) who can take
    the seat with everyone else kept; None when nobody can."""
    members = {c.id for c in cohort}
    out: dict[str, str | None] = {}
    for m in sorted(cohort, key=lambda c: c.id):
        out[m.id] = next((c.id for c in order if c.id not in members and swaps.ok(m, c)), None)
    return out


def margins(
    engine: Solver,
    model: Model,
    order: Sequence[Candidate],
    cohort: list[Candidate],
    swaps: Swaps,
    replacements: Mapping[str, str | None],
    opt: int,
    ub_in: Mapping[str, int],
    ub_out: Mapping[str, int],
    include: Sequence[str],
    exclude: Sequence[str],
) -> dict[str, float | None]:
    """OPT − OPT(excluded) for members, OPT − OPT(forced in) for the others; None where the
    alternative is infeasible.

    A swap gives a lower bound and the LP relaxation an upper bound; where they differ, the
    exact value comes from the applicant's class (see :class:`Classes`).
    """
    members = {c.id for c in cohort}
    by_units = sorted(cohort, key=lambda c: (c.units, c.id))
    classes = Classes(engine, model, order, members, opt, include, exclude)
    by_id = {c.id: c for c in order}
    values: dict[str, int | None] = {}
    spare: dict[str, Candidate] = {}  # each class's last applicant in the model
    left_out = []
    for c in order:
        if c.below_floor or c.id in include or c.id in exclude:
            values[c.id] = None
        elif c.id not in model.x:
            left_out.append(c)
        else:
            spare[classes.key(c)] = c
            values[c.id] = _alternative(
                c, members, swaps, replacements, by_id, by_units, opt, ub_in, ub_out, classes
            )
    # Every applicant the model left out ranks below its class's spare, so each cohort that
    # could take it could take the spare instead: its alternative is the spare's, moved by the
    # difference in score.
    for c in left_out:
        j = spare[classes.key(c)]
        alt = values[j.id]
        values[c.id] = None if alt is None else alt - j.units + c.units
    return {
        a: None if v is None else round((opt - v) / UNITS, 4) for a, v in sorted(values.items())
    }


def _alternative(
    c: Candidate,
    members: set[str],
    swaps: Swaps,
    replacements: Mapping[str, str | None],
    by_id: Mapping[str, Candidate],
    by_units: Sequence[Candidate],
    opt: int,
    ub_in: Mapping[str, int],
    ub_out: Mapping[str, int],
    classes: Classes,
) -> int | None:
    """OPT with c excluded (a member) or forced in (anyone else); None when infeasible."""
    if c.id in members:
        lows = []
        if swaps.ok(c, None):
            lows.append(opt - c.units)
        r = replacements.get(c.id)
        if r is not None:
            lows.append(opt - c.units + by_id[r].units)
        upper = min(opt, ub_out.get(c.id, opt))
    else:
        lows = [opt + c.units] if swaps.ok(None, c) else []
        j = next((m for m in by_units if swaps.ok(m, c)), None)
        if j is not None:
            lows.append(opt - j.units + c.units)
        upper = min(opt, ub_in.get(c.id, opt))
    low = max(lows) if lows else None
    return low if low is not None and low >= upper else classes.alternative(c)


class Classes:
    """Exact alternative optima through classes of interchangeable applicants.

    Applicants with the same values on every rule's field, the same PGY1 flag and no lock are
    interchangeable: swapping two keeps every rule. So the best cohort with exactly ``n``
    members of a class K takes K's top ``n`` scores, and V(K, n) (one solve with a count row)
    gives every class member's alternative at once:
    OPT(i forced in) = max over n ≥ 1 of V(K, n) − top_n(K) + u_i + top_{n−1}(K − i),
    OPT(i excluded) = max over n ≥ 0 of V(K, n) − top_n(K) + top_n(K − i).
    """

    def __init__(
        self,
        engine: Solver,
        model: Model,
        order: Sequence[Candidate],
        members: set[str],
        opt: int,
        include: Sequence[str],
        exclude: Sequence[str],
    ) -> None:
        self.engine, self.model, self.members, self.opt = engine, model, members, opt
        self.locked = set(include) | set(exclude)
        self.groups: dict[str, list[Candidate]] = defaultdict(list)
        for c in order:
            if not c.below_floor:
                self.groups[self.key(c)].append(c)
        self.values: dict[tuple[str, int], int | None] = {}
        self.ids: dict[str, list[str]] = {}  # each class's applicants in the model
        self.inside: dict[str, int] = {}  # each class's members in the cohort

    def key(self, c: Candidate) -> str:
        if c.id in self.locked:
            return f"locked\x00{c.id}"  # a class of its own (a class key is a tuple's repr)
        return class_key(c)

    def cap(self, k: str) -> int:
        """The most members of a class any cohort can hold."""
        group = self.groups[k]
        cap = class_cap(group[0], self.model.config)
        return len(group) if cap is None else min(cap, len(group))

    def value(self, k: str, n: int) -> int | None:
        """V(K, n): the optimum with exactly n members of class K."""
        if (k, n) not in self.values:
            if k not in self.ids:
                group = self.groups[k]
                self.ids[k] = [c.id for c in group if c.id in self.model.x]
                self.inside[k] = sum(c.id in self.members for c in group)
            ids = self.ids[k]
            if self.inside[k] == n:
                self.values[k, n] = self.opt
            elif n > len(ids):
                self.values[k, n] = None
            else:
                alt = self.engine.solve(count=(ids, n))
                self.values[k, n] = None if alt is None else alt.value
        return self.values[k, n]

    def alternative(self, c: Candidate) -> int | None:
        """OPT(c excluded) for a member, OPT(c forced in) for anyone else."""
        k = self.key(c)
        units = [m.units for m in self.groups[k]]
        rest = units.copy()
        rest.remove(c.units)
        best: int | None = None
        inside = c.id in self.members
        for n in range(0 if inside else 1, self.cap(k) + 1):
            if inside and n > len(rest):
                break
            v = self.value(k, n)
            if v is None:
                continue
            v -= sum(units[:n])
            v += sum(rest[:n]) if inside else c.units + sum(rest[: n - 1])
            best = v if best is None else max(best, v)
        return best


def rule_prices(
    model: Model,
    order: Sequence[Candidate],
    opt: int,
    include: Sequence[str],
    exclude: Sequence[str],
    solver: SolverName,
) -> dict[str, int | None]:
    """For each rule id, the total score it costs in units: the optimum without it minus the
    optimum (None when the rules without it still admit no cohort). A family (``lock_in``:
    every lock-in) is dropped whole.

    Dropping a rule can widen the pool the model needs (see
    :func:`~selector.selection.model.reduce_pool`), so the prices share one wider model: the
    pool reduced as if every cap and the floor were dropped (the locked applicants kept), in
    which each price is one re-solve with that rule's rows freed."""
    config = model.config
    families: dict[str, list[Rule]] = defaultdict(list)
    for rule in model.rules:
        if not rule.kind.is_size:
            families[rule.id].append(rule)
    if not families:
        return {}
    widening = [r for r in model.rules if not r.kind.is_size and not r.kind.is_lock]
    wider = build_model(
        reduce_pool(order, config, include, exclude, widening), config, include, exclude
    )
    engine = Solver(wider, solver)
    prices: dict[str, int | None] = {}
    for rule_id in families:
        same = [r for r in wider.rules if r.id == rule_id]
        alt = engine.solve(relax=same)
        prices[rule_id] = None if alt is None else alt.value - opt
    return prices


def unconstrained(order: Sequence[Candidate], config: TrackConfig) -> dict[str, Any]:
    """The top-N by score alone (no diversity rules, PGY1 cap, floor or locks), to compare;
    ``order`` is every candidate in priority order."""
    lo, hi = config.cohort.bounds
    n = hi if hi is not None else max(lo, sum(c.units >= 0 for c in order))
    top = order[:n]
    return {
        "selected": sorted(c.id for c in top),
        "total_score": round(sum(c.units for c in top) / UNITS, 4),
    }
