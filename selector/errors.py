"""Errors and problems that carry a code, parameters and a location.

Two kinds:

* :class:`Problem` — something wrong with one row or cell of an input file. Problems are
  *collected* (never raised) so a coordinator sees every bad row at once.
* :class:`SelectorError` — the whole operation cannot go on (an unreadable file, a broken
  config). Raised; the CLI turns it into one line on stderr and exit code 2.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning"]

#: The longest quoted value a message shows whole, and the longest message line.
QUOTE_LIMIT = 80
LINE_LIMIT = 300

_QUOTED = re.compile(rf"'[^'\n]{{{QUOTE_LIMIT + 1},}}'|\"[^\"\n]{{{QUOTE_LIMIT + 1},}}\"")


def clip(text: str) -> str:
    """A message fit for one line: each quoted value longer than :data:`QUOTE_LIMIT` cut short
    with "…", the whole text cut at :data:`LINE_LIMIT` characters. A 200 KB cell quoted in an
    error is then still one readable line."""
    if len(text) <= QUOTE_LIMIT:
        return text
    text = _QUOTED.sub(lambda m: m[0][: QUOTE_LIMIT - 1] + "…" + m[0][-1], text)
    return text if len(text) <= LINE_LIMIT else text[: LINE_LIMIT - 1] + "…"


def describe_unexpected(exc: BaseException) -> str:
    """One line for an exception nobody expected, without its text: the text of a database or
    driver error can quote a row (SQLAlchemy's IntegrityError shows the INSERT's parameters,
    PostgreSQL the duplicate key), so only the class and a hint are shown."""
    name = type(exc).__name__
    hint = _HINTS.get(name, "a bug in selector, or a broken database")
    return f"{name} ({hint}; details are not shown as they may hold applicant data)"


_HINTS = {
    "IntegrityError": "the database refused a change that conflicts with a stored row; "
    "nothing was saved",
    "OperationalError": "the database could not be used",
    "DataError": "a value did not fit its database column; nothing was saved",
    "MemoryError": "out of memory",
}


def column_letter(index: int) -> str:
    """Excel column letters for a 0-based column index: 0 → A, 27 → AB."""
    letters = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@dataclass(frozen=True)
class Location:
    """Where a problem is: a file, a sheet row as Excel numbers it, a column."""

    file: str | None = None
    row: int | None = None
    column: str | None = None  # header text
    column_index: int | None = None  # 0-based, for the cell name

    @property
    def cell(self) -> str | None:
        """The spreadsheet cell name ("D7") when both row and column are known."""
        if self.row is None or self.column_index is None:
            return None
        return f"{column_letter(self.column_index)}{self.row}"

    def __str__(self) -> str:
        parts = []
        if self.file:
            parts.append(self.file)
        if self.cell:
            parts.append(f"cell {self.cell}")
        elif self.row is not None:
            parts.append(f"row {self.row}")
        if self.column and not self.cell:
            parts.append(f"column {self.column!r}")
        return ", ".join(parts)


@dataclass(frozen=True)
class Problem:
    """One collected problem in an input: a code, a readable message, where, how bad."""

    code: str
    message: str
    location: Location = field(default_factory=Location)
    severity: Severity = "error"
    params: dict[str, Any] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "message", clip(self.message))

    @property
    def row(self) -> int | None:
        return self.location.row

    def __str__(self) -> str:
        where = str(self.location)
        return f"{where}: {self.message}" if where else self.message


class SelectorError(Exception):
    """An operation that cannot go on. ``code`` is stable for scripts; ``str()`` is for people."""

    exit_code = 2

    def __init__(
        self,
        code: str,
        message: str,
        location: Location | None = None,
        **params: Any,
    ) -> None:
        self.code = code
        self.message = clip(message)
        self.location = location or Location()
        self.params = params
        where = str(self.location)
        super().__init__(clip(f"{where}: {self.message}" if where else self.message))


class InputError(SelectorError):
    """An input file cannot be read or understood."""


class ConfigError(SelectorError):
    """A track config (rubric and rules) is missing or invalid."""


class PermissionDenied(SelectorError):
    """The acting user's role does not allow the operation."""

    exit_code = 4
