"""The bootstrap's solver-free fast path: every cohort it claims is the solver's, and the
probabilities do not change with it; the draws' random streams are numpy's own."""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import pytest

from selector.models import Review
from selector.selection import decide
from selector.selection.robustness import (
    Bootstrap,
    draw_rng,
    draw_states,
    review_values,
    robustness,
)
from tests.factories import SPECIALTIES, make_applicants, make_config

PROGRAMS = ["Program 1", "Program 2", "Program 3", "Program 4"]


def instance(seed: int, n: int) -> dict[str, Any]:
    """A random pool and rules: exact or ranged cohort size, a PGY1 cap or not, a value cap,
    spread and named floor on specialty (some blank), sometimes a second cap on program, a
    quality floor, locks, standardized reviews; coarse scores, so ties are common."""
    rng = random.Random(seed)
    kinds = rng.randint(2, 6)
    apps = make_applicants(
        n,
        seed=seed,
        specialty=lambda i: "" if rng.random() < 0.08 else rng.choice(SPECIALTIES[:kinds]),
        program=lambda i: rng.choice(PROGRAMS),
        pgy=lambda i: rng.choice([1, 1, 2, 3]),
        pgy1_approved=True,
    )
    size = rng.randint(2, max(3, n // 3))
    cohort: dict[str, int] = (
        {"size": size}
        if rng.random() < 0.7
        else {"min_size": rng.randint(0, size), "max_size": size + rng.randint(0, 3)}
    )
    specialty: dict[str, Any] = {"field": "specialty"}
    if rng.random() < 0.8:
        specialty["max_per_value"] = rng.randint(1, max(1, size // 2))
    if rng.random() < 0.4:
        specialty["min_distinct"] = rng.randint(1, kinds)
    if rng.random() < 0.3:
        specialty["min_per_value"] = {SPECIALTIES[0]: rng.randint(0, 2)}
    if len(specialty) == 1:
        specialty["max_per_value"] = size
    diversity = [specialty]
    if rng.random() < 0.25:
        diversity.append({"field": "program", "max_per_value": rng.randint(1, size)})
    selection: dict[str, Any] = {"tie_break_seed": f"fast-{seed}"}
    if rng.random() < 0.3:
        selection["min_score"] = rng.choice([30, 40, 50])
    if rng.random() < 0.2:
        selection["standardize"] = True
    config = make_config(
        cohort=cohort,
        eligibility={"min_pgy": 2, "max_pgy1": rng.choice([None, 0, 1, 2, 3])},
        diversity=diversity,
        selection=selection,
    )
    reviews = [
        Review(a.applicant_id, f"R{r}", {"merit": float(rng.choice(range(0, 101, 10)))})
        for a in apps
        for r in range(rng.randint(1, 3))
    ]
    ids = [a.applicant_id for a in apps]
    include = rng.sample(ids, 1) if rng.random() < 0.2 else []
    exclude = rng.sample(ids, 1) if rng.random() < 0.2 else []
    return {"apps": apps, "reviews": reviews, "config": config, "locks": (include, exclude)}


def bootstrap(inst: dict[str, Any]) -> tuple[Any, Bootstrap] | None:
    include, exclude = inst["locks"]
    include = [a for a in include if a not in exclude]
    d = decide(inst["apps"], inst["reviews"], inst["config"], include=include, exclude=exclude)
    if d.status != "optimal":
        return None
    return d, Bootstrap(d, review_values(inst["reviews"], d))


@pytest.mark.parametrize(("size", "seeds"), [(12, range(0, 40)), (60, range(100, 115))])
def test_every_certified_cohort_is_the_solvers(size: int, seeds: range) -> None:
    """Small and medium pools, many rule shapes: wherever the fast path claims a certificate,
    the LP/MIP path given the same costs returns the same cohort."""
    claimed = compared = 0
    for seed in seeds:
        found = bootstrap(instance(seed, size))
        if found is None:
            continue
        _, boot = found
        assert boot.fast is not None
        units, perms = boot.batch(f"prop-{seed}", 0, 40)
        out = (
            units < boot.floor_units
            if boot.floor_units is not None
            else np.zeros(units.shape, dtype=bool)
        )
        exact = units.astype(np.float64) * boot.scale + perms
        chosen, proven = boot.fast.cohorts(exact, out)
        for k in np.flatnonzero(proven).tolist():
            solver = boot._solve(units[k] + perms[k] * boot.offset_scale, out[k])
            assert solver is not None, (seed, k)
            assert np.array_equal(chosen[k], solver), (seed, k)
        claimed += int(proven.sum())
        compared += len(units)
    assert claimed >= compared // 2  # the fast path does decide most draws


@pytest.mark.parametrize("seed", [10, 14, 21, 22, 106, 108])
def test_same_probabilities_with_and_without_the_fast_path(seed: int) -> None:
    inst = instance(seed, 60 if seed >= 100 else 14)
    found = bootstrap(inst)
    assert found is not None
    d, _ = found
    fast = robustness(d, inst["reviews"], draws=150, seed=f"same-{seed}")
    slow = robustness(d, inst["reviews"], draws=150, seed=f"same-{seed}", fast=False)
    assert fast == slow
    assert fast.fast_draws > 0 and slow.fast_draws == 0
    assert slow.lp_solves == 150
    assert fast.fast_draws + fast.lp_solves == 150


def test_the_fast_path_declines_when_greedy_is_not_optimal() -> None:
    """A PGY1 with the best score takes its specialty's only seat, but the program needs it
    for two others: greedy by score is not optimal; the draw goes to the solver, whose
    cohort is kept."""
    people = make_applicants(
        4,
        seed=0,
        pgy=[1, 2, 2, 2],
        specialty=["Surgery", "Surgery", "Pediatrics", "Pediatrics"],
        program=["Program 1", "Program 2", "Program 1", "Program 2"],
        pgy1_approved=True,
    )
    config = make_config(
        cohort={"size": 2},
        diversity=[
            {"field": "specialty", "max_per_value": 1},
            {"field": "program", "max_per_value": 1},
        ],
        eligibility={"min_pgy": 2, "max_pgy1": 1},
    )
    reviews = [
        Review(a, "R1", {"merit": s})
        for a, s in {"A001": 90.0, "A002": 80.0, "A003": 80.0, "A004": 20.0}.items()
    ]
    d = decide(people, reviews, config)
    assert d.selected == ["A002", "A003"]  # 160 against A001 + A004's 110
    boot = Bootstrap(d, review_values(reviews, d))
    units = np.array([90, 80, 80, 20]) * 10_000
    chosen = boot.cohort(units, np.arange(4))
    assert chosen is not None and chosen.tolist() == [False, True, True, False]
    assert boot.fast_draws == 0 and boot.lp_solves == 1


def test_draw_states_are_numpys() -> None:
    """The states computed for many draws at once are those numpy's own SeedSequence gives."""
    for seed in ["bench", "0", "a longer seed with spaces"]:
        keys = [0, 1, 2, 17, 999, 65_535, 99_999]
        states = draw_states(seed, 0, 100_000)
        for k in keys:
            assert states[k] == draw_rng(seed, k).bit_generator.state
        assert draw_states(seed, 17, 20) == states[17:20]


def test_batches_draw_exactly_what_single_draws_do() -> None:
    inst = instance(5, 30)
    found = bootstrap(inst)
    assert found is not None
    _, boot = found
    units, perms = boot.batch("batch", 10, 40)
    for j, k in enumerate(range(10, 40)):
        rng = draw_rng("batch", k)
        assert np.array_equal(boot.scores(rng), units[j])
        assert np.array_equal(rng.permutation(len(boot.ids)), perms[j])
