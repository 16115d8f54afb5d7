"""Reasons in the committee's words: for each applicant a status, the rules, and a sentence.

A not-selected applicant's rules are those that stop it from taking the seat of a member it
outscores: every rule that at least one one-for-one swap with a lower-scoring member would
break (a swap with a lower-scoring member that broke nothing would give a better cohort, so
there is always at least one). Each rule is said with its counts ("Internal Medicine already
has 2 of 2 seats: A037 37.83, A036 37.67") and its label. When it outscores no member, its
margin says how far it is; a tie names the tie-break. A member's sentence gives its margin and
who would take its seat, and why that person rather than a higher-scored one.

The swaps are checked without a solver (:class:`~selector.selection.explain.Swaps`), once per
class of interchangeable applicants and number of members they outscore, so reasons cost no
more than a pass over the pool.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from selector.config import TrackConfig, plural
from selector.models import Applicant
from selector.selection.explain import Swaps
from selector.selection.model import UNITS, Candidate, class_key

Status = Literal["selected", "not_selected", "ineligible", "unscored", "below_floor", "locked_out"]

#: Every status a reason can have, in the order of the ``select --json`` contract.
STATUSES: tuple[Status, ...] = (
    "selected",
    "not_selected",
    "ineligible",
    "unscored",
    "below_floor",
    "locked_out",
)


@dataclass(frozen=True)
class Reason:
    """Why one applicant is in or out: its status, the ids of the rules, and a sentence."""

    status: Status
    rules: tuple[str, ...]
    text: str

    def to_json(self) -> dict[str, Any]:
        return {"status": self.status, "rules": list(self.rules), "text": self.text}


@dataclass(frozen=True)
class RuleInfo:
    """One rule of a decision: its stable id, its label, its price in score points (None
    where the rule cannot be dropped or nothing fits without it) and whether it binds (it
    costs score, or, for eligibility, keeps someone out; in an infeasible decision: the
    smallest relaxation changes it)."""

    id: str
    label: str
    price: float | None
    binding: bool

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "label": self.label, "price": self.price, "binding": self.binding}


def who(aid: str, people: Mapping[str, Applicant]) -> str:
    """An applicant as texts name it: the id, with the name beside it when the caller has one
    (in blind review the caller's applicants carry pseudonyms, and so do the texts)."""
    person = people.get(aid)
    name = person.name.strip() if person is not None else ""
    return f"{aid} ({name})" if name and name != f"Applicant {aid}" else aid


def points(x: float) -> str:
    """A score or margin in text: two decimals."""
    return f"{x:.2f}"


class Reasons:
    """Builds every applicant's :class:`Reason` for one decision."""

    def __init__(
        self,
        people: Mapping[str, Applicant],
        scores: Mapping[str, float],
        config: TrackConfig,
        cohort: Sequence[Candidate],
        order: Sequence[Candidate],
        swaps: Swaps | None,
        include: Sequence[str],
        exclude: Sequence[str],
    ) -> None:
        self.people, self.scores, self.config = people, scores, config
        self.labels = config.rule_labels()
        self.places = config.rule_places()
        self.cohort = sorted(cohort, key=lambda c: (c.units, c.id))  # lowest score first
        self.units = [c.units for c in self.cohort]
        self.members = {c.id for c in cohort}
        self.order = order
        self.swaps = swaps
        self.include, self.exclude = set(include), set(exclude)
        self._cache: dict[tuple[str, int], tuple[tuple[str, ...], str]] = {}

    def _list(self, cands: Sequence[Candidate]) -> str:
        ranked = sorted(cands, key=lambda c: (-c.units, c.id))
        return ", ".join(f"{who(c.id, self.people)} {points(c.units / UNITS)}" for c in ranked)

    def _shown(self, c: Candidate, field: str) -> str:
        value = self.people[c.id].value(field)
        return str(value).strip() if value is not None else ""

    def blocking(self, c: Candidate) -> tuple[tuple[str, ...], str]:
        """The rules that some swap of c with a lower-scoring member breaks (ids in rule
        order), and the sentence that says them with their counts ("" when none)."""
        n_lower = bisect.bisect_left(self.units, c.units)
        key = (class_key(c), n_lower)
        if key not in self._cache:
            assert self.swaps is not None
            lower = self.cohort[:n_lower]
            found: dict[str, list[Candidate]] = {}
            for m in lower:
                for rule_id in self.swaps.broken(m, c):
                    found.setdefault(rule_id, []).append(m)
            ids = tuple(r for r in self.labels if r in found)
            said = [self._say(r, c, found[r]) for r in ids]
            head = ""
            if said:
                lowest = self._list(self.cohort[:1])
                whom = (
                    f"the member {lowest}"
                    if n_lower == 1
                    else f"{n_lower} members (the lowest {lowest})"
                )
                head = (
                    f"it outscores {whom}, but taking a seat from "
                    f"{'it' if n_lower == 1 else 'any of them'} breaks a rule: " + "; ".join(said)
                )
            self._cache[key] = ids, head
        return self._cache[key]

    def _say(self, rule_id: str, c: Candidate, swapped: list[Candidate]) -> str:
        """One rule that stops c, with its counts; ``swapped``: the members whose swap with c
        breaks it."""
        label = self.labels[rule_id]
        kind, index, _ = self.places.get(rule_id, (rule_id, None, None))
        field = self.config.diversity[index].field if index is not None else ""
        if kind == "max_pgy1":
            pgy1 = [m for m in self.cohort if m.pgy1]
            cap = self.config.eligibility.max_pgy1
            seats = f"{len(pgy1)} of {cap} PGY1 seats"
            return f"the cohort already has {seats}: {self._list(pgy1)} ({label})"
        if kind == "max_per_value" and index is not None:
            k = c.keys.get(field)
            same = [m for m in self.cohort if m.keys.get(field) == k]
            cap = self.config.diversity[index].max_per_value
            value = self._shown(c, field)
            return f"{value} already has {len(same)} of {cap} seats: {self._list(same)} ({label})"
        if kind == "min_per_value" and index is not None:
            k = swapped[0].keys.get(field)
            same = [m for m in self.cohort if m.keys.get(field) == k]
            value = self._shown(swapped[0], field)
            return (
                f"{value} has only the {len(same)} seat{'s' if len(same) != 1 else ''} the "
                f"rules ask for: {self._list(same)} ({label})"
            )
        if kind == "min_distinct" and index is not None:
            need = self.config.diversity[index].min_distinct
            sole = "; ".join(
                f"{who(m.id, self.people)} {points(m.units / UNITS)} is its only "
                f"{self._shown(m, field)} member"
                for m in sorted(swapped, key=lambda m: (-m.units, m.id))
            )
            kinds = plural(field)
            return f"the cohort has just the {need} {kinds} the rules ask for; {sole} ({label})"
        if kind == "lock_in":
            verb = "is" if len(swapped) == 1 else "are"
            return f"{self._list(swapped)} {verb} {label}"
        return label

    def not_selected(self, c: Candidate, margin: float | None, explained: bool) -> Reason:
        """A selectable applicant outside the cohort."""
        rules, said = self.blocking(c) if self.swaps is not None else ((), "")
        parts = [said] if said else []
        if explained:
            if margin is None:
                parts.append("no cohort that includes it keeps every rule")
            elif margin == 0:
                parts.append(self._tie(c))
            elif not said:
                parts.append(f"every member outscores it; {self._rise(margin)}")
            else:
                parts.append(self._rise(margin))
        elif not said:
            parts.append("every member outscores it")
        return Reason("not_selected", rules, "not selected: " + "; ".join(parts))

    @staticmethod
    def _rise(margin: float) -> str:
        if margin < 0.005:
            return "its score would need to rise by the smallest step (its margin is under 0.01)"
        return f"its score would need to rise by more than {points(margin)} to get in"

    def _tie(self, c: Candidate) -> str:
        seed = self.config.selection.tie_break_seed
        swaps = self.swaps
        tied = [m for m in self.cohort if m.units == c.units and swaps and swaps.ok(m, c)]
        rule = f"the documented tie-break (SHA-256 of seed and id, seed {seed!r})"
        if tied:
            names = ", ".join(who(m.id, self.people) for m in tied)
            return f"tied on score with {self._list(tied)}; {rule} ranked {names} first"
        return f"a cohort with the same total includes it; {rule} chose this one"

    def selected(
        self, c: Candidate, margin: float | None, replacement: str | None, explained: bool
    ) -> Reason:
        """A member: its margin, and who would take its seat and why that person."""
        locked = c.id in self.include
        parts = [
            self.labels["lock_in"]
            if locked
            else "part of the highest-scoring cohort that keeps every rule"
        ]
        if explained and not locked:
            if margin is None:
                parts.append("no cohort without it keeps every rule")
            elif margin == 0:
                parts.append(
                    "a cohort with the same total leaves it out; the documented tie-break "
                    "ranked it first"
                )
            elif margin < 0.005:
                parts.append("it keeps its place unless its score falls at all (margin under 0.01)")
            else:
                parts.append(
                    f"it keeps its place unless its score falls by {points(margin)} or more"
                )
        if explained:
            parts.append(self._replacement(c, replacement))
        return Reason("selected", ("lock_in",) if locked else (), "selected: " + "; ".join(parts))

    def _replacement(self, c: Candidate, replacement: str | None) -> str:
        if replacement is None:
            return "if it declines, nobody outside the cohort can take the seat and keep every rule"
        assert self.swaps is not None
        ahead: list[str] = []
        skipped = 0
        for other in self.order:
            if other.id == replacement:
                break
            if other.id in self.members:
                continue
            skipped += 1
            if len(ahead) < 3:
                broken = ", ".join(self.labels[r] for r in self.swaps.broken(c, other))
                shown = f"{who(other.id, self.people)} {points(other.units / UNITS)}"
                ahead.append(f"{shown} would break {broken}")
        r = who(replacement, self.people)
        text = (
            f"if it declines, {r} {points(self.scores[replacement])} takes the seat: the "
            f"highest-scoring applicant outside the cohort who keeps every rule in its place"
        )
        if ahead:
            more = f"; and {skipped - len(ahead)} more" if skipped > len(ahead) else ""
            text += " (ahead of it, " + "; ".join(ahead) + more + ")"
        return text


def every_reason(
    reasons: Reasons | None,
    people: Mapping[str, Applicant],
    cands: Mapping[str, Candidate],
    selected: Sequence[str],
    ineligible: Mapping[str, str],
    ineligible_rules: Mapping[str, str],
    unscored: Mapping[str, str],
    margins: Mapping[str, float | None],
    replacements: Mapping[str, str | None],
    labels: Mapping[str, str],
    exclude: Sequence[str],
    explained: bool,
) -> dict[str, Reason]:
    """Every applicant's reason; ``reasons`` None: no cohort fits the rules."""
    chosen = set(selected)
    locked_out = set(exclude)
    out: dict[str, Reason] = {}
    for a in people:
        c = cands.get(a)
        if a in locked_out:
            out[a] = Reason("locked_out", ("lock_out",), f"not selected: {labels['lock_out']}")
        elif a in ineligible_rules:
            rule = ineligible_rules[a]
            out[a] = Reason("ineligible", (rule,), f"not selected: {ineligible[a]}")
        elif a in unscored:
            out[a] = Reason("unscored", (), f"not selected: {ineligible[a]}")
        elif c is not None and c.below_floor:
            out[a] = Reason("below_floor", ("min_score",), f"not selected: {ineligible[a]}")
        elif reasons is None or c is None:
            out[a] = Reason("not_selected", (), "not selected: no cohort satisfies the rules")
        elif a in chosen:
            out[a] = reasons.selected(c, margins.get(a), replacements.get(a), explained)
        else:
            out[a] = reasons.not_selected(c, margins.get(a), explained)
    return out
