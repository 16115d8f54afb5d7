"""The selection engine: the optimal cohort by integer programming, and why.

The model (PuLP) has one binary ``x`` per selectable applicant and maximises the total
aggregate score of the cohort under the track's rules: cohort size, the PGY1 cap, diversity
rules on any field, the quality floor and the chair's locks. Scores enter the model in whole
units of 10⁻⁴ points (they are rounded to 4 decimals by :mod:`selector.scoring`), so totals are
integers and "equal" is exact.

Decisions are deterministic. Among all optimal cohorts the engine returns exactly one, by the
rule in :data:`TIE_BREAK_RULE`: applicants are put in a priority order (higher score first,
then the SHA-256 of the tie-break seed and the applicant id), and the chosen cohort is the
lexicographically first optimal one in that order. It is found by walking the order and
asking the solver, for each applicant not yet in the current optimal cohort, whether an
optimal cohort that also contains it exists. An LP-relaxation bound (reduced costs) rules most
applicants out without a solve; every bound is only used to skip work, never to decide.

Explanations: margins (OPT − OPT with an applicant excluded or forced in), replacements
(the best one-for-one swap that keeps the rules), rule prices (OPT without a rule − OPT) and,
when no cohort fits, a diagnosis: arithmetic checks, then the smallest relaxation found by a
second integer program with one slack per rule.
"""

from __future__ import annotations

import hashlib
import math
import re
import time
import warnings
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import pulp

from selector.config import TrackConfig
from selector.diagnosis import Pool, arithmetic_checks, group_key, relaxation_text
from selector.eligibility import ineligibility_reason
from selector.errors import InputError, SelectorError
from selector.models import Applicant, Review
from selector.scoring import SCORE_DECIMALS, aggregate
from selector.solver import silence_highs_banner

SolverName = Literal["highs", "cbc"]

#: Score units per point: the model's objective is an integer in these units.
UNITS = 10**SCORE_DECIMALS

#: Longest time one solve may take before the engine gives up (a time-out is not optimal).
TIME_LIMIT_S = 120.0

TIE_BREAK_RULE = (
    "Among all cohorts with the highest total score, the engine returns one: applicants are "
    "ranked by aggregate score (higher first, compared at {decimals} decimals), then by the "
    "SHA-256 hex digest of '<seed>:<applicant_id>' (lower first), with seed {seed!r}; the "
    "cohort chosen contains the first-ranked applicant if any optimal cohort can, then, keeping "
    "that, the second-ranked if it can, and so on (the lexicographically first optimal cohort)."
)


@dataclass(frozen=True)
class Decision:
    """The outcome of a selection and everything needed to defend it.

    ``to_json()`` gives the JSON object of the ``selector select --json`` contract (plus a few
    extra keys); ``applicants`` and ``config`` are kept for rosters and the dashboard.
    """

    status: Literal["optimal", "infeasible"]
    selected: list[str]
    total_score: float | None
    scores: dict[str, float]
    ineligible: dict[str, str]
    unscored: dict[str, str]
    replacements: dict[str, str | None]
    margins: dict[str, float | None]
    rule_prices: dict[str, float | None]
    unconstrained: dict[str, Any]  # {"selected": [...], "total_score": x}: top-N, no rules
    tie_break: str
    tie_break_seed: str
    diagnosis: list[str]
    relaxations: list[dict[str, Any]]
    reasons: dict[str, str]
    warnings: list[str]
    include: list[str]
    exclude: list[str]
    solver: dict[str, str]
    timings: dict[str, float]
    applicants: dict[str, Applicant] = field(repr=False, compare=False)
    config: TrackConfig = field(repr=False, compare=False)

    def to_json(self) -> dict[str, Any]:
        """The decision as a JSON-ready dict (the CLI prints it with ``json.dumps``)."""
        return {
            "status": self.status,
            "selected": self.selected,
            "total_score": self.total_score,
            "scores": self.scores,
            "ineligible": self.ineligible,
            "unscored": self.unscored,
            "replacements": self.replacements,
            "margins": self.margins,
            "rule_prices": self.rule_prices,
            "unconstrained": self.unconstrained,
            "tie_break": self.tie_break,
            "diagnosis": self.diagnosis,
            "relaxations": self.relaxations,
            "reasons": self.reasons,
            "warnings": self.warnings,
            "include": self.include,
            "exclude": self.exclude,
            "solver": self.solver,
            "timings": self.timings,
        }


# --------------------------------------------------------------------------------------------
# Candidates and rules


@dataclass(frozen=True)
class _Cand:
    """A selectable applicant as the model sees it."""

    id: str
    units: int  # aggregate score in 10⁻⁴ points
    pgy1: bool
    below_floor: bool
    keys: Mapping[str, str | None]  # diversity field → group key


@dataclass
class _Rule:
    """One rule of the model: its label, its kind and parameters, and the rows that state it."""

    kind: str  # min_size, max_size, max_pgy1, max_per_value, min_distinct,
    #            min_per_value, min_score, include, exclude
    label: str
    bound: float
    field_name: str | None = None
    value: str | None = None  # min_per_value: the named value; locks: the applicant id
    index: int | None = None  # position of the diversity rule in the config
    rows: list[str] = field(default_factory=list)
    slack: pulp.LpVariable | None = None


@dataclass
class _Model:
    prob: pulp.LpProblem
    x: dict[str, pulp.LpVariable]
    rules: list[_Rule]
    cands: dict[str, _Cand]
    config: TrackConfig


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_") or "blank"


def _priority(cands: Iterable[_Cand], seed: str) -> list[_Cand]:
    """The documented priority order: higher score first, then the seeded hash (lower first)."""

    def key(c: _Cand) -> tuple[int, str]:
        return -c.units, hashlib.sha256(f"{seed}:{c.id}".encode()).hexdigest()

    return sorted(cands, key=key)


def _build(
    cands: Sequence[_Cand],
    config: TrackConfig,
    include: Sequence[str],
    exclude: Sequence[str],
    *,
    slack: bool = False,
) -> _Model:
    """The integer program; with ``slack`` every rule gets a slack and the objective is the
    total relaxation (then, secondarily, the score) — the diagnosis model."""
    prob = pulp.LpProblem(
        "cohort_relaxation" if slack else "cohort", pulp.LpMinimize if slack else pulp.LpMaximize
    )
    x = {c.id: prob.add_variable(f"x_{k:05d}", 0, 1, pulp.LpBinary) for k, c in enumerate(cands)}
    rules: list[_Rule] = []
    names: Counter[str] = Counter()

    def add(rule: _Rule, name: str, expr: Any, sense: str, rhs: float) -> None:
        """Add one row of a rule; with slack the row is loosened by the rule's slack."""
        names[name] += 1
        if names[name] > 1:
            name = f"{name}_{names[name]}"
        if slack and rule.slack is None:
            upper = 1 if rule.kind in ("include", "exclude") else None
            number = sum(r.slack is not None for r in rules)
            rule.slack = prob.add_variable(f"slack_{number:03d}", 0, upper, pulp.LpInteger)
        s: Any = rule.slack if slack else 0
        if sense == "<=":
            prob.addConstraint(expr <= rhs + s, name)
        else:
            prob.addConstraint(expr >= rhs - s, name)
        rule.rows.append(name)
        register(rule)

    def register(rule: _Rule) -> None:
        """Every configured rule is listed (for its price), even one no row can bind."""
        if rule not in rules:
            rules.append(rule)

    # Cohort size: at least the minimum and at most the maximum number of members.
    lo, hi = config.cohort.bounds
    exact = config.cohort.size is not None
    size = pulp.lpSum(x.values())
    name = "size" if exact else "min_size"
    if lo > 0:
        add(_Rule("min_size", f"cohort {name} {lo}", lo), "cohort_min_size", size, ">=", lo)
    name = "size" if exact else "max_size"
    if hi is not None:
        add(_Rule("max_size", f"cohort {name} {hi}", hi), "cohort_max_size", size, "<=", hi)

    # PGY1 cap: at most max_pgy1 PGY1 applicants (each one approved, or not selectable).
    max_pgy1 = config.eligibility.max_pgy1
    pgy1 = [c.id for c in cands if c.pgy1]
    if max_pgy1 is not None:
        rule = _Rule("max_pgy1", f"max_pgy1 {max_pgy1}", max_pgy1)
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
            rule = _Rule("max_per_value", f"{f} max_per_value {m}", m, f, index=index)
            register(rule)
            for k, members in sorted(groups.items()):
                if len(members) > m:
                    expr = pulp.lpSum(x[a] for a in members)
                    add(rule, f"max_per_{_slug(f)}_{_slug(k)}", expr, "<=", m)

        # Diversity spread: at least min_distinct values of the field are represented;
        # y[k] may be 1 only if some member has value k.
        if div.min_distinct is not None:
            n = div.min_distinct
            rule = _Rule("min_distinct", f"{f} min_distinct {n}", n, f, index=index)
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
            rule = _Rule(
                "min_per_value", f"{f} min_per_value {value} {n}", n, f, value, index=index
            )
            expr = pulp.lpSum(x[a] for a in members)
            add(rule, f"min_per_{_slug(f)}_{_slug(value)}", expr, ">=", n)

    # Quality floor: nobody whose aggregate score is below min_score.
    below = [c.id for c in cands if c.below_floor]
    floor = config.selection.min_score
    if floor is not None:
        rule = _Rule("min_score", f"min_score {floor:g}", floor)
        register(rule)
        if below:
            add(rule, "quality_floor", pulp.lpSum(x[a] for a in below), "<=", 0)

    # The chair's locks: included applicants are in, excluded ones out.
    for a in include:
        if a in x:
            add(_Rule("include", f"include {a}", 1, value=a), f"lock_in_{_slug(a)}", x[a], ">=", 1)
    for a in exclude:
        if a in x:
            add(_Rule("exclude", f"exclude {a}", 0, value=a), f"lock_out_{_slug(a)}", x[a], "<=", 0)

    score = pulp.lpSum(c.units * x[c.id] for c in cands)
    if slack:
        # Smallest total relaxation first; among equals, the best-scoring cohort.
        weight = sum(abs(c.units) for c in cands) + 1
        prob.setObjective(
            weight * pulp.lpSum(r.slack for r in rules if r.slack is not None) - score
        )
    else:
        prob.setObjective(score)
    return _Model(prob, x, rules, {c.id: c for c in cands}, config)


# --------------------------------------------------------------------------------------------
# Solving


def _status(
    prob: pulp.LpProblem | None = None, highs: Any = None
) -> Literal["optimal", "infeasible"]:
    """The one place that reads a solver's answer: "optimal" or "infeasible".

    It checks the *solution* status: PuLP reports a time-out with a feasible point as status
    "Optimal", but the solution status then says "integer feasible", which is not optimal.
    Anything but a proven optimum or proven infeasibility raises.
    """
    if highs is not None:
        import highspy

        st = highs.getModelStatus()
        if st == highspy.HighsModelStatus.kOptimal:
            return "optimal"
        if st in (
            highspy.HighsModelStatus.kInfeasible,
            highspy.HighsModelStatus.kUnboundedOrInfeasible,
        ):
            return "infeasible"
        detail = highs.modelStatusToString(st)
    else:
        assert prob is not None
        if prob.sol_status == pulp.LpSolutionOptimal:
            return "optimal"
        if prob.status == pulp.LpStatusInfeasible or prob.sol_status == pulp.LpSolutionInfeasible:
            return "infeasible"
        detail = f"{pulp.LpStatus[prob.status]} / solution status {prob.sol_status}"
    raise SelectorError("solver_failed", f"the solver did not prove an optimum ({detail})")


@dataclass(frozen=True)
class _Outcome:
    chosen: frozenset[str]
    value: int  # exact total in units, recomputed from the chosen applicants


class _Solver:
    """Solves the model, and re-solves it with applicants fixed or rules relaxed.

    With HiGHS the model is handed to the solver once (through PuLP) and re-solves change
    column and row bounds on the same HiGHS object; with CBC each re-solve goes through PuLP.
    """

    def __init__(self, model: _Model, name: SolverName) -> None:
        self.model = model
        self.name = name
        self.solves = 0
        self._highs: Any = None
        self._cols: dict[str, int] = {}
        self._rows: dict[str, tuple[int, float, float]] = {}
        self._count_rows: dict[frozenset[str], int] = {}

    def version(self) -> str:
        if self.name == "highs":
            import highspy

            silence_highs_banner()
            return str(highspy.Highs().version())
        return f"CBC bundled with PuLP {pulp.__version__}"

    def _pulp_solver(self, mip: bool = True) -> Any:
        if self.name == "highs":
            return pulp.HiGHS(msg=False, mip=mip, gapRel=0, timeLimit=TIME_LIMIT_S)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            return pulp.PULP_CBC_CMD(msg=False, mip=mip, gapRel=0, timeLimit=TIME_LIMIT_S)

    def solve(
        self,
        fix: Mapping[str, int] | None = None,
        relax: Iterable[_Rule] = (),
        count: tuple[Sequence[str], int] | None = None,
    ) -> _Outcome | None:
        """The best cohort with the given applicants fixed in (1) or out (0), the given rules
        dropped and, with ``count`` (ids, n), exactly n of those ids in; None when no cohort
        fits."""
        fix = fix or {}
        relax = list(relax)
        self.solves += 1
        if self.name == "highs" and self._highs is not None:
            return self._solve_highs(fix, relax, count)
        prob = self.model.prob
        saved = dict(prob._constraints)
        for rule in relax:
            for row in rule.rows:
                del prob._constraints[row]
        if count is not None:
            ids, n = count
            prob.addConstraint(pulp.lpSum(self.model.x[a] for a in ids) == n, "class_count")
        for a, v in fix.items():
            self.model.x[a].bounds(v, v)
        try:
            if self.name == "highs":
                silence_highs_banner()
            prob.solve(self._pulp_solver())
            status = _status(prob=prob)
            chosen = frozenset(a for a, var in self.model.x.items() if (var.varValue or 0) > 0.5)
        finally:
            prob._constraints = saved
            for a in fix:
                self.model.x[a].bounds(0, 1)
        if self.name == "highs" and not fix and not relax and count is None:
            self._keep_highs(prob)
        return self._outcome(chosen) if status == "optimal" else None

    def _keep_highs(self, prob: pulp.LpProblem) -> None:
        self._highs = prob.solverModel
        self._cols = {a: var.index for a, var in self.model.x.items()}
        for name, c in prob._constraints.items():
            lb, ub = c.getLb(), c.getUb()
            self._rows[name] = (
                c.index,
                -math.inf if lb is None else lb,
                math.inf if ub is None else ub,
            )

    def _solve_highs(
        self, fix: Mapping[str, int], relax: list[_Rule], count: tuple[Sequence[str], int] | None
    ) -> _Outcome | None:
        h = self._highs
        for a, v in fix.items():
            h.changeColBounds(self._cols[a], v, v)
        restore = [self._rows[r] for rule in relax for r in rule.rows]
        for index, _, _ in restore:
            h.changeRowBounds(index, -math.inf, math.inf)
        if count is not None:
            ids, n = count
            key = frozenset(ids)
            if key not in self._count_rows:  # added once, left free between uses
                cols = sorted(self._cols[a] for a in ids)
                h.addRow(-math.inf, math.inf, len(cols), cols, [1.0] * len(cols))
                self._count_rows[key] = h.getNumRow() - 1
            h.changeRowBounds(self._count_rows[key], n, n)
            restore.append((self._count_rows[key], -math.inf, math.inf))
        try:
            h.run()
            status = _status(highs=h)
            chosen: frozenset[str] = frozenset()
            if status == "optimal":
                values = h.getSolution().col_value
                chosen = frozenset(a for a, k in self._cols.items() if values[k] > 0.5)
        finally:
            for a in fix:
                h.changeColBounds(self._cols[a], 0, 1)
            for index, lb, ub in restore:
                h.changeRowBounds(index, lb, ub)
        return self._outcome(chosen) if status == "optimal" else None

    def _outcome(self, chosen: frozenset[str]) -> _Outcome:
        return _Outcome(chosen, sum(self.model.cands[a].units for a in chosen))

    def lp_bounds(self) -> tuple[dict[str, int], dict[str, int]]:
        """Upper bounds, from the LP relaxation's reduced costs, on the optimum with each
        applicant forced in and forced out (exact integers; safe by half a unit)."""
        silence_highs_banner()
        prob = self.model.prob
        prob.solve(pulp.HiGHS(msg=False, mip=False, timeLimit=TIME_LIMIT_S))
        if _status(prob=prob) != "optimal":
            raise SelectorError("solver_failed", "the LP relaxation has no optimum")
        lp_opt = sum(
            self.model.cands[a].units * (v.varValue or 0.0) for a, v in self.model.x.items()
        )
        ub_in: dict[str, int] = {}
        ub_out: dict[str, int] = {}
        for a, var in self.model.x.items():
            value, dj = var.varValue or 0.0, abs(var.dj or 0.0)
            ub_in[a] = math.floor(lp_opt - dj * (1 - value) + 0.5)
            ub_out[a] = math.floor(lp_opt - dj * value + 0.5)
        return ub_in, ub_out


# --------------------------------------------------------------------------------------------
# Swaps without a solver


class _Swaps:
    """A feasible cohort's counts per rule, to test one-for-one swaps (and single additions or
    removals) against every rule without a solver."""

    def __init__(
        self,
        cohort: Iterable[_Cand],
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

    def ok(self, out: _Cand | None, into: _Cand | None) -> bool:
        """Whether the cohort without ``out`` and with ``into`` still keeps every rule."""
        lo, hi = self.config.cohort.bounds
        size = self.size - (out is not None) + (into is not None)
        if size < lo or (hi is not None and size > hi):
            return False
        if out is not None and out.id in self.include:
            return False
        if into is not None and (into.id in self.exclude or into.below_floor):
            return False
        cap = self.config.eligibility.max_pgy1
        if cap is not None:
            pgy1 = self.pgy1 - (out.pgy1 if out else 0) + (into.pgy1 if into else 0)
            if pgy1 > cap:
                return False
        for d, counts, floors in zip(self.config.diversity, self.counts, self.floors, strict=True):
            k_out = out.keys.get(d.field) if out else None
            k_in = into.keys.get(d.field) if into else None
            if k_out == k_in:
                continue
            if k_in is not None and d.max_per_value is not None and counts[k_in] >= d.max_per_value:
                return False
            if k_out is not None and counts[k_out] - 1 < floors.get(k_out, 0):
                return False
            if d.min_distinct is not None:
                distinct = len(counts) - (k_out is not None and counts[k_out] == 1)
                distinct += k_in is not None and counts[k_in] == 0
                if distinct < d.min_distinct:
                    return False
        return True


# --------------------------------------------------------------------------------------------
# The decision


def decide(
    applicants: Iterable[Applicant],
    reviews: Iterable[Review],
    config: TrackConfig,
    *,
    include: Iterable[str] = (),
    exclude: Iterable[str] = (),
    solver: SolverName = "highs",
    explain: bool = True,
) -> Decision:
    """Pick the optimal cohort and explain it; ``explain=False`` skips margins,
    replacements and rule prices (the cohort is the same)."""
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    start = clock

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name] = round(now - clock, 4)
        clock = now

    if solver not in ("highs", "cbc"):
        raise InputError("solver_unknown", f"unknown solver {solver!r}; use highs or cbc")
    people: dict[str, Applicant] = {}
    for a in applicants:
        if a.applicant_id in people:
            raise InputError("applicant_duplicate", f"applicant {a.applicant_id} appears twice")
        people[a.applicant_id] = a
    people = dict(sorted(people.items()))
    include_l, exclude_l = _locks(include, exclude, people)
    reviews = list(reviews)
    table = aggregate(reviews, config)
    warn = [str(p) for p in table.problems]
    strangers = sorted({r.applicant_id for r in reviews} - people.keys())
    if strangers:
        warn.append(
            f"{len(strangers)} reviewed applicant id(s) are not among the applications and are "
            f"ignored: {', '.join(strangers[:10])}{' …' if len(strangers) > 10 else ''}"
        )
    lap("aggregate")

    seed = config.selection.tie_break_seed
    floor = config.selection.min_score
    fields = sorted({d.field for d in config.diversity})
    scores = {a: s for a, s in table.scores.items() if a in people}
    ineligible: dict[str, str] = {}
    unscored: dict[str, str] = {}
    cands: list[_Cand] = []
    for aid, person in people.items():
        reason = ineligibility_reason(person, config)
        if aid not in scores:
            unscored[aid] = table.unscored_reason(aid) or "no reviews"
            reason = reason or f"not scored: {unscored[aid]}"
        if reason:
            ineligible[aid] = reason
            continue
        below = floor is not None and scores[aid] < floor
        if below:
            ineligible[aid] = (
                f"aggregate score {scores[aid]:g} is below the quality floor {floor:g}"
            )
        keys = {f: group_key(person.value(f)) for f in fields}
        cands.append(_Cand(aid, round(scores[aid] * UNITS), person.pgy == 1, below, keys))
    lap("eligibility")

    blocked = {a: ineligible[a] for a in include_l if a in ineligible}
    include_ok = [a for a in include_l if a not in blocked]
    order = _priority(cands, seed)
    model = _build(_pool(order, config, include_ok, exclude_l), config, include_ok, exclude_l)
    engine = _Solver(model, solver)
    lap("build")
    best = None if blocked else engine.solve()
    lap("optimum")
    status: Literal["optimal", "infeasible"] = "infeasible" if best is None else "optimal"
    selected: list[str] = []
    margins: dict[str, float | None] = {}
    replacements: dict[str, str | None] = {}
    prices: dict[str, float | None] = {}
    diagnosis: list[str] = []
    relaxations: list[dict[str, Any]] = []
    if best is None:
        diagnosis, relaxations = _diagnose(
            cands, config, include_l, exclude_l, blocked, people, solver
        )
        lap("diagnosis")
        reasons = {
            a: f"not selected: {ineligible.get(a, 'no cohort satisfies the rules')}" for a in people
        }
    else:
        ub_in, ub_out = engine.lp_bounds()
        lap("lp_bounds")
        opt = best.value
        pool_order = [c for c in order if c.id in model.x]
        chosen = _tie_break(engine, pool_order, best, ub_in, config, exclude_l)
        selected = sorted(chosen.chosen, key=lambda a: (-model.cands[a].units, a))
        lap("tie_break")
        if explain:
            cohort = [model.cands[a] for a in selected]
            swaps = _Swaps(cohort, config, include_l, exclude_l)
            replacements = _replacements(cohort, order, swaps)
            lap("replacements")
            margins = _margins(
                engine,
                model,
                order,
                cohort,
                swaps,
                replacements,
                opt,
                ub_in,
                ub_out,
                include_l,
                exclude_l,
            )
            lap("margins")
            prices = _prices(model, order, opt, include_ok, exclude_l, solver)
            lap("rule_prices")
        reasons = _reasons(
            people, selected, ineligible, margins, replacements, include_l, exclude_l, explain
        )
    timings["total"] = round(time.perf_counter() - start, 4)
    timings["solves"] = engine.solves + len(prices) + bool(relaxations)
    return Decision(
        status=status,
        selected=selected,
        total_score=None if best is None else round(best.value / UNITS, 4),
        scores=scores,
        ineligible=ineligible,
        unscored=unscored,
        replacements=replacements,
        margins=margins,
        rule_prices=prices,
        unconstrained=_unconstrained(cands, config, seed),
        tie_break=TIE_BREAK_RULE.format(decimals=SCORE_DECIMALS, seed=seed),
        tie_break_seed=seed,
        diagnosis=diagnosis,
        relaxations=relaxations,
        reasons=reasons,
        warnings=warn,
        include=include_l,
        exclude=exclude_l,
        solver={"name": solver, "version": engine.version()},
        timings=timings,
        applicants=people,
        config=config,
    )


def _prices(
    model: _Model,
    order: Sequence[_Cand],
    opt: int,
    include: Sequence[str],
    exclude: Sequence[str],
    solver: SolverName,
) -> dict[str, float | None]:
    """For each rule, the total score it costs: the optimum without it minus the optimum.

    Each price has its own model, because dropping a rule can widen the pool (see
    :func:`_pool`)."""
    prices: dict[str, float | None] = {}
    config = model.config
    for rule in model.rules:
        if rule.kind in ("min_size", "max_size"):
            continue
        wider = _build(_pool(order, config, include, exclude, rule), config, include, exclude)
        same = [r for r in wider.rules if r.label == rule.label]
        alt = _Solver(wider, solver).solve(relax=same)
        prices[rule.label] = None if alt is None else round((alt.value - opt) / UNITS, 4)
    return prices


def _class_key(c: _Cand) -> tuple[Any, ...]:
    """Applicants with the same key are interchangeable under every rule."""
    return (tuple(sorted(c.keys.items())), c.pgy1)


def _class_cap(c: _Cand, config: TrackConfig, relaxed: _Rule | None) -> int | None:
    """The most members of c's class a cohort can hold under the rules not relaxed."""
    caps = []
    hi = config.cohort.bounds[1]
    if hi is not None:
        caps.append(hi)
    for index, d in enumerate(config.diversity):
        off = relaxed is not None and relaxed.kind == "max_per_value" and relaxed.index == index
        if d.max_per_value is not None and c.keys.get(d.field) is not None and not off:
            caps.append(d.max_per_value)
    cap = config.eligibility.max_pgy1
    if c.pgy1 and cap is not None and not (relaxed is not None and relaxed.kind == "max_pgy1"):
        caps.append(cap)
    return min(caps) if caps else None


def _pool(
    order: Sequence[_Cand],
    config: TrackConfig,
    include: Sequence[str],
    exclude: Sequence[str],
    relaxed: _Rule | None = None,
) -> list[_Cand]:
    """The applicants the model needs, in id order.

    Interchangeable applicants (same rule fields, same PGY1 flag, no lock) can be swapped
    without breaking a rule, so an optimal cohort — and the documented tie-break's choice —
    takes a class's members in priority order. A class can hold at most ``cap`` members, so
    its first ``cap + 1`` (one spare, for the cohort with a member excluded) are all the model
    needs; the others' margins follow from their class (see :class:`_Classes`). Below-floor
    applicants are left out unless the floor is the relaxed rule.
    """
    locked = set(include) | set(exclude)
    if relaxed is not None and relaxed.kind in ("include", "exclude"):
        locked.discard(relaxed.value or "")
    floor_on = relaxed is None or relaxed.kind != "min_score"
    taken: Counter[tuple[Any, ...]] = Counter()
    kept = []
    for c in order:
        if c.id in locked:
            kept.append(c)
            continue
        if c.below_floor and floor_on:
            continue
        key = _class_key(c)
        cap = _class_cap(c, config, relaxed)
        if cap is None or taken[key] <= cap:
            kept.append(c)
            taken[key] += 1
    return sorted(kept, key=lambda c: c.id)


def _locks(
    include: Iterable[str], exclude: Iterable[str], people: Mapping[str, Applicant]
) -> tuple[list[str], list[str]]:
    """The chair's locks, checked: known applicants, none both included and excluded."""
    inc, exc = sorted(set(include)), sorted(set(exclude))
    unknown = [a for a in inc + exc if a not in people]
    if unknown:
        raise InputError(
            "lock_unknown", f"locked applicant(s) not among the applications: {', '.join(unknown)}"
        )
    both = sorted(set(inc) & set(exc))
    if both:
        raise InputError(
            "lock_conflict", f"applicant(s) both included and excluded: {', '.join(both)}"
        )
    return inc, exc


def _tie_break(
    engine: _Solver,
    order: list[_Cand],
    best: _Outcome,
    ub_in: Mapping[str, int],
    config: TrackConfig,
    exclude: Sequence[str],
) -> _Outcome:
    """The lexicographically first optimal cohort in the priority order (see TIE_BREAK_RULE)."""
    opt = best.value
    hi = config.cohort.bounds[1]
    witness = best
    fixed: dict[str, int] = {}
    for c in order:
        if hi is not None and sum(fixed.values()) == hi:
            break
        if c.id in witness.chosen:
            fixed[c.id] = 1
            continue
        if c.below_floor or c.id in exclude or ub_in[c.id] < opt:  # provably in no optimal cohort
            fixed[c.id] = 0
            continue
        alt = engine.solve({**fixed, c.id: 1})
        if alt is not None and alt.value == opt:
            witness = alt
            fixed[c.id] = 1
        else:
            fixed[c.id] = 0
    return witness


def _replacements(cohort: list[_Cand], order: list[_Cand], swaps: _Swaps) -> dict[str, str | None]:
    """For each member, the first applicant in priority order (the best-scored) who can take
    the seat with everyone else kept; None when nobody can."""
    members = {c.id for c in cohort}
    out: dict[str, str | None] = {}
    for m in sorted(cohort, key=lambda c: c.id):
        out[m.id] = next((c.id for c in order if c.id not in members and swaps.ok(m, c)), None)
    return out


def _margins(
    engine: _Solver,
    model: _Model,
    order: Sequence[_Cand],
    cohort: list[_Cand],
    swaps: _Swaps,
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
    exact value comes from the applicant's class (see :class:`_Classes`).
    """
    members = {c.id for c in cohort}
    by_units = sorted(cohort, key=lambda c: (c.units, c.id))
    classes = _Classes(engine, model, order, members, opt, include, exclude)
    by_id = {c.id: c for c in order}
    values: dict[str, int | None] = {}
    spare: dict[tuple[Any, ...], _Cand] = {}  # each class's last applicant in the model
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
    c: _Cand,
    members: set[str],
    swaps: _Swaps,
    replacements: Mapping[str, str | None],
    by_id: Mapping[str, _Cand],
    by_units: Sequence[_Cand],
    opt: int,
    ub_in: Mapping[str, int],
    ub_out: Mapping[str, int],
    classes: _Classes,
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


class _Classes:
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
        engine: _Solver,
        model: _Model,
        order: Sequence[_Cand],
        members: set[str],
        opt: int,
        include: Sequence[str],
        exclude: Sequence[str],
    ) -> None:
        self.engine, self.model, self.members, self.opt = engine, model, members, opt
        self.locked = set(include) | set(exclude)
        self.groups: dict[tuple[Any, ...], list[_Cand]] = defaultdict(list)
        for c in order:
            if not c.below_floor:
                self.groups[self.key(c)].append(c)
        self.values: dict[tuple[tuple[Any, ...], int], int | None] = {}
        config = model.config
        self.hi = config.cohort.bounds[1]
        self.caps = {d.field: d.max_per_value for d in config.diversity}
        self.max_pgy1 = config.eligibility.max_pgy1

    def key(self, c: _Cand) -> tuple[Any, ...]:
        if c.id in self.locked:
            return ("locked", c.id)
        return _class_key(c)

    def cap(self, k: tuple[Any, ...]) -> int:
        """The most members of a class any cohort can hold."""
        group = self.groups[k]
        cap = _class_cap(group[0], self.model.config, None)
        return len(group) if cap is None else min(cap, len(group))

    def value(self, k: tuple[Any, ...], n: int) -> int | None:
        """V(K, n): the optimum with exactly n members of class K."""
        if (k, n) not in self.values:
            group = self.groups[k]
            ids = [c.id for c in group if c.id in self.model.x]
            if sum(c.id in self.members for c in group) == n:
                self.values[k, n] = self.opt
            elif n > len(ids):
                self.values[k, n] = None
            else:
                alt = self.engine.solve(count=(ids, n))
                self.values[k, n] = None if alt is None else alt.value
        return self.values[k, n]

    def alternative(self, c: _Cand) -> int | None:
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


def _unconstrained(cands: Sequence[_Cand], config: TrackConfig, seed: str) -> dict[str, Any]:
    """The top-N by score alone (no diversity rules, PGY1 cap, floor or locks), to compare."""
    lo, hi = config.cohort.bounds
    order = _priority(cands, seed)
    n = hi if hi is not None else max(lo, sum(c.units >= 0 for c in order))
    top = order[:n]
    return {
        "selected": sorted(c.id for c in top),
        "total_score": round(sum(c.units for c in top) / UNITS, 4),
    }


def _reasons(
    people: Mapping[str, Applicant],
    selected: Sequence[str],
    ineligible: Mapping[str, str],
    margins: Mapping[str, float | None],
    replacements: Mapping[str, str | None],
    include: Sequence[str],
    exclude: Sequence[str],
    explained: bool,
) -> dict[str, str]:
    """One sentence per applicant on why it is in or out."""
    chosen = set(selected)
    out: dict[str, str] = {}
    for a in people:
        m = margins.get(a)
        if a in include:
            out[a] = "selected: locked in by the chair"
        elif a in exclude:
            out[a] = "not selected: locked out by the chair"
        elif a in ineligible:
            out[a] = f"not selected: {ineligible[a]}"
        elif a in chosen:
            text = "selected: part of the highest-scoring cohort that keeps every rule"
            if m is not None and m > 0:
                text += f"; it would keep its place unless its score fell by {m:g} or more"
            elif m == 0:
                text += "; another optimal cohort without it exists (chosen by the tie-break)"
            if explained and replacements.get(a):
                text += f"; if it declines, {replacements[a]} takes the seat"
            out[a] = text
        elif not explained:
            out[a] = "not selected"
        elif m is None:
            out[a] = "not selected: no cohort that includes it keeps every rule"
        elif m == 0:
            out[a] = (
                "not selected: tied with the cohort on score; the documented tie-break chose others"
            )
        else:
            out[a] = f"not selected: its score would need to rise by more than {m:g} to get in"
    return out


# --------------------------------------------------------------------------------------------
# Diagnosis


def _diagnose(
    cands: Sequence[_Cand],
    config: TrackConfig,
    include: Sequence[str],
    exclude: Sequence[str],
    blocked: Mapping[str, str],
    people: Mapping[str, Applicant],
    solver: SolverName,
) -> tuple[list[str], list[dict[str, Any]]]:
    """Plain-language reasons, then the smallest relaxation that lets a cohort fit."""
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
    changes: list[dict[str, Any]] = [
        {"rule": "include", "value": a, "from": "locked in", "to": "free"} for a in must_go
    ]
    slack_model = _build(
        cands, config, [a for a in include if a not in must_go], exclude, slack=True
    )
    engine = _Solver(slack_model, solver)
    relaxed = engine.solve()
    if relaxed is None:  # cannot happen: every rule can be relaxed to nothing
        raise SelectorError("solver_failed", "the relaxation model has no solution")
    for rule in slack_model.rules:
        s = round(rule.slack.varValue or 0) if rule.slack is not None else 0
        if s <= 0:
            continue
        change: dict[str, Any] = {
            "rule": rule.kind,
            "field": rule.field_name,
            "value": rule.value,
            "index": rule.index,
        }
        if rule.kind in ("min_size", "min_distinct", "min_per_value"):
            change.update({"from": int(rule.bound), "to": int(rule.bound) - s})
        elif rule.kind in ("max_size", "max_pgy1", "max_per_value"):
            change.update({"from": int(rule.bound), "to": int(rule.bound) + s})
        if rule.kind in ("min_size", "max_size") and config.cohort.size is not None:
            change["rule"] = "size"
        if rule.kind == "min_score":
            lowest = min(
                slack_model.cands[a].units
                for a in relaxed.chosen
                if slack_model.cands[a].below_floor
            )
            change.update({"from": rule.bound, "to": lowest / UNITS})
        elif rule.kind in ("include", "exclude"):
            change.update({"from": "locked", "to": "free"})
        changes.append(change)
    for change in changes:
        change["text"] = relaxation_text(change)
    if not diagnosis:
        diagnosis.append("no single rule is impossible on its own; the rules clash in combination")
    if changes:
        diagnosis.append(
            "smallest relaxation that lets a cohort fit: " + "; ".join(c["text"] for c in changes)
        )
    return diagnosis, changes


def apply_relaxations(
    config: TrackConfig,
    include: Sequence[str],
    exclude: Sequence[str],
    relaxations: Iterable[Mapping[str, Any]],
) -> tuple[TrackConfig, list[str], list[str]]:
    """The config and locks with a diagnosis's relaxations applied (to re-run or to test)."""
    data = config.model_dump()
    inc, exc = list(include), list(exclude)
    for ch in relaxations:
        kind, new = ch["rule"], ch["to"]
        if kind == "include":
            inc.remove(ch["value"])
        elif kind == "exclude":
            exc.remove(ch["value"])
        elif kind == "size":
            data["cohort"] = (
                {"size": new} if new >= 1 else {"min_size": 0, "max_size": data["cohort"]["size"]}
            )
        elif kind in ("min_size", "max_size"):
            data["cohort"][kind] = new
        elif kind == "max_pgy1":
            data["eligibility"]["max_pgy1"] = new
        elif kind == "min_score":
            data["selection"]["min_score"] = new
        else:
            rule = data["diversity"][ch["index"]]
            if kind == "min_per_value":
                rule["min_per_value"][ch["value"]] = new
            else:
                rule[kind] = new if new >= 1 else None
    for rule in data["diversity"]:
        rule["min_per_value"] = {v: n for v, n in rule["min_per_value"].items() if n > 0}
    data["diversity"] = [
        r
        for r in data["diversity"]
        if r["max_per_value"] is not None or r["min_distinct"] is not None or r["min_per_value"]
    ]
    return TrackConfig.model_validate(data), inc, exc
