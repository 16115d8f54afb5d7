"""E-mail addresses: the one normaliser and the plausibility check.

An e-mail is an identity (an applicant across exports, a reviewer in a score file, a user at
login), so every comparison goes through :func:`normalize_email`.
"""

from __future__ import annotations

import re

#: local@label.label.tld: dot-separated labels, a letter-only top-level domain.
_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}")


def normalize_email(text: str) -> str:
    """The e-mail as identity: trimmed, ``mailto:`` and angle brackets removed, lower case."""
    text = text.strip().lower()
    if text.startswith(("<", "mailto:")) or text.endswith(">"):
        text = text.strip("<>").strip().removeprefix("mailto:")
    return text


def is_email(text: str) -> bool:
    """Whether normalised text is a plausible single e-mail address."""
    return _EMAIL.fullmatch(text) is not None and ".." not in text
