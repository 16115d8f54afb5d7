"""Which applicant a file in a zip of attachments belongs to, by the layouts form tools write.

- Qualtrics' download of uploaded files: a folder per file-upload question, each file named
  with the response id first (``Q12_CV/R_1abcXYZ_cv.pdf``).
- REDCap's export of uploaded files: the record id first (``7_cv_upload.pdf``, record 7 being
  applicant ``A007`` as intake numbers bare ids).
- A plain folder: the applicant's e-mail or applicant id anywhere in a file or folder name
  (``ann.lee@example.org_CV.pdf``, ``E1A2B3C4/statement.pdf``).

The ids known are each applicant's id (the form's response id or record id, as intake keeps
it) and the response ids of later re-submissions that the store kept under the first id.
A name that points at two applicants is not matched.

A file's *slot* says which of an applicant's files it is: the question folder when there is
one, else the rest of the file name; a re-import that brings another file for the same slot
replaces it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from selector.attachments.archive import ArchiveFile
from selector.emails import normalize_email
from selector.intake import format_id

_EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_LEADING_NUMBER = re.compile(r"^(\d{1,9})(?=[_\-\s.]|$)")
_SEPARATORS = "_- ."


@dataclass(frozen=True)
class Matched:
    """A file and the applicant (id) and slot it was matched to."""

    file: ArchiveFile
    applicant_id: str
    slot: str


def _bounded(key: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![A-Za-z0-9]){re.escape(key)}(?![A-Za-z0-9])")


class Matcher:
    """Matches paths to applicants: ``ids`` maps every known source id (applicant id,
    re-submitted response id) to the applicant id, ``emails`` each normalised e-mail."""

    def __init__(self, ids: Mapping[str, str], emails: Mapping[str, str]) -> None:
        self.ids = dict(ids)
        self.emails = {normalize_email(e): a for e, a in emails.items() if e}
        # Longest first: "R_1abc2" must win over "R_1abc" where both are ids.
        self._patterns = [(k, _bounded(k)) for k in sorted(self.ids, key=len, reverse=True)]

    def _in_part(self, part: str) -> tuple[set[str], str]:
        """The applicants one path part names, and the part without what named them."""
        found: set[str] = set()
        rest = part
        number = _LEADING_NUMBER.match(part)
        if number and format_id(number.group(1)) in self.ids:  # REDCap: record id first
            found.add(self.ids[format_id(number.group(1))])
            rest = rest[number.end() :]
        for email in _EMAIL.findall(part):
            owner = self.emails.get(normalize_email(email))
            if owner is not None:
                found.add(owner)
                rest = rest.replace(email, "")
        for key, pattern in self._patterns:
            if pattern.search(rest):
                found.add(self.ids[key])
                rest = pattern.sub("", rest)
        return found, rest.strip(_SEPARATORS)

    def applicant_of(self, file: ArchiveFile) -> tuple[str | None, list[str], str]:
        """(applicant id or None, the folders that are not the applicant's, the rest of the
        file name without its extension and what named the applicant)."""
        found: set[str] = set()
        folders = []
        for folder in file.folders:
            named, _ = self._in_part(folder)
            if named:
                found |= named
            else:
                folders.append(folder)
        stem = file.name.rsplit(".", 1)[0] if "." in file.name else file.name
        named, rest = self._in_part(stem)
        found |= named
        return (found.pop() if len(found) == 1 else None), folders, rest

    def match(self, files: list[ArchiveFile]) -> tuple[list[Matched], list[str]]:
        """The files matched to an applicant, each with its slot; the paths of the others."""
        placed: list[tuple[ArchiveFile, str, str, str]] = []
        unmatched: list[str] = []
        for file in files:
            applicant, folders, rest = self.applicant_of(file)
            if applicant is None:
                unmatched.append(file.path)
                continue
            placed.append((file, applicant, "/".join(folders), rest or "file"))
        # The question folder is the slot, unless one applicant has two files in it (a plain
        # folder that was zipped whole): then the rest of the name tells them apart.
        per_folder = Counter((applicant, folder) for _, applicant, folder, _ in placed)
        matched = [
            Matched(
                file,
                applicant,
                folder
                if folder and per_folder[applicant, folder] == 1
                else "/".join(p for p in (folder, rest) if p),
            )
            for file, applicant, folder, rest in placed
        ]
        return matched, unmatched
