"""Read reviewer scores from a spreadsheet (.xlsx or .csv), long or wide format.

* long: one row per score — ``applicant_id, reviewer, criterion, score`` (and optionally
  ``comment``, ``conflict``);
* wide: one row per review — ``applicant_id, reviewer, <criterion id or label>...``.

The applicant may be named by id or by e-mail (an ``email`` column, or an e-mail in the id
column). Every bad row is collected as a :class:`~selector.errors.Problem` naming the file,
the row and the cell: a score off the criterion's scale, an unknown criterion, a non-number,
an unknown applicant, the same reviewer scoring the same applicant (and criterion) twice.
An empty cell in the wide format is a missing criterion: the review is kept and
:func:`selector.scoring.aggregate` reports it as incomplete.

The steps: :func:`_read_header` finds the columns (and so the format), then
:func:`_read_long` or :func:`_read_wide` reads the rows below it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from selector.config import Criterion, TrackConfig
from selector.emails import normalize_email
from selector.errors import InputError, Location, Problem
from selector.models import Applicant, Review
from selector.tables import Source, read_grid

_ID = {"applicant_id", "applicant", "id", "applicant_email"}
_EMAIL = {"email", "e_mail", "applicant_email"}
_REVIEWER = {"reviewer", "reviewer_id", "reviewer_email", "rater", "reviewer_name"}
_COMMENT = {"comment", "comments", "note", "notes"}
_CONFLICT = {"conflict", "conflict_of_interest", "coi"}
_IGNORED = {"applicant_name", "name", "timestamp", "date"}
_TRUE = {"yes", "y", "true", "1", "x"}

#: A data row: its sheet row number and its cells.
Row = tuple[int, list[str]]


@dataclass(frozen=True)
class ScoreFileResult:
    """Reviews read from a score file and the problems found (errors and warnings)."""

    reviews: list[Review]
    problems: list[Problem] = field(default_factory=list)
    format: Literal["long", "wide"] = "long"
    file: str = ""
    #: The sheet row where each review, by (applicant id, reviewer), first appears.
    rows: dict[tuple[str, str], int] = field(default_factory=dict)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


@dataclass(frozen=True)
class ScoreHeader:
    """The header row of a score file: which column holds what, and so the format."""

    file: str
    row: int  # its sheet row number
    texts: list[str]  # the header cells
    applicant_id: int | None
    email: int | None
    reviewer: int
    comment: int | None
    conflict: int | None
    long: tuple[int, int] | None  # the criterion and score columns of the long format
    criteria: dict[int, Criterion]  # the criterion columns of the wide format

    @property
    def format(self) -> Literal["long", "wide"]:
        return "long" if self.long else "wide"

    def where(self, row: int, col: int | None) -> Location:
        """A cell of the file, named by its header."""
        column = self.texts[col] if col is not None and col < len(self.texts) else None
        return Location(file=self.file, row=row, column=column, column_index=col)


def read_scores(
    source: Source,
    config: TrackConfig,
    applicants: Iterable[Applicant],
    *,
    filename: str | None = None,
) -> ScoreFileResult:
    """Read a score file; raises :class:`InputError` only when its header is unusable."""
    grid = read_grid(source, filename)
    if filename is None and isinstance(source, (str, Path)):
        filename = str(source)
    name = filename or str(getattr(source, "name", "") or "<scores>")
    rows = [(n, cells) for n, cells in zip(grid.row_numbers, grid.rows, strict=True)]
    while rows and not any(rows[0][1]):
        rows.pop(0)
    if not rows:
        raise InputError("scores_empty", "the score file has no header row", Location(file=name))
    problems: list[Problem] = []
    header = _read_header(rows[0], config, name, problems)
    body = [(n, cells) for n, cells in rows[1:] if any(cells)]
    collector = _Collector(header, applicants, problems)
    if header.long:
        _read_long(body, header, config, collector)
    else:
        _read_wide(body, header, collector)
    return ScoreFileResult(collector.reviews(), problems, header.format, name, collector.first_rows)


# ---------------------------------------------------------------------------------------
# The header.


def _read_header(
    first: Row, config: TrackConfig, file: str, problems: list[Problem]
) -> ScoreHeader:
    """The columns of a score file's header row. An unknown criterion column of the wide
    format is a problem; no applicant, reviewer or criterion column raises."""
    row, texts = first
    cols = [_norm(h) for h in texts]

    def find(names: set[str]) -> int | None:
        return next((i for i, c in enumerate(cols) if c in names), None)

    id_col, email_col, reviewer_col = find(_ID), find(_EMAIL), find(_REVIEWER)
    comment_col, conflict_col = find(_COMMENT), find(_CONFLICT)
    if id_col is None and email_col is None:
        raise InputError(
            "scores_no_applicant",
            "no applicant column (applicant_id or email) in the header",
            Location(file=file, row=row),
        )
    if reviewer_col is None:
        raise InputError(
            "scores_no_reviewer", "no reviewer column in the header", Location(file=file, row=row)
        )
    long = None
    if "criterion" in cols and "score" in cols:
        long = (cols.index("criterion"), cols.index("score"))
    header = ScoreHeader(
        file, row, texts, id_col, email_col, reviewer_col, comment_col, conflict_col, long, {}
    )
    if long:
        return header

    known = {id_col, email_col, reviewer_col, comment_col, conflict_col}
    criteria = _criteria_by_name(config)
    for i, col in enumerate(cols):
        if i in known or not col or col in _IGNORED:
            continue
        if col in criteria:
            header.criteria[i] = criteria[col]
        else:
            message = f"unknown criterion column {texts[i]!r}; the rubric has {_ids(config)}"
            problems.append(Problem("score_unknown_criterion", message, header.where(row, i)))
    if not header.criteria:
        raise InputError(
            "scores_no_criteria",
            "the header has neither criterion and score columns (long format) nor any "
            "criterion column (wide format)",
            Location(file=file, row=row),
        )
    return header


# ---------------------------------------------------------------------------------------
# The two formats.


def _read_long(
    rows: list[Row], header: ScoreHeader, config: TrackConfig, collector: _Collector
) -> None:
    """One score per row: the criterion named in one column, the score in another."""
    assert header.long is not None
    crit_col, score_col = header.long
    criteria = _criteria_by_name(config)
    first_row: dict[tuple[str, str, str], int] = {}  # (applicant, reviewer, criterion) → row
    for rn, cells in rows:
        key = collector.review_of(rn, cells)
        if key is None:
            continue
        crit_text = cells[crit_col].strip()
        crit = criteria.get(_norm(crit_text))
        if crit is None:
            message = f"unknown criterion {crit_text!r}; the rubric has {_ids(config)}"
            collector.fail(key, "score_unknown_criterion", message, rn, crit_col)
            continue
        applicant, reviewer = key
        if (applicant, reviewer, crit.id) in first_row:
            # A bad score is named as such, not only as a repeat (the range check first).
            collector.check(key, rn, score_col, cells[score_col], crit)
            message = (
                f"{reviewer} scored {applicant} on {crit.id} twice "
                f"(also row {first_row[applicant, reviewer, crit.id]})"
            )
            collector.fail(key, "score_duplicate", message, rn, score_col)
            continue
        first_row[applicant, reviewer, crit.id] = rn
        collector.score(key, rn, score_col, cells[score_col], crit)
        collector.note(key, cells)


def _read_wide(rows: list[Row], header: ScoreHeader, collector: _Collector) -> None:
    """One review per row: a column per criterion; an empty cell is a missing criterion."""
    first_row: dict[tuple[str, str], int] = {}  # (applicant, reviewer) → row
    for rn, cells in rows:
        key = collector.review_of(rn, cells)
        if key is None:
            continue
        applicant, reviewer = key
        if key in first_row:
            # A bad score is named as such, not only as a repeat (the range check first).
            for col, crit in header.criteria.items():
                if cells[col].strip():
                    collector.check(key, rn, col, cells[col], crit)
            message = f"{reviewer} scored {applicant} twice (also row {first_row[key]})"
            collector.fail(key, "score_duplicate", message, rn, header.reviewer)
            continue
        first_row[key] = rn
        collector.start(key)
        for col, crit in header.criteria.items():
            if cells[col].strip():
                collector.score(key, rn, col, cells[col], crit)
        collector.note(key, cells)


# ---------------------------------------------------------------------------------------
# What both formats share.


class _Collector:
    """The reviews read so far, by (applicant id, reviewer), and the problems: a review with
    any bad score is dropped whole."""

    def __init__(
        self, header: ScoreHeader, applicants: Iterable[Applicant], problems: list[Problem]
    ) -> None:
        self.header = header
        self.problems = problems
        self.by_id: dict[str, str] = {}
        self.by_email: dict[str, str] = {}
        for a in applicants:
            self.by_id[a.applicant_id] = a.applicant_id
            self.by_id.setdefault(a.applicant_id.casefold(), a.applicant_id)
            if a.email:
                self.by_email[normalize_email(a.email)] = a.applicant_id
        self.scores: dict[tuple[str, str], dict[str, float]] = {}
        self.comments: dict[tuple[str, str], list[str]] = {}
        self.conflicts: set[tuple[str, str]] = set()
        self.bad: set[tuple[str, str]] = set()
        self.first_rows: dict[tuple[str, str], int] = {}

    def problem(self, code: str, message: str, row: int, col: int | None) -> None:
        self.problems.append(Problem(code, message, self.header.where(row, col)))

    def review_of(self, rn: int, cells: list[str]) -> tuple[str, str] | None:
        """(applicant id, reviewer) of a row, or None with a problem for each that is
        missing or unknown. The row is padded to the header's width."""
        cells.extend([""] * (len(self.header.texts) - len(cells)))
        applicant = self._applicant(rn, cells)
        reviewer = cells[self.header.reviewer].strip()
        if not reviewer:
            self.problem("score_no_reviewer", "the reviewer is missing", rn, self.header.reviewer)
        if applicant is None or not reviewer:
            return None
        self.first_rows.setdefault((applicant, reviewer), rn)
        return applicant, reviewer

    def _applicant(self, rn: int, cells: list[str]) -> str | None:
        """The applicant id a row names by id or e-mail (the id column first)."""
        for col in (self.header.applicant_id, self.header.email):
            if col is None or not cells[col]:
                continue
            text = cells[col].strip()
            found = (
                self.by_id.get(text)
                or self.by_id.get(text.casefold())
                or self.by_email.get(normalize_email(text))
            )
            if not found:
                message = f"unknown applicant {text!r} (not the id or e-mail of any application)"
                self.problem("score_unknown_applicant", message, rn, col)
            return found
        self.problem("score_no_applicant", "the applicant is missing", rn, self.header.applicant_id)
        return None

    def fail(self, key: tuple[str, str], code: str, message: str, rn: int, col: int) -> None:
        """A problem that drops the review."""
        self.problem(code, message, rn, col)
        self.bad.add(key)

    def start(self, key: tuple[str, str]) -> None:
        """A review with no score yet (the wide format: every criterion may be blank)."""
        self.scores[key] = {}

    def check(
        self, key: tuple[str, str], rn: int, col: int, text: str, crit: Criterion
    ) -> float | None:
        """A score cell's number when it is on the criterion's scale; else None, a problem,
        and the review is dropped."""
        x = _number(text)
        if x is None:
            self.fail(key, "score_not_number", f"score {text!r} is not a number", rn, col)
            return None
        off_scale = crit.scale_problem(x)
        if off_scale is not None:
            self.fail(key, "score_off_scale", off_scale, rn, col)
            return None
        return x

    def score(self, key: tuple[str, str], rn: int, col: int, text: str, crit: Criterion) -> None:
        """A score cell: a number on the criterion's scale, else the review is dropped."""
        x = self.check(key, rn, col, text, crit)
        if x is not None:
            self.scores.setdefault(key, {})[crit.id] = x

    def note(self, key: tuple[str, str], cells: list[str]) -> None:
        """The row's comment and conflict-of-interest cells."""
        comment_col, conflict_col = self.header.comment, self.header.conflict
        if comment_col is not None and cells[comment_col].strip():
            self.comments.setdefault(key, []).append(cells[comment_col].strip())
        if conflict_col is not None and cells[conflict_col].strip().casefold() in _TRUE:
            self.conflicts.add(key)

    def reviews(self) -> list[Review]:
        """The reviews without a bad score, by applicant and reviewer."""
        return [
            Review(a, r, s, " / ".join(self.comments.get((a, r), [])), (a, r) in self.conflicts)
            for (a, r), s in sorted(self.scores.items())
            if (a, r) not in self.bad
        ]


def _criteria_by_name(config: TrackConfig) -> dict[str, Criterion]:
    """Each criterion by its id and by its label as a header."""
    criteria: dict[str, Criterion] = {}
    for crit in config.criteria:
        criteria[crit.id] = crit
        criteria[_norm(crit.label)] = crit
    return criteria


def _ids(config: TrackConfig) -> str:
    return ", ".join(c.id for c in config.criteria)


def _norm(header: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", header.strip().casefold()).strip("_")


def _number(text: str) -> float | None:
    t = text.strip()
    if "," in t and "." not in t:
        t = t.replace(",", ".")
    try:
        x = float(t)
    except ValueError:
        return None
    return x if math.isfinite(x) else None
