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
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from selector.config import Criterion, TrackConfig
from selector.errors import InputError, Location, Problem
from selector.models import Applicant, Review
from selector.tables import Source, read_grid

_APPLICANT = {"applicant_id", "applicant", "id", "applicant_email", "email", "e_mail"}
_REVIEWER = {"reviewer", "reviewer_id", "reviewer_email", "rater", "reviewer_name"}
_COMMENT = {"comment", "comments", "note", "notes"}
_CONFLICT = {"conflict", "conflict_of_interest", "coi"}
_IGNORED = {"applicant_name", "name", "timestamp", "date"}
_TRUE = {"yes", "y", "true", "1", "x"}


@dataclass(frozen=True)
class ScoreFileResult:
    """Reviews read from a score file and the problems found (errors and warnings)."""

    reviews: list[Review]
    problems: list[Problem] = field(default_factory=list)
    format: Literal["long", "wide"] = "long"
    file: str = ""

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


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
    rows = list(zip(grid.row_numbers, grid.rows, strict=True))
    while rows and not any(rows[0][1]):
        rows.pop(0)
    if not rows:
        raise InputError("scores_empty", "the score file has no header row", Location(file=name))
    header_row, header = rows[0]
    cols = [_norm(h) for h in header]
    by_id = {a.applicant_id: a.applicant_id for a in applicants}
    by_email = {}
    for a in applicants:
        if a.email:
            by_email[a.email.strip().casefold()] = a.applicant_id
    by_id.update({k.casefold(): v for k, v in list(by_id.items())})
    criteria: dict[str, Criterion] = {}
    for crit in config.criteria:
        criteria[crit.id] = crit
        criteria[_norm(crit.label)] = crit

    problems: list[Problem] = []

    def where(row: int, col: int | None) -> Location:
        return Location(
            file=name,
            row=row,
            column=header[col] if col is not None and col < len(header) else None,
            column_index=col,
        )

    def find(names: set[str]) -> int | None:
        return next((i for i, c in enumerate(cols) if c in names), None)

    id_col = next((i for i, c in enumerate(cols) if c in _APPLICANT - {"email", "e_mail"}), None)
    email_col = find({"email", "e_mail", "applicant_email"})
    reviewer_col = find(_REVIEWER)
    comment_col = find(_COMMENT)
    conflict_col = find(_CONFLICT)
    if id_col is None and email_col is None:
        raise InputError(
            "scores_no_applicant",
            "no applicant column (applicant_id or email) in the header",
            Location(file=name, row=header_row),
        )
    if reviewer_col is None:
        raise InputError(
            "scores_no_reviewer",
            "no reviewer column in the header",
            Location(file=name, row=header_row),
        )
    long = "criterion" in cols and "score" in cols
    known = {id_col, email_col, reviewer_col, comment_col, conflict_col}
    crit_cols: dict[int, Criterion] = {}
    if long:
        crit_col, score_col = cols.index("criterion"), cols.index("score")
    else:
        for i, col in enumerate(cols):
            if i in known or not col or col in _IGNORED:
                continue
            if col in criteria:
                crit_cols[i] = criteria[col]
            else:
                problems.append(
                    Problem(
                        "score_unknown_criterion",
                        f"unknown criterion column {header[i]!r}; the rubric has "
                        f"{', '.join(x.id for x in config.criteria)}",
                        where(header_row, i),
                    )
                )
        if not crit_cols:
            raise InputError(
                "scores_no_criteria",
                "the header has neither criterion and score columns (long format) nor any "
                "criterion column (wide format)",
                Location(file=name, row=header_row),
            )

    def applicant_of(rn: int, cells: list[str]) -> str | None:
        for col in (id_col, email_col):
            if col is None or col >= len(cells) or not cells[col]:
                continue
            text = cells[col].strip()
            found = by_id.get(text) or by_id.get(text.casefold()) or by_email.get(text.casefold())
            if found:
                return found
            problems.append(
                Problem(
                    "score_unknown_applicant",
                    f"unknown applicant {text!r} (not the id or e-mail of any application)",
                    where(rn, col),
                )
            )
            return None
        problems.append(
            Problem("score_no_applicant", "the applicant is missing", where(rn, id_col))
        )
        return None

    def score_of(rn: int, col: int, text: str, crit: Criterion) -> float | None:
        x = _number(text)
        if x is None:
            problems.append(
                Problem("score_not_number", f"score {text!r} is not a number", where(rn, col))
            )
            return None
        if not crit.min <= x <= crit.max:
            problems.append(
                Problem(
                    "score_off_scale",
                    f"score {x:g} for {crit.id} is outside its scale {crit.min:g}..{crit.max:g}",
                    where(rn, col),
                )
            )
            return None
        return x

    scores: dict[tuple[str, str], dict[str, float]] = {}
    comments: dict[tuple[str, str], list[str]] = {}
    conflicts: dict[tuple[str, str], bool] = {}
    first_row: dict[tuple[str, ...], int] = {}
    bad: set[tuple[str, str]] = set()
    for rn, cells in rows[1:]:
        if not any(cells):
            continue
        cells = cells + [""] * (len(header) - len(cells))
        applicant = applicant_of(rn, cells)
        reviewer = cells[reviewer_col].strip()
        if not reviewer:
            problems.append(
                Problem("score_no_reviewer", "the reviewer is missing", where(rn, reviewer_col))
            )
        if applicant is None or not reviewer:
            continue
        key = (applicant, reviewer)
        if long:
            crit_text = cells[crit_col].strip()
            found = criteria.get(_norm(crit_text))
            if found is None:
                problems.append(
                    Problem(
                        "score_unknown_criterion",
                        f"unknown criterion {crit_text!r}; the rubric has "
                        f"{', '.join(x.id for x in config.criteria)}",
                        where(rn, crit_col),
                    )
                )
                bad.add(key)
                continue
            dup = (applicant, reviewer, found.id)
            if dup in first_row:
                problems.append(
                    Problem(
                        "score_duplicate",
                        f"{reviewer} scored {applicant} on {found.id} twice "
                        f"(also row {first_row[dup]})",
                        where(rn, score_col),
                    )
                )
                bad.add(key)
                continue
            first_row[dup] = rn
            x = score_of(rn, score_col, cells[score_col], found)
            if x is None:
                bad.add(key)
                continue
            scores.setdefault(key, {})[found.id] = x
        else:
            if key in first_row:
                problems.append(
                    Problem(
                        "score_duplicate",
                        f"{reviewer} scored {applicant} twice (also row {first_row[key]})",
                        where(rn, reviewer_col),
                    )
                )
                bad.add(key)
                continue
            first_row[key] = rn
            review: dict[str, float] = {}
            for ci, crit in crit_cols.items():
                if not cells[ci].strip():
                    continue
                x = score_of(rn, ci, cells[ci], crit)
                if x is None:
                    bad.add(key)
                else:
                    review[crit.id] = x
            scores[key] = review
        if comment_col is not None and cells[comment_col].strip():
            comments.setdefault(key, []).append(cells[comment_col].strip())
        if conflict_col is not None and cells[conflict_col].strip().casefold() in _TRUE:
            conflicts[key] = True
    reviews = [
        Review(a, r, s, " / ".join(comments.get((a, r), [])), conflicts.get((a, r), False))
        for (a, r), s in sorted(scores.items())
        if (a, r) not in bad
    ]
    return ScoreFileResult(reviews, problems, "long" if long else "wide", name)
