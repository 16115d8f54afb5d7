"""Attachments: import a form tool's zip of files into a cycle, and show an applicant's files
to the one reading them (redacted or withheld in blind review)."""

from __future__ import annotations

import hashlib
from collections.abc import MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from selector.attachments import Shown
    from selector.auth import User
    from selector.store import AttachmentReport, Store


def import_attachments(
    store: Store, actor: User, cycle: str | None, source: bytes | str | Path, name: str = ""
) -> AttachmentReport:
    """Read the zip (bytes, or a path) under the hostile-file limits (refused whole when over
    one), match its files to the cycle's applicants and store them in one transaction."""
    from selector.attachments import read_archive, read_zip_file

    if isinstance(source, bytes):
        data = source
    else:
        data, name = read_zip_file(source), name or str(source)
    return store.import_attachments(actor, cycle, read_archive(data, name or "<upload>"))


@dataclass(frozen=True)
class AttachmentView:
    """One file as its reader sees it. ``note`` says what blind review covered, or why the
    file is withheld; ``download`` is the original file, for a reader who may have it (never
    in blind review)."""

    label: str
    filename: str
    media_type: str
    size: int
    shown: Shown
    note: str | None
    download: bytes | None


def _note(shown: Shown) -> str:
    if shown.withheld:
        return f"Withheld in blind review: {shown.withheld}."
    covered = f"{shown.hidden_words} place(s) naming the applicant, their e-mail or program"
    if shown.hidden_images:
        covered += f" and {shown.hidden_images} picture(s)"
    return (
        f"Redacted for blind review: {covered} covered; the file's name, properties, links "
        "and text layer removed. Check it yourself: report anything that still identifies "
        "the applicant."
    )


def attachment_views(
    store: Store,
    actor: User,
    cycle: str | None,
    applicant_id: str,
    *,
    cache: MutableMapping[tuple[str, str, str], Shown] | None = None,
) -> list[AttachmentView]:
    """An applicant's current files as ``actor`` may read them (the store checks access:
    a reviewer, only assigned applicants). Each is rendered in a child process held to
    limits; ``cache`` (a dashboard session's own dict) keeps what was rendered, by content
    and the words covered."""
    from selector.attachments import view_isolated

    files = store.applicant_files(actor, cycle, applicant_id)
    terms = files.blind_terms
    tag = hashlib.sha256("\0".join(terms).encode()).hexdigest() if terms is not None else ""
    views = []
    for f in files.files:
        key = (hashlib.sha256(f.data).hexdigest(), f.media_type, tag)
        shown = cache.get(key) if cache is not None else None
        if shown is None:
            shown = view_isolated(f.data, f.media_type, terms)
            if cache is not None:
                cache[key] = shown
        blind = terms is not None
        views.append(
            AttachmentView(
                label=f.slot,
                filename=f.filename,
                media_type=f.media_type,
                size=f.size,
                shown=shown,
                note=_note(shown) if blind else shown.withheld,
                download=None if blind else f.data,
            )
        )
    return views
