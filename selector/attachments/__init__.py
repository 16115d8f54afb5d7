"""Attachments: the files applicants send with an application (CV, personal statement, a
program director's letter), imported from a form tool's zip and shown to reviewers.

``archive.py``  a hostile-safe zip read (limits before parsing), kinds sniffed from content
``matching.py`` which applicant a file belongs to, by the layouts form tools write
``redact.py``   where an applicant's identity appears in a text (blind review)
``view.py``     what a reader sees: PDF pages as images, a Word document's text, an image;
                redacted or withheld in blind review; in a child process with limits
"""

from __future__ import annotations

from selector.attachments.archive import (
    DOCX,
    EXTENSIONS,
    JPEG,
    LIMITS,
    PDF,
    PNG,
    Archive,
    ArchiveFile,
    Limits,
    plain_path,
    read_archive,
    read_zip_file,
    sniff,
)
from selector.attachments.matching import Matched, Matcher
from selector.attachments.redact import BLOCK, find, identity_terms, redact_text
from selector.attachments.view import VIEW_LIMITS, Shown, ViewLimits, view, view_isolated

__all__ = [
    "BLOCK",
    "DOCX",
    "EXTENSIONS",
    "JPEG",
    "LIMITS",
    "PDF",
    "PNG",
    "VIEW_LIMITS",
    "Archive",
    "ArchiveFile",
    "Limits",
    "Matched",
    "Matcher",
    "Shown",
    "ViewLimits",
    "find",
    "identity_terms",
    "plain_path",
    "read_archive",
    "read_zip_file",
    "redact_text",
    "sniff",
    "view",
    "view_isolated",
]
