"""The two-year track: a cycle's second-year trainees (last cycle's accepted members), the
current trainees an optional rule keeps out of the pool, an applicant's earlier applications,
and the composition of each cohort of the track, year over year.

:func:`accepted_members` is the one place that says who a cycle's accepted members are."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from selector.auth import User
    from selector.models import Applicant, SecondYears
    from selector.store import Cycle, EarlierApplication, Store

#: The fields a cohort's composition counts, with the words the tables use for them.
COMPOSITION_FIELDS = {"specialty": "Specialty", "pgy": "PGY", "program": "Program"}


def accepted_members(store: Store, cycle: str) -> list[Applicant]:
    """The accepted members of a cycle, by applicant id: once offers were made, those whose
    offer is accepted (:mod:`selector.workflow.offers`); a cycle whose offers were never kept
    here, the members of its final run in force (an empty list without one). Callers check
    the acting user's role first."""
    system = store.system_user()
    offers = store.offers(system, cycle)
    if not offers:
        return store.final_cohort(system, cycle)
    accepted = {o.applicant_id for o in offers if o.status == "accepted"}
    return [
        a
        for a in store.applicants(system, cycle, include_withdrawn=True)
        if a.applicant_id in accepted
    ]


def second_years(store: Store, actor: User, cycle: str | None) -> SecondYears:
    """The second-year trainees beside a cycle's new cohort: the accepted members of the
    cycle before it in its track. The chair and the coordinator."""
    from selector.auth import Action
    from selector.models import SecondYears

    actor.require(Action.READ_ALL)
    before = store.previous_cycle(cycle)
    if before is None:
        return SecondYears(None)
    return SecondYears(before.name, tuple(accepted_members(store, before.name)))


def current_trainees(store: Store, actor: User, cycle: str | None) -> frozenset[str]:
    """The normalised e-mails of the track's current trainees when this cycle's cohort is
    chosen (its second-year trainees), which ``[eligibility] exclude_current_trainees`` keeps
    out of the pool."""
    return emails_of(second_years(store, actor, cycle))


def emails_of(found: SecondYears) -> frozenset[str]:
    """The normalised e-mails of second-year trainees."""
    from selector.emails import normalize_email

    return frozenset(normalize_email(a.email) for a in found.members)


def earlier_applications(
    store: Store, actor: User, cycle: str | None, applicant_id: str
) -> list[EarlierApplication]:
    """The applicant's applications in the track's earlier cycles (same e-mail), with their
    scores and outcomes; refused by the store for a reviewer."""
    return store.earlier_applications(actor, cycle, applicant_id)


@dataclass(frozen=True)
class CohortMix:
    """One cycle's cohort counted by specialty, PGY and program."""

    cycle: str
    size: int
    counts: dict[str, dict[str, int]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"cycle": self.cycle, "cohort": self.size, **self.counts}


@dataclass(frozen=True)
class Composition:
    """The composition of each cohort of a track, oldest cycle first."""

    track: str
    cohorts: tuple[CohortMix, ...]

    def to_json(self) -> dict[str, Any]:
        return {"track": self.track, "cycles": [c.to_json() for c in self.cohorts]}

    def rows(self) -> list[dict[str, Any]]:
        """One row per cycle, field and value: the chart's data and its table."""
        return [
            {"Cycle": c.cycle, "Field": COMPOSITION_FIELDS[f], "Value": value, "Members": n}
            for c in self.cohorts
            for f in COMPOSITION_FIELDS
            for value, n in c.counts[f].items()
        ]

    def summary(self) -> str:
        """The composition in one sentence per cycle (the chart's text equivalent)."""
        if not self.cohorts:
            return f"Track {self.track} has no cycle yet."
        parts = []
        for c in self.cohorts:
            if not c.size:
                parts.append(f"{c.cycle}: no final cohort yet")
                continue
            k = c.counts
            said = ", ".join(
                _count(len(k[f]), one, many)
                for f, one, many in (
                    ("specialty", "specialty", "specialties"),
                    ("pgy", "PGY level", "PGY levels"),
                    ("program", "program", "programs"),
                )
            )
            parts.append(f"{c.cycle}: {_count(c.size, 'member', 'members')} from {said}")
        return f"Track {self.track}, cohort by cycle. " + "; ".join(parts) + "."


def _count(n: int, one: str, many: str) -> str:
    """``n`` and the noun in the number it takes ("1 member", "2 members")."""
    return f"{n} {one if n == 1 else many}"


def mix(cycle: str, members: list[Applicant]) -> CohortMix:
    """A cohort counted by specialty, PGY and program (most frequent first, then by name)."""

    def count(values: list[str]) -> dict[str, int]:
        found = Counter(values)
        return dict(sorted(found.items(), key=lambda kv: (-kv[1], kv[0])))

    counts = {
        "specialty": count([a.specialty or "(none)" for a in members]),
        "pgy": count([f"PGY{a.pgy}" for a in members]),
        "program": count([a.program or "(none)" for a in members]),
    }
    return CohortMix(cycle, len(members), counts)


def composition(store: Store, actor: User, track: str | None = None) -> Composition:
    """The composition of each accepted cohort of a track (by default the newest real
    cycle's track), oldest cycle first. The chair and the coordinator."""
    from selector.auth import Action
    from selector.errors import InputError

    actor.require(Action.READ_ALL)
    if track is None:
        track = _newest_track(store)
    elif track not in store.tracks():
        raise InputError("track_unknown", f"no track named {track!r}")
    cycles = store.track_cycles(track)
    return Composition(track, tuple(mix(c.name, accepted_members(store, c.name)) for c in cycles))


def _newest_track(store: Store) -> str:
    from selector.demo_accounts import DEMO_CYCLE
    from selector.errors import InputError

    real = [c for c in store.cycles() if c.name != DEMO_CYCLE and c.track]
    if real:
        return real[0].track
    tracks = store.tracks()
    if not tracks:
        raise InputError("track_missing", "no track yet: create a cycle first")
    return tracks[-1]


def new_cycle_base(
    store: Store, *, from_cycle: str | None = None, track: str | None = None
) -> Cycle | None:
    """The cycle a new one starts from: ``from_cycle``, else the newest cycle of ``track``
    (by default of the newest real cycle's track); None when there is none (a first cycle).
    Never the demo cycle, unless named."""
    from selector.demo_accounts import DEMO_CYCLE

    if from_cycle is not None:
        return store.cycle(from_cycle)
    if track is not None:
        years = store.track_cycles(track)
        return years[-1] if years else None
    real = [c for c in store.cycles() if c.name != DEMO_CYCLE]
    return real[0] if real else None
