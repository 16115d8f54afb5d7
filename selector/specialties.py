"""Specialty names: free text from a form → the canonical ACGME specialty name.

The aliases live in ``specialties.csv`` next to this module (data, not code), so a
coordinator can add a line when intake warns about a specialty it does not know. Matching
ignores case, punctuation, "&" vs "and", and words such as "residency" or "department of".
"""

from __future__ import annotations

import csv
import re
from functools import cache, lru_cache
from importlib import resources

_NOISE = frozenset(
    {
        "residency",
        "resident",
        "residents",
        "program",
        "programme",
        "department",
        "dept",
        "division",
        "of",
        "the",
        "fellowship",
        "fellow",
    }
)


def specialty_key(text: str) -> str:
    """The comparison key of a specialty text: "Dept. of OB/GYN" → "obgyn"."""
    tokens = re.findall(r"[a-z0-9]+", text.lower().replace("&", " and "))
    kept = [t for t in tokens if t not in _NOISE]
    return "".join(kept or tokens)


@cache
def alias_table() -> dict[str, str]:
    """Comparison key → canonical name, from the shipped ``specialties.csv``."""
    text = resources.files("selector").joinpath("specialties.csv").read_text("utf-8")
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    table: dict[str, str] = {}
    for record in csv.DictReader(lines):
        canonical = record["specialty"].strip()
        table.setdefault(specialty_key(canonical), canonical)
        table[specialty_key(record["alias"])] = canonical
    return table


def canonical_specialties() -> list[str]:
    """Every canonical specialty name the table knows, sorted."""
    return sorted(set(alias_table().values()))


@lru_cache(maxsize=2048)
def normalize_specialty(text: str) -> tuple[str, bool]:
    """(canonical name, True) for a known specialty; (the text tidied, False) otherwise."""
    tidy = " ".join(text.split())
    canonical = alias_table().get(specialty_key(tidy))
    if canonical is None:
        return tidy, False
    return canonical, True
