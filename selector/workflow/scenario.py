"""A chair's scenario on the Selection page: the saved rules with the form's changes, decided
on the cycle's data, and finalised on the Roster page."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from selector.auth import User
    from selector.config import TrackConfig
    from selector.models import Applicant, Review
    from selector.selection import Decision
    from selector.store import Cycle, Store


def _count(value: Any) -> int | None:
    """A form cell as a whole number; blank (None, NaN, pandas' NA) as None."""
    import pandas as pd

    return None if pd.isna(value) else int(value)


def scenario_config(
    name: str, base: TrackConfig, form: Mapping[str, Any], diversity: Iterable[Mapping[str, Any]]
) -> TrackConfig:
    """The base config with a scenario form's rule values, validated like a config file.

    ``form`` holds ``min_size``, ``max_size``, ``min_pgy``, ``max_pgy1`` (None: no cap),
    ``min_score`` (None: no floor) and ``standardize``; ``diversity`` one row per rule with
    ``field``, ``max_per_value`` and ``min_distinct`` (blank: none). A rule's
    ``min_per_value`` (not in the form) is kept from the base; a row without a field is
    dropped. A :class:`~selector.errors.ConfigError` names ``scenario NAME``."""
    from selector.config import parse_config

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
            "min_per_value": kept.get(str(row["field"]).strip(), {}),
        }
        for row in diversity
        if str(row.get("field") or "").strip()
    ]
    return parse_config(data, f"scenario {name}")


def scenario_config_text(cycle: Cycle, config: TrackConfig) -> str:
    """The config snapshot of a scenario: the cycle's own text when its rules are unedited,
    else the edited config written as TOML."""
    from selector.config import dumps_config

    return cycle.config_text if config == cycle.config else dumps_config(config)


@dataclass
class Scenario:
    """One scenario's result: its rules, the decision, and the hash of the data it was
    decided on (finalising is refused when the data changed since)."""

    config: TrackConfig
    decision: Decision
    input_hash: str


def decide_scenario(
    cycle: Cycle,
    applicants: Sequence[Applicant],
    reviews: Sequence[Review],
    config: TrackConfig,
    *,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
) -> Scenario:
    """Decide a scenario on the cycle's data (read once by the page). Only locks on
    applicants in the pool count: one withdrawn since it was locked must not hold up a run."""
    from selector.selection import decide
    from selector.store import input_hash

    pool = {a.applicant_id for a in applicants}
    decision = decide(
        applicants,
        reviews,
        config,
        include=[a for a in include if a in pool],
        exclude=[a for a in exclude if a in pool],
    )
    digest = input_hash(applicants, reviews, scenario_config_text(cycle, config))
    return Scenario(config, decision, digest)


def finalise_scenario(
    store: Store,
    actor: User,
    cycle: Cycle,
    config: TrackConfig,
    decision: Decision,
    input_hash: str | None,
) -> int:
    """Record a scenario's decision as the cycle's final run (the chair only); refused when
    the data changed since it was decided. Returns the run id."""
    return store.record_run(
        actor,
        cycle.name,
        config_text=scenario_config_text(cycle, config),
        decision=decision,
        final=True,
        input_hash=input_hash,
    )
