"""Files selector itself wrote (a roster, a score export): never an applications export.

A roster re-imported by mistake would withdraw everyone not in the cohort; a score export
would fail on a missing PGY column with a message that does not say what the file is. Both
are recognised by their sheet names and header rows (kept true by ``tests/test_intake_origin.py``,
which writes real ones) and refused with a message that names them.
"""

from __future__ import annotations

from selector.tables import Grid

#: Header rows selector writes, lower case, and what the file is.
_HEADERS: dict[tuple[str, ...], str] = {
    ("applicant id", "name", "e-mail", "pgy", "specialty", "score", "margin"): "a roster",
    (
        "applicant id",
        "name",
        "e-mail",
        "pgy",
        "specialty",
        "program",
        "score",
        "status",
        "margin",
        "reason",
    ): "a roster",
    (
        "applicant_id",
        "name",
        "email",
        "pgy",
        "specialty",
        "score",
        "status",
        "margin",
        "replacement",
        "reason",
    ): "a roster",
    ("applicant_id", "reviewer", "criterion", "score", "comment"): "a score export",
}
#: Sheet names of the roster workbook besides its tables' (read when the Cohort sheet is empty).
_ROSTER_SHEETS = frozenset(
    {"cohort", "replacements", "all applicants", "rules", "robustness", "audit"}
)


def written_by_selector(grid: Grid) -> str | None:
    """What selector file ``grid`` is ("a roster", "a score export"), else None."""
    first = next((row for row in grid.rows if any(row)), [])
    cells = tuple(c.strip().lower() for c in first)
    while cells and not cells[-1]:
        cells = cells[:-1]
    if cells in _HEADERS:
        return _HEADERS[cells]
    for header, what in _HEADERS.items():  # a roster with its optional trailing columns
        if what == "a roster" and cells[: len(header)] == header:
            return what
    sheet = (grid.sheet or "").strip().lower()
    if sheet in _ROSTER_SHEETS and cells[:2] in {
        ("what", "value"),
        ("member", "member name"),
        ("applicant id", "name"),
    }:
        return "a roster"
    if {"applicant_id", "reviewer"} <= set(cells) and "pgy" not in cells:
        return "a score file"
    return None
