"""The row loop: each data row becomes an accepted applicant, a rejected row or a superseded
duplicate, and each applicant gets an id no other has.

1. A row missing a valid e-mail, a resident PGY level or a specialty is **rejected**, with
   every reason and its cell.
2. Otherwise it is an applicant: the specialty made canonical, the approval read, the name
   tidied, the id taken from the ID cell or made from the e-mail (:mod:`.cells`). Unclear
   values are kept with a warning.
3. Several valid rows with one e-mail keep the latest submission (**duplicates**).
4. A repeated ID cell gives the later applicant its e-mail id; when that is taken too, the row
   is rejected (``id_collision``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, replace
from operator import itemgetter
from typing import NamedTuple

from selector.errors import Location, Problem
from selector.intake.cells import (
    ANONYMOUS,
    PGY_RANGE,
    collapse_spaces,
    email_id,
    format_id,
    is_email,
    normalize_email,
    normalize_specialty,
    parse_pgy,
    parse_timestamp,
    parse_yes_no,
    tidy_name,
)
from selector.intake.headers import Table
from selector.intake.result import Rejection
from selector.models import Applicant


class RawRow(NamedTuple):
    """A data row's cells for the fields intake reads ("" for a field with no column)."""

    applicant_id: str
    name: str
    first_name: str
    last_name: str
    email: str
    pgy: str
    specialty: str
    program: str
    pgy1_approved: str
    submitted: str


@dataclass(frozen=True)
class Where:
    """Where a field's cell is, for a problem: the file, the headers, field → column index."""

    file: str
    headers: list[str]
    columns: Mapping[str, int]

    def cell(self, row: int | None, name: str | None = None) -> Location:
        c = self.columns.get(name) if name else None
        column = self.headers[c] if c is not None else None
        return Location(file=self.file, row=row, column=column, column_index=c)


@dataclass(frozen=True)
class Rows:
    """The outcome of the row loop."""

    accepted: list[Applicant]
    rejected: list[Rejection]
    warnings: list[Problem]


def read_rows(table: Table, columns: Mapping[str, int], file: str) -> Rows:
    """Validate every data row of ``table``, its fields in ``columns`` (field → index)."""
    headers = table.header.display
    where = Where(file, headers, columns)
    # A field with no column reads the blank cell past the last one (see Table).
    pick = itemgetter(*(columns.get(name, table.width) for name in RawRow._fields))
    answer_columns = _answer_columns(table, columns)
    rejected: list[Rejection] = []
    warnings: list[Problem] = []
    applicants: list[Applicant] = []
    submitted: list[str] = []  # the submission-time cell of each applicant, for duplicates
    for number, row in zip(table.row_numbers, table.rows, strict=True):
        raw = RawRow._make(pick(row))
        email = normalize_email(raw.email)
        pgy = parse_pgy(raw.pgy)
        errors = _row_errors(raw, email, pgy, number, where)
        if errors:
            named = _named_id(raw, email)
            values = dict(zip(headers, row, strict=False))
            valid = email if is_email(email) else None
            rejected.append(
                Rejection(number, [p.message for p in errors], values, errors, named, valid)
            )
            continue
        assert pgy is not None  # _row_errors rejects a row without one
        answers = {header: row[c] for header, c in answer_columns}
        applicants.append(_applicant(raw, email, pgy, answers, number, where, warnings))
        submitted.append(raw.submitted)

    accepted = _keep_latest(applicants, submitted, warnings, where)
    accepted, clashes = _unique_ids(accepted, warnings, where)
    if clashes:
        by_number = dict(zip(table.row_numbers, table.rows, strict=True))
        for a, problem in clashes:
            values = dict(zip(headers, by_number[a.row or 0], strict=False))
            rejected.append(
                Rejection(a.row or 0, [problem.message], values, [problem], a.applicant_id, a.email)
            )
        rejected.sort(key=lambda r: r.row)
    warnings.sort(key=lambda p: p.row or 0)
    return Rows(accepted, rejected, warnings)


def _answer_columns(table: Table, columns: Mapping[str, int]) -> list[tuple[str, int]]:
    """(header, index) of every column kept as an answer: those of no field but the submission
    time, with a header or a value."""
    fields = {c for name, c in columns.items() if name != "submitted"}
    labels, headers = table.header.labels, table.header.display
    return [
        (headers[c], c)
        for c in range(table.width)
        if c not in fields and (labels[c] or any(r[c] for r in table.rows))
    ]


def _row_errors(raw: RawRow, email: str, pgy: int | None, row: int, where: Where) -> list[Problem]:
    """Why a row is rejected: e-mail, PGY and specialty checks, each with its cell."""
    errors: list[Problem] = []
    if not email:
        errors.append(Problem("email_missing", "e-mail is missing", where.cell(row, "email")))
    elif not is_email(email):
        errors.append(
            Problem("email_invalid", f"e-mail '{raw.email}' is not valid", where.cell(row, "email"))
        )
    if not raw.pgy:
        errors.append(Problem("pgy_missing", "PGY is missing", where.cell(row, "pgy")))
    elif pgy not in PGY_RANGE:
        bounds = "" if pgy is None else f" (PGY1 to PGY{PGY_RANGE[-1]})"
        message = f"PGY '{raw.pgy}' is not a resident level{bounds}"
        errors.append(Problem("pgy_invalid", message, where.cell(row, "pgy")))
    if not raw.specialty:
        errors.append(
            Problem("specialty_missing", "specialty is missing", where.cell(row, "specialty"))
        )
    return errors


def _named_id(raw: RawRow, email: str) -> str | None:
    """The applicant id a row names: its ID cell, else its e-mail when valid."""
    if raw.applicant_id:
        return format_id(raw.applicant_id)
    return email_id(email) if is_email(email) else None


def _applicant(
    raw: RawRow,
    email: str,
    pgy: int,
    answers: dict[str, str],
    row: int,
    where: Where,
    warnings: list[Problem],
) -> Applicant:
    """The applicant of a valid row; unclear values kept, each with a warning."""

    def warn(code: str, message: str, name: str) -> None:
        warnings.append(Problem(code, message, where.cell(row, name), severity="warning"))

    specialty, known = normalize_specialty(raw.specialty)
    if not known:
        warn(
            "specialty_unknown",
            f"specialty '{specialty}' is not in the alias table; kept as written",
            "specialty",
        )
    approved, understood = parse_yes_no(raw.pgy1_approved)
    if not understood and pgy == 1:
        warn(
            "approval_unclear",
            f"PGY1 approval '{raw.pgy1_approved}' not understood; read as no",
            "pgy1_approved",
        )
    name = tidy_name(raw.name)
    if not name or name.lower() in ANONYMOUS:
        name = tidy_name(f"{raw.first_name} {raw.last_name}")
    if not name:
        name = email
        warn("name_missing", "name is missing; the e-mail is shown instead", "name")
    applicant_id = format_id(raw.applicant_id) if raw.applicant_id else email_id(email)
    program = collapse_spaces(raw.program)
    # Positional, in field order: keywords cost a frozen dataclass about 2 µs more per row.
    return Applicant(applicant_id, name, email, pgy, specialty, program, approved, answers, row)


def _keep_latest(
    applicants: list[Applicant], submitted: list[str], warnings: list[Problem], where: Where
) -> list[Applicant]:
    """One applicant per e-mail: the latest submission, in row order (``submitted[i]`` is the
    submission-time cell of ``applicants[i]``)."""
    by_email: defaultdict[str, list[int]] = defaultdict(list)
    for i, a in enumerate(applicants):
        by_email[a.email].append(i)
    superseded: set[int] = set()
    for email, group in by_email.items():
        if len(group) == 1:
            continue
        kept = applicants[_latest(group, submitted)]
        for i in group:
            if applicants[i] is kept:
                continue
            superseded.add(i)
            warnings.append(
                Problem(
                    "duplicate_submission",
                    f"duplicate submission of {email}; kept row {kept.row}",
                    where.cell(applicants[i].row, "email"),
                    severity="warning",
                    params={"email": email, "kept_row": kept.row},
                )
            )
    return [a for i, a in enumerate(applicants) if i not in superseded]


def _latest(group: list[int], submitted: list[str]) -> int:
    """The latest of several submissions (indices, in row order): by submission time when
    every one of them has a readable time (the later row breaks a tie), else the later row."""
    stamps = [parse_timestamp(submitted[i]) for i in group]
    if None in stamps:
        return group[-1]
    return max(zip(stamps, group, strict=True), key=lambda si: (si[0], si[1]))[1]


def _unique_ids(
    accepted: list[Applicant], warnings: list[Problem], where: Where
) -> tuple[list[Applicant], list[tuple[Applicant, Problem]]]:
    """A repeated ID cell (a hand-kept sheet) gives the later applicant its e-mail id; when
    that id is taken too (an ID cell equal to another row's e-mail id), the later row is
    rejected, so no two applicants ever share an id. Returns the accepted and the rejected."""
    if len({a.applicant_id for a in accepted}) == len(accepted):
        return accepted, []
    seen: dict[str, int | None] = {}  # id → sheet row
    out: list[Applicant] = []
    clashes: list[tuple[Applicant, Problem]] = []
    for a in accepted:
        if a.applicant_id in seen:
            new_id = email_id(a.email)
            if new_id in seen:
                message = (
                    f"applicant id '{a.applicant_id}' is also on row {seen[a.applicant_id]}, "
                    f"and the id made from this row's e-mail ('{new_id}') is on row "
                    f"{seen[new_id]}; give this row an ID of its own"
                )
                problem = Problem("id_collision", message, where.cell(a.row, "applicant_id"))
                clashes.append((a, problem))
                continue
            warnings.append(
                Problem(
                    "duplicate_id",
                    f"applicant id '{a.applicant_id}' is also on row {seen[a.applicant_id]}; "
                    f"this applicant gets id {new_id}",
                    where.cell(a.row, "applicant_id"),
                    severity="warning",
                )
            )
            a = replace(a, applicant_id=new_id)
        seen[a.applicant_id] = a.row
        out.append(a)
    return out, clashes
