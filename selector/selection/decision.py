"""The decision: the optimal cohort for a track's rules, chosen by a documented tie-break.

:func:`decide` runs the stages in order: aggregate scores, eligibility, the candidates and the
reduced pool (:mod:`~selector.selection.model`), the optimum (:mod:`~selector.selection.solve`),
the tie-break (:data:`TIE_BREAK_RULE`), then the explanations
(:mod:`~selector.selection.explain`) or, when no cohort fits, the diagnosis
(:mod:`~selector.selection.diagnose`). The result is a :class:`Decision`.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from selector.config import TrackConfig, columns_of
from selector.eligibility import ineligibility_reason, ineligibility_rule
from selector.errors import InputError
from selector.models import Applicant, Review
from selector.scoring import SCORE_DECIMALS, ScoreTable, aggregate
from selector.selection import explain as explanations
from selector.selection.diagnose import Relaxation, diagnose
from selector.selection.model import (
    UNITS,
    Candidate,
    build_model,
    group_key,
    priority,
    reduce_pool,
)
from selector.selection.reasons import Reason, Reasons, RuleInfo, every_reason, who
from selector.selection.solve import Outcome, Solver, SolverName

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

    For people: ``rule_prices`` is keyed by each rule's label, ``reasons`` holds each
    applicant's sentence, ``why`` its :class:`Reason` (status, rule ids, the same sentence)
    and ``rules`` every rule as a :class:`RuleInfo` (id, label, price, binding).
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
    relaxations: list[Relaxation]
    reasons: dict[str, str]
    why: dict[str, Reason]
    rules: list[RuleInfo]
    warnings: list[str]
    include: list[str]
    exclude: list[str]
    solver: dict[str, str]
    timings: dict[str, float]
    applicants: dict[str, Applicant] = field(repr=False, compare=False)
    config: TrackConfig = field(repr=False, compare=False)
    #: The normalised e-mails of the track's current trainees it was decided with (kept with
    #: a recorded run's inputs, so the run replays).
    trainees: frozenset[str] = field(default=frozenset(), repr=False, compare=False)

    def shown(self, applicant_id: str) -> str:
        """An applicant as tables and texts show it: the id with the name beside it (the
        pseudonym alone when the decision was made on pseudonymised applicants)."""
        return who(applicant_id, self.applicants)

    def rule_label(self, rule_id: str) -> str:
        """A rule's label by its id (``max_per_value:specialty`` → "at most 2 per specialty")."""
        return next((r.label for r in self.rules if r.id == rule_id), rule_id)

    def reason(self, applicant_id: str) -> Reason:
        """An applicant's reason, kept true to ``selected`` and ``reasons`` when a decision is
        copied with a different cohort (``dataclasses.replace``, as a lottery does): the
        sentence is ``reasons[id]``, and a status that no longer fits the cohort is corrected
        (its rules then dropped)."""
        why = self.why[applicant_id]
        text = self.reasons.get(applicant_id, why.text)
        inside = applicant_id in self.selected
        if inside == (why.status == "selected"):
            return why if text == why.text else Reason(why.status, why.rules, text)
        return Reason("selected" if inside else "not_selected", (), text)

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
            "relaxations": [r.to_json() for r in self.relaxations],
            "rules": [r.to_json() for r in self.rules],
            "reasons": {a: self.reason(a).to_json() for a in self.why},
            "warnings": self.warnings,
            "include": self.include,
            "exclude": self.exclude,
            "solver": self.solver,
            "timings": self.timings,
        }


def decide(
    applicants: Iterable[Applicant],
    reviews: Iterable[Review],
    config: TrackConfig,
    *,
    include: Iterable[str] = (),
    exclude: Iterable[str] = (),
    solver: SolverName = "highs",
    explain: bool = True,
    table: ScoreTable | None = None,
    trainees: Collection[str] = (),
) -> Decision:
    """Pick the optimal cohort and explain it; ``explain=False`` skips margins,
    replacements and rule prices (the cohort is the same). ``table`` is the aggregate scores
    when the caller made them otherwise than from ``reviews`` (the combined score of a staged
    cycle: :func:`selector.stages.combined_scores`). ``trainees``: the normalised e-mails of
    the track's current trainees, kept out when the config says ``exclude_current_trainees``."""
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
    trainees = frozenset(trainees)
    people: dict[str, Applicant] = {}
    for a in applicants:
        if a.applicant_id in people:
            raise InputError("applicant_duplicate", f"applicant {a.applicant_id} appears twice")
        people[a.applicant_id] = a
    people = dict(sorted(people.items()))
    config.require_known_fields(columns_of(people.values()))
    include_l, exclude_l = _locks(include, exclude, people)
    reviews = list(reviews)
    table = aggregate(reviews, config) if table is None else table
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
    ineligible_rules: dict[str, str] = {}
    unscored: dict[str, str] = {}
    cands: list[Candidate] = []
    for aid, person in people.items():
        reason = ineligibility_reason(person, config, trainees)
        if reason is not None:
            ineligible_rules[aid] = ineligibility_rule(person, config, trainees) or "min_pgy"
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
        cands.append(Candidate(aid, round(scores[aid] * UNITS), person.pgy == 1, below, keys))
    lap("eligibility")

    blocked = {a: ineligible[a] for a in include_l if a in ineligible}
    include_ok = [a for a in include_l if a not in blocked]
    order = priority(cands, seed)
    model = build_model(
        reduce_pool(order, config, include_ok, exclude_l), config, include_ok, exclude_l
    )
    engine = Solver(model, solver)
    lap("build")
    best = None if blocked else engine.solve()
    lap("optimum")
    status: Literal["optimal", "infeasible"] = "infeasible" if best is None else "optimal"
    selected: list[str] = []
    margins: dict[str, float | None] = {}
    replacements: dict[str, str | None] = {}
    prices: dict[str, int | None] = {}
    labels = config.rule_labels()
    diagnosis: list[str] = []
    relaxations: list[Relaxation] = []
    if best is None:
        diagnosis, relaxations = diagnose(
            cands, config, include_l, exclude_l, blocked, people, solver
        )
        lap("diagnosis")
        why = every_reason(
            None,
            people,
            {c.id: c for c in cands},
            [],
            ineligible,
            ineligible_rules,
            unscored,
            {},
            {},
            labels,
            exclude_l,
            explain,
        )
    else:
        ub_in, ub_out = engine.lp_bounds()
        lap("lp_bounds")
        opt = best.value
        pool_order = [c for c in order if c.id in model.x]
        chosen = tie_break(engine, pool_order, best, ub_in, config, exclude_l)
        selected = sorted(chosen.chosen, key=lambda a: (-model.cands[a].units, a))
        lap("tie_break")
        cohort = [model.cands[a] for a in selected]
        swaps = explanations.Swaps(cohort, config, include_l, exclude_l)
        if explain:
            replacements = explanations.replacements(cohort, order, swaps)
            lap("replacements")
            margins = explanations.margins(
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
            prices = explanations.rule_prices(model, order, opt, include_ok, exclude_l, solver)
            lap("rule_prices")
        builder = Reasons(people, scores, config, cohort, order, swaps, include_l, exclude_l)
        why = every_reason(
            builder,
            people,
            {c.id: c for c in cands},
            selected,
            ineligible,
            ineligible_rules,
            unscored,
            margins,
            replacements,
            labels,
            exclude_l,
            explain,
        )
        lap("reasons")
    priced = best is not None and explain
    rules = rule_infos(
        config,
        labels,
        prices,
        best is not None,
        priced,
        selected,
        cands,
        ineligible_rules,
        relaxations,
        include_l,
        exclude_l,
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
        rule_prices={r.label: r.price for r in rules if priced and r.id not in UNPRICED},
        unconstrained=explanations.unconstrained(order, config),
        tie_break=TIE_BREAK_RULE.format(decimals=SCORE_DECIMALS, seed=seed),
        tie_break_seed=seed,
        diagnosis=diagnosis,
        relaxations=relaxations,
        reasons={a: r.text for a, r in why.items()},
        why=why,
        rules=rules,
        warnings=warn,
        include=include_l,
        exclude=exclude_l,
        solver={"name": solver, "version": engine.version()},
        timings=timings,
        applicants=people,
        config=config,
        trainees=trainees,
    )


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


def tie_break(
    engine: Solver,
    order: list[Candidate],
    best: Outcome,
    ub_in: Mapping[str, int],
    config: TrackConfig,
    exclude: Sequence[str],
) -> Outcome:
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


#: The rules without a price: the cohort size, and eligibility (never relaxed).
UNPRICED = ("size", "min_pgy", "pgy1_approval", "current_trainee")


def rule_infos(
    config: TrackConfig,
    labels: Mapping[str, str],
    prices: Mapping[str, int | None],
    feasible: bool,
    priced: bool,
    selected: Sequence[str],
    cands: Sequence[Candidate],
    ineligible_rules: Mapping[str, str],
    relaxations: Sequence[Relaxation],
    include: Sequence[str],
    exclude: Sequence[str],
) -> list[RuleInfo]:
    """Every rule of the decision, in the config's order (the locks last, when there are any):
    its price in points and whether it binds. Eligibility rules and the cohort size have no
    price; eligibility binds when it keeps someone out, the size when the cohort fills its
    upper bound with selectable applicants left over. In an infeasible decision a rule binds
    when the smallest relaxation changes it."""
    relaxed = {r.rule_id for r in relaxations}
    hi = config.cohort.bounds[1]
    out = []
    for rule_id, label in labels.items():
        if (rule_id == "lock_in" and not include) or (rule_id == "lock_out" and not exclude):
            continue
        units = prices.get(rule_id)
        if priced and rule_id not in prices and rule_id not in UNPRICED:
            units = 0  # a rule with no row in the model (a lock on someone never selectable)
        price = None if units is None else round(units / UNITS, 4)
        if not feasible:
            binding = rule_id in relaxed
        elif rule_id in UNPRICED[1:]:
            binding = rule_id in ineligible_rules.values()
        elif rule_id == "size":
            spare = sum(not c.below_floor and c.id not in exclude for c in cands) > len(selected)
            binding = hi is not None and len(selected) == hi and spare
        else:
            binding = units is not None and units > 0
        out.append(RuleInfo(rule_id, label, price, binding))
    return out
