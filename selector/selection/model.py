"""The integer program: one binary per selectable applicant, one named row family per rule.

maximise   Σ score_i · x_i                                 (score in 10⁻⁴ points: integers)
subject to lo ≤ Σ x_i ≤ hi                                 cohort_min_size, cohort_max_size
           Σ x_i over PGY1s ≤ max_pgy1                     max_pgy1
           Σ x_i over value v of a field ≤ m, for every v  max_per_<field>_<v>
           y_v ≤ Σ x_i over v;  Σ y_v ≥ k                  present_<field>_<j>, min_distinct_<field>
           Σ x_i over the named value v ≥ n                min_per_<field>_<v>
           Σ x_i over applicants below the floor ≤ 0       quality_floor
           x_i = 1 (locked in) / x_i = 0 (locked out)      lock_in_<id>, lock_out_<id>

Each family is one :class:`RuleKind`; :func:`build_model` writes them in that order, with an
English comment over each. :func:`reduce_pool` keeps only the applicants the model needs
(interchangeable applicants form classes). PuLP is imported when a model is built, not when
this module is.
"""

from __future__ import annotations

import enum
import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from selector.config import TrackConfig
from selector.scoring import SCORE_DECIMALS

if TYPE_CHECKING:
    import pulp

#: Score units per point: the model's objective is an integer in these units.
UNITS = 10**SCORE_DECIMALS


class RuleKind(enum.StrEnum):
    """The nine kinds of rule the model states; each is one family of named rows."""

    MIN_SIZE = "min_size"  # cohort.size or cohort.min_size: at least this many members
    MAX_SIZE = "max_size"  # cohort.size or cohort.max_size: at most this many members
    MAX_PGY1 = "max_pgy1"  # eligibility.max_pgy1: at most this many PGY1 members
    MAX_PER_VALUE = "max_per_value"  # [[diversity]]: at most m members share one value
    MIN_DISTINCT = "min_distinct"  # [[diversity]]: at least k values represented
    MIN_PER_VALUE = "min_per_value"  # [[diversity]]: at least n members with a named value
    MIN_SCORE = "min_score"  # selection.min_score: nobody below the quality floor
    INCLUDE = "include"  # the chair's lock: this applicant is in
    EXCLUDE = "exclude"  # the chair's lock: this applicant is out

    @property
    def is_size(self) -> bool:
        """The cohort size's two kinds (a rule price leaves them out: they are not optional)."""
        return self in (RuleKind.MIN_SIZE, RuleKind.MAX_SIZE)

    @property
    def is_lock(self) -> bool:
        return self in (RuleKind.INCLUDE, RuleKind.EXCLUDE)


def group_key(value: Any) -> str | None:
    """The grouping key of a field value: trimmed and case-folded; None when blank."""
    if value is None:
        return None
    text = str(value).strip()
    return text.casefold() if text else None


@dataclass(frozen=True)
class Candidate:
    """A selectable applicant as the model sees it."""

    id: str
    units: int  # aggregate score in 10⁻⁴ points
    pgy1: bool
    below_floor: bool
    keys: Mapping[str, str | None]  # diversity field → group key
    # Its class: applicants with the same one are interchangeable under every rule (the repr
    # of its rule fields' keys and PGY1 flag: a string, hashed once).
    klass: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "klass", repr((sorted(self.keys.items()), self.pgy1)))


@dataclass(eq=False)
class Rule:
    """One rule of the model: its label, its kind and parameters, and the rows that state it."""

    kind: RuleKind
    id: str  # the stable id ("max_per_value:specialty"), shared by a family's rules
    label: str  # in plain words ("at most 2 per specialty"): the key of its rule price
    bound: float
    field_name: str | None = None
    value: str | None = None  # min_per_value: the named value; locks: the applicant id
    index: int | None = None  # position of the diversity rule in the config
    rows: list[str] = field(default_factory=list)
    slack: pulp.LpVariable | None = None


@dataclass
class Model:
    """A built program with its decision variables, its rules and the candidates it holds."""

    prob: pulp.LpProblem
    x: dict[str, pulp.LpVariable]
    rules: list[Rule]
    cands: dict[str, Candidate]
    config: TrackConfig


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_") or "blank"


def priority(cands: Iterable[Candidate], seed: str) -> list[Candidate]:
    """The documented priority order: higher score first, then the seeded hash (lower first)."""

    def key(c: Candidate) -> tuple[int, str]:
        return -c.units, hashlib.sha256(f"{seed}:{c.id}".encode()).hexdigest()

    return sorted(cands, key=key)


# The model reads as the math: one constraint family after another, each under its comment.
# Splitting it into a function per family would hide that order, so it stays one function.
def build_model(  # noqa: C901
    cands: Sequence[Candidate],
    config: TrackConfig,
    include: Sequence[str],
    exclude: Sequence[str],
    *,
    slack: bool = False,
) -> Model:
    """The integer program; with ``slack`` every rule gets a slack and the objective is the
    total relaxation (then, secondarily, the score) — the diagnosis model."""
    import pulp

    prob = pulp.LpProblem(
        "cohort_relaxation" if slack else "cohort", pulp.LpMinimize if slack else pulp.LpMaximize
    )
    x = {c.id: prob.add_variable(f"x_{k:05d}", 0, 1, pulp.LpBinary) for k, c in enumerate(cands)}
    rules: list[Rule] = []
    names: Counter[str] = Counter()
    labels = config.rule_labels()

    def new_rule(kind: RuleKind, rule_id: str, bound: float, *args: Any, **kw: Any) -> Rule:
        return Rule(kind, rule_id, labels[rule_id], bound, *args, **kw)

    def add(rule: Rule, name: str, expr: Any, sense: str, rhs: float) -> None:
        """Add one row of a rule; with slack the row is loosened by the rule's slack."""
        names[name] += 1
        if names[name] > 1:
            name = f"{name}_{names[name]}"
        if slack and rule.slack is None:
            upper = 1 if rule.kind.is_lock else None
            number = sum(r.slack is not None for r in rules)
            rule.slack = prob.add_variable(f"slack_{number:03d}", 0, upper, pulp.LpInteger)
        s: Any = rule.slack if slack else 0
        if sense == "<=":
            prob.addConstraint(expr <= rhs + s, name)
        else:
            prob.addConstraint(expr >= rhs - s, name)
        rule.rows.append(name)
        register(rule)

    def register(rule: Rule) -> None:
        """Every configured rule is listed (for its price), even one no row can bind."""
        if rule not in rules:
            rules.append(rule)

    # Cohort size: at least the minimum and at most the maximum number of members.
    lo, hi = config.cohort.bounds
    size = pulp.lpSum(x.values())
    if lo > 0:
        add(new_rule(RuleKind.MIN_SIZE, "size", lo), "cohort_min_size", size, ">=", lo)
    if hi is not None:
        add(new_rule(RuleKind.MAX_SIZE, "size", hi), "cohort_max_size", size, "<=", hi)

    # PGY1 cap: at most max_pgy1 PGY1 applicants (each one approved, or not selectable).
    max_pgy1 = config.eligibility.max_pgy1
    pgy1 = [c.id for c in cands if c.pgy1]
    if max_pgy1 is not None:
        rule = new_rule(RuleKind.MAX_PGY1, "max_pgy1", max_pgy1)
        register(rule)
        if len(pgy1) > max_pgy1:
            add(rule, "max_pgy1", pulp.lpSum(x[a] for a in pgy1), "<=", max_pgy1)

    for index, div in enumerate(config.diversity):
        f = div.field
        groups: dict[str, list[str]] = defaultdict(list)
        for c in cands:
            if (k := c.keys.get(f)) is not None:
                groups[k].append(c.id)

        # Diversity cap: at most max_per_value members share one value of the field.
        if div.max_per_value is not None:
            m = div.max_per_value
            rule_id = config.rule_id("max_per_value", index)
            rule = new_rule(RuleKind.MAX_PER_VALUE, rule_id, m, f, index=index)
            register(rule)
            for k, members in sorted(groups.items()):
                if len(members) > m:
                    expr = pulp.lpSum(x[a] for a in members)
                    add(rule, f"max_per_{_slug(f)}_{_slug(k)}", expr, "<=", m)

        # Diversity spread: at least min_distinct values of the field are represented;
        # y[k] may be 1 only if some member has value k.
        if div.min_distinct is not None:
            n = div.min_distinct
            rule_id = config.rule_id("min_distinct", index)
            rule = new_rule(RuleKind.MIN_DISTINCT, rule_id, n, f, index=index)
            y = {}
            for j, (k, members) in enumerate(sorted(groups.items())):
                y[k] = prob.add_variable(f"y_{index:02d}_{j:04d}", 0, 1, pulp.LpBinary)
                prob.addConstraint(
                    y[k] <= pulp.lpSum(x[a] for a in members), f"present_{_slug(f)}_{j:04d}"
                )
            add(rule, f"min_distinct_{_slug(f)}", pulp.lpSum(y.values()), ">=", n)

        # Named floors: at least min_per_value[v] members with value v.
        for value, n in sorted(div.min_per_value.items()):
            if n <= 0:
                continue
            members = groups.get(group_key(value) or "", [])
            rule_id = config.rule_id("min_per_value", index, value)
            rule = new_rule(RuleKind.MIN_PER_VALUE, rule_id, n, f, value, index=index)
            expr = pulp.lpSum(x[a] for a in members)
            add(rule, f"min_per_{_slug(f)}_{_slug(value)}", expr, ">=", n)

    # Quality floor: nobody whose aggregate score is below min_score.
    below = [c.id for c in cands if c.below_floor]
    floor = config.selection.min_score
    if floor is not None:
        rule = new_rule(RuleKind.MIN_SCORE, "min_score", floor)
        register(rule)
        if below:
            add(rule, "quality_floor", pulp.lpSum(x[a] for a in below), "<=", 0)

    # The chair's locks: included applicants are in, excluded ones out.
    for a in include:
        if a in x:
            rule = new_rule(RuleKind.INCLUDE, "lock_in", 1, value=a)
            add(rule, f"lock_in_{_slug(a)}", x[a], ">=", 1)
    for a in exclude:
        if a in x:
            rule = new_rule(RuleKind.EXCLUDE, "lock_out", 0, value=a)
            add(rule, f"lock_out_{_slug(a)}", x[a], "<=", 0)

    score = pulp.lpSum(c.units * x[c.id] for c in cands)
    if slack:
        # Smallest total relaxation first; among equals, the best-scoring cohort.
        weight = sum(abs(c.units) for c in cands) + 1
        prob.setObjective(
            weight * pulp.lpSum(r.slack for r in rules if r.slack is not None) - score
        )
    else:
        prob.setObjective(score)
    return Model(prob, x, rules, {c.id: c for c in cands}, config)


# --------------------------------------------------------------------------------------------
# A smaller, equivalent model: classes of interchangeable applicants


def class_key(c: Candidate) -> str:
    """Applicants with the same key are interchangeable under every rule."""
    return c.klass


def class_cap(c: Candidate, config: TrackConfig, relaxed: Sequence[Rule] = ()) -> int | None:
    """The most members of c's class a cohort can hold under the rules not relaxed."""
    kinds = {(r.kind, r.index) for r in relaxed}
    caps = []
    hi = config.cohort.bounds[1]
    if hi is not None:
        caps.append(hi)
    for index, d in enumerate(config.diversity):
        off = (RuleKind.MAX_PER_VALUE, index) in kinds
        if d.max_per_value is not None and c.keys.get(d.field) is not None and not off:
            caps.append(d.max_per_value)
    cap = config.eligibility.max_pgy1
    pgy1_off = (RuleKind.MAX_PGY1, None) in kinds
    if c.pgy1 and cap is not None and not pgy1_off:
        caps.append(cap)
    return min(caps) if caps else None


def reduce_pool(
    order: Sequence[Candidate],
    config: TrackConfig,
    include: Sequence[str],
    exclude: Sequence[str],
    relaxed: Sequence[Rule] = (),
) -> list[Candidate]:
    """The applicants the model needs, in id order.

    Interchangeable applicants (same rule fields, same PGY1 flag, no lock) can be swapped
    without breaking a rule, so an optimal cohort — and the documented tie-break's choice —
    takes a class's members in priority order. A class can hold at most ``cap`` members, so
    its first ``cap + 1`` (one spare, for the cohort with a member excluded) are all the model
    needs; the others' margins follow from their class (see ``explain.Classes``). Below-floor
    applicants are left out unless the floor is a relaxed rule.
    """
    locked = set(include) | set(exclude)
    locked -= {r.value or "" for r in relaxed if r.kind.is_lock}
    floor_on = all(r.kind is not RuleKind.MIN_SCORE for r in relaxed)
    taken: Counter[str] = Counter()
    caps: dict[str, int | None] = {}
    kept = []
    for c in order:
        if c.id in locked:
            kept.append(c)
            continue
        if c.below_floor and floor_on:
            continue
        key = class_key(c)
        if key not in caps:
            caps[key] = class_cap(c, config, relaxed)
        cap = caps[key]
        if cap is None or taken[key] <= cap:
            kept.append(c)
            taken[key] += 1
    return sorted(kept, key=lambda c: c.id)
