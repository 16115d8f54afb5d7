"""A chair's scenario on the Selection page: the saved rules with the form's changes, decided
on the cycle's data, and finalised on the Roster page."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from selector.auth import User
    from selector.config import TrackConfig
    from selector.models import Applicant, Review
    from selector.selection import Decision
    from selector.selection.lottery import Lottery
    from selector.selection.robustness import Robustness
    from selector.store import Cycle, Store
    from selector.workflow.progress import OpenReviews


def _count(value: Any) -> int | None:
    """A form cell as a whole number; blank (None, NaN, pandas' NA) as None."""
    import pandas as pd

    return None if pd.isna(value) else int(value)


def min_per_value_text(floors: Mapping[str, int]) -> str:
    """A rule's ``min_per_value`` as the scenario editor shows it: ``Psychiatry: 1; Surgery: 2``."""
    return "; ".join(f"{value}: {n}" for value, n in floors.items())


def parse_min_per_value(text: Any, where: str) -> dict[str, int]:
    """The editor's ``min_per_value`` text back as a dict; blank is none. A part that is not
    ``value: count`` is a :class:`~selector.errors.ConfigError` at ``where``."""
    import pandas as pd

    from selector.errors import ConfigError, Location

    if text is None or (not isinstance(text, str) and pd.isna(text)):
        return {}
    floors: dict[str, int] = {}
    for part in str(text).split(";"):
        if not part.strip():
            continue
        value, sep, count = part.rpartition(":")
        if not sep or not value.strip() or not count.strip().isdigit():
            raise ConfigError(
                "config_invalid",
                f"min_per_value {part.strip()!r} is not 'value: count' "
                "(e.g. 'Psychiatry: 1; Surgery: 2')",
                Location(file=where),
            )
        floors[value.strip()] = int(count)
    return floors


def scenario_config(
    name: str,
    base: TrackConfig,
    form: Mapping[str, Any],
    diversity: Iterable[Mapping[str, Any]],
    *,
    columns: Collection[str] | None = None,
) -> TrackConfig:
    """The base config with a scenario form's rule values, validated like a config file.

    ``form`` holds ``min_size``, ``max_size``, ``min_pgy``, ``max_pgy1`` (None: no cap),
    ``min_score`` (None: no floor) and ``standardize``; ``diversity`` one row per rule with
    ``field``, ``max_per_value``, ``min_distinct`` (blank: none) and ``min_per_value`` as
    text (:func:`min_per_value_text`; a row without that key keeps the base rule's). A row
    without a field is dropped. With ``columns`` (the cycle's answer columns) every rule's
    field is checked as `check-config` checks it. A
    :class:`~selector.errors.ConfigError` names ``scenario NAME``."""
    from selector.config import parse_config

    where = f"scenario {name}"
    data = base.model_dump(exclude_none=True)
    lo, hi = int(form["min_size"]), int(form["max_size"])
    data["cohort"] = {"size": lo} if lo == hi else {"min_size": lo, "max_size": hi}
    data["eligibility"]["min_pgy"] = int(form["min_pgy"])
    data["eligibility"]["max_pgy1"] = _count(form["max_pgy1"])
    data["selection"]["min_score"] = form["min_score"]
    data["selection"]["standardize"] = bool(form["standardize"])
    kept = {rule.field: rule.min_per_value for rule in base.diversity}
    data["diversity"] = [
        {
            "field": str(row["field"]).strip(),
            "max_per_value": _count(row["max_per_value"]),
            "min_distinct": _count(row["min_distinct"]),
            "min_per_value": (
                parse_min_per_value(row["min_per_value"], where)
                if "min_per_value" in row
                else kept.get(str(row["field"]).strip(), {})
            ),
        }
        for row in diversity
        if str(row.get("field") or "").strip()
    ]
    config = parse_config(data, where)
    if columns is not None:
        config.require_known_fields(columns, where)
    return config


def stale_reason(
    decision: Decision,
    locks: tuple[Sequence[str], Sequence[str]],
    decided_locks: tuple[Sequence[str], Sequence[str]],
    edited: TrackConfig | None = None,
) -> str | None:
    """Why a scenario's result no longer answers its rules, or None: the rules in the editor
    (``edited``; None when they do not form a valid config, which also counts as changed) or
    the chair's locks differ from those it was decided with."""
    why = []
    if edited is None or edited != decision.config:
        why.append("rules")
    if [sorted(x) for x in locks] != [sorted(x) for x in decided_locks]:
        why.append("locks")
    if not why:
        return None
    return f"decided before the {' and '.join(why)} changed; run it again"


def locks_differ(
    a: tuple[Sequence[str], Sequence[str]], b: tuple[Sequence[str], Sequence[str]]
) -> str | None:
    """How two scenarios' locks differ, in words, or None when they are the same."""
    parts = []
    for label, x, y in (("locked in", a[0], b[0]), ("locked out", a[1], b[1])):
        only_a, only_b = sorted(set(x) - set(y)), sorted(set(y) - set(x))
        if only_a:
            parts.append(f"{label} only in A: {', '.join(only_a)}")
        if only_b:
            parts.append(f"{label} only in B: {', '.join(only_b)}")
    return "; ".join(parts) or None


def scenario_config_text(cycle: Cycle, config: TrackConfig) -> str:
    """The config snapshot of a scenario: the cycle's own text when its rules are unedited,
    else the edited config written as TOML."""
    from selector.config import dumps_config

    return cycle.config_text if config == cycle.config else dumps_config(config)


@dataclass
class Scenario:
    """One scenario's result: its rules, the decision, and the hash of the data it was
    decided on (finalising is refused when the data changed since). When the rules say
    ``near_ties = "lottery"``: the bootstrap the lot was drawn from and the lottery."""

    config: TrackConfig
    decision: Decision
    input_hash: str
    robustness: Robustness | None = None
    lottery: Lottery | None = None


def decide_scenario(
    cycle: Cycle,
    applicants: Sequence[Applicant],
    reviews: Sequence[Review],
    config: TrackConfig,
    *,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    trainees: Collection[str] = (),
) -> Scenario:
    """Decide a scenario on the cycle's data (read once by the page). Only locks on
    applicants in the pool count: one withdrawn since it was locked must not hold up a run.
    Settled as the CLI settles a decision (:func:`~selector.workflow.decide.settle`): when
    the rules ask for a lottery, the contested seats are drawn by lot, seeded as the
    dashboard's robustness is (the data's hash and the locks), so running the same scenario
    again draws the same lot. ``trainees``: the track's current trainees
    (:func:`~selector.workflow.current_trainees`), kept out when the rules say so."""
    from selector.selection import decide
    from selector.store import input_hash
    from selector.workflow.decide import settle
    from selector.workflow.robustness import scenario_seed

    pool = {a.applicant_id for a in applicants}
    decision = decide(
        applicants,
        reviews,
        config,
        include=[a for a in include if a in pool],
        exclude=[a for a in exclude if a in pool],
        trainees=trainees,
    )
    digest = input_hash(applicants, reviews, scenario_config_text(cycle, config))
    decision, found, lottery = settle(decision, reviews, None, scenario_seed(decision, digest))
    return Scenario(config, decision, digest, found, lottery)


def lottery_notice(decision: Decision, lottery: Lottery | None) -> str | None:
    """What the pages say of a scenario's lottery: which seats were drawn by lot, among whom
    and who won them (ids with names); None when the rules ask for no lottery."""
    if lottery is None:
        return None
    if not lottery.seats:
        return f"Lottery: {lottery.text()}."

    def who(ids: Sequence[str]) -> str:
        people = decision.applicants
        return ", ".join(f"{a} {people[a].name}" if a in people else a for a in ids)

    return (
        f"{lottery.seats} of {len(decision.selected)} seats were drawn by lot (seed "
        f"{lottery.seed}) among the {len(lottery.pool)} applicants the committee cannot "
        f"separate: {who(lottery.pool)}. Drawn: {who(lottery.drawn)}. The other "
        f"{len(lottery.kept)} seats are secure."
    )


def finalise_scenario(
    store: Store,
    actor: User,
    cycle: Cycle,
    config: TrackConfig,
    decision: Decision,
    input_hash: str | None,
    *,
    stale: str | None = None,
    confirmed_open: OpenReviews | None = None,
    robustness: Robustness | None = None,
    lottery: Lottery | None = None,
) -> int:
    """Record a scenario's decision as the cycle's final run (the chair only); refused when
    the data changed since it was decided, or when ``stale`` (:func:`stale_reason`) says
    its rules or locks did. With reviews still open (or applicants without a complete
    review) it is refused unless ``confirmed_open`` (what the chair confirmed finalising
    despite, :func:`~selector.workflow.open_reviews`) names every one of them; they are
    recorded with the run, as are the scenario's ``robustness`` and ``lottery``
    (:class:`Scenario`), so that ``runs verify`` replays the lot. Returns the run id."""
    from selector.errors import InputError
    from selector.workflow.decide import decision_json
    from selector.workflow.progress import open_reviews

    if stale is not None:
        raise InputError("scenario_stale", f"this result cannot be finalised: it was {stale}")
    now_open = open_reviews(store, actor, cycle.name)
    if now_open and (
        confirmed_open is None
        or not set(now_open.open) <= set(confirmed_open.open)
        or not set(now_open.unreviewed) <= set(confirmed_open.unreviewed)
    ):
        raise InputError(
            "open_reviews_unconfirmed",
            f"not finalised: {now_open.summary()} Confirm finalising although they are open",
        )
    recorded: Mapping[str, Any] = decision_json(decision, robustness, lottery)
    if now_open:
        recorded = {**recorded, "open_reviews": now_open.to_json()}
    return store.record_run(
        actor,
        cycle.name,
        config_text=scenario_config_text(cycle, config),
        decision=recorded,
        final=True,
        input_hash=input_hash,
        trainees=decision.trainees,
    )


def unfinalise(store: Store, actor: User, cycle: str | None, reason: str = "") -> int:
    """Undo the cycle's final run in force (the chair only), audited with the reason; the
    final run before it, if any, is in force again. Returns the undone run's id."""
    return store.unfinalise(actor, cycle, reason)
