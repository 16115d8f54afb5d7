"""The fields intake maps and the header words that name them.

A header is reduced to a set of tokens (:func:`header_tokens`: lower case, camelCase and
"PGY1" split, "e-mail" → "email", stop words such as "what is your" dropped). Each field has
synonyms (token sets) and exclusion words; :func:`header_score` says how well a header names a
field. :mod:`.headers` uses it to find the header row, :mod:`.mapping` to map columns. To teach
intake a new header ("Courriel"), add a synonym here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from selector.models import CANONICAL_FIELDS

#: Fields a column can be mapped to: the canonical ones plus helpers that build them.
MAPPABLE_FIELDS: tuple[str, ...] = (*CANONICAL_FIELDS, "first_name", "last_name", "submitted")

#: Fields a row needs besides a name (or first and last name).
REQUIRED_FIELDS: tuple[str, ...] = ("email", "pgy", "specialty")

#: How a field is called in messages.
LABELS = {
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
class FieldSpec:
    """How headers name a field: synonyms as token sets, words that rule a header out, and the
    least share of a header's tokens a synonym must cover (long question texts still match)."""

    synonyms: tuple[frozenset[str], ...]
    exclude: frozenset[str]
    min_cover: float = 1 / 3

    @property
    def vocabulary(self) -> frozenset[str]:
        """Every token of every synonym: a header sharing none cannot match."""
        return frozenset().union(*self.synonyms)


def _spec(synonyms: str, exclude: str = "", min_cover: float = 1 / 3) -> FieldSpec:
    return FieldSpec(
        tuple(header_tokens(s) for s in synonyms.split("|")),
        frozenset(exclude.split()),
        min_cover,
    )


#: Words of headers about someone other than the applicant ("Program director e-mail").
_PERSON_EXCLUDE = "director pd mentor supervisor reference chief coordinator chair advisor"
#: Every mappable field's synonyms ("|"-separated) and exclusion words, best synonym first.
FIELDS: dict[str, FieldSpec] = {
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


_VOCABULARY = {name: spec.vocabulary for name, spec in FIELDS.items()}


def header_score(name: str, tokens: frozenset[str]) -> float:
    """How well a header's tokens name a field, or 0: the share of the header's tokens that a
    synonym covers, a little less for synonyms further down the list (a tie-break)."""
    spec = FIELDS[name]
    if tokens.isdisjoint(_VOCABULARY[name]) or not tokens.isdisjoint(spec.exclude):
        return 0.0
    best = 0.0
    for rank, syn in enumerate(spec.synonyms):
        cover = len(syn) / len(tokens)
        if syn and syn <= tokens and cover >= spec.min_cover:
            best = max(best, cover - 0.001 * rank)
    return best
