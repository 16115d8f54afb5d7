"""Factory helpers for tests: synthetic applicants, reviews and track configs.

Everything is generated from a seed; names are obviously fake ("Test Resident 007").
Overrides follow one convention: a scalar applies to every item, a list or tuple gives one
value per item, a callable is called with the item's index.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import Any

from hypothesis import strategies as st

from selector.config import TrackConfig, parse_config
from selector.models import Applicant, Review

SPECIALTIES: tuple[str, ...] = (
    "Internal Medicine",
    "Pediatrics",
    "Family Medicine",
    "Surgery",
    "Psychiatry",
    "Emergency Medicine",
    "Obstetrics and Gynecology",
    "Neurology",
)


def _pick(value: Any, i: int) -> Any:
    if callable(value):
        return value(i)
    if isinstance(value, (list, tuple)):
        return value[i]
    return value


def make_applicants(n: int = 20, seed: int = 0, **overrides: Any) -> list[Applicant]:
    """``n`` applicants A001… with random PGY (1–5), specialty and PGY1 approval.

    Any Applicant field can be overridden (``pgy=2``, ``specialty=[...]``); ``answers`` may be
    a dict (the same for everyone) or per-applicant as usual.
    """
    rng = random.Random(seed)
    out = []
    for i in range(n):
        fields: dict[str, Any] = {
            "applicant_id": f"A{i + 1:03d}",
            "name": f"Test Resident {i + 1:03d}",
            "email": f"resident{i + 1:03d}@example.org",
            "pgy": rng.choice([1, 2, 2, 3, 3, 4, 5]),
            "specialty": rng.choice(SPECIALTIES),
            "program": f"Program {rng.randint(1, 6)}",
            "pgy1_approved": rng.random() < 0.5,
            "answers": {},
        }
        for key, value in overrides.items():
            if key == "answers" and isinstance(value, Mapping):
                fields[key] = dict(value)
            else:
                fields[key] = _pick(value, i)
        out.append(Applicant(**fields))
    return out


def make_config(**overrides: Any) -> TrackConfig:
    """A small valid config: cohort of 3, one criterion ``merit`` scored 0–100, no diversity
    rules, every PGY eligible. Top-level sections given as dicts replace the defaults."""
    data: dict[str, Any] = {
        "cohort": {"size": 3},
        "eligibility": {"min_pgy": 1, "pgy1_by_approval": False},
        "criteria": [{"id": "merit", "label": "Merit", "min": 0, "max": 100}],
        "selection": {"tie_break_seed": "test"},
    }
    data.update(overrides)
    return parse_config(data, "<test config>")


def make_reviews(
    applicants: Sequence[Applicant],
    config: TrackConfig,
    *,
    seed: int = 0,
    reviewers: int = 3,
    scores: Mapping[str, float] | None = None,
) -> list[Review]:
    """Reviews for every applicant.

    With ``scores`` (applicant id → score) each listed applicant gets one review giving that
    score on every criterion (with one weight-1 criterion it *is* the aggregate). Otherwise
    ``reviewers`` reviewers each give a random whole level per criterion.
    """
    rng = random.Random(seed)
    out = []
    if scores is not None:
        for a in applicants:
            if a.applicant_id in scores:
                s = scores[a.applicant_id]
                out.append(Review(a.applicant_id, "R1", {c.id: s for c in config.criteria}))
        return out
    for a in applicants:
        for r in range(reviewers):
            levels = {c.id: float(rng.randint(int(c.min), int(c.max))) for c in config.criteria}
            out.append(Review(a.applicant_id, f"R{r + 1}", levels))
    return out


@st.composite
def locks(draw: st.DrawFn, ids: Sequence[str], max_size: int) -> tuple[list[str], list[str]]:
    """The chair's locks for a property test: a few distinct ids, split into (include, exclude)."""
    locked = draw(st.lists(st.sampled_from(ids), max_size=max_size, unique=True))
    split = draw(st.integers(0, len(locked)))
    return locked[:split], locked[split:]
