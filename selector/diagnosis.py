"""Why no cohort fits the rules: arithmetic checks in plain language, and relaxation texts.

The checks look at one rule at a time (or a rule against the cohort size) and count; they
name the rule and the numbers. When none of them fires the rules only clash in combination,
and :mod:`selector.selection` finds the smallest relaxation with a second integer program;
:func:`relaxation_text` phrases each of its changes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from selector.config import TrackConfig

_PLURALS = {"specialty": "specialties", "program": "programs", "pgy": "PGY levels"}


def plural(field: str) -> str:
    """How texts name several values of a field: "specialties", "values of gender"."""
    return _PLURALS.get(field, f"values of {field}")


def group_key(value: Any) -> str | None:
    """The grouping key of a field value: trimmed and case-folded; None when blank."""
    if value is None:
        return None
    text = str(value).strip()
    return text.casefold() if text else None


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
        values = pool.values.get(rule.field, {})
        labels = pool.labels.get(rule.field, {})
        counts = Counter(k for a in pool.candidates if (k := values.get(a)) is not None)
        locked = Counter(k for a in pool.include if (k := values.get(a)) is not None)
        if rule.min_distinct is not None:
            distinct = len(counts)
            if distinct < rule.min_distinct:
                many = distinct != 1
                out.append(
                    f"only {distinct} {plural(rule.field) if many else rule.field} "
                    f"{'have' if many else 'has'} selectable applicants; "
                    f"the rules ask for {rule.min_distinct}"
                )
            if hi is not None and rule.min_distinct > hi:
                out.append(
                    f"the rules ask for {rule.min_distinct} different {plural(rule.field)}, "
                    f"but the cohort has {cap} places"
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
        wanted = 0
        for value, need in sorted(rule.min_per_value.items()):
            named = group_key(value)
            have = counts.get(named, 0) if named is not None else 0
            wanted += need
            if have < need:
                out.append(
                    f"only {have} selectable applicant{'s' if have != 1 else ''} "
                    f"{'have' if have != 1 else 'has'} {rule.field} {value!r}; "
                    f"the rules ask for {need}"
                )
            if rule.max_per_value is not None and need > rule.max_per_value:
                out.append(
                    f"min_per_value for {rule.field} {value!r} ({need}) is above "
                    f"max_per_value ({rule.max_per_value})"
                )
        if hi is not None and wanted > hi:
            out.append(
                f"the minimums per {rule.field} add up to {wanted} places; "
                f"the cohort has {cap} places"
            )
    return out


#: Each relaxable rule's change in words (the cohort size, which may go either way, aside).
RELAXATION_TEXT = {
    "min_size": "lower min_size from {old} to {new}",
    "max_size": "raise max_size from {old} to {new}",
    "max_per_value": "raise max_per_value for {field} from {old} to {new}",
    "min_distinct": "lower min_distinct for {field} from {old} to {new}",
    "min_per_value": "lower min_per_value for {field} {value!r} from {old} to {new}",
    "max_pgy1": "raise max_pgy1 from {old} to {new}",
    "min_score": "lower min_score from {old:g} to {new:g}",
    "include": "release the lock that includes {value}",
    "exclude": "release the lock that excludes {value}",
}


def relaxation_text(change: Mapping[str, Any]) -> str:
    """One relaxation in words, e.g. "lower min_distinct for specialty from 5 to 4"."""
    kind, old, new = change["rule"], change["from"], change["to"]
    if kind == "size":
        return f"{'lower' if new < old else 'raise'} the cohort size from {old} to {new}"
    if kind not in RELAXATION_TEXT:
        raise ValueError(f"unknown rule kind {kind!r}")
    return RELAXATION_TEXT[kind].format(
        old=old, new=new, field=change.get("field"), value=change.get("value")
    )
