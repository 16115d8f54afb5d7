"""The engine against brute force on small pools, and metamorphic properties.

The brute force enumerates every subset of the pool and checks every rule directly (its own
code, not the engine's), so it is an independent statement of what the engine must return:
the optimum, the documented tie-break, margins and replacements.
"""

from __future__ import annotations

import hashlib
import itertools
import random
from collections import Counter
from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from selector.config import TrackConfig
from selector.eligibility import ineligibility_reason
from selector.models import Applicant
from selector.selection import Decision, apply_relaxations, decide
from tests.factories import locks, make_applicants, make_config, make_reviews

SPECIALTIES = ("Surgery", "Pediatrics", "Neurology")
UNITS = 10_000


# ------------------------------------------------------------------------------------------
# Brute force


class Brute:
    """Every feasible cohort of a small instance, by enumeration."""

    def __init__(
        self,
        apps: Sequence[Applicant],
        scores: dict[str, float],
        config: TrackConfig,
        include: Sequence[str] = (),
        exclude: Sequence[str] = (),
    ) -> None:
        self.apps = {a.applicant_id: a for a in apps}
        self.scores = scores
        self.units = {a: round(s * UNITS) for a, s in scores.items()}
        self.config = config
        self.include, self.exclude = set(include), set(exclude)
        self.selectable = sorted(
            a.applicant_id
            for a in apps
            if ineligibility_reason(a, config) is None and a.applicant_id in scores
        )
        floor = config.selection.min_score
        self.pool = [a for a in self.selectable if floor is None or scores[a] >= floor]
        self.feasible = [
            frozenset(s)
            for r in range(len(self.pool) + 1)
            for s in itertools.combinations(self.pool, r)
            if self.ok(frozenset(s))
        ]

    def ok(self, cohort: frozenset[str]) -> bool:
        lo, hi = self.config.cohort.bounds
        if len(cohort) < lo or (hi is not None and len(cohort) > hi):
            return False
        if not self.include <= cohort or self.exclude & cohort:
            return False
        cap = self.config.eligibility.max_pgy1
        if cap is not None and sum(self.apps[a].pgy == 1 for a in cohort) > cap:
            return False
        for rule in self.config.diversity:
            values = [self.apps[a].value(rule.field) for a in cohort]
            counts = Counter(
                str(v).strip().casefold() for v in values if v is not None and str(v).strip()
            )
            if rule.max_per_value is not None and any(
                n > rule.max_per_value for n in counts.values()
            ):
                return False
            if rule.min_distinct is not None and len(counts) < rule.min_distinct:
                return False
            for value, need in rule.min_per_value.items():
                if counts.get(value.casefold(), 0) < need:
                    return False
        return True

    def total(self, cohort: frozenset[str]) -> int:
        return sum(self.units[a] for a in cohort)

    def best(self, keep: Any = lambda s: True) -> int | None:
        values = [self.total(s) for s in self.feasible if keep(s)]
        return max(values) if values else None

    def order(self) -> list[str]:
        seed = self.config.selection.tie_break_seed
        return sorted(
            self.pool,
            key=lambda a: (-self.units[a], hashlib.sha256(f"{seed}:{a}".encode()).hexdigest()),
        )

    def chosen(self) -> frozenset[str]:
        opt = self.best()
        order = self.order()
        optimal = [s for s in self.feasible if self.total(s) == opt]
        return max(optimal, key=lambda s: [a in s for a in order])


def without(brute: Brute, rule_id: str) -> tuple[TrackConfig, list[str], list[str]]:
    """The instance with the rule of this id dropped (``lock_in``: every lock-in)."""
    data = brute.config.model_dump()
    include, exclude = sorted(brute.include), sorted(brute.exclude)
    kind, _, rest = rule_id.partition(":")
    if kind == "lock_in":
        include = []
    elif kind == "lock_out":
        exclude = []
    elif kind == "max_pgy1":
        data["eligibility"]["max_pgy1"] = None
    elif kind == "min_score":
        data["selection"]["min_score"] = None
    else:
        rule = data["diversity"][0]
        if kind == "min_per_value":
            rule["min_per_value"].pop(rest.split(":", 1)[1])
        else:
            rule[kind] = None
        if not (rule["max_per_value"] or rule["min_distinct"] or rule["min_per_value"]):
            data["diversity"] = []
    return TrackConfig.model_validate(data), include, exclude


def broken(brute: Brute, cohort: frozenset[str]) -> set[str]:
    """The ids of the rules a cohort breaks, each checked on its own (the brute's own code)."""
    out: set[str] = set()
    lo, hi = brute.config.cohort.bounds
    if len(cohort) < lo or (hi is not None and len(cohort) > hi):
        out.add("size")
    cap = brute.config.eligibility.max_pgy1
    if cap is not None and sum(brute.apps[a].pgy == 1 for a in cohort) > cap:
        out.add("max_pgy1")
    for rule in brute.config.diversity:
        f = rule.field
        counts = Counter(str(brute.apps[a].value(f)).strip().casefold() for a in cohort)
        if rule.max_per_value is not None and any(n > rule.max_per_value for n in counts.values()):
            out.add(f"max_per_value:{f}")
        if rule.min_distinct is not None and len(counts) < rule.min_distinct:
            out.add(f"min_distinct:{f}")
        for value, need in rule.min_per_value.items():
            if counts.get(value.casefold(), 0) < need:
                out.add(f"min_per_value:{f}:{value}")
    if not brute.include <= cohort:
        out.add("lock_in")
    if brute.exclude & cohort:
        out.add("lock_out")
    return out


def check_reasons(d: Decision, brute: Brute, cohort: frozenset[str]) -> None:
    """Each applicant's status, and for a selectable one outside the cohort the rules: every
    rule that at least one swap with a lower-scoring member breaks."""
    for a, person in brute.apps.items():
        why = d.why[a]
        assert why.text == d.reasons[a]
        if a in brute.exclude:
            assert why.status == "locked_out"
        elif ineligibility_reason(person, brute.config) is not None:
            assert why.status == "ineligible"
        elif a not in brute.scores:
            assert why.status == "unscored"
        elif a not in brute.pool:
            assert why.status == "below_floor"
        elif a in cohort:
            assert why.status == "selected"
        else:
            assert why.status == "not_selected"
            expected: set[str] = set()
            lower = [m for m in cohort if brute.units[m] < brute.units[a]]
            for m in lower:
                expected |= broken(brute, cohort - {m} | {a})
            assert set(why.rules) == expected, (a, why)
            # A swap with a lower-scoring member that kept every rule would beat the optimum.
            assert expected or not lower


def check_against_brute(d: Decision, brute: Brute) -> None:
    opt = brute.best()
    if opt is None:
        assert d.status == "infeasible"
        assert d.diagnosis
        return
    assert d.status == "optimal"
    cohort = brute.chosen()
    assert set(d.selected) == cohort
    assert d.total_score == pytest.approx(opt / UNITS)
    for a in brute.pool:
        if a in brute.include or a in brute.exclude:
            assert d.margins[a] is None
            continue
        if a in cohort:
            alt = brute.best(lambda s, a=a: a not in s)
        else:
            alt = brute.best(lambda s, a=a: a in s)
        expected = None if alt is None else round((opt - alt) / UNITS, 4)
        assert d.margins[a] == expected, a
    for rule in d.rules:
        if rule.id in ("size", "min_pgy", "pgy1_approval"):
            assert rule.price is None
            continue
        config, include, exclude = without(brute, rule.id)
        alt = Brute(list(brute.apps.values()), brute.scores, config, include, exclude).best()
        assert rule.price == (None if alt is None else round((alt - opt) / UNITS, 4)), rule
        assert rule.binding == (rule.price is not None and rule.price > 0)
        assert d.rule_prices[rule.label] == rule.price
    check_reasons(d, brute, cohort)
    order = brute.order()
    for m in cohort:
        expected_r = next(
            (c for c in order if c not in cohort and brute.ok(cohort - {m} | {c})), None
        )
        assert d.replacements[m] == expected_r, m


# ------------------------------------------------------------------------------------------
# Random small instances


@st.composite
def instances(
    draw: st.DrawFn, max_n: int = 8, specialties: tuple[str, ...] = SPECIALTIES
) -> dict[str, Any]:
    n = draw(st.integers(1, max_n))
    pgy = draw(st.lists(st.integers(1, 3), min_size=n, max_size=n))
    approved = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    spec = draw(st.lists(st.sampled_from(specialties), min_size=n, max_size=n))
    scored = draw(st.lists(st.integers(0, 6), min_size=n, max_size=n))
    halves = draw(st.booleans())
    apps = make_applicants(n, pgy=pgy, pgy1_approved=approved, specialty=spec)
    keep = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    scores = {
        a.applicant_id: (s / 2 if halves else float(s))
        for a, s, k in zip(apps, scored, keep, strict=True)
        if k
    }
    if draw(st.booleans()):
        cohort: dict[str, int] = {"size": draw(st.integers(1, 4))}
    else:
        lo = draw(st.integers(0, 3))
        cohort = {"min_size": lo, "max_size": draw(st.integers(max(lo, 1), 5))}
    rule: dict[str, Any] = {"field": "specialty"}
    if draw(st.booleans()):
        rule["max_per_value"] = draw(st.integers(1, 3))
    if draw(st.booleans()):
        rule["min_distinct"] = draw(st.integers(1, 3))
    if draw(st.booleans()):
        rule["min_per_value"] = {draw(st.sampled_from(SPECIALTIES)): draw(st.integers(0, 2))}
    eligibility: dict[str, Any] = {"min_pgy": draw(st.integers(1, 2)), "pgy1_by_approval": True}
    if draw(st.booleans()):
        eligibility["max_pgy1"] = draw(st.integers(0, 2))
    selection: dict[str, Any] = {"tie_break_seed": draw(st.sampled_from(["s1", "s2", "x"]))}
    if draw(st.booleans()):
        selection["min_score"] = draw(st.integers(0, 4))
    config = make_config(
        cohort=cohort,
        eligibility=eligibility,
        diversity=[rule] if len(rule) > 1 else [],
        selection=selection,
    )
    include, exclude = draw(locks([a.applicant_id for a in apps], max_size=2))
    return {
        "apps": apps,
        "scores": scores,
        "config": config,
        "include": include,
        "exclude": exclude,
    }


def run(inst: dict[str, Any], solver: str = "highs", **kw: Any) -> Decision:
    reviews = make_reviews(inst["apps"], inst["config"], scores=inst["scores"])
    return decide(
        inst["apps"],
        reviews,
        inst["config"],
        include=inst["include"],
        exclude=inst["exclude"],
        solver=solver,  # type: ignore[arg-type]
        **kw,
    )


SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(instances())
def test_engine_matches_brute_force(inst: dict[str, Any]) -> None:
    d = run(inst)
    brute = Brute(inst["apps"], inst["scores"], inst["config"], inst["include"], inst["exclude"])
    check_against_brute(d, brute)


@SETTINGS
@given(instances())
def test_proposed_relaxation_is_feasible(inst: dict[str, Any]) -> None:
    d = run(inst)
    if d.status == "optimal":
        return
    assert d.relaxations, d.diagnosis
    assert any("smallest relaxation" in line for line in d.diagnosis)
    config, include, exclude = apply_relaxations(
        inst["config"], inst["include"], inst["exclude"], d.relaxations
    )
    relaxed = run({**inst, "config": config, "include": include, "exclude": exclude})
    assert relaxed.status == "optimal", (d.diagnosis, d.relaxations)


@settings(max_examples=40, deadline=None)
@given(instances(max_n=11, specialties=SPECIALTIES[:2]))
def test_engine_matches_brute_force_on_big_classes(inst: dict[str, Any]) -> None:
    """Many interchangeable applicants: the model keeps only each class's first cap + 1."""
    d = run(inst)
    brute = Brute(inst["apps"], inst["scores"], inst["config"], inst["include"], inst["exclude"])
    check_against_brute(d, brute)


# ------------------------------------------------------------------------------------------
# Metamorphic properties


@settings(max_examples=60, deadline=None)
@given(instances(), st.randoms(use_true_random=False))
def test_shuffled_rows_give_the_same_decision(inst: dict[str, Any], rnd: random.Random) -> None:
    d = run(inst)
    apps = list(inst["apps"])
    rnd.shuffle(apps)
    e = run({**inst, "apps": apps})
    assert (e.status, e.selected, e.margins, e.replacements) == (
        d.status,
        d.selected,
        d.margins,
        d.replacements,
    )


@settings(max_examples=60, deadline=None)
@given(instances(), st.integers(1, 20))
def test_a_constant_added_to_every_score_keeps_the_cohort(inst: dict[str, Any], k: int) -> None:
    size = inst["config"].cohort.size
    if size is None or inst["config"].selection.min_score is not None:
        return  # with a size range or a floor, a shift can rightly change the cohort
    d = run(inst)
    shifted = {a: s + k for a, s in inst["scores"].items()}
    e = run({**inst, "scores": shifted})
    assert e.selected == d.selected


@settings(max_examples=60, deadline=None)
@given(instances())
def test_dropping_a_rule_never_lowers_the_optimum(inst: dict[str, Any]) -> None:
    d = run(inst)
    config = inst["config"]
    looser = config.model_copy(update={"diversity": []})
    e = run({**inst, "config": looser})
    if d.status == "optimal":
        assert e.status == "optimal"
        assert e.total_score is not None and d.total_score is not None
        assert e.total_score >= d.total_score
        for price in d.rule_prices.values():
            assert price is None or price >= 0


@settings(max_examples=60, deadline=None)
@given(instances(), st.data())
def test_rising_past_the_margin_gets_an_applicant_in(inst: dict[str, Any], data: Any) -> None:
    d = run(inst)
    if d.status != "optimal":
        return
    out = [a for a, m in d.margins.items() if m is not None and a not in d.selected]
    if not out:
        return
    a = data.draw(st.sampled_from(sorted(out)))
    margin = d.margins[a]
    assert margin is not None
    raised = {**inst["scores"], a: inst["scores"][a] + margin + 0.5}
    e = run({**inst, "scores": raised})
    assert a in e.selected


def test_brute_force_agrees_on_a_tie_heavy_instance() -> None:
    apps = make_applicants(8, pgy=3, specialty=[s for s in SPECIALTIES for _ in range(3)][:8])
    scores = {a.applicant_id: 5.0 for a in apps}
    config = make_config(cohort={"size": 4}, diversity=[{"field": "specialty", "max_per_value": 2}])
    inst = {"apps": apps, "scores": scores, "config": config, "include": [], "exclude": []}
    check_against_brute(run(inst), Brute(apps, scores, config))
    check_against_brute(run(inst, "cbc"), Brute(apps, scores, config))


# ------------------------------------------------------------------------------------------
# Medium pools: the shortcuts (class reduction, LP bounds, swaps) against plain re-solves


def plain(d: Decision, apps: Sequence[Applicant], inst: dict[str, Any]) -> dict[str, Any] | None:
    """Cohort and margins by the plain method: the whole pool in the model, one solve per
    question, the tie-break walk without any bound; None when no cohort fits."""
    from selector.selection.model import Candidate as _Cand
    from selector.selection.model import build_model as _build
    from selector.selection.model import group_key
    from selector.selection.model import priority as _priority
    from selector.selection.solve import Solver as _Solver

    config = inst["config"]
    floor = config.selection.min_score
    cands = [
        _Cand(
            a.applicant_id,
            round(d.scores[a.applicant_id] * UNITS),
            a.pgy == 1,
            floor is not None and d.scores[a.applicant_id] < floor,
            {r.field: group_key(a.value(r.field)) for r in config.diversity},
        )
        for a in apps
        if a.applicant_id in d.scores and ineligibility_reason(a, config) is None
    ]
    cands.sort(key=lambda c: c.id)
    engine = _Solver(_build(cands, config, inst["include"], inst["exclude"]), "highs")
    best = engine.solve()
    if best is None:
        return None
    fixed: dict[str, int] = {}
    for c in _priority(cands, config.selection.tie_break_seed):
        alt = engine.solve({**fixed, c.id: 1})
        fixed[c.id] = int(alt is not None and alt.value == best.value)
    chosen = {a for a, v in fixed.items() if v}
    margins: dict[str, float | None] = {}
    for c in cands:
        if c.below_floor or c.id in inst["include"] or c.id in inst["exclude"]:
            margins[c.id] = None
            continue
        alt = engine.solve({c.id: 0 if c.id in chosen else 1})
        margins[c.id] = None if alt is None else round((best.value - alt.value) / UNITS, 4)
    prices: dict[str, float | None] = {}
    for rule in engine.model.rules:
        if rule.kind not in ("min_size", "max_size"):
            family = [r for r in engine.model.rules if r.id == rule.id]
            alt = engine.solve(relax=family)
            prices[rule.label] = None if alt is None else round((alt.value - best.value) / UNITS, 4)
    return {"selected": chosen, "total": best.value, "margins": margins, "prices": prices}


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(16))
def test_shortcuts_match_plain_re_solves(seed: int) -> None:
    rng = random.Random(seed)
    n = 60
    apps = make_applicants(
        n,
        seed=seed,
        specialty=lambda i: rng.choice((*SPECIALTIES[:2], "Psychiatry", "Family Medicine")),
        pgy=lambda i: rng.choice([1, 2, 3]),
        pgy1_approved=True,
    )
    scores = {a.applicant_id: float(rng.randint(0, 8)) for a in apps}
    config = make_config(
        cohort={"size": rng.randint(4, 9)},
        eligibility={"min_pgy": 2, "max_pgy1": rng.choice([0, 1, 2])},
        diversity=[
            {
                "field": "specialty",
                "max_per_value": rng.randint(2, 3),
                "min_distinct": rng.randint(2, 4),
                "min_per_value": {"Psychiatry": rng.randint(0, 1)},
            }
        ],
        selection={"tie_break_seed": f"m{seed}", "min_score": rng.choice([None, 2])},
    )
    locks = (
        {"include": ["A001"], "exclude": []} if seed % 2 else {"include": [], "exclude": ["A002"]}
    )
    inst = {"apps": apps, "scores": scores, "config": config, **locks}
    d = run(inst)
    expected = plain(d, apps, inst)
    if expected is None:
        assert d.status == "infeasible"
        return
    assert set(d.selected) == expected["selected"]
    assert d.total_score == expected["total"] / UNITS
    assert d.margins == expected["margins"]
    assert d.rule_prices == expected["prices"]
