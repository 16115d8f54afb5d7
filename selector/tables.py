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
import re
from dataclasses import dataclass
from itertools import zip_longest
from pathlib import Path
from typing import IO, Any

from selector import xlsx
from selector.errors import InputError, Location
from selector.xlsx import LIMITS, MB

Source = bytes | bytearray | IO[bytes] | str | Path

#: Largest file intake accepts (the dashboard caps uploads lower).
MAX_BYTES = 50 * MB


@dataclass(frozen=True)
class Grid:
    """A sheet as text: ``rows[i]`` is Excel row ``row_numbers[i]``; cells are stripped strings."""

    rows: list[list[str]]
    row_numbers: list[int]
    format: str  # "xlsx" or "csv"
    sheet: str | None = None
    encoding: str | None = None


def _too_large(name: str) -> InputError:
    return InputError(
        "file_too_large",
        f"the file is larger than {MAX_BYTES // MB} MB; the limit is {MAX_BYTES // MB} MB",
        Location(file=name),
    )


def read_bytes(source: Source, filename: str | None = None) -> tuple[bytes, str]:
    """The bytes of a source and a name to report it by; never reads past :data:`MAX_BYTES`
    (a path to ``/dev/zero`` or a pipe is refused, not read to the end)."""
    if isinstance(source, (bytes, bytearray)):
        data, name = bytes(source), filename or "<upload>"
    elif isinstance(source, (str, Path)):
        path = Path(source)
        name = filename or str(path)
        try:
            with path.open("rb") as stream:
                data = stream.read(MAX_BYTES + 1)
        except FileNotFoundError:
            raise InputError("file_missing", "file not found", Location(file=str(path))) from None
        except IsADirectoryError:
            raise InputError(
                "file_unreadable", "a folder, not a file", Location(file=str(path))
            ) from None
        except OSError as exc:
            raise InputError(
                "file_unreadable", f"cannot read: {exc.strerror}", Location(file=str(path))
            ) from None
    else:
        data = source.read(MAX_BYTES + 1)
        name = str(filename or getattr(source, "name", None) or "<upload>")
        if isinstance(data, str):  # a text stream: accept it rather than fail
            data = data.encode("utf-8")
    if len(data) > MAX_BYTES:
        raise _too_large(name)
    return data, name


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


_QUOTED = re.compile(r'"[^"]*"')


def _delimiter(text: str) -> str:
    """The delimiter of a CSV: of , ; tab |, the commonest outside quoted text in the first
    non-blank lines."""
    sample = _QUOTED.sub("", text[:20000])
    lines = [ln for ln in sample.splitlines() if ln.strip()][:5]
    counts = {d: sum(ln.count(d) for ln in lines) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


# A quoted cell may hold a whole essay: as long as the file itself may be.
csv.field_size_limit(MAX_BYTES)


def _unclosed_quote(text: str, delimiter: str) -> bool:
    """Whether the text ends inside a quoted cell (a quote opened and never closed, so every
    row after it was read into that one cell)."""
    try:
        for _ in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True):
            pass
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)
    return False


def _read_csv(data: bytes, name: str) -> Grid:
    text, encoding = _decode(data)
    delimiter = _delimiter(text)
    cells = text.count(delimiter) + text.count("\n") + 1  # at most this many
    if cells > LIMITS.cells:
        raise InputError(
            "csv_too_many_cells",
            f"the file holds up to {cells:,} cells; the limit is {LIMITS.cells:,} cells",
            Location(file=name),
        )
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[list[str]] = []
    try:
        rows = [[c.strip() for c in record] for record in reader]
    except csv.Error as exc:
        raise InputError(
            "csv_malformed",
            f"not a readable CSV file: {str(exc)[:120]}",
            Location(file=name, row=len(rows) + 1),
        ) from None
    width = max(map(len, rows), default=0)
    if width * len(rows) > LIMITS.cells:
        raise InputError(
            "csv_too_many_cells",
            f"the file claims {len(rows):,} rows × {width:,} columns; the limit is "
            f"{LIMITS.cells:,} cells",
            Location(file=name),
        )
    if rows and any("\n" in c or "\r" in c for c in rows[-1]) and _unclosed_quote(text, delimiter):
        raise InputError(
            "csv_unclosed_quote",
            "a quote opened in this row is never closed, so every row after it was read "
            "into one cell; close the quote (or remove it) and save again",
            Location(file=name, row=len(rows)),
        )
    return Grid(rows, list(range(1, len(rows) + 1)), "csv", None, encoding)


def _read_xlsx(data: bytes, name: str, sheet: str | None) -> Grid:
    found = xlsx.read(data, name, sheet)
    return Grid(found.cells, list(range(1, len(found.cells) + 1)), "xlsx", found.name, None)


def as_text(cells: list[list[Any]]) -> list[list[str]]:
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
