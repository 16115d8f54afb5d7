"""The diagnosis proposes the *smallest* relaxation, checked by brute force on small pools.

"Smallest" is the relaxation program's objective (docs/selection.md §5): the total slack, one
unit per step of one rule — the cohort size moved by one, ``max_pgy1`` or a ``max_per_value``
raised by one, ``min_distinct`` or a ``min_per_value`` lowered by one, one cohort member below
the quality floor, one lock released. For each infeasible instance the test enumerates every
slack vector cheaper than the engine's proposal, applies it with ``apply_relaxations``, and
checks by enumerating cohorts (its own code, not the engine's) that none admits a cohort.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from selector.config import TrackConfig
from selector.eligibility import ineligibility_reason
from selector.models import Applicant
from selector.selection import Decision, apply_relaxations, decide, group_key
from tests.factories import locks, make_applicants, make_config, make_reviews

SPECIALTIES = ("Surgery", "Pediatrics", "Neurology")
PROGRAMS = ("Program 1", "Program 2")


@dataclass(frozen=True)
class Member:
    """A selectable applicant (eligible and scored; possibly below the quality floor)."""

    id: str
    score: float
    pgy1: bool
    keys: dict[str, str | None]


@dataclass(frozen=True)
class Cohort:
    """One subset of the pool with what the rules count."""

    ids: frozenset[str]
    pgy1: int
    counts: dict[str, Counter[str]]
    lowest: float  # lowest score in the cohort (inf when empty)


@dataclass(frozen=True)
class Slack:
    """One relaxable rule: the change a slack of s makes, and the most slack worth trying."""

    kind: str  # size_down, size_up, min_size, max_size, max_pgy1, max_per_value,
    #            min_distinct, min_per_value, min_score, include, exclude
    cap: int
    bound: float = 0
    field: str | None = None
    value: str | None = None
    index: int | None = None


class Instance:
    """Every cohort of a small pool, and feasibility under (relaxed) rules by enumeration."""

    def __init__(
        self,
        apps: Sequence[Applicant],
        scores: dict[str, float],
        config: TrackConfig,
        include: Sequence[str],
        exclude: Sequence[str],
    ) -> None:
        self.config, self.include, self.exclude = config, list(include), list(exclude)
        self.fields = sorted({d.field for d in config.diversity})
        self.members = {
            a.applicant_id: Member(
                a.applicant_id,
                scores[a.applicant_id],
                a.pgy == 1,
                {f: group_key(a.value(f)) for f in self.fields},
            )
            for a in apps
            if a.applicant_id in scores and ineligibility_reason(a, config) is None
        }
        floor = config.selection.min_score
        self.below = {m.id for m in self.members.values() if floor is not None and m.score < floor}
        self.cohorts = [
            self._cohort(s)
            for r in range(len(self.members) + 1)
            for s in itertools.combinations(self.members.values(), r)
        ]

    def _cohort(self, members: Sequence[Member]) -> Cohort:
        counts = {
            f: Counter(k for m in members if (k := m.keys[f]) is not None) for f in self.fields
        }
        return Cohort(
            frozenset(m.id for m in members),
            sum(m.pgy1 for m in members),
            counts,
            min((m.score for m in members), default=float("inf")),
        )

    def ok(
        self, c: Cohort, config: TrackConfig, include: Sequence[str], exclude: Sequence[str]
    ) -> bool:
        """Whether cohort c keeps every rule of ``config`` and the locks."""
        lo, hi = config.cohort.bounds
        if len(c.ids) < lo or (hi is not None and len(c.ids) > hi):
            return False
        if not set(include) <= c.ids or set(exclude) & c.ids:
            return False
        cap = config.eligibility.max_pgy1
        if cap is not None and c.pgy1 > cap:
            return False
        floor = config.selection.min_score
        if floor is not None and c.lowest < floor:
            return False
        for d in config.diversity:
            counts = c.counts[d.field]
            if d.max_per_value is not None and any(n > d.max_per_value for n in counts.values()):
                return False
            if d.min_distinct is not None and len(counts) < d.min_distinct:
                return False
            for value, need in d.min_per_value.items():
                if counts.get(group_key(value) or "", 0) < need:
                    return False
        return True

    def fewest_below(
        self, config: TrackConfig, include: Sequence[str], exclude: Sequence[str]
    ) -> int | None:
        """The fewest members below the original floor in a cohort these rules admit; None
        when they admit none."""
        below = [
            len(c.ids & self.below) for c in self.cohorts if self.ok(c, config, include, exclude)
        ]
        return min(below, default=None)

    def slacks(self) -> list[Slack]:
        """Every rule the relaxation program gives a slack, with the most slack worth trying."""
        config, n = self.config, len(self.members)
        out: list[Slack] = []
        lo, hi = config.cohort.bounds
        if config.cohort.size is not None:
            out += [Slack("size_down", lo, lo), Slack("size_up", max(0, n - lo), lo)]
        else:
            if lo > 0:
                out.append(Slack("min_size", lo, lo))
            if hi is not None:
                out.append(Slack("max_size", max(0, n - hi), hi))
        cap = config.eligibility.max_pgy1
        if cap is not None:
            pgy1 = sum(m.pgy1 for m in self.members.values())
            out.append(Slack("max_pgy1", max(0, pgy1 - cap), cap))
        for i, d in enumerate(config.diversity):
            if d.max_per_value is not None:
                out.append(
                    Slack(
                        "max_per_value",
                        max(0, n - d.max_per_value),
                        d.max_per_value,
                        d.field,
                        index=i,
                    )
                )
            if d.min_distinct is not None:
                out.append(Slack("min_distinct", d.min_distinct, d.min_distinct, d.field, index=i))
            for value, need in d.min_per_value.items():
                out.append(Slack("min_per_value", need, need, d.field, value, i))
        if config.selection.min_score is not None:
            out.append(Slack("min_score", len(self.below), config.selection.min_score))
        out += [Slack("include", 1, value=a) for a in self.include]
        out += [Slack("exclude", 1, value=a) for a in self.exclude if a in self.members]
        return [s for s in out if s.cap > 0]

    def admits(self, vector: Sequence[tuple[Slack, int]]) -> bool:
        """Whether the rules relaxed by ``vector`` (through apply_relaxations) admit a cohort."""
        changes: list[dict[str, Any]] = []
        below_allowed = 0
        for rule, s in vector:
            if s == 0:
                continue
            change: dict[str, Any] = {
                "rule": rule.kind,
                "field": rule.field,
                "value": rule.value,
                "index": rule.index,
            }
            if rule.kind in ("size_down", "size_up"):
                sign = -1 if rule.kind == "size_down" else 1
                change.update({"rule": "size", "to": int(rule.bound) + sign * s})
            elif rule.kind in ("min_size", "min_distinct", "min_per_value"):
                change["to"] = int(rule.bound) - s
            elif rule.kind in ("max_size", "max_pgy1", "max_per_value"):
                change["to"] = int(rule.bound) + s
            elif rule.kind == "min_score":
                # s members below the floor: the floor goes down to the lowest score, and the
                # count is checked on the cohort
                below_allowed = s
                change["to"] = min(m.score for m in self.members.values())
            else:
                change["to"] = "free"
            changes.append(change)
        config, include, exclude = apply_relaxations(
            self.config, self.include, self.exclude, changes
        )
        fewest = self.fewest_below(config, include, exclude)
        return fewest is not None and fewest <= below_allowed

    def cost(self, relaxations: Sequence[dict[str, Any]]) -> int | None:
        """The proposal's total slack; None when its rules admit no cohort.

        A lowered floor counts the fewest members below the original floor that a cohort under
        the relaxed rules needs (the slack of the floor's row)."""
        config, include, exclude = apply_relaxations(
            self.config, self.include, self.exclude, relaxations
        )
        fewest = self.fewest_below(config, include, exclude)
        if fewest is None:
            return None
        total = fewest
        for ch in relaxations:
            if ch["rule"] in ("include", "exclude"):
                total += 1
            elif ch["rule"] != "min_score":
                total += abs(int(ch["to"]) - int(ch["from"]))
        return total


def vectors(slacks: Sequence[Slack], budget: int) -> Iterator[list[tuple[Slack, int]]]:
    """Every slack vector with total at most ``budget`` (the cohort size moved one way only)."""
    if not slacks:
        yield []
        return
    first, rest = slacks[0], slacks[1:]
    for s in range(min(first.cap, budget) + 1):
        for tail in vectors(rest, budget - s):
            if s and first.kind == "size_down" and any(r.kind == "size_up" and t for r, t in tail):
                continue
            yield [(first, s), *tail]


@st.composite
def infeasible_leaning(draw: st.DrawFn) -> dict[str, Any]:
    """Small pools with tight rules: most instances admit no cohort."""
    n = draw(st.integers(2, 9))
    apps = make_applicants(
        n,
        pgy=draw(st.lists(st.integers(1, 3), min_size=n, max_size=n)),
        pgy1_approved=draw(st.lists(st.booleans(), min_size=n, max_size=n)),
        specialty=draw(st.lists(st.sampled_from(SPECIALTIES), min_size=n, max_size=n)),
        program=draw(st.lists(st.sampled_from(PROGRAMS), min_size=n, max_size=n)),
    )
    keep = draw(st.lists(st.integers(0, 9), min_size=n, max_size=n))
    points = draw(st.lists(st.integers(0, 6), min_size=n, max_size=n))
    scores = {
        a.applicant_id: float(p) for a, p, k in zip(apps, points, keep, strict=True) if k
    }  # about one in ten unscored
    if draw(st.booleans()):
        cohort: dict[str, int] = {"size": draw(st.integers(2, 4))}
    else:
        lo = draw(st.integers(1, 4))
        cohort = {"min_size": lo, "max_size": draw(st.integers(max(lo, 2), 4))}
    diversity = []
    for field, values in (("specialty", SPECIALTIES), ("program", PROGRAMS)):
        rule: dict[str, Any] = {"field": field}
        if draw(st.booleans()):
            rule["max_per_value"] = draw(st.integers(1, 2))
        if draw(st.booleans()):
            rule["min_distinct"] = draw(st.integers(2, len(values) + 1))
        if draw(st.booleans()):
            rule["min_per_value"] = {draw(st.sampled_from(values)): draw(st.integers(1, 3))}
        if len(rule) > 1:
            diversity.append(rule)
    eligibility: dict[str, Any] = {"min_pgy": draw(st.integers(1, 2)), "pgy1_by_approval": True}
    if draw(st.booleans()):
        eligibility["max_pgy1"] = draw(st.integers(0, 1))
    selection: dict[str, Any] = {"tie_break_seed": "minimal"}
    if draw(st.booleans()):
        selection["min_score"] = draw(st.integers(1, 5))
    config = make_config(
        cohort=cohort, eligibility=eligibility, diversity=diversity, selection=selection
    )
    include, exclude = draw(locks([a.applicant_id for a in apps], max_size=3))
    return {
        "apps": apps,
        "scores": scores,
        "config": config,
        "include": include,
        "exclude": exclude,
    }


def run(inst: dict[str, Any]) -> Decision:
    reviews = make_reviews(inst["apps"], inst["config"], scores=inst["scores"])
    return decide(
        inst["apps"],
        reviews,
        inst["config"],
        include=inst["include"],
        exclude=inst["exclude"],
        explain=False,
    )


@pytest.mark.slow
@settings(max_examples=200, deadline=None, derandomize=True)
@given(infeasible_leaning())
def test_proposed_relaxation_is_feasible_and_smallest(inst: dict[str, Any]) -> None:
    d = run(inst)
    world = Instance(inst["apps"], inst["scores"], inst["config"], inst["include"], inst["exclude"])
    if d.status == "optimal":
        assert world.fewest_below(inst["config"], inst["include"], inst["exclude"]) == 0
        return
    assert world.fewest_below(inst["config"], inst["include"], inst["exclude"]) is None
    cost = world.cost(d.relaxations)
    assert cost is not None, ("the proposal admits no cohort", d.relaxations)
    assert cost >= 1
    for vector in vectors(world.slacks(), cost - 1):
        assert not world.admits(vector), (
            f"a relaxation of total slack < {cost} admits a cohort",
            [(r.kind, r.field, r.value, s) for r, s in vector if s],
            d.relaxations,
        )


def test_a_lock_below_the_floor_is_kept_when_lowering_the_floor_is_cheaper() -> None:
    """The counterexample the property found: releasing the lock on A002 (below the floor) also
    cost a lower min_size; lowering the floor keeps A002 in and costs one step, not two."""
    apps = make_applicants(2, pgy=[1, 2], pgy1_approved=False, specialty="Surgery")
    config = make_config(
        cohort={"min_size": 1, "max_size": 2},
        eligibility={"min_pgy": 1, "pgy1_by_approval": True},
        selection={"tie_break_seed": "minimal", "min_score": 1},
    )
    inst = {"apps": apps, "scores": {"A002": 0.0}, "config": config, "include": ["A001", "A002"]}
    d = run({**inst, "exclude": []})
    assert d.status == "infeasible"
    assert [c["text"] for c in d.relaxations] == [
        'release the lock on A001 ("locked in by the chair")',
        'lower the floor of "aggregate score at least 1" from 1 to 0',
    ]
