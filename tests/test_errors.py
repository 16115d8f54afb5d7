"""Problems and errors carry a code and a location that reads like a spreadsheet."""

from __future__ import annotations

import pytest

from selector.errors import InputError, Location, Problem, column_letter


@pytest.mark.parametrize(
    ("index", "letters"),
    [(0, "A"), (3, "D"), (25, "Z"), (26, "AA"), (27, "AB"), (701, "ZZ"), (702, "AAA")],
)
def test_column_letter(index: int, letters: str) -> None:
    assert column_letter(index) == letters


def test_location_prefers_the_cell_name() -> None:
    assert str(Location(file="a.xlsx", row=7, column="PGY", column_index=3)) == "a.xlsx, cell D7"
    assert str(Location(file="a.csv", row=7)) == "a.csv, row 7"
    assert str(Location(row=2, column="Email")) == "row 2, column 'Email'"
    assert str(Location()) == ""


def test_problem_and_error_text() -> None:
    p = Problem("pgy_invalid", "PGY 'MS4' is not a resident level", Location(row=5))
    assert p.row == 5 and str(p) == "row 5: PGY 'MS4' is not a resident level"
    err = InputError("file_empty", "the file is empty", Location(file="x.csv"), size=0)
    assert str(err) == "x.csv: the file is empty"
    assert err.code == "file_empty" and err.params == {"size": 0} and err.exit_code == 2


def test_long_quoted_values_and_lines_are_clipped() -> None:
    from selector.errors import LINE_LIMIT, QUOTE_LIMIT, clip

    assert clip("PGY 'MS4' is not valid") == "PGY 'MS4' is not valid"
    long = clip(f"PGY {'9' * 10_000!r} is not a resident level")
    assert long == f"PGY '{'9' * (QUOTE_LIMIT - 2)}…' is not a resident level"
    assert len(clip("x" * 10_000)) == LINE_LIMIT and clip("x" * 10_000).endswith("…")
    err = InputError("cycle_unknown", f"no cycle named {'c' * 10_000!r}", Location(file="f.csv"))
    assert len(str(err)) <= LINE_LIMIT and len(err.message) <= LINE_LIMIT
    assert len(Problem("x", "y" * 10_000).message) == LINE_LIMIT
