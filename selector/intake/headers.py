"""Finding the header row and the data rows below it.

The header row is, among the first 30 non-blank rows, the one whose cells name the most
fields: title rows above it are ignored. The extra header rows form tools write are joined to
it: Qualtrics' three (codes, question texts, ``{"ImportId": ...}``) and SurveyMonkey's two
(question + sub-answer such as "Response", multi-choice columns becoming "Question - Option").
Blank rows are never data rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from selector.errors import InputError, Location, column_letter
from selector.intake.synonyms import FIELDS, header_score, header_tokens
from selector.tables import Grid

_HEADER_SEARCH_ROWS = 30
_LONGEST_HEADER = 300  # longer cells are answers, not headers
_SUBHEADER_WORDS = frozenset({"response", "open-ended response", "open ended response"})


@dataclass(frozen=True)
class Header:
    """The header rows of a sheet and what each column is called."""

    rows: list[int]  # grid indices of the header rows
    labels: list[list[str]]  # per column, every header text seen (for matching)
    display: list[str]  # per column, the header shown to people (unique)

    def seen(self) -> str:
        """The headers, quoted and shortened, for a message about a column not found."""
        shown = [h if len(h) <= 60 else h[:57] + "..." for h in self.display]
        return ", ".join(repr(h) for h in shown) or "(none)"


@dataclass(frozen=True)
class Table:
    """A sheet split into its header and its data rows.

    Every data row is padded to ``width`` plus one blank cell, which an unmapped field reads:
    a column is then a plain index.
    """

    header: Header
    header_rows: list[int]  # the sheet row numbers of the header rows
    rows: list[list[str]]  # the non-blank rows below the header
    row_numbers: list[int]  # their sheet row numbers
    width: int


def split_table(grid: Grid, overrides: Mapping[str, str], file: str) -> Table:
    """The header (title rows skipped, extra header rows joined) and the data rows of a grid."""
    rows = grid.rows
    h = find_header(rows, overrides)
    if h is None:
        raise InputError(
            "header_missing", "no header row found: every row is blank", Location(file=file)
        )
    probe = max((len(r) for r in rows[h : h + 3]), default=0)
    header = header_block(rows, h, probe)
    body_start = header.rows[-1] + 1
    data_idx = [i for i, filled in enumerate(map(any, rows[body_start:]), body_start) if filled]
    data = [rows[i] for i in data_idx]
    width = max(probe, *map(len, data)) if data else probe
    if width > probe:
        header = header_block(rows, h, width)
    for r in data:
        r.extend([""] * (width + 1 - len(r)))
    numbers = grid.row_numbers
    return Table(
        header, [numbers[i] for i in header.rows], data, [numbers[i] for i in data_idx], width
    )


def norm(text: str) -> str:
    """A header for comparing with a ``--map`` header: spaces collapsed, lower case."""
    return " ".join(text.split()).lower()


def find_header(rows: list[list[str]], overrides: Mapping[str, str]) -> int | None:
    """The row (among the first non-blank ones) whose cells name the most fields."""
    override_headers = {norm(h) for h in overrides.values()}
    best, best_score, seen = None, 0, 0
    for i, row in enumerate(rows):
        if not any(row):
            continue
        seen += 1
        if seen > _HEADER_SEARCH_ROWS:
            break
        if best is None:  # a sheet whose headers name no field: its first row, to report
            best = i
        score = _row_score(row, override_headers)
        if score > best_score:
            best, best_score = i, score
    return best


def _row_score(row: Sequence[str], override_headers: set[str]) -> int:
    """How many distinct fields a row's cells name: the header row names the most."""
    found: set[str] = set()
    for text in row:
        if not text or len(text) > _LONGEST_HEADER:
            continue
        if norm(text) in override_headers:
            found.add("override:" + norm(text))
        tokens = header_tokens(text)
        found.update(name for name in FIELDS if header_score(name, tokens) > 0)
    return len(found)


def header_block(rows: list[list[str]], h: int, width: int) -> Header:
    """The header rows around row ``h`` and each column's labels (Qualtrics, SurveyMonkey)."""
    nxt = rows[h + 1] if h + 1 < len(rows) else []
    after = rows[h + 2] if h + 2 < len(rows) else []
    if after and _is_import_id_row(after):  # Qualtrics: h = codes, h+1 = question texts
        block, text_row = [h, h + 1, h + 2], h + 1
    elif nxt and _is_import_id_row(nxt):  # Qualtrics: h = question texts, h-1 = codes
        block, text_row = ([h - 1] if h > 0 else []) + [h, h + 1], h
    elif nxt and _is_subheader_row(nxt):  # SurveyMonkey: question row + sub-answer row
        return _surveymonkey_block(rows, h, width)
    else:
        block, text_row = [h], h
    label_rows = [r for r in block if not _is_import_id_row(rows[r])]
    labels = [[t for r in label_rows if (t := cell(rows[r], c))] for c in range(width)]
    display = [cell(rows[text_row], c) for c in range(width)]
    return Header(block, labels, _unique(display))


def cell(row: Sequence[str], index: int) -> str:
    """A cell of a row that may be shorter than the sheet."""
    return row[index] if index < len(row) else ""


def _is_import_id_row(row: Sequence[str]) -> bool:
    filled = [c for c in row if c]
    hits = sum(1 for c in filled if c.replace(" ", "").lower().startswith('{"importid"'))
    return bool(filled) and hits * 2 >= len(filled)


def _is_subheader_row(row: Sequence[str]) -> bool:
    lows = [c.lower() for c in row if c]
    return any(c in _SUBHEADER_WORDS for c in lows) and not any("@" in c for c in lows)


def _surveymonkey_block(rows: list[list[str]], h: int, width: int) -> Header:
    top_row, sub_row = rows[h], rows[h + 1]
    display: list[str] = []
    carried = ""
    for c in range(width):
        top, sub = cell(top_row, c), cell(sub_row, c)
        if top:
            carried = top
        question = top or (carried if sub else "")
        if sub.lower() in _SUBHEADER_WORDS or not sub:
            display.append(question)
        else:
            display.append(f"{question} - {sub}" if question else sub)
    return Header([h, h + 1], [[d] if d else [] for d in display], _unique(display))


def _unique(display: list[str]) -> list[str]:
    """Blank headers become "Column D"; a repeated header gets its column letter appended."""
    out: list[str] = []
    seen: set[str] = set()
    for c, text in enumerate(display):
        name = text or f"Column {column_letter(c)}"
        if name.lower() in seen:
            name = f"{name} ({column_letter(c)})"
        seen.add(name.lower())
        out.append(name)
    return out
