"""Applications export (xlsx/csv from a form tool or a hand-kept sheet) → validated applicants.

The steps, one module each:

* read the sheet as text (:func:`selector.tables.read_grid`);
* :mod:`.headers`: find the header row below any title rows, joining the extra header rows
  that SurveyMonkey (question + sub-answer) and Qualtrics (codes, question text, ImportId
  JSON) write;
* :mod:`.mapping`: map columns to fields by header synonyms (:mod:`.synonyms`; long question
  texts too), then by content, ``--map`` overrides first;
* :mod:`.rows`: validate each data row with the cell parsers of :mod:`.cells`.

A file selector itself wrote (a roster, a score export; :mod:`.origin`) is refused first,
named as such.

Every data row ends up in exactly one place: ``accepted``, ``rejected`` (with reasons), or a
``duplicate_submission`` warning (an earlier submission by the same e-mail, superseded by the
kept one). Only an unreadable file, a missing header or an unmappable required field raise
:class:`~selector.errors.InputError`.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from selector.errors import InputError, Location, Problem
from selector.intake.cells import (
    PGY_RANGE,
    email_id,
    format_id,
    is_email,
    normalize_email,
    parse_pgy,
    parse_timestamp,
    parse_yes_no,
    tidy_name,
)
from selector.intake.headers import split_table
from selector.intake.mapping import map_columns
from selector.intake.origin import written_by_selector
from selector.intake.result import IntakeResult, Rejection
from selector.intake.rows import read_rows
from selector.intake.synonyms import MAPPABLE_FIELDS, header_tokens
from selector.tables import Grid, Source, read_bytes, read_grid

__all__ = [
    "MAPPABLE_FIELDS",
    "PGY_RANGE",
    "IntakeResult",
    "Rejection",
    "applications_from_grid",
    "email_id",
    "format_id",
    "header_tokens",
    "is_email",
    "normalize_email",
    "parse_pgy",
    "parse_timestamp",
    "parse_yes_no",
    "read_applications",
    "tidy_name",
]


def read_applications(
    source: Source,
    *,
    filename: str | None = None,
    mapping: Mapping[str, str] | None = None,
) -> IntakeResult:
    """Read an applications export into accepted applicants, rejected rows and warnings.

    ``mapping`` overrides the guessed column for a field: ``{"pgy": "Training level"}``.
    Raises :class:`InputError` only when the file as a whole cannot be read.
    """
    data, file = read_bytes(source, filename)
    return applications_from_grid(read_grid(data, file), file=file, mapping=mapping)


def applications_from_grid(
    grid: Grid, *, file: str = "<upload>", mapping: Mapping[str, str] | None = None
) -> IntakeResult:
    """Intake after the parse: a sheet of text cells → applicants, rejected rows, warnings.

    The data rows of ``grid`` are padded in place.
    """
    overrides = dict(mapping or {})
    if (what := written_by_selector(grid)) is not None:
        raise InputError(
            "selector_file",
            f"this is {what} written by selector, not an applications export; upload the "
            "application form's export",
            Location(file=file),
            kind=what,
        )
    with _gc_paused():
        table = split_table(grid, overrides, file)
        mapped: list[Problem] = []  # a column taken instead of the one its header named
        columns = map_columns(table.header, table.rows, overrides, file, mapped)
        rows = read_rows(table, columns, file)
    headers = table.header.display
    return IntakeResult(
        rows=len(table.rows),
        accepted=rows.accepted,
        rejected=rows.rejected,
        warnings=mapped + rows.warnings,
        headers=headers,
        mapping={name: headers[c] for name, c in sorted(columns.items(), key=lambda kv: kv[1])},
        format=grid.format,
        file=file,
        header_rows=table.header_rows,
    )


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector: intake builds thousands of objects and frees none of
    them until it returns, so collections meanwhile only cost time (about a tenth of the work
    after the parse on 5,000 rows; ``bench/intake_bench.py``)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
