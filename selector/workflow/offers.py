"""Offers after the decision: one per member of the final run, the answers, and the plan that
fills declined seats under every rule.

The plan decides again on the final run's own inputs (the applicants and reviews it kept),
with its config, the accepted members and the open offers locked in, and everyone who
declined or withdrew locked out. With one decline it is the recorded replacement; with
several, the new optimum. A fill records the plan as a run (linked to the final run by
``fills_run``), so ``selector runs verify`` replays it, and makes the offers it needs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from selector.auth import User
    from selector.config import TrackConfig
    from selector.models import Applicant, Review
    from selector.selection import Decision
    from selector.store import Offer, Run, Store
    from selector.store.offers import OfferStatus


def final_run(store: Store, actor: User, cycle: str | None) -> Run:
    """The cycle's final run in force; refused when none is final."""
    from selector.errors import InputError

    run = next((r for r in store.runs(actor, cycle) if r.final), None)
    if run is None:
        name = store.cycle(cycle).name
        raise InputError(
            "run_not_final",
            f"no selection run of cycle {name} is final: finalise one first "
            "(`selector select --final` or the Roster page)",
        )
    return run


def create_offers(
    store: Store, actor: User, cycle: str | None, deadline: dt.date | None = None
) -> list[Offer]:
    """An offer per member of the cycle's final run, with the response ``deadline``; refused
    when the cycle already has offers or the final run found no cohort."""
    from selector.errors import InputError

    run = final_run(store, actor, cycle)
    if store.offers(actor, run.cycle):
        raise InputError(
            "offers_exist", f"cycle {run.cycle} already has offers: record answers or fill"
        )
    members = list(run.decision.get("selected") or [])
    if run.decision.get("status") != "optimal" or not members:
        raise InputError("run_without_cohort", f"final run {run.id} has no cohort to offer")
    return store.make_offers(actor, run.cycle, run.id, members, deadline=deadline)


def record_answer(
    store: Store,
    actor: User,
    cycle: str | None,
    applicant_id: str,
    status: OfferStatus,
    *,
    no_answer: bool = False,
    today: dt.date | None = None,
) -> Offer:
    """Record one applicant's answer (``no_answer``: declined by silence past the deadline)."""
    return store.record_answer(actor, cycle, applicant_id, status, no_answer=no_answer, today=today)


def list_offers(store: Store, actor: User, cycle: str | None) -> list[Offer]:
    """The cycle's offers, in the order they were made."""
    return store.offers(actor, cycle)


@dataclass(frozen=True)
class Seat:
    """One newcomer of a plan: who takes whose seat (None: a seat the rules add), and the
    labels of the rules the swap touches, all still met."""

    applicant_id: str
    replaces: str | None
    rules: tuple[str, ...]


@dataclass
class Plan:
    """What filling the declined seats takes: the decision with the locks, the newcomers and
    whose seats they take, the seats left empty, and the words that say it."""

    cycle: str
    run_id: int
    decision: Decision
    locked_in: list[str]
    locked_out: list[str]
    seats: list[Seat] = field(default_factory=list)
    empty: list[str] = field(default_factory=list)
    inputs: tuple[list[Applicant], list[Review]] | None = None
    config_text: str = ""
    input_hash: str = ""

    @property
    def feasible(self) -> bool:
        return self.decision.status == "optimal"

    def lines(self) -> list[str]:
        """The plan in words, one line per seat ("A017 takes A004's seat; still met: ...")."""
        d = self.decision
        if not self.feasible:
            return [
                f"the cohort cannot be filled under the rules of final run {self.run_id}:",
                *(f"  - {line}" for line in d.diagnosis),
            ]
        out = []
        for seat in self.seats:
            met = f"still met: {', '.join(seat.rules)}" if seat.rules else "every rule still met"
            if seat.replaces is None:
                out.append(f"{d.shown(seat.applicant_id)} takes a new seat; {met}")
            else:
                out.append(
                    f"{d.shown(seat.applicant_id)} takes {d.shown(seat.replaces)}'s seat; {met}"
                )
        out += [f"{d.shown(a)}'s seat stays empty; every rule still met" for a in self.empty]
        if not out:
            out.append("nothing to fill: every seat is accepted or offered")
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "cycle": self.cycle,
            "run": self.run_id,
            "status": self.decision.status,
            "cohort": self.decision.selected,
            "seats": [
                {"applicant_id": s.applicant_id, "replaces": s.replaces, "rules": list(s.rules)}
                for s in self.seats
            ],
            "empty": self.empty,
            "diagnosis": self.decision.diagnosis,
            "text": self.lines(),
        }


def _base_run(store: Store, actor: User, cycle: str, offers: Sequence[Offer]) -> Run:
    """The run the first offers were made from (the final run of the round)."""
    from selector.workflow.runs import find_run

    first = next((o for o in offers if o.replaces is None), None)
    if first is None:
        return final_run(store, actor, cycle)
    return find_run(store, actor, cycle, first.run_id)


def _inputs(store: Store, actor: User, run: Run) -> tuple[list[Applicant], list[Review]]:
    """The applicants and reviews the run was decided on (those it kept; today's when it kept
    none and they still hash the same)."""
    from selector.errors import InputError
    from selector.store import input_hash, inputs_from_json

    if run.inputs is not None:
        return inputs_from_json(run.inputs)
    applicants, reviews = store.selection_inputs(actor, run.cycle)
    if input_hash(applicants, reviews, run.config_text) != run.input_hash:
        raise InputError(
            "run_not_replayable",
            f"run {run.id} kept no inputs and the data changed since: it cannot be decided again",
        )
    return applicants, reviews


def _touched(d: Decision, new: str, old: str | None) -> tuple[str, ...]:
    """The labels of the rules a swap of ``old`` for ``new`` touches: each diversity rule on
    a field where the two differ, and the PGY1 cap when one is PGY1 and the other not."""
    people = d.applicants
    config = d.config
    if old is None or old not in people:
        return ()
    a, b = people[new], people[old]
    changed = {
        rule.field
        for rule in config.diversity
        if str(a.value(rule.field) or "").strip().casefold()
        != str(b.value(rule.field) or "").strip().casefold()
    }
    out = []
    for rule in d.rules:
        kind, _, rest = rule.id.partition(":")
        if (
            kind in ("max_per_value", "min_distinct", "min_per_value")
            and rest.split(":")[0].split("#")[0] in changed
        ) or (kind == "max_pgy1" and (a.pgy == 1) != (b.pgy == 1)):
            out.append(rule.label)
    return tuple(out)


def _pair(d: Decision, newcomers: list[str], vacated: list[str]) -> list[tuple[str, str | None]]:
    """Newcomers matched to vacated seats, most alike first (the rules' fields and PGY1 the
    same), ties to the higher-scored newcomer and the earlier seat; newcomers left over take
    new seats (a cohort size range can grow)."""
    fields = [r.field for r in d.config.diversity]
    people = d.applicants

    def alike(x: str, y: str) -> int:
        if y not in people:
            return -1
        a, b = people[x], people[y]
        same = sum(
            str(a.value(f) or "").strip().casefold() == str(b.value(f) or "").strip().casefold()
            for f in fields
        )
        return same + ((a.pgy == 1) == (b.pgy == 1))

    ranked = sorted(newcomers, key=lambda a: (-d.scores.get(a, 0.0), a))
    options = sorted(
        ((new, old) for new in ranked for old in vacated),
        key=lambda p: (-alike(*p), ranked.index(p[0]), vacated.index(p[1])),
    )
    seat: dict[str, str | None] = {}
    for new, old in options:
        if new not in seat and old not in seat.values():
            seat[new] = old
    return [(new, seat.get(new)) for new in ranked]


def offer_plan(store: Store, actor: User, cycle: str | None) -> Plan:
    """Decide again with the accepted and open offers locked in and the decliners (and the
    withdrawn) locked out, on the final run's inputs and config: the newcomers and whose
    seats they take. An infeasible plan carries the diagnosis."""
    from selector.auth import Action
    from selector.config import loads_config
    from selector.errors import InputError

    actor.require(Action.MAKE_OFFERS)
    name = store.cycle(cycle).name
    offers = store.offers(actor, name)
    if not offers:
        raise InputError(
            "offers_missing", f"cycle {name} has no offers yet: run `selector offers create`"
        )
    run = _base_run(store, actor, name, offers)
    applicants, reviews = _inputs(store, actor, run)
    plan = plan_seats(
        applicants,
        reviews,
        loads_config(run.config_text, f"run {run.id}"),
        offers,
        exclude=run.decision.get("exclude") or [],
        cycle=name,
        run_id=run.id,
    )
    plan.config_text, plan.input_hash = run.config_text, run.input_hash
    return plan


def plan_seats(
    applicants: Sequence[Applicant],
    reviews: Sequence[Review],
    config: TrackConfig,
    offers: Sequence[Offer],
    *,
    exclude: Sequence[str] = (),
    cycle: str = "",
    run_id: int = 0,
) -> Plan:
    """The plan on plain data: decide with the open and accepted offers locked in, the
    declined and withdrawn ones (and the final run's own ``exclude``) locked out; pair the
    newcomers with the seats no offer fills yet (:func:`_pair`)."""
    from selector.selection import decide

    live = sorted(o.applicant_id for o in offers if o.live)
    out = sorted({o.applicant_id for o in offers if not o.live} | set(exclude))
    decision = decide(applicants, reviews, config, include=live, exclude=out, explain=False)
    plan = Plan(cycle, run_id, decision, live, out, inputs=(list(applicants), list(reviews)))
    if not plan.feasible:
        return plan
    filled = {o.replaces for o in offers if o.replaces is not None}
    vacated = [o.applicant_id for o in offers if not o.live and o.applicant_id not in filled]
    newcomers = [a for a in decision.selected if a not in set(live)]
    pairs = _pair(decision, newcomers, vacated)
    plan.seats = [Seat(new, old, _touched(decision, new, old)) for new, old in pairs]
    taken = {old for _, old in pairs}
    plan.empty = [a for a in vacated if a not in taken]
    return plan


@dataclass
class Fill:
    """A fill: its plan, the run it was recorded as (None when nothing was filled or it was a
    dry run) and the offers made."""

    plan: Plan
    run_id: int | None
    offers: list[Offer]


def fill_offers(
    store: Store,
    actor: User,
    cycle: str | None,
    *,
    deadline: dt.date | None = None,
    dry_run: bool = False,
) -> Fill:
    """Make the offers the plan needs (:func:`offer_plan`), after recording the plan as a run
    (its decision JSON says ``fills_run``: the final run it fills) so it replays. Nothing is
    made on a dry run, when there is nothing to fill, or when the plan is infeasible (the
    caller shows the diagnosis)."""
    plan = offer_plan(store, actor, cycle)
    if dry_run or not plan.feasible or not plan.seats:
        return Fill(plan, None, [])
    recorded = {**plan.decision.to_json(), "fills_run": plan.run_id}
    run_id = store.record_run(
        actor,
        plan.cycle,
        config_text=plan.config_text,
        decision=recorded,
        inputs=plan.inputs,
        input_hash=plan.input_hash,
    )
    made = store.make_offers(
        actor,
        plan.cycle,
        run_id,
        [s.applicant_id for s in plan.seats],
        deadline=deadline,
        replaces={s.applicant_id: s.replaces for s in plan.seats},
    )
    return Fill(plan, run_id, made)


def offer_statuses(store: Store, actor: User, cycle: str | None) -> dict[str, str]:
    """Each offered applicant's status ("declined (no answer)" for a silent decline), for the
    roster and the Roster page; empty when the cycle has no offers."""
    return {
        o.applicant_id: f"{o.status} (no answer)" if o.no_answer else o.status
        for o in store.offers(actor, cycle)
    }
