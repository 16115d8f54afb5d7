"""Where an applicant's identity appears in a text, character by character, for blind review.

The words looked for are :class:`selector.blind.Identity`'s (full name, e-mail, e-mail local
part, each name part, joined forms, program) plus name parts of two letters ("Li", "Ng"), which
answers do not hide but a CV must. Text and words compare as :func:`selector.blind.normalize`
does (case, accents, hyphens, apostrophes and spacing ignored), and only as whole words; each
match is mapped back to the positions of the characters it came from, so a PDF's matched
characters can be covered wherever the page put them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from selector.blind import _FOLD, Identity, normalize

#: What stands for hidden words in text shown to a blind reviewer.
BLOCK = "█████"


def identity_terms(name: str, email: str = "", program: str = "") -> tuple[str, ...]:
    """The normalised words that identify an applicant, longest first."""
    identity = Identity.of(name, email, program)
    terms = {*identity.outright, *identity.words}
    terms |= {w for w in normalize(name).split() if len(w) >= 2 and not w.isdigit()}
    terms |= {normalize(token) for token in name.split()}  # "Núñez-O'Neil" → "nunez o neil"
    return tuple(sorted((t for t in terms if t), key=len, reverse=True))


def _fold(char: str) -> str:
    """One character as :func:`normalize` sees it: lower-case letters and digits without
    accents, anything else a space."""
    decomposed = unicodedata.normalize("NFKD", char.casefold().translate(_FOLD))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return "".join(c if c.isalnum() else " " for c in bare)


def find(chars: Sequence[str], terms: Sequence[str]) -> list[tuple[int, int]]:
    """``(start, end)`` ranges of ``chars`` (end exclusive) that spell one of ``terms`` as
    whole words; overlapping ranges merged."""
    folded: list[str] = []
    owner: list[int] = []  # index in ``chars`` of each folded character
    for i, char in enumerate(chars):
        for c in _fold(char):
            if c == " " and (not folded or folded[-1] == " "):
                continue  # runs of separators count as one space
            folded.append(c)
            owner.append(i)
    text = "".join(folded)
    spans = []
    for term in terms:
        for m in re.finditer(rf"(?<![a-z0-9]){re.escape(term)}(?![a-z0-9])", text):
            spans.append((owner[m.start()], owner[m.end() - 1] + 1))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def redact_text(text: str, terms: Sequence[str]) -> tuple[str, int]:
    """``text`` with every identifying word replaced by :data:`BLOCK`; how many were."""
    spans = find(text, terms)
    out, last = [], 0
    for start, end in spans:
        out += [text[last:start], BLOCK]
        last = end
    out.append(text[last:])
    return "".join(out), len(spans)
