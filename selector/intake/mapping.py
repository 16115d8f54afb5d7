"""Which column holds which field: ``--map`` overrides, then header synonyms, then content.

1. Overrides (``{"pgy": "Training level"}``) name a field's column by its header (or a
   Qualtrics code).
2. Header synonyms (:mod:`.synonyms`): among the columns a header names, one whose sample
   values look right wins (valid e-mails, PGY levels, known specialties, names that are not
   "anonymous").
3. Content: a required field no header names is taken from a free column whose values mostly
   (≥ 60 %) look like it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

from selector.errors import InputError, Location, Problem
from selector.intake.cells import (
    ANONYMOUS,
    is_email,
    normalize_email,
    normalize_specialty,
    parse_pgy,
    parse_timestamp,
)
from selector.intake.headers import Header, norm
from selector.intake.synonyms import (
    FIELDS,
    LABELS,
    MAPPABLE_FIELDS,
    REQUIRED_FIELDS,
    header_score,
    header_tokens,
)

#: How many data rows a column's content is judged by.
_SAMPLE = 200
#: The least share of a free column's values that must look like a required field.
_FALLBACK_SHARE = 0.6


def map_columns(
    header: Header,
    data: list[list[str]],
    overrides: Mapping[str, str],
    file: str,
    warnings: list[Problem] | None = None,
) -> dict[str, int]:
    """Field → column index; raises :class:`InputError` when a required field has no column.
    A column taken instead of the one its header named is reported in ``warnings``."""
    mapping = _overridden(header, overrides, file)
    samples = [[row[c] for row in data[:_SAMPLE]] for c in range(len(header.display))]
    _by_header(header, samples, mapping)
    refits = _refit(samples, mapping, overrides)
    _by_content(samples, mapping, program_guessed="program" not in overrides)
    _check_required(header, mapping, file)
    if warnings is not None:
        for name, old, new in refits:
            label = LABELS[name]
            warnings.append(
                Problem(
                    "column_refit",
                    f"column {header.display[old]!r} is named {label} but holds no {label} "
                    f"values; {label} read from {header.display[new]!r} instead "
                    "(change it in the column mapping)",
                    Location(file=file, column=header.display[new], column_index=new),
                    severity="warning",
                    params={"field": name, "header": header.display[old]},
                )
            )
    return mapping


def _overridden(header: Header, overrides: Mapping[str, str], file: str) -> dict[str, int]:
    """The columns ``--map FIELD=HEADER`` names."""
    mapping: dict[str, int] = {}
    for name, wanted in overrides.items():
        if name not in MAPPABLE_FIELDS:
            raise InputError(
                "mapping_field_unknown",
                f"cannot map {name!r}: fields are {', '.join(MAPPABLE_FIELDS)}",
                Location(file=file),
            )
        target = norm(wanted)
        hits = [
            c
            for c, (display, labels) in enumerate(zip(header.display, header.labels, strict=True))
            if norm(display) == target or any(norm(t) == target for t in labels)
        ]
        if not hits:
            raise InputError(
                "mapping_header_missing",
                f"{name}={wanted!r}: no column has that header; headers seen: {header.seen()}",
                Location(file=file),
                field=name,
            )
        mapping[name] = hits[0]
    return mapping


def _by_header(header: Header, samples: list[list[str]], mapping: dict[str, int]) -> None:
    """Map the fields not overridden by header synonyms: the best-named column whose content
    looks right first, each column to one field."""
    taken = set(mapping.values())
    candidates: list[tuple[bool, float, int, str, int]] = []
    for name in FIELDS:
        if name in mapping:
            continue
        for c, labels in enumerate(header.labels):
            if c in taken:
                continue
            score = max((header_score(name, header_tokens(t)) for t in labels), default=0)
            if score > 0:
                candidates.append((_content_ok(name, samples[c]), score, -c, name, c))
    for _ok, _score, _neg, name, c in sorted(candidates, reverse=True):
        if name not in mapping and c not in taken:
            mapping[name] = c
            taken.add(c)


def _best_fit(
    samples: list[list[str]], columns: set[int], test: Callable[[str], bool]
) -> int | None:
    """Of ``columns``, the one whose filled values fit ``test`` most often, if at least
    :data:`_FALLBACK_SHARE` of them do; the leftmost on a tie."""
    best, best_share = None, _FALLBACK_SHARE
    for c in sorted(columns):
        filled = [v for v in samples[c] if v]
        share = sum(1 for v in filled if test(v)) / len(filled) if filled else 0.0
        if share > best_share or (best is None and share >= best_share):
            best, best_share = c, share
    return best


def _refit(
    samples: list[list[str]], mapping: dict[str, int], overrides: Mapping[str, str]
) -> list[tuple[str, int, int]]:
    """A required field whose header-named column holds values that do not fit it ("Email"
    with "anonymous" in every row, the address asked in a question whose header names it
    otherwise): the free column whose values mostly (≥ 60 %) fit it instead. Returns (field,
    old column, new column) for each one moved; a ``--map`` override is never moved."""
    moved: list[tuple[str, int, int]] = []
    for name, test in _FALLBACKS.items():
        old = mapping.get(name)
        if old is None or name in overrides or _content_ok(name, samples[old]):
            continue
        best = _best_fit(samples, set(range(len(samples))) - set(mapping.values()), test)
        if best is not None:
            mapping[name] = best
            moved.append((name, old, best))
    return moved


def _by_content(samples: list[list[str]], mapping: dict[str, int], program_guessed: bool) -> None:
    """A required field no header names: a free column whose values look like it. A guessed
    "program" column holding specialty names ("Program: Internal Medicine") is free too."""
    for name, test in _FALLBACKS.items():
        if name in mapping:
            continue
        free = set(range(len(samples))) - set(mapping.values())
        if "program" in mapping and program_guessed:
            free.add(mapping["program"])
        best = _best_fit(samples, free, test)
        if best is not None:
            if mapping.get("program") == best:
                del mapping["program"]
            mapping[name] = best


def _check_required(header: Header, mapping: dict[str, int], file: str) -> None:
    missing = [n for n in REQUIRED_FIELDS if n not in mapping]
    if not {"name", "first_name", "last_name"} & mapping.keys():
        missing.insert(0, "name")
    if missing:
        what = ", ".join(LABELS[n] for n in missing)
        raise InputError(
            "field_unmapped",
            f"no column found for {what} (name it with --map FIELD=HEADER); "
            f"headers seen: {header.seen()}",
            Location(file=file),
            missing=missing,
        )


def _sample_ok(values: Sequence[str], test: Callable[[str], bool], share: float = 0.5) -> bool:
    filled = [v for v in values if v]
    return bool(filled) and sum(1 for v in filled if test(v)) >= share * len(filled)


def _content_ok(name: str, values: Sequence[str]) -> bool:
    """Whether a column's sample values look like the field (orders header matches)."""
    if name == "email":
        return _sample_ok(values, lambda v: is_email(normalize_email(v)))
    if name == "pgy":
        return _sample_ok(values, lambda v: parse_pgy(v) is not None)
    if name == "specialty":
        return _sample_ok(values, lambda v: normalize_specialty(v)[1])
    if name == "name":
        return _sample_ok(values, lambda v: v.lower() not in ANONYMOUS)
    if name == "submitted":
        return _sample_ok(values, lambda v: parse_timestamp(v) is not None)
    if name == "applicant_id":
        filled = [v for v in values if v]
        return bool(filled) and len(set(filled)) == len(filled)
    return True


_PGY_WORD = re.compile(r"\bpgy|\bintern\b|\bresident\b", re.IGNORECASE)

#: Content-only tests for the required fields no header names.
_FALLBACKS: dict[str, Callable[[str], bool]] = {
    "email": lambda v: is_email(normalize_email(v)),
    "pgy": lambda v: parse_pgy(v) is not None and bool(_PGY_WORD.search(v)),
    "specialty": lambda v: normalize_specialty(v)[1],
}
