"""Why no cohort fits the rules, and the smallest relaxation that would.

First arithmetic checks in plain language (:func:`arithmetic_checks`): each looks at one rule
at a time (or a rule against the cohort size) and counts; the checks that need no applicants
are the config's own (:meth:`selector.config.DiversityRule.contradictions`, also what
`selector check-config` reports). Then the smallest relaxation, found by a second integer
program with one slack per rule (:func:`diagnose`); each change is a :class:`Relaxation`, and
:func:`apply_relaxations` applies them to a config and its locks.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from selector.config import TrackConfig, plural
from selector.errors import SelectorError
from selector.models import Applicant
from selector.selection.model import UNITS, Candidate, Model, RuleKind, build_model, group_key
from selector.selection.solve import Outcome, Solver, SolverName


@dataclass(frozen=True)
class Pool:
    """What the checks need: who can be selected, who is locked in, and their field values."""

    candidates: Sequence[str]  # applicant ids that can be selected (not locked out)
    values: Mapping[str, Mapping[str, str | None]]  # field → applicant_id → group key
    labels: Mapping[str, Mapping[str, str]]  # field → group key → display text
    pgy1: frozenset[str]  # candidates in PGY1
    include: Sequence[str]  # locked-in applicant ids
    not_selectable: Mapping[str, str]  # locked-in applicant id → why it cannot be selected


def arithmetic_checks(pool: Pool, config: TrackConfig) -> list[str]:
    """Plain-language reasons, found by counting, why no cohort can satisfy the rules."""
    out: list[str] = []
    lo, hi = config.cohort.bounds
    cap = f"at most {hi}" if hi is not None else "any number"
    for applicant_id, why in pool.not_selectable.items():
        out.append(f"{applicant_id} is locked in but cannot be selected: {why}")
    n = len(pool.candidates)
    if n < lo:
        out.append(
            f"only {n} applicant{'s' if n != 1 else ''} can be selected (eligible, scored, "
            f"not below the quality floor, not locked out); the cohort needs {lo}"
        )
    if hi is not None and len(pool.include) > hi:
        out.append(f"{len(pool.include)} applicants are locked in; the cohort takes {cap}")
    max_pgy1 = config.eligibility.max_pgy1
    if max_pgy1 is not None:
        locked_pgy1 = [a for a in pool.include if a in pool.pgy1]
        if len(locked_pgy1) > max_pgy1:
            out.append(
                f"{len(locked_pgy1)} PGY1 applicants are locked in; max_pgy1 allows {max_pgy1}"
            )
        places = n - len(pool.pgy1) + min(max_pgy1, len(pool.pgy1))
        if n >= lo > places:
            out.append(
                f"only {n - len(pool.pgy1)} selectable applicants are PGY2 or beyond and "
                f"max_pgy1 allows {max_pgy1} PGY1: {places} places, the cohort needs {lo}"
            )
    for rule in config.diversity:
        # What the rule asks that no pool could give (the same words as check-config).
        out += rule.contradictions(hi)
        values = pool.values.get(rule.field, {})
        labels = pool.labels.get(rule.field, {})
        counts = Counter(k for a in pool.candidates if (k := values.get(a)) is not None)
        locked = Counter(k for a in pool.include if (k := values.get(a)) is not None)
        if rule.min_distinct is not None and len(counts) < rule.min_distinct:
            distinct = len(counts)
            many = distinct != 1
            out.append(
                f"only {distinct} {plural(rule.field) if many else rule.field} "
                f"{'have' if many else 'has'} selectable applicants; "
                f"the rules ask for {rule.min_distinct}"
            )
        if rule.max_per_value is not None:
            places = sum(min(c, rule.max_per_value) for c in counts.values())
            if places < lo:
                out.append(
                    f"at most {rule.max_per_value} per {rule.field} over {len(counts)} "
                    f"{plural(rule.field)} gives {places} places; the cohort needs {lo}"
                )
            for key, c in sorted(locked.items()):
                if c > rule.max_per_value:
                    out.append(
                        f"{c} locked-in applicants have {rule.field} {labels.get(key, key)!r}; "
                        f"max_per_value allows {rule.max_per_value}"
                    )
        for value, need in sorted(rule.min_per_value.items()):
            named = group_key(value)
            have = counts.get(named, 0) if named is not None else 0
            if have < need:
                out.append(
                    f"only {have} selectable applicant{'s' if have != 1 else ''} "
                    f"{'have' if have != 1 else 'has'} {rule.field} {value!r}; "
                    f"the rules ask for {need}"
                )
    return out


# --------------------------------------------------------------------------------------------
# Relaxations

#: Each relaxable rule's change in words (the exact cohort size, which may go either way, aside).
RELAXATION_TEXT = {
    RuleKind.MIN_SIZE: "lower min_size from {old} to {new}",
    RuleKind.MAX_SIZE: "raise max_size from {old} to {new}",
    RuleKind.MAX_PER_VALUE: "raise max_per_value for {field} from {old} to {new}",
    RuleKind.MIN_DISTINCT: "lower min_distinct for {field} from {old} to {new}",
    RuleKind.MIN_PER_VALUE: "lower min_per_value for {field} {value!r} from {old} to {new}",
    RuleKind.MAX_PGY1: "raise max_pgy1 from {old} to {new}",
    RuleKind.MIN_SCORE: "lower min_score from {old:g} to {new:g}",
    RuleKind.INCLUDE: "release the lock that includes {value}",
    RuleKind.EXCLUDE: "release the lock that excludes {value}",
}

#: The same in the committee's words, with the rule's label.
LABELLED_TEXT = {
    RuleKind.MIN_SIZE: 'lower "{label}" from {old} to {new}',
    RuleKind.MAX_SIZE: 'raise "{label}" from {old} to {new}',
    RuleKind.MAX_PER_VALUE: 'raise the limit of "{label}" from {old} to {new}',
    RuleKind.MIN_DISTINCT: 'lower the minimum of "{label}" from {old} to {new}',
    RuleKind.MIN_PER_VALUE: 'lower the minimum of "{label}" from {old} to {new}',
    RuleKind.MAX_PGY1: 'raise the limit of "{label}" from {old} to {new}',
    RuleKind.MIN_SCORE: 'lower the floor of "{label}" from {old:g} to {new:g}',
    RuleKind.INCLUDE: 'release the lock on {value} ("{label}")',
    RuleKind.EXCLUDE: 'release the lock on {value} ("{label}")',
}

#: A relaxation's "rule" in JSON when it moves an exact ``cohort.size``.
SIZE = "size"

Bound = int | float | str  # a number, or a lock's state ("locked in", "locked", "free")


@dataclass(frozen=True)
class Relaxation:
    """One change of the smallest relaxation: a rule, and its bound from ``old`` to ``new``.

    ``to_json()`` is the object in ``Decision.relaxations`` of the ``select --json`` contract
    (``{"rule", "field", "value", "index", "from", "to", "text"}``); ``relaxation["text"]``
    reads that object's keys, for callers written against it.
    """

    kind: RuleKind
    old: Bound | None  # None only when read from JSON without a "from"
    new: Bound
    field: str | None = None  # the diversity rule's field
    value: str | None = None  # min_per_value: the named value; locks: the applicant id
    index: int | None = None  # the diversity rule's position in the config
    exact_size: bool = False  # min_size/max_size of a ``cohort.size``: the rule is "size"
    blocked: bool = False  # a lock on an applicant who cannot be selected: always released
    rule_id: str | None = None  # the rule's stable id ("max_per_value:specialty")
    label: str | None = None  # the rule's label ("at most 2 per specialty")

    @property
    def rule(self) -> str:
        """The rule's name in JSON and words: the kind, or "size" for an exact cohort size."""
        return SIZE if self.exact_size else self.kind.value

    @property
    def text(self) -> str:
        """The change in words, e.g. "lower min_distinct for specialty from 5 to 4"."""
        old, new = self.old, self.new
        if self.exact_size:
            assert isinstance(old, int) and isinstance(new, int)
            return f"{'lower' if new < old else 'raise'} the cohort size from {old} to {new}"
        if self.label is not None:
            return LABELLED_TEXT[self.kind].format(
                label=self.label, old=old, new=new, value=self.value
            )
        return RELAXATION_TEXT[self.kind].format(
            old=old, new=new, field=self.field, value=self.value
        )

    def to_json(self) -> dict[str, Any]:
        where = {"field": self.field, "value": self.value, "index": self.index}
        if self.blocked:  # released before the relaxation program runs: no rule to point at
            where = {"value": self.value}
        return {
            "rule": self.rule,
            **where,
            "from": self.old,
            "to": self.new,
            "id": self.rule_id,
            "label": self.label,
            "text": self.text,
        }

    def __getitem__(self, key: str) -> Any:
        return self.to_json()[key]

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Relaxation:
        """A relaxation from its JSON object (``"from"`` and ``"text"`` may be left out)."""
        name, old, new = data["rule"], data.get("from"), data["to"]
        if name == SIZE:
            lower = old is None or new < old
            kind = RuleKind.MIN_SIZE if lower else RuleKind.MAX_SIZE
        else:
            kind = RuleKind(name)
        return cls(
            kind,
            old,
            new,
            data.get("field"),
            data.get("value"),
            data.get("index"),
            exact_size=name == SIZE,
            blocked="field" not in data and kind.is_lock,
            rule_id=data.get("id"),
            label=data.get("label"),
        )


def relaxation_text(change: Relaxation | Mapping[str, Any]) -> str:
    """One relaxation in words, e.g. "lower min_distinct for specialty from 5 to 4"."""
    if not isinstance(change, Relaxation):
        change = Relaxation.from_json(change)
    return change.text


def diagnose(
    cands: Sequence[Candidate],
    config: TrackConfig,
    include: Sequence[str],
    exclude: Sequence[str],
    blocked: Mapping[str, str],
    people: Mapping[str, Applicant],
    solver: SolverName,
) -> tuple[list[str], list[Relaxation]]:
    """Plain-language reasons, then the smallest relaxation that lets a cohort fit.

    ``blocked`` maps each locked-in applicant who cannot be selected (ineligible or unscored)
    to why; such a lock is always released."""
    selectable = [c for c in cands if not c.below_floor and c.id not in exclude]
    fields = sorted({d.field for d in config.diversity})
    labels: dict[str, dict[str, str]] = {f: {} for f in fields}
    for c in cands:
        for f in fields:
            k = c.keys.get(f)
            if k is not None:
                text = str(people[c.id].value(f)).strip()
                labels[f][k] = min(labels[f].get(k, text), text)
    pool = Pool(
        candidates=[c.id for c in selectable],
        values={f: {c.id: c.keys.get(f) for c in cands} for f in fields},
        labels=labels,
        pgy1=frozenset(c.id for c in selectable if c.pgy1),
        include=[a for a in include if a not in blocked],
        not_selectable=blocked,
    )
    diagnosis = arithmetic_checks(pool, config)
    # A lock on an ineligible or unscored applicant must go; one on an applicant below the
    # quality floor stays in the model, where releasing it competes with lowering the floor.
    ids = {c.id for c in cands}
    must_go = [a for a in blocked if a not in ids]
    lock_label = config.rule_labels()["lock_in"]
    changes = [
        Relaxation(
            RuleKind.INCLUDE,
            "locked in",
            "free",
            value=a,
            blocked=True,
            rule_id="lock_in",
            label=lock_label,
        )
        for a in must_go
    ]
    slack_model = build_model(
        cands, config, [a for a in include if a not in must_go], exclude, slack=True
    )
    relaxed, slacks = smallest_relaxation(slack_model, solver)
    exact = config.cohort.size is not None
    for rule in slack_model.rules:
        s = slacks.get(id(rule), 0)
        if s <= 0:
            continue
        old: Bound
        new: Bound
        if rule.kind in (RuleKind.MIN_SIZE, RuleKind.MIN_DISTINCT, RuleKind.MIN_PER_VALUE):
            old, new = int(rule.bound), int(rule.bound) - s
        elif rule.kind in (RuleKind.MAX_SIZE, RuleKind.MAX_PGY1, RuleKind.MAX_PER_VALUE):
            old, new = int(rule.bound), int(rule.bound) + s
        elif rule.kind is RuleKind.MIN_SCORE:
            below = [slack_model.cands[a] for a in relaxed.chosen]
            lowest = min(c.units for c in below if c.below_floor)
            old, new = rule.bound, lowest / UNITS
        else:  # a lock
            old, new = "locked", "free"
        changes.append(
            Relaxation(
                rule.kind,
                old,
                new,
                rule.field_name,
                rule.value,
                rule.index,
                exact_size=exact and rule.kind.is_size,
                rule_id=rule.id,
                label=rule.label,
            )
        )
    if not diagnosis:
        diagnosis.append("no single rule is impossible on its own; the rules clash in combination")
    if changes:
        diagnosis.append(
            "smallest relaxation that lets a cohort fit: " + "; ".join(c.text for c in changes)
        )
    return diagnosis, changes


def smallest_relaxation(model: Model, solver: SolverName) -> tuple[Outcome, dict[int, int]]:
    """The smallest relaxation, independent of the solver: the least total slack, then the
    highest-scoring cohort, then, among relaxations equal on both, the lexicographically
    smallest slack vector in the rules' fixed order (each rule relaxed as little as possible,
    the earliest first: the cohort size, ``max_pgy1``, the diversity rules as written, the
    floor, the locks), then, when the floor is relaxed, the cohort whose lowest member below
    the floor is highest (the floor lowered least: :func:`_highest_floor`). Returns the
    cohort and each relaxed rule's slack (by ``id(rule)``).

    The first solve gives the total and the score; each rule the witness relaxes is then
    minimised in turn with the total, the score and the rules before it fixed (a rule the
    witness leaves alone is fixed at 0 without a solve)."""
    import pulp

    engine = Solver(model, solver)
    first = engine.solve_plain()
    if first is None:  # cannot happen: every rule can be relaxed to nothing
        raise SelectorError("solver_failed", "the relaxation model has no solution")
    prob = model.prob
    slacked = [r for r in model.rules if r.slack is not None]

    def values() -> dict[int, int]:
        return {id(r): round(r.slack.varValue or 0) for r in slacked if r.slack is not None}

    witness, current = first, values()
    saved = dict(prob._constraints), prob.objective
    try:
        total = sum(current.values())
        score = pulp.lpSum(c.units * model.x[c.id] for c in model.cands.values())
        prob.addConstraint(pulp.lpSum(r.slack for r in slacked) == total, "lex_total_slack")
        prob.addConstraint(score >= first.value, "lex_best_score")
        for k, rule in enumerate(slacked):
            assert rule.slack is not None
            if current[id(rule)] > 0:
                prob.setObjective(rule.slack)
                found = engine.solve_plain()
                if found is None:
                    raise SelectorError("solver_failed", "the relaxation model lost its optimum")
                witness, current = found, values()
            prob.addConstraint(rule.slack == current[id(rule)], f"lex_fix_{k:03d}")
        witness = _highest_floor(model, engine, witness)
    finally:
        prob._constraints, prob.objective = saved
    return witness, current


def _highest_floor(model: Model, engine: Solver, witness: Outcome) -> Outcome:
    """With every slack fixed, the witness whose lowest member below the quality floor is
    highest: the floor is lowered as little as possible, so the proposal does not depend on
    which of several tied cohorts the solver returns. Each solve forbids every below-floor
    candidate at or under the current lowest; the last feasible witness is kept."""
    import pulp

    below = [c for c in model.cands.values() if c.below_floor]
    step = 0
    while True:
        chosen = [model.cands[a] for a in witness.chosen if model.cands[a].below_floor]
        if not chosen:
            return witness
        lowest = min(c.units for c in chosen)
        under = [model.x[c.id] for c in below if c.units <= lowest]
        model.prob.addConstraint(pulp.lpSum(under) == 0, f"lex_floor_{step:03d}")
        step += 1
        found = engine.solve_plain()
        if found is None:
            return witness
        witness = found


def apply_relaxations(
    config: TrackConfig,
    include: Sequence[str],
    exclude: Sequence[str],
    relaxations: Iterable[Relaxation | Mapping[str, Any]],
) -> tuple[TrackConfig, list[str], list[str]]:
    """The config and locks with a diagnosis's relaxations applied (to re-run or to test).

    Relaxations may also be given as their JSON objects (a recorded run's)."""
    data = config.model_dump()
    inc, exc = list(include), list(exclude)
    for item in relaxations:
        ch = item if isinstance(item, Relaxation) else Relaxation.from_json(item)
        new: Any = ch.new
        if ch.exact_size:
            data["cohort"] = (
                {"size": new} if new >= 1 else {"min_size": 0, "max_size": data["cohort"]["size"]}
            )
        elif ch.kind.is_lock:
            (inc if ch.kind is RuleKind.INCLUDE else exc).remove(str(ch.value))
        elif ch.kind.is_size:
            data["cohort"][ch.kind.value] = new
        elif ch.kind is RuleKind.MAX_PGY1:
            data["eligibility"]["max_pgy1"] = new
        elif ch.kind is RuleKind.MIN_SCORE:
            data["selection"]["min_score"] = new
        else:
            assert ch.index is not None
            rule = data["diversity"][ch.index]
            if ch.kind is RuleKind.MIN_PER_VALUE:
                rule["min_per_value"][ch.value] = new
            else:
                rule[ch.kind.value] = new if new >= 1 else None
    for rule in data["diversity"]:
        rule["min_per_value"] = {v: n for v, n in rule["min_per_value"].items() if n > 0}
    data["diversity"] = [
        r
        for r in data["diversity"]
        if r["max_per_value"] is not None or r["min_distinct"] is not None or r["min_per_value"]
    ]
    return TrackConfig.model_validate(data), inc, exc
