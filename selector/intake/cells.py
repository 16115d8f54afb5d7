"""Cell parsers and normalisers: one cell's text → a value, each on its own.

PGY levels, yes/no approvals, submission times, names, program texts, applicant ids; e-mails
through :mod:`selector.emails` and specialties through :mod:`selector.specialties` (both are
used outside intake too). A parser returns None (or says it did not understand) instead of
raising: the row loop (:mod:`.rows`) turns that into a problem with its cell.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from functools import lru_cache

from selector.emails import is_email, normalize_email
from selector.specialties import normalize_specialty

__all__ = [
    "ANONYMOUS",
    "PGY_RANGE",
    "collapse_spaces",
    "email_id",
    "format_id",
    "is_email",
    "normalize_email",
    "normalize_specialty",
    "parse_pgy",
    "parse_timestamp",
    "parse_yes_no",
    "tidy_name",
]

#: The e-mail normaliser under the name intake first gave it.

# ---------------------------------------------------------------------------------------
# PGY level.

#: Resident levels intake accepts (PGY1 interns to the longest fellowships).
PGY_RANGE = range(1, 11)

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
_PGY_ORDINAL = re.compile(r"\b(" + "|".join(_ORDINALS) + r")[\s-]+year\b")
_PGY_INTERN = re.compile(r"\bintern(ship)?\b")


@lru_cache(maxsize=1024)  # a PGY column holds a handful of distinct texts
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


# ---------------------------------------------------------------------------------------
# Yes/no (PGY1 approval).

_YES = frozenset(["yes", "y", "true", "1", "x", "approved", "approve", "checked", "✓", "✔", "☑"])
_NO = frozenset(["no", "n", "false", "0", "unchecked", "none", "pending", "-", "–", "n/a", "na"])
_NO_PREFIXES = ("no ", "no,", "not ", "n/a", "pending")


@lru_cache(maxsize=1024)  # a yes/no column holds a handful of distinct texts
def parse_yes_no(text: str) -> tuple[bool, bool]:
    """(value, understood) for a yes/no cell; blank is a clear "no"."""
    low = " ".join(text.lower().split())
    if low in _YES or low.startswith(("yes ", "yes,", "yes-", "yes.")):
        return True, True
    if not low or low in _NO or low.startswith(_NO_PREFIXES):
        return False, True
    return False, False


# ---------------------------------------------------------------------------------------
# Submission time.

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


# ---------------------------------------------------------------------------------------
# Applicant ids.

_WHOLE_NUMBER = re.compile(r"^(\d+)(?:\.0+)?$")


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


def email_id(email: str) -> str:
    """A stable applicant id from an e-mail: "E" + 8 hex digits of its SHA-256."""
    digest = hashlib.sha256(normalize_email(email).encode("utf-8")).hexdigest()
    return "E" + digest[:8].upper()


# ---------------------------------------------------------------------------------------
# Names and other text.

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

#: What form tools write in a name or e-mail column of an anonymous response.
ANONYMOUS = frozenset({"anonymous", "anon", "-", "n/a"})


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


@lru_cache(maxsize=1024)  # a program column repeats a few dozen texts
def collapse_spaces(text: str) -> str:
    """Runs of whitespace as one space (the program, kept as written otherwise)."""
    return " ".join(text.split())
