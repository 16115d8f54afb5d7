"""Read a zip of attachments that may be hostile: limits checked before anything is parsed.

A zip is a file like any other (see :mod:`selector.xlsx`): its directory says how many members
it has and how large each one is, and neither is believed. The member count is checked first;
each member is then inflated here from its raw bytes under a budget (the smaller of the
per-file limit and what is left of the total), so a bomb stops at the budget whatever it
claims. Member names are only names: nothing is ever written to disk, and a name is reduced to
its plain parts (no ``..``, no absolute path, no drive) before it is shown or stored. A zip
inside the zip is not opened; a .docx (itself a zip) is checked under the same limits.

Kinds are sniffed from the content, never from the name: PDF, DOCX, PNG and JPEG.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from selector.errors import InputError, Location

# The xlsx reader's member inflater: decompresses raw deflate under a budget, whatever the
# zip's directory claims (one implementation of that rule for every zip selector reads).
from selector.xlsx import _inflate

MB = 1024 * 1024

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PNG = "image/png"
JPEG = "image/jpeg"

#: The kinds an attachment may be, and the extension each is shown with.
EXTENSIONS: dict[str, str] = {PDF: "pdf", DOCX: "docx", PNG: "png", JPEG: "jpg"}


@dataclass(frozen=True)
class Limits:
    """What a zip of attachments may hold; checked before any member is parsed."""

    #: The zip file itself.
    zip_bytes: int = 200 * MB
    #: Files in the zip (a cohort of 60 with three files each is 180).
    members: int = 1_000
    #: One attachment, inflated.
    file_bytes: int = 20 * MB
    #: All members together, inflated.
    inflated_bytes: int = 300 * MB
    #: Parts of a .docx (Word writes about twenty) and their inflated size.
    docx_members: int = 500
    docx_inflated_bytes: int = 50 * MB


LIMITS = Limits()


@dataclass(frozen=True)
class ArchiveFile:
    """One member of the zip that may be an attachment: its plain path and content."""

    path: str  # folders and name, with "/" between, nothing that climbs out
    data: bytes
    media_type: str

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def folders(self) -> list[str]:
        return self.path.split("/")[:-1]


@dataclass(frozen=True)
class Archive:
    """What a zip holds: the files of a supported kind, and the others with why not."""

    files: list[ArchiveFile] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)  # path → reason


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
#: What operating systems add to a folder they zip: not the applicants' files.
_NOISE = re.compile(r"(^|/)(__MACOSX/|\._)|(^|/)(\.DS_Store|Thumbs\.db|desktop\.ini)$", re.I)


def plain_path(name: str) -> str:
    """A member name reduced to plain parts: backslashes as "/", no empty, "." or ".." parts,
    no drive ("C:"), no control characters ("../../etc/passwd" → "etc/passwd")."""
    parts = _CONTROL.sub("", name).replace("\\", "/").split("/")
    kept = [p.strip() for p in parts if p.strip() not in ("", ".", "..")]
    if kept and re.fullmatch(r"[A-Za-z]:", kept[0]):
        kept = kept[1:]
    return "/".join(p[:200] for p in kept)[:600]


def _refuse(code: str, message: str, name: str) -> InputError:
    return InputError(code, message, Location(file=name))


def sniff(data: bytes, limits: Limits = LIMITS) -> str | None:
    """The kind of a file from its first bytes (a .docx by its parts); None when it is none
    of PDF, DOCX, PNG or JPEG. Raises ``ValueError`` (with why) for a .docx over the limits."""
    if b"%PDF-" in data[:1024]:
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"PK\x03\x04"):
        return DOCX if _is_docx(data, limits) else None
    return None


def _is_docx(data: bytes, limits: Limits) -> bool:
    """Whether a zip is a Word document within the limits (its parts inflated under budget)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return False
    names = {i.filename for i in infos}
    if "word/document.xml" not in names or "[Content_Types].xml" not in names:
        return False
    if len(infos) > limits.docx_members:
        raise ValueError(f"the Word document holds more than {limits.docx_members} parts")
    budget = limits.docx_inflated_bytes
    for info in infos:
        try:
            budget -= len(_inflate(data, info, budget))
        except OverflowError:
            raise ValueError(
                f"the Word document inflates to more than {limits.docx_inflated_bytes // MB} MB"
            ) from None
        except (ValueError, zlib.error):
            raise ValueError("the Word document is damaged") from None
    return True


def read_zip_file(path: str | Path, limits: Limits = LIMITS) -> bytes:
    """A zip file's bytes, never reading more than one byte past the size limit (so a path
    to ``/dev/zero`` is refused by :func:`read_archive`, not read to the end)."""
    try:
        with Path(path).open("rb") as stream:
            return stream.read(limits.zip_bytes + 1)
    except FileNotFoundError:
        raise _refuse("file_missing", "file not found", str(path)) from None
    except IsADirectoryError:
        raise _refuse("file_unreadable", "a folder, not a file", str(path)) from None
    except OSError as exc:
        raise _refuse("file_unreadable", f"cannot read: {exc.strerror}", str(path)) from None


def read_archive(data: bytes, name: str, limits: Limits = LIMITS) -> Archive:
    """The attachments in a zip, after the limits (raises :class:`InputError` naming the limit
    when the zip as a whole is over one; a single file over its limit is refused alone)."""
    if len(data) > limits.zip_bytes:
        raise _refuse(
            "attachments_zip_too_large",
            f"the zip is {len(data) / MB:,.0f} MB; the limit is {limits.zip_bytes // MB:,} MB",
            name,
        )
    try:
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise _refuse("attachments_unreadable", "not a readable .zip file", name) from None
    if len(infos) > limits.members:
        raise _refuse(
            "attachments_too_many_files",
            f"the zip holds {len(infos):,} files; the limit is {limits.members:,}",
            name,
        )
    found = Archive()
    budget = limits.inflated_bytes
    for info in infos:
        path = plain_path(info.filename)
        if info.is_dir() or not path or _NOISE.search(path):
            continue
        if info.flag_bits & 0x1:
            found.refused[path] = "encrypted"
            continue
        try:
            content = _inflate(data, info, min(limits.file_bytes, budget))
        except OverflowError:
            if budget < limits.file_bytes:
                raise _refuse(
                    "attachments_too_large_inflated",
                    f"the zip inflates to more than {limits.inflated_bytes // MB:,} MB; "
                    f"the limit is {limits.inflated_bytes // MB:,} MB",
                    name,
                ) from None
            found.refused[path] = f"larger than {limits.file_bytes // MB} MB"
            continue
        except (ValueError, zlib.error):
            found.refused[path] = "damaged or compressed in a way zip tools rarely use"
            continue
        budget -= len(content)
        try:
            kind = sniff(content, limits)
        except ValueError as exc:
            found.refused[path] = str(exc)
            continue
        if kind is None:
            inner = content.startswith(b"PK\x03\x04")
            found.refused[path] = (
                "a zip inside the zip is not opened"
                if inner
                else "not a PDF, Word (.docx), PNG or JPEG file"
            )
            continue
        found.files.append(ArchiveFile(path, content, kind))
    return found
