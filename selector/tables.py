"""Read a spreadsheet file into a grid of text cells with the row numbers Excel shows.

File-like in: every reader takes bytes or a binary file object (or a path) and sniffs the
format from the content, not the name. ``.xlsx`` is read with python-calamine (fast, and its
XML parser expands no entities); ``.csv`` is decoded as UTF-8 (with or without BOM), falling
back to cp1252 for older Excel, with the delimiter sniffed. Intake of applications and of
score files both build on :func:`read_grid`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from dataclasses import dataclass
from itertools import zip_longest
from pathlib import Path
from typing import IO, Any

from selector.errors import InputError, Location

Source = bytes | bytearray | IO[bytes] | str | Path

#: Largest file intake accepts (the dashboard caps uploads lower).
MAX_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class Grid:
    """A sheet as text: ``rows[i]`` is Excel row ``row_numbers[i]``; cells are stripped strings."""

    rows: list[list[str]]
    row_numbers: list[int]
    format: str  # "xlsx" or "csv"
    sheet: str | None = None
    encoding: str | None = None


def read_bytes(source: Source, filename: str | None = None) -> tuple[bytes, str]:
    """The bytes of a source and a name to report it by."""
    if isinstance(source, (bytes, bytearray)):
        return bytes(source), filename or "<upload>"
    if isinstance(source, (str, Path)):
        path = Path(source)
        try:
            return path.read_bytes(), filename or str(path)
        except FileNotFoundError:
            raise InputError("file_missing", "file not found", Location(file=str(path))) from None
        except OSError as exc:
            raise InputError(
                "file_unreadable", f"cannot read: {exc.strerror}", Location(file=str(path))
            ) from None
    data = source.read()
    name = filename or getattr(source, "name", None) or "<upload>"
    if isinstance(data, str):  # a text stream: accept it rather than fail
        data = data.encode("utf-8")
    return data, str(name)


def cell_text(value: Any) -> str:
    """One cell as text: whole floats without ".0", dates as ISO, booleans as TRUE/FALSE."""
    if type(value) is str:  # the common case first: most cells are text
        return value.strip()
    if value is None:
        return ""
    if type(value) is dt.datetime:  # form exports have a few timestamp columns
        return value.isoformat(" ", "seconds")
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(" ", "seconds")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    return str(value).strip()


_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")  # Excel's "Unicode Text" export


def _is_zip(data: bytes) -> bool:
    return data[:4] == b"PK\x03\x04"


def _looks_binary(data: bytes) -> bool:
    head = data[:4096]
    return (
        b"\x00" in head or head[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" or head[:5] == b"%PDF-"
    )


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith(_UTF16_BOMS):
        return data.decode("utf-16", errors="replace"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"


def _delimiter(text: str) -> str:
    """The delimiter of a CSV: of , ; tab |, the commonest in the first non-blank lines."""
    lines = [ln for ln in text[:20000].splitlines() if ln.strip()][:5]
    counts = {d: sum(ln.count(d) for ln in lines) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _read_csv(data: bytes, name: str) -> Grid:
    text, encoding = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    rows: list[list[str]] = []
    numbers: list[int] = []
    try:
        for i, record in enumerate(reader, start=1):
            rows.append([c.strip() for c in record])
            numbers.append(i)
    except csv.Error as exc:
        raise InputError(
            "csv_malformed", f"not a readable CSV file: {exc}", Location(file=name)
        ) from None
    return Grid(rows, numbers, "csv", None, encoding)


def _read_xlsx(data: bytes, name: str, sheet: str | None) -> Grid:
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = list(wb.sheet_names)
        if sheet is not None and sheet not in names:
            raise InputError(
                "sheet_missing",
                f"no sheet named {sheet!r}; the workbook has {', '.join(names)}",
                Location(file=name),
            )
        # Without a named sheet: the first one that has any cells (skips a blank cover sheet).
        chosen, cells = names[0], []
        for candidate in [sheet] if sheet is not None else names:
            chosen = candidate
            cells = wb.get_sheet_by_name(candidate).to_python(skip_empty_area=False)
            if any(v not in ("", None) for row in cells for v in row):
                break
    except InputError:
        raise
    except (CalamineError, ValueError, IndexError, OSError) as exc:
        raise InputError(
            "xlsx_unreadable", f"not a readable .xlsx workbook: {exc}", Location(file=name)
        ) from None
    rows = _as_text(cells)
    return Grid(rows, list(range(1, len(rows) + 1)), "xlsx", chosen, None)


def _as_text(cells: list[list[Any]]) -> list[list[str]]:
    """The cells as text, column by column (rows padded to the sheet's width): a column of text
    only (most of a form export) is stripped in one C-speed pass; the others (timestamps,
    numbers) go through cell_text."""
    strip = str.strip
    columns: list[list[str]] = []
    for column in zip_longest(*cells, fillvalue=""):
        try:
            columns.append(list(map(strip, column)))
        except TypeError:  # a cell that is not text
            columns.append(list(map(cell_text, column)))
    return [list(row) for row in zip(*columns, strict=True)]


def read_grid(source: Source, filename: str | None = None, sheet: str | None = None) -> Grid:
    """Read the first non-empty (or the named) sheet of an .xlsx, or a .csv, into a Grid."""
    data, name = read_bytes(source, filename)
    if len(data) > MAX_BYTES:
        raise InputError(
            "file_too_large",
            f"file is {len(data) / 1e6:.1f} MB; the limit is {MAX_BYTES / 1e6:.0f} MB",
            Location(file=name),
        )
    if not data.strip():
        raise InputError("file_empty", "the file is empty", Location(file=name))
    if _is_zip(data):
        return _read_xlsx(data, name, sheet)
    if _looks_binary(data) and not data.startswith(_UTF16_BOMS):
        raise InputError(
            "not_a_spreadsheet",
            "not a spreadsheet: expected an .xlsx workbook or a .csv file "
            "(an old .xls? save it as .xlsx)",
            Location(file=name),
        )
    return _read_csv(data, name)
