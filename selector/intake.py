"""Applications export (xlsx/csv from a form tool or a hand-kept sheet) → validated applicants.

The steps, each a small function: read the sheet as text (:func:`selector.tables.read_grid`);
find the header row below any title rows, joining the extra header rows that SurveyMonkey
(question + sub-answer) and Qualtrics (codes, question text, ImportId JSON) write; map columns
to canonical fields by header synonyms (long question texts too, by token overlap), then by
content; validate each data row. Every data row ends up in exactly one place: ``accepted``,
``rejected`` (with reasons), or a ``duplicate_submission`` warning (an earlier submission by
the same e-mail, superseded by the kept one). Only an unreadable file, a missing header or an
unmappable required field raise :class:`~selector.errors.InputError`.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import lru_cache
from operator import itemgetter
from typing import Any

from selector.errors import InputError, Location, Problem, column_letter
from selector.models import CANONICAL_FIELDS, Applicant
from selector.specialties import normalize_specialty
from selector.tables import Source, read_bytes, read_grid

#: Fields a column can be mapped to: the canonical ones plus helpers that build them.
MAPPABLE_FIELDS: tuple[str, ...] = (*CANONICAL_FIELDS, "first_name", "last_name", "submitted")

#: Resident levels intake accepts (PGY1 interns to the longest fellowships).
PGY_RANGE = range(1, 11)

_LABELS = {
    "applicant_id": "applicant ID",
    "name": "name",
    "email": "e-mail",
    "pgy": "PGY level",
    "specialty": "specialty",
    "program": "program",
    "pgy1_approved": "PGY1 approval",
    "first_name": "first name",
    "last_name": "last name",
    "submitted": "submission time",
}

# ---------------------------------------------------------------------------------------
# Header matching: headers and synonyms become sets of normalised tokens.

_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "what",
        "which",
        "is",
        "are",
        "your",
        "you",
        "of",
        "in",
        "to",
        "for",
        "and",
        "or",
        "please",
        "current",
        "currently",
        "enter",
        "provide",
        "select",
        "list",
        "type",
        "do",
        "does",
        "if",
        "has",
        "have",
        "my",
        "i",
        "am",
        "this",
        "that",
        "at",
        "on",
        "by",
        "with",
        "be",
        "will",
        "would",
        "s",
        "here",
        "below",
        "above",
        "eg",
        "etc",
        "it",
        "its",
        "as",
    ]
)
_STEMS = {
    "approval": "approve",
    "approved": "approve",
    "approves": "approve",
    "speciality": "specialty",
    "specialties": "specialty",
    "specialities": "specialty",
    "programme": "program",
    "programs": "program",
    "endorsed": "endorse",
    "endorsement": "endorse",
    "emails": "email",
    "postgraduate": "post graduate",
}
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_LETTER_DIGIT = re.compile(r"(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])")
_EMAIL_WORD = re.compile(r"\be[\s_-]?mail")


@lru_cache(maxsize=4096)
def header_tokens(text: str) -> frozenset[str]:
    """A header as a set of meaningful tokens: "What is your PGY-level?" → {pgy, level}."""
    text = _EMAIL_WORD.sub("email", _CAMEL.sub(" ", text).lower())
    words = re.findall(r"[a-z0-9]+", _LETTER_DIGIT.sub(" ", text))
    out: set[str] = set()
    for w in words:
        if w not in _STOP:
            out.update(_STEMS.get(w, w).split())
    return frozenset(out)


@dataclass(frozen=True)
class _FieldSpec:
    synonyms: tuple[frozenset[str], ...]
    exclude: frozenset[str]
    min_cover: float = 1 / 3

    @property
    def vocabulary(self) -> frozenset[str]:
        """Every token of every synonym: a header sharing none cannot match."""
        return frozenset().union(*self.synonyms)


def _spec(synonyms: str, exclude: str = "", min_cover: float = 1 / 3) -> _FieldSpec:
    return _FieldSpec(
        tuple(header_tokens(s) for s in synonyms.split("|")),
        frozenset(exclude.split()),
        min_cover,
    )


_PERSON_EXCLUDE = "director pd mentor supervisor reference chief coordinator chair advisor"
_FIELDS: dict[str, _FieldSpec] = {
    "applicant_id": _spec(
        "ID|Response ID|Record ID|Applicant ID|Respondent ID|Submission ID|Application ID|"
        "Participant ID",
        "collector external import",
        min_cover=1.0,
    ),
    "name": _spec(
        "Name|Full name|Applicant name|Resident name|Participant name|Legal name|Your name|"
        "Name (Last, First)|First and last name",
        f"{_PERSON_EXCLUDE} program middle user file recipient hospital institution residency "
        "collector project",
    ),
    "first_name": _spec(
        "First name|Given name|First|Firstname", f"{_PERSON_EXCLUDE} program middle"
    ),
    "last_name": _spec(
        "Last name|Surname|Family name|Last|Lastname",
        f"{_PERSON_EXCLUDE} program modified time date",
    ),
    "email": _spec(
        "Email|Email address|Institutional email|Mail",
        f"{_PERSON_EXCLUDE} program alternate",
    ),
    "pgy": _spec(
        "PGY|Post-graduate year|PGY level|Training level|Level of training|Year of training|"
        "Training year|Residency year|Year in residency|Level",
        "approve director pd permission graduation expected complete start medical school",
    ),
    "specialty": _spec(
        "Specialty|Residency specialty|Program specialty|Residency program specialty|"
        "Residency program|Residency|Department|Dept|Discipline",
        "other subspecialty interest future desired intended",
    ),
    "program": _spec(
        "Program|Program name|Home program|Training program|Institution|Hospital|Site|"
        "Training site|Home institution|Sponsoring institution|Residency program",
        "director pd approve email specialty coordinator support participation letter track",
    ),
    "pgy1_approved": _spec(
        "Approved|Director approved|PD approved|PGY1 approved|Program director approved|"
        "Permission|Director permission|Endorsed|Director endorsed",
        "letter upload file name email date",
    ),
    "submitted": _spec(
        "Timestamp|Completion time|Submitted|Submission date|Submission time|Date submitted|"
        "Submitted at|End date|Recorded date|Survey timestamp",
        "start",
        min_cover=0.5,
    ),
}


_VOCABULARY = {name: spec.vocabulary for name, spec in _FIELDS.items()}


def _header_score(name: str, tokens: frozenset[str]) -> float:
    """How well a header's tokens name a field, or 0: the share of the header's tokens that a
    synonym covers, a little less for synonyms further down the list (a tie-break)."""
    spec = _FIELDS[name]
    if tokens.isdisjoint(_VOCABULARY[name]) or not tokens.isdisjoint(spec.exclude):
        return 0.0
    best = 0.0
    for rank, syn in enumerate(spec.synonyms):
        cover = len(syn) / len(tokens)
        if syn and syn <= tokens and cover >= spec.min_cover:
            best = max(best, cover - 0.001 * rank)
    return best


# ---------------------------------------------------------------------------------------
# Cell parsers, each returning a value and whether the text was understood.

#: local@label.label.tld: dot-separated labels, a letter-only top-level domain.
_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}")


def clean_email(text: str) -> str:
    """The e-mail as identity: trimmed, ``mailto:`` and angle brackets removed, lower case."""
    text = text.strip().lower()
    if text.startswith(("<", "mailto:")) or text.endswith(">"):
        text = text.strip("<>").strip().removeprefix("mailto:")
    return text


def is_email(text: str) -> bool:
    """Whether cleaned text is a plausible single e-mail address."""
    return _EMAIL.fullmatch(text) is not None and ".." not in text


_ORDINALS = {
    "first": 1,
    "1st": 1,
    "second": 2,
    "2nd": 2,
    "third": 3,
    "3rd": 3,
    "fourth": 4,
    "4th": 4,
    "fifth": 5,
    "5th": 5,
    "sixth": 6,
    "6th": 6,
    "seventh": 7,
    "7th": 7,
    "eighth": 8,
    "8th": 8,
}
_PGY_TAGGED = re.compile(r"\b(?:pgy|pg|post[\s-]?graduate\s+year)\s*[-–_#:]?\s*(\d{1,3})(?!\d)")
_PGY_NUMBER = re.compile(r"^(\d{1,3})(?:\.0+)?$")
_WHOLE_NUMBER = re.compile(r"^(\d+)(?:\.0+)?$")
_PGY_ORDINAL = re.compile(r"\b(" + "|".join(_ORDINALS) + r")[\s-]+year\b")
_PGY_INTERN = re.compile(r"\bintern(ship)?\b")


@lru_cache(maxsize=1024)
def parse_pgy(text: str) -> int | None:
    """The PGY level in a cell ("PGY-2", "pgy2", "2", "second year", "Intern"), else None."""
    low = text.strip().lower()
    m = _PGY_TAGGED.search(low) or _PGY_NUMBER.match(low)
    if m:
        return int(m.group(1))
    m = _PGY_ORDINAL.search(low)
    if m:
        return _ORDINALS[m.group(1)]
    if _PGY_INTERN.search(low):
        return 1
    return None


_YES = frozenset(["yes", "y", "true", "1", "x", "approved", "approve", "checked", "✓", "✔", "☑"])
_NO = frozenset(["no", "n", "false", "0", "unchecked", "none", "pending", "-", "–", "n/a", "na"])
_NO_PREFIXES = ("no ", "no,", "not ", "n/a", "pending")


@lru_cache(maxsize=1024)
def parse_yes_no(text: str) -> tuple[bool, bool]:
    """(value, understood) for a yes/no cell; blank is a clear "no"."""
    low = " ".join(text.lower().split())
    if low in _YES or low.startswith(("yes ", "yes,", "yes-", "yes.")):
        return True, True
    if not low or low in _NO or low.startswith(_NO_PREFIXES):
        return False, True
    return False, False


_TIME_FORMATS = (
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%y %H:%M:%S",
    "%m/%d/%y %H:%M",
    "%m/%d/%y %I:%M %p",
    "%m/%d/%Y",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
)


def parse_timestamp(text: str) -> dt.datetime | None:
    """A submission time in the forms exports write (ISO, US, Excel serial), else None."""
    text = text.strip()
    if not text:
        return None
    try:
        stamp = dt.datetime.fromisoformat(text)
    except ValueError:
        stamp = None
    if stamp is None:
        for fmt in _TIME_FORMATS:
            try:
                stamp = dt.datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
    if stamp is None:
        try:
            serial = float(text)
        except ValueError:
            return None
        if not 1 <= serial < 2958466:  # Excel's date range
            return None
        stamp = dt.datetime(1899, 12, 30) + dt.timedelta(days=serial)
    if stamp.tzinfo is not None:
        stamp = stamp.astimezone(dt.UTC).replace(tzinfo=None)
    return stamp


def email_id(email: str) -> str:
    """A stable applicant id from an e-mail: "E" + 8 hex digits of its SHA-256."""
    return "E" + hashlib.sha256(email.lower().encode("utf-8")).hexdigest()[:8].upper()


def format_id(text: str) -> str:
    """An ID cell as applicant id; a bare number becomes "A" + at least 3 digits ("7" → "A007").

    Bare numbers (Microsoft Forms' ID, REDCap's Record ID) are prefixed so an id can never be
    mistaken for a number when a score sheet goes through Excel or pandas.
    """
    text = text.strip()
    if text.isdecimal():
        return "A" + str(int(text)).zfill(3)
    m = _WHOLE_NUMBER.match(text)
    return "A" + str(int(m.group(1))).zfill(3) if m else text


@lru_cache(maxsize=1024)
def _collapse_spaces(text: str) -> str:
    """Runs of whitespace as one space (cached: a column such as the program repeats)."""
    return " ".join(text.split())


_DEGREES = frozenset(
    [
        "md",
        "do",
        "mbbs",
        "mbchb",
        "phd",
        "mph",
        "ms",
        "msc",
        "ma",
        "mba",
        "jd",
        "rn",
        "np",
        "pa",
        "dr",
    ]
)


def tidy_name(text: str) -> str:
    """A display name: spaces collapsed, "Last, First" turned round, trailing degrees dropped."""
    text = " ".join(text.split())
    if "," not in text:
        return text
    parts = [p.strip() for p in text.split(",")]
    parts = [p for p in parts if p and p.lower().replace(".", "") not in _DEGREES]
    if len(parts) == 2:
        return f"{parts[1]} {parts[0]}"
    return ", ".join(parts)


_ANONYMOUS = frozenset({"anonymous", "anon", "-", "n/a"})


def _sample_ok(values: Sequence[str], test: Callable[[str], bool], share: float = 0.5) -> bool:
    filled = [v for v in values if v]
    return bool(filled) and sum(1 for v in filled if test(v)) >= share * len(filled)


def _content_ok(name: str, values: Sequence[str]) -> bool:
    """Whether a column's sample values look like the field (orders header matches)."""
    if name == "email":
        return _sample_ok(values, lambda v: is_email(clean_email(v)))
    if name == "pgy":
        return _sample_ok(values, lambda v: parse_pgy(v) is not None)
    if name == "specialty":
        return _sample_ok(values, lambda v: normalize_specialty(v)[1])
    if name == "name":
        return _sample_ok(values, lambda v: v.lower() not in _ANONYMOUS)
    if name == "submitted":
        return _sample_ok(values, lambda v: parse_timestamp(v) is not None)
    if name == "applicant_id":
        filled = [v for v in values if v]
        return bool(filled) and len(set(filled)) == len(filled)
    return True


_PGY_WORD = re.compile(r"\bpgy|\bintern\b|\bresident\b", re.IGNORECASE)

#: Content-only fallbacks for required fields no header names.
_FALLBACKS: dict[str, Callable[[str], bool]] = {
    "email": lambda v: is_email(clean_email(v)),
    "pgy": lambda v: parse_pgy(v) is not None and bool(_PGY_WORD.search(v)),
    "specialty": lambda v: normalize_specialty(v)[1],
}


# ---------------------------------------------------------------------------------------
# Results.


@dataclass(frozen=True)
class Rejection:
    """A data row that was not accepted: its sheet row, the reasons, and its cells by header."""

    row: int
    errors: list[str]
    values: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list, compare=False)

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


# ---------------------------------------------------------------------------------------
# Header block.

_HEADER_SEARCH_ROWS = 30
_LONGEST_HEADER = 300  # longer cells are answers, not headers
_SUBHEADER_WORDS = frozenset({"response", "open-ended response", "open ended response"})


def _cell(row: Sequence[str], index: int) -> str:
    return row[index] if index < len(row) else ""


def _is_import_id_row(row: Sequence[str]) -> bool:
    filled = [c for c in row if c]
    hits = sum(1 for c in filled if c.replace(" ", "").lower().startswith('{"importid"'))
    return bool(filled) and hits * 2 >= len(filled)


def _is_subheader_row(row: Sequence[str]) -> bool:
    lows = [c.lower() for c in row if c]
    return any(c in _SUBHEADER_WORDS for c in lows) and not any("@" in c for c in lows)


def _row_score(row: Sequence[str], override_headers: set[str]) -> int:
    """How many distinct fields a row's cells name: the header row names the most."""
    found: set[str] = set()
    for text in row:
        if not text or len(text) > _LONGEST_HEADER:
            continue
        if _norm(text) in override_headers:
            found.add("override:" + _norm(text))
        tokens = header_tokens(text)
        found.update(name for name in _FIELDS if _header_score(name, tokens) > 0)
    return len(found)


def _norm(text: str) -> str:
    return " ".join(text.split()).lower()


@dataclass(frozen=True)
class _Header:
    rows: list[int]  # grid indices of the header rows
    labels: list[list[str]]  # per column, every header text seen (for matching)
    display: list[str]  # per column, the header shown to people (unique)


def _find_header(rows: list[list[str]], overrides: Mapping[str, str]) -> int | None:
    """The row (among the first non-blank ones) whose cells name the most fields."""
    override_headers = {_norm(h) for h in overrides.values()}
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


def _header_block(rows: list[list[str]], h: int, width: int) -> _Header:
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
    labels = [[t for r in label_rows if (t := _cell(rows[r], c))] for c in range(width)]
    display = [_cell(rows[text_row], c) for c in range(width)]
    return _Header(block, labels, _unique(display))


def _surveymonkey_block(rows: list[list[str]], h: int, width: int) -> _Header:
    top_row, sub_row = rows[h], rows[h + 1]
    display: list[str] = []
    carried = ""
    for c in range(width):
        top, sub = _cell(top_row, c), _cell(sub_row, c)
        if top:
            carried = top
        question = top or (carried if sub else "")
        if sub.lower() in _SUBHEADER_WORDS or not sub:
            display.append(question)
        else:
            display.append(f"{question} - {sub}" if question else sub)
    return _Header([h, h + 1], [[d] if d else [] for d in display], _unique(display))


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


# ---------------------------------------------------------------------------------------
# Column mapping.

_SAMPLE = 200


def _map_columns(
    header: _Header,
    data: list[list[str]],
    overrides: Mapping[str, str],
    file: str,
) -> dict[str, int]:
    width = len(header.display)
    mapping: dict[str, int] = {}
    for name, wanted in overrides.items():
        if name not in MAPPABLE_FIELDS:
            raise InputError(
                "mapping_field_unknown",
                f"cannot map {name!r}: fields are {', '.join(MAPPABLE_FIELDS)}",
                Location(file=file),
            )
        target = _norm(wanted)
        hits = [
            c
            for c in range(width)
            if _norm(header.display[c]) == target
            or any(_norm(t) == target for t in header.labels[c])
        ]
        if not hits:
            raise InputError(
                "mapping_header_missing",
                f"{name}={wanted!r}: no column has that header; headers seen: {_seen(header)}",
                Location(file=file),
                field=name,
            )
        mapping[name] = hits[0]

    samples = [[_cell(r, c) for r in data[:_SAMPLE]] for c in range(width)]
    taken = set(mapping.values())
    candidates: list[tuple[bool, float, int, str, int]] = []
    for name in _FIELDS:
        if name in mapping:
            continue
        for c in range(width):
            if c in taken:
                continue
            score = max(
                (_header_score(name, header_tokens(t)) for t in header.labels[c]), default=0
            )
            if score > 0:
                candidates.append((_content_ok(name, samples[c]), score, -c, name, c))
    for _ok, _score, _neg, name, c in sorted(candidates, reverse=True):
        if name not in mapping and c not in taken:
            mapping[name] = c
            taken.add(c)

    # A required field no header names: a free column whose values look like it. A guessed
    # "program" column holding specialty names ("Program: Internal Medicine") is free too.
    for name, test in _FALLBACKS.items():
        if name in mapping:
            continue
        free = set(range(width)) - taken
        if "program" in mapping and "program" not in overrides:
            free.add(mapping["program"])
        best, best_share = None, 0.6
        for c in sorted(free):
            filled = [v for v in samples[c] if v]
            share = sum(1 for v in filled if test(v)) / len(filled) if filled else 0.0
            if share >= best_share:
                best, best_share = c, share
        if best is not None:
            if mapping.get("program") == best:
                del mapping["program"]
            mapping[name] = best
            taken.add(best)

    missing = [n for n in ("email", "pgy", "specialty") if n not in mapping]
    if not {"name", "first_name", "last_name"} & mapping.keys():
        missing.insert(0, "name")
    if missing:
        what = ", ".join(_LABELS[n] for n in missing)
        raise InputError(
            "field_unmapped",
            f"no column found for {what} (name it with --map FIELD=HEADER); "
            f"headers seen: {_seen(header)}",
            Location(file=file),
            missing=missing,
        )
    return mapping


def _seen(header: _Header) -> str:
    shown = [h if len(h) <= 60 else h[:57] + "..." for h in header.display]
    return ", ".join(repr(h) for h in shown) or "(none)"


# ---------------------------------------------------------------------------------------
# Rows.


_Locator = Callable[[int | None, str | None], Location]


#: An accepted row before duplicates are settled: (applicant, submission-time cell, order).
_Candidate = tuple[Applicant, str, int]

#: The fields a data row is read for, in the order the row loop unpacks them.
_ROW_FIELDS = (
    "applicant_id",
    "name",
    "first_name",
    "last_name",
    "email",
    "pgy",
    "specialty",
    "program",
    "pgy1_approved",
    "submitted",
)


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
    with _gc_paused():
        return _read_applications(source, filename, dict(mapping or {}))


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector: intake builds thousands of objects and frees none of
    them until it returns, so collections meanwhile only cost time (about 5 % on 5,000 rows)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _read_applications(
    source: Source, filename: str | None, overrides: dict[str, str]
) -> IntakeResult:
    data_bytes, file = read_bytes(source, filename)
    grid = read_grid(data_bytes, file)
    rows = grid.rows
    h = _find_header(rows, overrides)
    if h is None:
        raise InputError(
            "header_missing",
            "no header row found: every row is blank",
            Location(file=file),
        )
    probe = max((len(r) for r in rows[h : h + 3]), default=0)
    header = _header_block(rows, h, probe)
    body_start = header.rows[-1] + 1
    data_idx = [i for i, filled in enumerate(map(any, rows[body_start:]), body_start) if filled]
    data = [rows[i] for i in data_idx]
    width = max(probe, *map(len, data)) if data else probe
    if width > probe:
        header = _header_block(rows, h, width)
    # Every data row padded (in place) to the full width plus one blank cell, which unmapped
    # fields read; a column is then a plain index.
    for r in data:
        r.extend([""] * (width + 1 - len(r)))
    cols = _map_columns(header, data, overrides, file)
    headers = header.display
    result_mapping = {name: headers[c] for name, c in sorted(cols.items(), key=lambda kv: kv[1])}

    structural = {c for n, c in cols.items() if n != "submitted"}
    answer_cols = [
        c
        for c in range(width)
        if c not in structural and (header.labels[c] or any(r[c] for r in data))
    ]
    answer_at = [(headers[c], c) for c in answer_cols]
    rejected: list[Rejection] = []
    warnings: list[Problem] = []
    candidates: list[_Candidate] = []

    def loc(row_number: int | None, name: str | None = None) -> Location:
        c = cols.get(name) if name else None
        return Location(
            file=file,
            row=row_number,
            column=headers[c] if c is not None else None,
            column_index=c,
        )

    # Column index per field; an unmapped field reads the blank cell past the last column.
    fields = itemgetter(*(cols.get(name, width) for name in _ROW_FIELDS))

    def warn(code: str, message: str, row_number: int, name: str | None) -> None:
        warnings.append(Problem(code, message, loc(row_number, name), severity="warning"))

    row_numbers = grid.row_numbers
    for order, (i, row) in enumerate(zip(data_idx, data, strict=True)):
        rn = row_numbers[i]
        (
            raw_id,
            raw_name,
            raw_first,
            raw_last,
            raw_email,
            raw_pgy,
            raw_specialty,
            raw_program,
            raw_approved,
            raw_submitted,
        ) = fields(row)
        email = clean_email(raw_email)
        pgy = parse_pgy(raw_pgy)
        if not (email and pgy in PGY_RANGE and raw_specialty and is_email(email)):
            errors = _row_errors(raw_email, email, raw_pgy, pgy, raw_specialty, rn, loc)
            values = dict(zip(headers, row, strict=False))
            rejected.append(Rejection(rn, [p.message for p in errors], values, errors))
            continue
        assert pgy is not None

        specialty, known = normalize_specialty(raw_specialty)
        if not known:
            warn(
                "specialty_unknown",
                f"specialty '{specialty}' is not in the alias table; kept as written",
                rn,
                "specialty",
            )
        approved, understood = parse_yes_no(raw_approved)
        if not understood and pgy == 1:
            warn(
                "approval_unclear",
                f"PGY1 approval '{raw_approved}' not understood; read as no",
                rn,
                "pgy1_approved",
            )
        name = tidy_name(raw_name)
        if not name or name.lower() in _ANONYMOUS:
            name = tidy_name(f"{raw_first} {raw_last}")
        if not name:
            name = email
            warn("name_missing", "name is missing; the e-mail is shown instead", rn, "name")
        applicant = Applicant(  # positional, in field order: 5,000 rows add up
            format_id(raw_id) if raw_id else email_id(email),
            name,
            email,
            pgy,
            specialty,
            _collapse_spaces(raw_program),
            approved,
            {header: row[c] for header, c in answer_at},
            rn,
        )
        candidates.append((applicant, raw_submitted, order))

    accepted = _keep_latest(candidates, warnings, loc)
    accepted, clashes = _unique_ids(accepted, warnings, loc)
    if clashes:
        by_number = {row_numbers[i]: row for i, row in zip(data_idx, data, strict=True)}
        for a, problem in clashes:
            values = dict(zip(headers, by_number[a.row or 0], strict=False))
            rejected.append(Rejection(a.row or 0, [problem.message], values, [problem]))
        rejected.sort(key=lambda r: r.row)
    warnings.sort(key=lambda p: p.row or 0)
    return IntakeResult(
        rows=len(data),
        accepted=accepted,
        rejected=rejected,
        warnings=warnings,
        headers=headers,
        mapping=result_mapping,
        format=grid.format,
        file=file,
        header_rows=[grid.row_numbers[r] for r in header.rows],
    )


def _row_errors(
    raw_email: str,
    email: str,
    raw_pgy: str,
    pgy: int | None,
    raw_specialty: str,
    rn: int,
    loc: _Locator,
) -> list[Problem]:
    """Why a row is rejected: e-mail, PGY and specialty checks, each with its cell."""
    errors: list[Problem] = []
    if not email:
        errors.append(Problem("email_missing", "e-mail is missing", loc(rn, "email")))
    elif not is_email(email):
        errors.append(
            Problem("email_invalid", f"e-mail '{raw_email}' is not valid", loc(rn, "email"))
        )
    if not raw_pgy:
        errors.append(Problem("pgy_missing", "PGY is missing", loc(rn, "pgy")))
    elif pgy is None or pgy not in PGY_RANGE:
        bounds = "" if pgy is None else f" (PGY1 to PGY{PGY_RANGE[-1]})"
        errors.append(
            Problem(
                "pgy_invalid", f"PGY '{raw_pgy}' is not a resident level{bounds}", loc(rn, "pgy")
            )
        )
    if not raw_specialty:
        errors.append(Problem("specialty_missing", "specialty is missing", loc(rn, "specialty")))
    return errors


def _keep_latest(
    candidates: list[_Candidate], warnings: list[Problem], loc: _Locator
) -> list[Applicant]:
    """One applicant per e-mail: the latest submission (by timestamp when all have one)."""
    first: dict[str, _Candidate] = {}
    repeats: dict[str, list[_Candidate]] = {}
    for cand in candidates:
        seen = first.setdefault(cand[0].email, cand)
        if seen is not cand:
            repeats.setdefault(cand[0].email, [seen]).append(cand)
    superseded: set[int] = set()  # the order numbers of the submissions not kept
    for email, group in repeats.items():
        stamps = [parse_timestamp(submitted) for _, submitted, _ in group]
        if all(stamps):
            by = {c[2]: (stamp, c[2]) for c, stamp in zip(group, stamps, strict=True)}
            latest = max(group, key=lambda c: by[c[2]])[0]
        else:
            latest = group[-1][0]
        for applicant, _, order in group:
            if applicant is not latest:
                superseded.add(order)
                warnings.append(
                    Problem(
                        "duplicate_submission",
                        f"duplicate submission of {email}; kept row {latest.row}",
                        loc(applicant.row, "email"),
                        severity="warning",
                        params={"email": email, "kept_row": latest.row},
                    )
                )
    return [a for a, _, order in candidates if order not in superseded]  # in row order


def _unique_ids(
    accepted: list[Applicant], warnings: list[Problem], loc: _Locator
) -> tuple[list[Applicant], list[tuple[Applicant, Problem]]]:
    """A repeated ID cell (a hand-kept sheet) gives the later applicant its e-mail id; when
    that id is taken too (an ID cell equal to another row's e-mail id), the later row is
    rejected, so no two applicants ever share an id. Returns the accepted and the rejected."""
    if len({a.applicant_id for a in accepted}) == len(accepted):
        return accepted, []
    seen: dict[str, int | None] = {}
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
                clashes.append((a, Problem("id_collision", message, loc(a.row, "applicant_id"))))
                continue
            warnings.append(
                Problem(
                    "duplicate_id",
                    f"applicant id '{a.applicant_id}' is also on row {seen[a.applicant_id]}; "
                    f"this applicant gets id {new_id}",
                    loc(a.row, "applicant_id"),
                    severity="warning",
                )
            )
            a = replace(a, applicant_id=new_id)
        seen[a.applicant_id] = a.row
        out.append(a)
    return out, clashes
