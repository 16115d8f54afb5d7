"""The track config: rubric and selection rules, loaded from TOML into strict models.

Loading goes file → text → dict → ``TrackConfig.model_validate``; every error names the
file, the key path and what is wrong. ``TrackConfig.model_json_schema()`` gives a JSON Schema
for editors (``selector config-schema``).
"""

from __future__ import annotations

import difflib
import json
import math
import re
import tomllib
from collections.abc import Collection, Iterable
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from selector.errors import ConfigError, Location
from selector.models import CANONICAL_FIELDS, Applicant

#: The applicant fields a reviewer's own program is compared with (``[review] avoid_own``).
OWN_FIELDS: tuple[str, ...] = ("program", "specialty")

#: What `check-config` and the Track config page say above the rules no cohort can satisfy.
CONTRADICTIONS_HEADING = "valid, but no cohort can satisfy these rules:"


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def near_match(word: str, choices: Iterable[str]) -> str | None:
    """The choice ``word`` was most likely meant to be: the same but for case and spacing,
    else the closest by :mod:`difflib`; None when nothing is close."""
    options = list(dict.fromkeys(choices))
    same = [c for c in options if _fold(c) == _fold(word)]
    if same:
        return same[0]
    folded = {_fold(c): c for c in options}
    close = difflib.get_close_matches(_fold(word), list(folded), n=1, cutoff=0.6)
    return folded[close[0]] if close else None


def _did_you_mean(word: str, choices: Iterable[str]) -> str:
    near = near_match(word, choices)
    return f"; did you mean {near!r}?" if near is not None else ""


def columns_of(applicants: Iterable[Applicant]) -> set[str]:
    """The answer columns of a cycle: every question any of its applicants answered."""
    return {question for a in applicants for question in a.answers}


def rule_field_problem(field: str, columns: Collection[str] | None = None) -> str | None:
    """Why ``field`` cannot be a rule's field, or None when it can: the one check of rule
    fields, used by `check-config`, `select`, the Track config page and the scenario editor.

    A rule's field is a canonical field (``specialty``, ``program``, ``pgy``, …) or, when the
    cycle's columns are known, one of them, spelt exactly: "Specialty" is refused with "did
    you mean 'specialty'?" rather than silently read as a column no applicant has (the rule
    would bind nobody). With ``columns`` None only canonical fields are known."""
    if field in CANONICAL_FIELDS or (columns is not None and field in columns):
        return None
    known = [*CANONICAL_FIELDS, *(columns or ())]
    what = (
        "not a canonical field"
        if columns is None
        else "neither a canonical field nor a column of the applications"
    )
    return f"rule field {field!r} is {what}{_did_you_mean(field, known)}"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Cohort(_Strict):
    """Cohort size: exact (``size``) or a range (``min_size``/``max_size``)."""

    size: int | None = Field(default=None, ge=1)
    min_size: int | None = Field(default=None, ge=0)
    max_size: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _one_way(self) -> Cohort:
        if self.size is not None and (self.min_size is not None or self.max_size is not None):
            raise ValueError("give either size, or min_size/max_size, not both")
        if self.size is None and self.min_size is None and self.max_size is None:
            raise ValueError("give size, or min_size and/or max_size")
        if (
            self.min_size is not None
            and self.max_size is not None
            and self.min_size > self.max_size
        ):
            raise ValueError(f"min_size {self.min_size} is above max_size {self.max_size}")
        return self

    @property
    def bounds(self) -> tuple[int, int | None]:
        """(lower, upper) cohort size; upper None means no upper bound."""
        if self.size is not None:
            return self.size, self.size
        return self.min_size or 0, self.max_size


class Eligibility(_Strict):
    """Who may be selected at all."""

    min_pgy: int = Field(default=2, ge=1, le=10)
    pgy1_by_approval: bool = True  # a PGY1 is eligible only when pgy1_approved is true
    max_pgy1: int | None = Field(default=None, ge=0)  # at most this many PGY1s in a cohort
    # Current trainees of the track (last cycle's accepted members, matched by e-mail) are
    # kept out of the pool.
    exclude_current_trainees: bool = False


class DiversityRule(_Strict):
    """A composition rule on one applicant field (canonical or any answer column)."""

    field: str = Field(min_length=1)
    max_per_value: int | None = Field(default=None, ge=1)
    min_distinct: int | None = Field(default=None, ge=1)
    min_per_value: dict[str, int] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _has_a_bound(self) -> DiversityRule:
        if self.max_per_value is None and self.min_distinct is None and not self.min_per_value:
            raise ValueError("a diversity rule needs max_per_value, min_distinct or min_per_value")
        for value, n in self.min_per_value.items():
            if n < 0:
                raise ValueError(f"min_per_value[{value!r}] must be 0 or more, not {n}")
        return self

    def contradictions(self, largest: int | None) -> list[str]:
        """What no pool of applicants can satisfy in this rule, against the largest cohort
        (None: no upper bound). The one statement of these checks: `check-config` reports
        them, and the diagnosis of an infeasible selection repeats them in the same words."""
        found = []
        if largest is not None and self.min_distinct is not None and self.min_distinct > largest:
            found.append(
                f"{self.field}: min_distinct {self.min_distinct} is more than the largest "
                f"cohort ({largest})"
            )
        floors = sum(self.min_per_value.values())
        if largest is not None and floors > largest:
            found.append(
                f"{self.field}: min_per_value asks for {floors} in all, more than the "
                f"largest cohort ({largest})"
            )
        for value, n in sorted(self.min_per_value.items()):
            if self.max_per_value is not None and n > self.max_per_value:
                found.append(
                    f"{self.field}: min_per_value {value!r} = {n} is above "
                    f"max_per_value {self.max_per_value}"
                )
        return found


class Criterion(_Strict):
    """One rubric criterion: a weight, an integer-or-real scale, anchor texts per level."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str
    weight: float = Field(default=1.0, gt=0)
    min: float = 1
    max: float = 5
    description: str = ""
    anchors: dict[str, str] = Field(default_factory=dict)  # level (as text) → what it means

    @model_validator(mode="after")
    def _scale(self) -> Criterion:
        if self.min >= self.max:
            raise ValueError(f"min {self.min} must be below max {self.max}")
        for level in self.anchors:
            try:
                x = float(level)
            except ValueError:
                raise ValueError(f"anchor level {level!r} is not a number") from None
            if not self.min <= x <= self.max:
                raise ValueError(f"anchor level {level} is outside {self.min}..{self.max}")
        return self

    def scale_problem(self, score: object) -> str | None:
        """Why a score does not fit this criterion's scale ("b score 9 is outside 1..5"), or
        None when it fits: the one scale check of score files, saved reviews and aggregation."""
        if isinstance(score, (int, float)):
            if not math.isnan(score) and self.min <= score <= self.max:
                return None
            shown = f"{score:g}"
        else:
            shown = repr(score)
        return f"{self.id} score {shown} is outside {self.min:g}..{self.max:g}"

    @property
    def levels(self) -> list[float]:
        """The whole-number levels of the scale (for score forms)."""
        lo, hi = int(self.min), int(self.max)
        return [float(x) for x in range(lo, hi + 1)]


class Stage(_Strict):
    """One round of a staged cycle: its own rubric (``criteria``) and, for the stage that
    picks the shortlist, the shortlist's size and its own rules (see :class:`Stages`)."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str = ""
    criteria: list[Criterion] = Field(default_factory=list)
    size: int | None = Field(default=None, ge=1)  # the shortlist's size (the first stage)
    diversity: list[DiversityRule] = Field(default_factory=list)
    max_pgy1: int | None = Field(default=None, ge=0)
    min_score: float | None = None  # quality floor on this stage's aggregate score
    reviewers_per_applicant: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _has_rubric(self) -> Stage:
        if not self.criteria:
            raise ValueError(
                f"stage {self.name!r} has no rubric: give it [[stages.criteria]] of its own"
            )
        seen: set[str] = set()
        for c in self.criteria:
            if c.id in seen:
                raise ValueError(f"stage {self.name!r}: criterion id {c.id!r} appears twice")
            seen.add(c.id)
        return self

    @property
    def title(self) -> str:
        return self.label or self.name.replace("_", " ").capitalize()


class Combine(_Strict):
    """How the final decision scores an applicant: Σ weight × the stage's aggregate score,
    each on 0–100 (0 the rubric's lowest total, 100 its highest), optionally standardised
    per reviewer within the stage."""

    weights: dict[str, float]
    standardize: bool | dict[str, bool] = False

    @field_validator("weights")
    @classmethod
    def _positive(cls, value: dict[str, float]) -> dict[str, float]:
        for name, w in value.items():
            if not (w >= 0 and math.isfinite(w)):
                raise ValueError(f"the weight of {name!r} must be 0 or more, not {w}")
        if value and not any(w > 0 for w in value.values()):
            raise ValueError("at least one weight must be above 0")
        return value

    def standardized(self, stage: str) -> bool:
        """Whether ``stage``'s reviews are standardised per reviewer."""
        if isinstance(self.standardize, bool):
            return self.standardize
        return self.standardize.get(stage, False)


class Track(_Strict):
    """Descriptive header of the track."""

    name: str
    description: str = ""


class Selection(_Strict):
    """Selection options beyond eligibility and diversity."""

    min_score: float | None = None  # quality floor: nobody below it is selected
    standardize: bool = False  # per-reviewer z-scores before averaging
    tie_break_seed: str = "selector"  # part of the documented tie-break rule
    # Seats the bootstrap cannot separate: "lottery" draws them by lot among the contested
    # applicants (selector.selection.lottery); unset or "tie_break", the optimum decides.
    near_ties: Literal["tie_break", "lottery"] | None = None


class Review(_Strict):
    """Review workflow options."""

    reviewers_per_applicant: int = Field(default=3, ge=1)
    blind: bool = False  # hide identity fields from reviewers
    avoid_own_program: bool = True
    # The applicant fields a reviewer's own program must not match (program, specialty);
    # unset: ["program"] when avoid_own_program is true, else none.
    avoid_own: tuple[str, ...] | None = None
    disagreement_threshold: float = Field(default=0.25, gt=0)  # spread / scale range

    @field_validator("avoid_own")
    @classmethod
    def _own_fields(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        for name in value or ():
            if name not in OWN_FIELDS:
                raise ValueError(
                    f"avoid_own field {name!r} is not one of {', '.join(OWN_FIELDS)}"
                    + _did_you_mean(name, OWN_FIELDS)
                )
        return value

    @model_validator(mode="after")
    def _one_switch(self) -> Review:
        if (
            self.avoid_own
            and not self.avoid_own_program
            and "avoid_own_program" in (self.model_fields_set)
        ):
            raise ValueError("avoid_own names fields but avoid_own_program is false")
        return self

    @property
    def own_fields(self) -> tuple[str, ...]:
        """The applicant fields compared with a reviewer's program in assignment."""
        if self.avoid_own is not None:
            return self.avoid_own
        return ("program",) if self.avoid_own_program else ()


_PLURALS = {"specialty": "specialties", "program": "programs", "pgy": "PGY levels"}


def plural(field: str) -> str:
    """How texts name several values of a field: "specialties", "values of gender"."""
    return _PLURALS.get(field, f"values of {field}")


#: The rules no config states: the chair's locks (``--include``/``--exclude``), by id.
LOCK_LABELS = {"lock_in": "locked in by the chair", "lock_out": "locked out by the chair"}

#: Longest label a config may give a rule (it is shown in tables and sentences).
MAX_LABEL_LENGTH = 120


class TrackConfig(_Strict):
    """A whole track config: the rubric (criteria) and the selection rules.

    ``labels`` maps a rule id (``max_per_value:specialty``, see :meth:`rule_labels`) to the
    words the committee uses for it; a rule without one gets a label made from its bounds."""

    track: Track | None = None
    cohort: Cohort
    eligibility: Eligibility = Field(default_factory=Eligibility)
    diversity: list[DiversityRule] = Field(default_factory=list)
    criteria: list[Criterion] = Field(min_length=1)
    selection: Selection = Field(default_factory=Selection)
    review: Review = Field(default_factory=Review)
    labels: dict[str, str] | None = None  # rule id → label in the committee's words
    # An interview round: the first stage picks a shortlist, the last decides the cohort.
    stages: list[Stage] = Field(default_factory=list)
    combine: Combine | None = None

    @model_validator(mode="before")
    @classmethod
    def _first_stage_rubric(cls, data: Any) -> Any:
        """With stages, the top-level ``criteria`` are the first stage's (what a cycle without
        stages calls the rubric): filled in from it when left out."""
        if isinstance(data, dict) and "criteria" not in data:
            stages = data.get("stages")
            if isinstance(stages, list) and stages and isinstance(stages[0], dict):
                data = {**data, "criteria": stages[0].get("criteria", [])}
        return data

    @model_validator(mode="after")
    def _staged(self) -> TrackConfig:
        if not self.stages:
            if self.combine is not None:
                raise ValueError("combine is set but there are no [[stages]]")
            return self
        names = [s.name for s in self.stages]
        if len(self.stages) != 2:
            raise ValueError(
                f"stages: give two stages (the shortlist, then the final round), not {len(names)}"
            )
        if len(set(names)) != len(names):
            raise ValueError(f"stages: the name {names[0]!r} appears twice")
        first, last = self.stages
        if self.criteria != first.criteria:
            raise ValueError(
                "criteria: with [[stages]], each stage gives its own rubric; leave out the "
                "top-level criteria"
            )
        if first.size is None:
            raise ValueError(f"stages[0].size: give the size of {first.name!r}'s shortlist")
        if last.size is not None:
            raise ValueError(
                "stages[1].size: the last stage decides the cohort, whose size is [cohort]"
            )
        lo, hi = self.cohort.bounds
        if first.size < (hi if hi is not None else lo):
            raise ValueError(
                f"stages[0].size: a shortlist of {first.size} is smaller than the cohort "
                f"({hi if hi is not None else lo})"
            )
        if self.selection.standardize:
            raise ValueError("selection.standardize: with [[stages]], set standardize in [combine]")
        if self.combine is None:
            raise ValueError(
                "combine: with [[stages]], give [combine] weights = { "
                + ", ".join(f"{n} = …" for n in names)
                + " }"
            )
        for key, what in ((self.combine.weights, "weights"),) + (
            ((self.combine.standardize, "standardize"),)
            if isinstance(self.combine.standardize, dict)
            else ()
        ):
            for name in key:
                if name not in names:
                    raise ValueError(
                        f"combine.{what}: {name!r} is not a stage{_did_you_mean(name, names)}"
                    )
        missing = [n for n in names if n not in self.combine.weights]
        if missing:
            raise ValueError(f"combine.weights: no weight for stage {missing[0]!r}")
        return self

    @model_validator(mode="after")
    def _unique_criteria(self) -> TrackConfig:
        seen: set[str] = set()
        for c in self.criteria:
            if c.id in seen:
                raise ValueError(f"criterion id {c.id!r} appears twice")
            seen.add(c.id)
        return self

    @model_validator(mode="after")
    def _known_labels(self) -> TrackConfig:
        known = [*self._default_labels(), *LOCK_LABELS]
        for rule_id, label in (self.labels or {}).items():
            if rule_id not in known:
                hint = _did_you_mean(rule_id, known) or f" (its rules: {', '.join(known)})"
                raise ValueError(f"labels: {rule_id!r} is not a rule of this config{hint}")
            if not label.strip() or len(label) > MAX_LABEL_LENGTH:
                raise ValueError(
                    f"labels: the label of {rule_id!r} must be 1 to {MAX_LABEL_LENGTH} characters"
                )
        shown = self.rule_labels()
        for rule_id in self.labels or {}:
            same = [r for r, label in shown.items() if label == shown[rule_id] and r != rule_id]
            if same:
                raise ValueError(
                    f"labels: {rule_id!r} has the same label as {same[0]!r}: {shown[rule_id]!r}"
                )
        return self

    def _rules(self) -> list[tuple[str, str, tuple[str, int | None, str | None]]]:
        """(id, default label, (kind, diversity index, named value)) of every configured rule."""
        out: list[tuple[str, str, tuple[str, int | None, str | None]]] = []
        lo, hi = self.cohort.bounds
        if lo == hi:
            size = f"a cohort of {lo}"
        elif hi is None:
            size = f"at least {lo} in the cohort"
        else:
            size = f"a cohort of {lo} to {hi}" if lo else f"at most {hi} in the cohort"
        out.append(("size", size, ("size", None, None)))
        out.append(("min_pgy", f"PGY{self.eligibility.min_pgy} or beyond", ("min_pgy", None, None)))
        if self.eligibility.pgy1_by_approval:
            label = "PGY1 only with program director approval"
            out.append(("pgy1_approval", label, ("pgy1_approval", None, None)))
        if self.eligibility.max_pgy1 is not None:
            label = f"at most {self.eligibility.max_pgy1} PGY1"
            out.append(("max_pgy1", label, ("max_pgy1", None, None)))
        if self.eligibility.exclude_current_trainees:
            label = "not a current trainee of the track"
            out.append(("current_trainee", label, ("current_trainee", None, None)))
        seen: set[str] = set()

        def put(rule_id: str, label: str, where: tuple[str, int | None, str | None]) -> None:
            n = 1
            while (unique := rule_id if n == 1 else f"{rule_id}#{n}") in seen:
                n += 1
            seen.add(unique)
            out.append((unique, label, where))

        for i, d in enumerate(self.diversity):
            f = d.field
            if d.max_per_value is not None:
                label = f"at most {d.max_per_value} per {f}"
                put(f"max_per_value:{f}", label, ("max_per_value", i, None))
            if d.min_distinct is not None:
                label = f"at least {d.min_distinct} {plural(f)}"
                put(f"min_distinct:{f}", label, ("min_distinct", i, None))
            for value, n in sorted(d.min_per_value.items()):
                if n > 0:
                    label = f"at least {n} with {f} {value}"
                    put(f"min_per_value:{f}:{value}", label, ("min_per_value", i, value))
        if self.selection.min_score is not None:
            label = f"aggregate score at least {self.selection.min_score:g}"
            out.append(("min_score", label, ("min_score", None, None)))
        return out

    def _default_labels(self) -> dict[str, str]:
        return {rule_id: label for rule_id, label, _ in self._rules()}

    def rule_places(self) -> dict[str, tuple[str, int | None, str | None]]:
        """Each configured rule id → (kind, position in ``diversity``, named value)."""
        return {rule_id: where for rule_id, _, where in self._rules()}

    def rule_id(self, kind: str, index: int | None = None, value: str | None = None) -> str:
        """The id of the configured rule of this kind (``max_per_value``, …), at this
        position in ``diversity`` and, for ``min_per_value``, with this named value."""
        if kind in LOCK_LABELS:
            return kind
        found = next((i for i, _, where in self._rules() if where == (kind, index, value)), None)
        if found is None:
            raise KeyError(f"no rule {kind} {index} {value} in this config")
        return found

    def rule_labels(self) -> dict[str, str]:
        """Every rule of this config by its stable id, with its label: the config's own words
        (``[labels]``) or one made from the bounds ("at most 2 per specialty"). Ids: ``size``,
        ``min_pgy``, ``pgy1_approval``, ``max_pgy1``, ``max_per_value:<field>``,
        ``min_distinct:<field>``, ``min_per_value:<field>:<value>``, ``min_score``,
        ``current_trainee`` (a second
        diversity rule on the same field and kind gets ``#2``); the chair's locks are
        ``lock_in`` and ``lock_out`` (:data:`LOCK_LABELS`)."""
        own = self.labels or {}
        return {
            rule_id: own.get(rule_id, label)
            for rule_id, label in {**self._default_labels(), **LOCK_LABELS}.items()
        }

    def criterion(self, criterion_id: str) -> Criterion | None:
        return next((c for c in self.criteria if c.id == criterion_id), None)

    def stage(self, name: str) -> Stage:
        """The stage of this name; a :class:`ConfigError` when there is none."""
        found = next((s for s in self.stages if s.name == name), None)
        if found is None:
            names = [s.name for s in self.stages]
            known = f"; its stages: {', '.join(names)}" if names else "; it has no stages"
            raise ConfigError(
                "stage_unknown",
                f"no stage {name!r} in this config{_did_you_mean(name, names)}{known}",
                key="stages",
            )
        return found

    def stage_key(self, name: str | None) -> str:
        """How reviews and assignments store a stage: "" for the first stage (the only one
        of a cycle without stages, where ``name`` must be None), the name for a later one."""
        if name is None:
            return ""
        return "" if self.stage(name) is self.stages[0] else name

    def stage_name(self, key: str) -> str | None:
        """The stage a stored key names (:meth:`stage_key` back); None without stages."""
        if not self.stages:
            return None
        return self.stages[0].name if key == "" else self.stage(key).name

    def stage_config(self, name: str) -> TrackConfig:
        """One stage as a config without stages: its rubric, and for the first stage its
        shortlist's size and rules (eligibility as the track's, ``max_pgy1`` its own), for the
        last the track's cohort and rules. What reviews of the stage are checked and
        aggregated against, and what the shortlist and the final cohort are decided on (the
        final cohort on the combined score: :func:`selector.stages.combined_scores`)."""
        stage = self.stage(name)
        review = self.review
        if stage.reviewers_per_applicant is not None:
            review = review.model_copy(
                update={"reviewers_per_applicant": stage.reviewers_per_applicant}
            )
        assert self.combine is not None  # a config with stages has [combine]
        standardize = self.combine.standardized(name)
        if stage is self.stages[0]:
            return TrackConfig(
                track=self.track,
                cohort=Cohort(size=stage.size),
                eligibility=self.eligibility.model_copy(update={"max_pgy1": stage.max_pgy1}),
                diversity=stage.diversity,
                criteria=stage.criteria,
                selection=self.selection.model_copy(
                    update={"min_score": stage.min_score, "standardize": standardize}
                ),
                review=review,
            )
        return TrackConfig(
            track=self.track,
            cohort=self.cohort,
            eligibility=self.eligibility,
            diversity=self.diversity,
            criteria=stage.criteria,
            selection=self.selection.model_copy(update={"standardize": standardize}),
            review=review,
            labels=self.labels,
        )

    def contradictions(self) -> list[str]:
        """Rules no pool of applicants can satisfy together, in plain language. The config
        stays valid (a scenario may be explored and diagnosed); `check-config` reports them."""
        largest = self.cohort.bounds[1]
        found = [text for rule in self.diversity for text in rule.contradictions(largest)]
        for stage in self.stages[:-1]:  # a shortlist's own rules, against its size
            found += [
                f"{stage.name} shortlist: {text}"
                for rule in stage.diversity
                for text in rule.contradictions(stage.size)
            ]
        return found

    def field_problems(self, columns: Collection[str] | None = None) -> list[str]:
        """Every rule whose field is unknown (see :func:`rule_field_problem`), keyed like a
        config error: ``diversity[0].field: rule field 'Specialty' is …``."""
        rules = [(f"diversity[{i}]", rule) for i, rule in enumerate(self.diversity)]
        rules += [
            (f"stages[{k}].diversity[{i}]", rule)
            for k, stage in enumerate(self.stages)
            for i, rule in enumerate(stage.diversity)
        ]
        return [
            f"{where}.field: {problem}"
            for where, rule in rules
            if (problem := rule_field_problem(rule.field, columns)) is not None
        ]

    def require_known_fields(
        self, columns: Collection[str] | None = None, source: str = "<config>"
    ) -> None:
        """Raise a :class:`ConfigError` (exit 2) naming every rule whose field is unknown."""
        problems = self.field_problems(columns)
        if problems:
            raise ConfigError(
                "config_field_unknown",
                f"invalid track config: {'; '.join(problems)}",
                Location(file=source),
                key=problems[0].split(":", 1)[0],
                errors=problems,
            )

    @property
    def max_total(self) -> float:
        """The highest weighted total one review can give."""
        return sum(c.weight * c.max for c in self.criteria)

    @property
    def min_total(self) -> float:
        return sum(c.weight * c.min for c in self.criteria)


def _key_path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def parse_config(data: dict[str, Any], source: str = "<config>") -> TrackConfig:
    """Validate a config dict; a :class:`ConfigError` names the source, the key and the fault."""
    try:
        return TrackConfig.model_validate(data)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            key = _key_path(tuple(err["loc"]))
            msg = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                msg = "unknown key"
            lines.append(f"{key}: {msg}")
        first = exc.errors()[0]
        raise ConfigError(
            "config_invalid",
            f"invalid track config: {'; '.join(lines)}",
            Location(file=source),
            key=_key_path(tuple(first["loc"])),
            errors=lines,
        ) from None


#: A track config is a page or two of TOML; anything far larger is not one.
MAX_CONFIG_BYTES = 1024 * 1024


def _config_too_large(source: str) -> ConfigError:
    limit = f"{MAX_CONFIG_BYTES // 1024} KB"
    return ConfigError(
        "config_too_large", f"larger than {limit}; the limit is {limit}", Location(file=source)
    )


def loads_config(text: str, source: str = "<config>") -> TrackConfig:
    """Parse TOML text into a :class:`TrackConfig`."""
    if len(text) > MAX_CONFIG_BYTES:
        raise _config_too_large(source)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("config_toml", f"not valid TOML: {exc}", Location(file=source)) from None
    except RecursionError:  # arrays nested thousands deep
        raise ConfigError(
            "config_toml", "not valid TOML: nested too deeply", Location(file=source)
        ) from None
    return parse_config(data, source)


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key, ensure_ascii=False)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string
    if isinstance(value, dict):
        items = ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items())
        return f"{{ {items} }}" if items else "{}"
    return "[" + ", ".join(_toml_value(v) for v in value) + "]"


def dumps_config(config: TrackConfig) -> str:
    """The config as TOML text that loads back to an equal config: the snapshot recorded for a
    selection run whose rules were edited as a scenario (not read from a file)."""
    lines: list[str] = []
    for section, body in config.model_dump(exclude_none=True).items():
        tables = body if isinstance(body, list) else [body]
        for table in tables:
            lines.append(f"[[{section}]]" if isinstance(body, list) else f"[{section}]")
            lines += [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in table.items()]
            lines.append("")
    return "\n".join(lines)


def read_config_text(path: str | Path) -> str:
    """The text of a config file; a missing, unreadable or non-UTF-8 file is a ConfigError."""
    p = Path(path)
    try:
        with p.open("rb") as stream:
            data = stream.read(MAX_CONFIG_BYTES + 1)
        if len(data) > MAX_CONFIG_BYTES:
            raise _config_too_large(str(p))
        return data.decode("utf-8")
    except FileNotFoundError:
        raise ConfigError(
            "config_missing", "config file not found", Location(file=str(p))
        ) from None
    except OSError as exc:
        raise ConfigError(
            "config_unreadable", f"cannot read: {exc.strerror}", Location(file=str(p))
        ) from None
    except UnicodeDecodeError:
        raise ConfigError("config_unreadable", "not UTF-8 text", Location(file=str(p))) from None


def load_config(path: str | Path) -> TrackConfig:
    """Read and validate a track config file."""
    return loads_config(read_config_text(path), str(path))


def _default_config_path() -> Path:
    """The DEI Leadership Track's config: ``rubrics/`` of a checkout (and an editable install),
    else the copy an installed wheel carries as package data (``selector/rubrics/``)."""
    checkout = Path(__file__).resolve().parent.parent / "rubrics" / "dei_leadership.toml"
    if checkout.is_file():
        return checkout
    from importlib import resources

    return Path(str(resources.files("selector.rubrics").joinpath("dei_leadership.toml")))


#: The config shipped for the DEI Leadership Track.
DEFAULT_CONFIG_PATH = _default_config_path()
