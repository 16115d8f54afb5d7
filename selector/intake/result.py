"""What intake returns: accepted applicants, rejected rows, warnings, the mapping used."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from selector.errors import Problem
from selector.models import Applicant


@dataclass(frozen=True)
class Rejection:
    """A data row that was not accepted: its sheet row, the reasons, and its cells by header.

    ``applicant_id`` is the id the row names (its ID cell, else its e-mail when valid) and
    ``email`` its e-mail when valid, so an import can tell whose row turned invalid (by e-mail
    first: a response id is the form's, not the person's); None when the row names neither.
    """

    row: int
    errors: list[str]
    values: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list, compare=False)
    applicant_id: str | None = field(default=None, compare=False)
    email: str | None = field(default=None, compare=False)

    def to_json(self) -> dict[str, Any]:
        """The row and its reasons, as in ``selector validate --json``."""
        return {"row": self.row, "errors": list(self.errors)}


@dataclass
class IntakeResult:
    """What intake made of a file: accepted applicants, rejected rows, warnings, the mapping."""

    rows: int
    accepted: list[Applicant]
    rejected: list[Rejection]
    warnings: list[Problem]
    headers: list[str]
    mapping: dict[str, str]
    format: str
    file: str = "<upload>"
    header_rows: list[int] = field(default_factory=list)

    @property
    def duplicates(self) -> list[Problem]:
        """The warnings for superseded submissions (rows neither accepted nor rejected)."""
        return [w for w in self.warnings if w.code == "duplicate_submission"]

    def problems(self) -> list[Problem]:
        """Every problem, errors of rejected rows and warnings, in sheet-row order."""
        out = [p for r in self.rejected for p in r.problems] + list(self.warnings)
        return sorted(out, key=lambda p: (p.row or 0, p.severity != "error"))

    def to_json(self) -> dict[str, Any]:
        """The ``selector validate --json`` object."""
        return {
            "rows": self.rows,
            "accepted": [{"row": a.row, **a.canonical()} for a in self.accepted],
            "rejected": [r.to_json() for r in self.rejected],
            "warnings": [{"row": w.row, "message": w.message} for w in self.warnings],
        }
