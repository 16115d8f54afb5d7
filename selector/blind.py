"""What a reviewer sees in blind review, and the pseudonyms that stand in for applicant ids.

Answers are shown whole or not at all: an answer that may identify the applicant is replaced
by :data:`HIDDEN` (or dropped when it is the applicant's name or e-mail outright), never
partly redacted, because guessing which words to cut leaves the rest of a name or a link
behind. Names match accent-, case-, whitespace-, hyphen- and apostrophe-insensitively.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

#: What a blind reviewer reads instead of an answer that may identify the applicant.
HIDDEN = "[hidden in blind review: it may identify the applicant]"

#: Header words that name who the applicant is: such questions are not shown at all.
IDENTITY_QUESTION = re.compile(
    r"\b(name|e-?mail|program|institution|hospital|site|phone|address|pronouns)\b", re.I
)

#: Letters NFKD does not decompose into a base letter and a mark.
_FOLD = str.maketrans({"ø": "o", "ł": "l", "đ": "d", "ħ": "h", "ı": "i", "æ": "ae", "œ": "oe"})
_SEPARATORS = re.compile(r"[\W_]+")  # apostrophes, hyphens, dots, underscores, whitespace, ...

#: Top-level domains of bare web addresses (short ones like "in" or "us" end too many words).
_TLDS = r"com|org|net|edu|gov|io|me|ca|uk|au|info|biz|ly|link|page|site|dev|app|bio"
#: Answers that point at the applicant outside the form: links, handles, e-mails, files.
_TRACES = re.compile(
    r"(?:https?|ftp)://"  # a URL
    r"|\bwww\."  # a web address without a scheme
    rf"|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:{_TLDS})\b"  # a domain (linkedin.com/in/...)
    r"|@[a-z0-9_]"  # an e-mail address or a handle (@bobsmith_md)
    r"|\w\s?\.(?:pdf|docx?|odt|rtf|txt|pages|jpe?g|png|gif|heic|webp|tiff?|bmp|pptx?|xlsx?"
    r"|csv|zip)\b",  # a file name (Ann_Lee_CV.pdf)
    re.I,
)


def normalize(text: str) -> str:
    """Lower-case words without accents, separated by single spaces ("Núñez-O’Neil" → "nunez
    o neil"), so names compare however they were typed."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_FOLD))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_SEPARATORS.split(bare)).strip()


def _contains(text: str, phrase: str) -> bool:
    """Whether normalized ``text`` holds normalized ``phrase`` as whole words."""
    return bool(phrase) and f" {phrase} " in f" {text} "


@dataclass(frozen=True)
class Identity:
    """The words that identify one applicant, normalized once for checking all answers."""

    outright: tuple[str, ...]  # the full name and the e-mail: an answer with these is dropped
    words: tuple[str, ...]  # name parts, joined forms, e-mail local part, program

    @classmethod
    def of(cls, name: str, email: str = "", program: str = "") -> Identity:
        """The identity of an applicant with this name, e-mail and program (any may be "")."""
        full, address = normalize(name), normalize(email)
        local = email.partition("@")[0]
        words = {w for w in full.split() if len(w) >= 3 and not w.isdigit()}
        for token in [*name.split(), local]:  # "Mary-Jane" → "maryjane", "O'Neil" → "oneil"
            joined = normalize(token).replace(" ", "")
            if len(joined) >= 3 and not joined.isdigit():
                words.add(joined)
        if len(normalize(local).replace(" ", "")) >= 3:
            words.add(normalize(local))
        words |= {full.replace(" ", ""), normalize(program)}
        return cls(
            outright=tuple(p for p in (full, address) if p),
            words=tuple(sorted(w for w in words if w)),
        )

    def view(self, answer: str) -> str | None:
        """The answer as a blind reviewer sees it: unchanged, :data:`HIDDEN`, or None (not
        shown) when it spells out the applicant's name or e-mail."""
        text = normalize(answer)
        if any(_contains(text, p) for p in self.outright):
            return None
        if _TRACES.search(answer) or any(_contains(text, w) for w in self.words):
            return HIDDEN
        return answer


def asks_identity(question: str) -> bool:
    """Whether a question asks who the applicant is (its answers are never shown blind)."""
    return bool(IDENTITY_QUESTION.search(question))


def _code(secret: bytes, cycle: str, applicant_id: str) -> str:
    digest = hmac.new(secret, f"{cycle}\x00{applicant_id}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode("ascii")


def pseudonyms(secret: bytes, cycle: str, applicant_ids: Iterable[str]) -> dict[str, str]:
    """Applicant id → the id a blind reviewer sees ("K7QM-2XPA"): a keyed hash (HMAC-SHA256)
    of cycle and id, so no one without the database's secret can work it out from an e-mail
    or an id. The rare pair that shares 8 characters gets 16."""
    codes = {a: _code(secret, cycle, a) for a in applicant_ids}
    short = Counter(c[:8] for c in codes.values())
    shown = {a: c[:8] if short[c[:8]] == 1 else c[:16] for a, c in codes.items()}
    return {a: "-".join(c[i : i + 4] for i in range(0, len(c), 4)) for a, c in shown.items()}
