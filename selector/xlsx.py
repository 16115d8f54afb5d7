"""Read an .xlsx workbook that may be hostile, without letting it take the process down.

An .xlsx is a zip of XML parts, and a few hundred bytes of it can ask a parser for anything:
one stray cell at ``XFD1048576`` makes python-calamine allocate the dense rectangle up to it
(549 GB, and the interpreter aborts); a shared-strings part can inflate a 2.5 MB file to 2 GB.
So a workbook is read in two steps:

1. :func:`inspect` checks the limits *before* any parser sees the file, with the standard
   library only: the number of zip members, their real inflated size (decompressed here under
   a budget, whatever sizes the zip claims), and each sheet's used range and cell count
   (scanned from its XML). A file over a limit is refused with the limit named.
2. :func:`read` then parses it with python-calamine in a child process that has an address
   space and CPU-time limit (both steps run there), so whatever a parser can still be made to
   do ends that child, never the dashboard serving everyone else.

A sheet is read from A1 to its last cell that holds a value (empty formatted cells do not
count), so row numbers and cell names stay those Excel shows; that rectangle is what the cell
limit bounds.
"""

from __future__ import annotations

import io
import re
import signal
import zlib
from dataclasses import dataclass
from typing import Any
from xml.etree.ElementTree import Element

from selector.errors import InputError, Location

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """What a workbook may claim before it is parsed, and what its parsing may use."""

    #: Files inside the zip (a form export has about ten).
    members: int = 1_000
    #: Inflated size of all zip members together.
    inflated_bytes: int = 100 * MB
    #: Cells in a sheet's used range (rows × columns, empty ones included).
    cells: int = 2_000_000
    #: Address space of the child process that parses (python-calamine and the cells).
    memory_bytes: int = 1024 * MB
    #: Seconds the parse may take, in CPU and in wall time.
    seconds: int = 60


LIMITS = Limits()

_XML_PART_LIMIT = 4 * MB  # workbook.xml and its relationships: read with ElementTree


def _refuse(code: str, message: str, name: str) -> InputError:
    return InputError(code, message, Location(file=name))


# ---------------------------------------------------------------------------- step 1: inspect


@dataclass(frozen=True)
class SheetExtent:
    """How far a sheet reaches: from A1 to its last row and last column that hold a value."""

    name: str
    rows: int
    columns: int


def _inflate(data: bytes, info: Any, budget: int) -> bytes:
    """A member's bytes, decompressed here from its raw data under ``budget`` bytes: the sizes
    in the zip's directory are the file's word, not a fact."""
    header = data[info.header_offset : info.header_offset + 30]
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        raise ValueError("a zip member's header is missing")
    name_len = int.from_bytes(header[26:28], "little")
    extra_len = int.from_bytes(header[28:30], "little")
    start = info.header_offset + 30 + name_len + extra_len
    raw = data[start : start + info.compress_size]
    if info.compress_type == 0:  # stored
        if len(raw) > budget:
            raise OverflowError
        return raw
    if info.compress_type != 8:  # deflate is what every spreadsheet tool writes
        raise ValueError(f"zip compression method {info.compress_type} is not supported")
    inflater = zlib.decompressobj(-15)
    out = inflater.decompress(raw, budget + 1)
    if len(out) > budget or inflater.unconsumed_tail:
        raise OverflowError
    return out


def _sheet_parts(parts: dict[str, bytes]) -> list[tuple[str, str]]:
    """(sheet name, zip path of its XML) in workbook order."""
    from defusedxml.ElementTree import fromstring

    def tree(path: str) -> Element | None:
        text = parts.get(path)
        if text is None:
            return None
        if len(text) > _XML_PART_LIMIT:
            raise ValueError(f"{path} is larger than {_XML_PART_LIMIT // MB} MB")
        element: Element = fromstring(text)
        return element

    workbook, rels = tree("xl/workbook.xml"), tree("xl/_rels/workbook.xml.rels")
    if workbook is None:
        raise ValueError("it has no xl/workbook.xml")
    targets: dict[str, str] = {}
    for rel in rels if rels is not None else []:
        target = rel.get("Target", "")
        target = target.lstrip("/") if target.startswith("/") else "xl/" + target
        targets[rel.get("Id", "")] = target
    sheets = []
    for element in workbook.iter():
        if element.tag.rsplit("}", 1)[-1] != "sheet":
            continue
        rid = next((v for k, v in element.attrib.items() if k.rsplit("}", 1)[-1] == "id"), "")
        sheets.append((element.get("name", "?"), targets.get(rid, "")))
    return sheets


_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)\b([^>]*?)(/?)>")
_REF = re.compile(rb"\br=\"\$?([A-Za-z]{0,7})\$?(\d{1,12})\"")
_ROW_R = re.compile(rb"\br=\"(\d{1,12})\"")


def _column_number(letters: bytes) -> int:
    number = 0
    for ch in letters.upper():
        number = number * 26 + ch - 64
    return number


_PLAIN_REF = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"')
_PLAIN_CELL = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"[^>]*?(/?)>')


def sheet_extent(name: str, xml: bytes, limit: int | None = None) -> SheetExtent:
    """How far a sheet's XML reaches, as calamine will place its cells: a cell without ``r``
    follows the previous one; an empty ``<c .../>`` holds no value and is ignored, as the
    parser ignores it. Every writer we know names each cell first thing (``<c r="B7"``):
    then the distinct names are all we need, and the empty cells matter only when the sheet
    would otherwise be over ``limit`` (then a second regular-expression pass leaves them
    out). Anything else is walked cell by cell."""
    plain = _PLAIN_REF.findall(xml)
    if len(plain) == xml.count(b"<c ") + xml.count(b"<c>"):  # every cell named, plainly
        extent = SheetExtent(
            name,
            max(map(int, {r for _, r in plain}), default=0),
            max(map(_column_number, {c for c, _ in plain}), default=0),
        )
        if limit is None or extent.rows * extent.columns <= limit:
            return extent
        # Over the limit with its empty cells: the same names, the empty ones left out.
        held = [(c, r) for c, r, empty in _PLAIN_CELL.findall(xml) if not empty]
        return SheetExtent(
            name,
            max(map(int, {r for _, r in held}), default=0),
            max(map(_column_number, {c for c, _ in held}), default=0),
        )
    return _walk_extent(name, xml)


def _walk_extent(name: str, xml: bytes) -> SheetExtent:
    last_row = last_col = row = col = 0
    for match in _TAG.finditer(xml):
        kind, attrs, closed = match.groups()
        if kind == b"row":
            found = _ROW_R.search(attrs)
            row = int(found.group(1)) if found else row + 1
            col = 0
            continue
        ref = _REF.search(attrs)
        if ref:
            letters, digits = ref.groups()
            col = _column_number(letters) if letters else col + 1
            row = int(digits)
        else:
            col += 1
        if not closed:  # <c r="XFD1048576" s="1"/> is formatting only, no value
            last_row, last_col = max(last_row, row), max(last_col, col)
    return SheetExtent(name, last_row, last_col)


def inspect(data: bytes, name: str, limits: Limits = LIMITS) -> list[SheetExtent]:
    """Check a workbook against ``limits`` without parsing it; its sheets' used ranges.

    Raises :class:`InputError` naming the limit that was hit."""
    import zipfile

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise _refuse("xlsx_unreadable", f"not a readable .xlsx workbook: {exc}", name) from None
    if len(infos) > limits.members:
        raise _refuse(
            "xlsx_too_many_parts",
            f"the workbook holds {len(infos):,} files; the limit is {limits.members:,}",
            name,
        )
    parts: dict[str, bytes] = {}
    budget = limits.inflated_bytes
    for info in infos:
        try:
            parts[info.filename] = part = _inflate(data, info, budget)
        except OverflowError:
            raise _refuse(
                "xlsx_too_large_inflated",
                f"the workbook inflates to more than {limits.inflated_bytes // MB:,} MB "
                f"(at {info.filename!r}); the limit is {limits.inflated_bytes // MB:,} MB",
                name,
            ) from None
        except (ValueError, zlib.error) as exc:
            raise _refuse(
                "xlsx_unreadable", f"not a readable .xlsx workbook: {exc}", name
            ) from None
        budget -= len(part)
    try:
        sheets = _sheet_parts(parts)
    except Exception as exc:  # defusedxml's refusals, ParseError, ValueError: all one answer
        message = f"not a readable .xlsx workbook: {str(exc)[:120]}"
        raise _refuse("xlsx_unreadable", message, name) from None
    extents = []
    for sheet, path in sheets:
        extent = sheet_extent(sheet, parts.get(path, b""), limits.cells)
        if extent.rows * extent.columns > limits.cells:
            raise _refuse(
                "xlsx_too_many_cells",
                f"sheet {sheet[:60]!r} claims {extent.rows:,} rows × {extent.columns:,} columns "
                f"({extent.rows * extent.columns:,} cells); the limit is {limits.cells:,} cells. "
                "Delete the stray cells beyond the data (Ctrl+End in Excel goes to the last one) "
                "and save it again",
                name,
            )
        extents.append(extent)
    return extents


# ------------------------------------------------------------------------------ step 2: read


@dataclass(frozen=True)
class Sheet:
    """One sheet's cells from A1: ``cells[i][j]`` is row ``i + 1``, column ``j + 1``."""

    name: str
    cells: list[list[Any]]  # as parsed; as text once :func:`read` returns them


def _has_value(cells: list[list[Any]]) -> bool:
    return any(v not in ("", None) for row in cells for v in row)


def parse(data: bytes, name: str, sheet: str | None) -> Sheet:
    """Parse the named sheet, or the first that holds a value, with python-calamine.

    Call it on a workbook that :func:`inspect` passed; :func:`read` does both, isolated."""
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = list(wb.sheet_names)
        if sheet is not None and sheet not in names:
            raise _refuse(
                "sheet_missing",
                f"no sheet named {sheet[:60]!r}; the workbook has {', '.join(names)[:200]}",
                name,
            )
        chosen, cells = names[0], []
        for candidate in [sheet] if sheet is not None else names:
            chosen = candidate
            cells = wb.get_sheet_by_name(candidate).to_python(skip_empty_area=False)
            if _has_value(cells):
                break
    except InputError:
        raise
    except (CalamineError, ValueError, IndexError, OSError) as exc:
        raise _refuse(
            "xlsx_unreadable", f"not a readable .xlsx workbook: {str(exc)[:120]}", name
        ) from None
    return Sheet(chosen, cells)


def _serve() -> None:
    """The child process (``python -m selector.xlsx``): limit itself, read the workbook from
    stdin, inspect and parse it, and write the sheet as text (or the refusal) as JSON."""
    import json
    import sys

    from selector.isolation import hold
    from selector.tables import as_text

    name, sheet, memory_bytes, seconds = json.loads(sys.argv[1])
    limits = Limits(memory_bytes=memory_bytes, seconds=seconds)
    hold(limits.memory_bytes, limits.seconds)
    data = sys.stdin.buffer.read()
    try:
        inspect(data, name, limits)
        found = parse(data, name, sheet)
        answer: dict[str, Any] = {"sheet": found.name, "rows": as_text(found.cells)}
    except InputError as exc:
        answer = {"error": [exc.code, exc.message]}
    sys.stdout.write(json.dumps(answer, ensure_ascii=False))


def read(data: bytes, name: str, sheet: str | None = None, limits: Limits = LIMITS) -> Sheet:
    """Inspect and parse a workbook in a child process held to ``limits``; its cells as text.

    The child is a new interpreter (``python -m selector.xlsx``), not a fork of the caller,
    whose threads (a Streamlit server's) must not be forked."""
    import json

    from selector.isolation import run_held

    argument = json.dumps([name, sheet, limits.memory_bytes, limits.seconds])
    code, out = run_held("selector.xlsx", argument, data, limits.seconds)
    if code == 0:
        answer = json.loads(out)
        if "error" in answer:
            code, message = answer["error"]
            raise _refuse(code, message, name)
        return Sheet(answer["sheet"], answer["rows"])
    if code == -signal.SIGXCPU:  # out of CPU time (or wall time)
        raise _refuse(
            "xlsx_too_slow",
            f"reading the workbook takes longer than {limits.seconds} s; the limit is "
            f"{limits.seconds} s",
            name,
        )
    raise _refuse(
        "xlsx_too_much_memory",
        f"reading the workbook needs more than {limits.memory_bytes // MB:,} MB of memory; "
        f"the limit is {limits.memory_bytes // MB:,} MB",
        name,
    )


if __name__ == "__main__":
    _serve()
