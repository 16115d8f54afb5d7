"""An attachment as a reader sees it: PDF pages as images, a Word document's text, an image;
in blind review, with the applicant's identity covered or the file withheld.

PDFs are read with PDFium (``pypdfium2``, BSD/Apache licensed). In blind review each page's
text layer is searched for the applicant's identity (:mod:`selector.attachments.redact`), the
matched characters are painted over on the rendered page, and only the page images are shown:
no text layer, metadata, annotation, link or file name reaches the reviewer. Photos and logos
on a page are painted over too. A file whose words cannot be checked is withheld, with the
reason: a page without a text layer (a scan), a page that is mostly one image, a text layer
that does not read as text, an image nested in a form object, an image file. A Word
document's paragraphs (tables and text boxes included) are shown as text, identity words
replaced; its headers, footers, pictures and properties are not read at all.

Files are untrusted: :func:`view_isolated` does the work in a child process held to a memory
and CPU-time limit (as :mod:`selector.xlsx` parses workbooks), so a PDF made to exhaust a
renderer ends that child, not the dashboard.
"""

from __future__ import annotations

import base64
import io
import signal
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from selector.attachments.archive import DOCX, JPEG, PDF, PNG
from selector.attachments.redact import find, redact_text

MB = 1024 * 1024


@dataclass(frozen=True)
class ViewLimits:
    """How much of a file is shown, and what showing it may use."""

    pages: int = 20  # pages rendered (a CV has 2-6)
    scale: float = 1.5  # pixels per PDF point (108 dpi)
    image_pixels: int = 40_000_000  # an image file's width × height
    memory_bytes: int = 1024 * MB
    seconds: int = 60


VIEW_LIMITS = ViewLimits()

#: An image covering more of a page than this makes the page a scan.
_SCAN_SHARE = 0.5
#: Share of a page's characters that may be unreadable (no Unicode value) before its text
#: layer is not trusted to say what the page shows.
_UNREADABLE_SHARE = 0.1


@dataclass
class Shown:
    """What a reader is shown of one file."""

    pages: list[bytes] = field(default_factory=list)  # PNG, one per page shown
    pages_total: int = 0
    text: str | None = None  # a Word document's text
    image: bytes | None = None  # an image file, re-encoded as PNG (no metadata)
    withheld: str | None = None  # why nothing is shown (blind review)
    hidden_words: int = 0  # places covered in blind review
    hidden_images: int = 0  # pictures covered in blind review

    def to_json(self) -> dict[str, Any]:
        return {
            "pages": [base64.b64encode(p).decode("ascii") for p in self.pages],
            "pages_total": self.pages_total,
            "text": self.text,
            "image": base64.b64encode(self.image).decode("ascii") if self.image else None,
            "withheld": self.withheld,
            "hidden_words": self.hidden_words,
            "hidden_images": self.hidden_images,
        }

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> Shown:
        return cls(
            pages=[base64.b64decode(p) for p in obj["pages"]],
            pages_total=obj["pages_total"],
            text=obj["text"],
            image=base64.b64decode(obj["image"]) if obj["image"] else None,
            withheld=obj["withheld"],
            hidden_words=obj["hidden_words"],
            hidden_images=obj["hidden_images"],
        )


class Withheld(Exception):
    """A file that cannot be shown in blind review; its message says why."""


def _png(image: Any) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()


def _unreadable(char: str) -> bool:
    code = ord(char)
    return code in (0, 0xFFFD, 0xFFFE) or 0xE000 <= code <= 0xF8FF


def _pdf_page(page: Any, number: int, terms: Sequence[str] | None, scale: float) -> Shown:
    """One page rendered (annotations and form fields left out); in blind review with the
    identity and pictures covered. Raises :class:`Withheld`."""
    import ctypes

    import pypdfium2.raw as raw
    from PIL import ImageDraw

    image = page.render(scale=scale, draw_annots=False, may_draw_forms=False).to_pil()
    image = image.convert("RGB")
    shown = Shown()
    if terms is None:
        shown.pages.append(_png(image))
        return shown

    def device(x: float, y: float) -> tuple[int, int]:
        dx, dy = ctypes.c_int(), ctypes.c_int()
        raw.FPDF_PageToDevice(page.raw, 0, 0, image.width, image.height, 0, x, y, dx, dy)
        return dx.value, dy.value

    def cover(left: float, bottom: float, right: float, top: float) -> None:
        corners = [device(left, bottom), device(right, top)]
        xs, ys = [c[0] for c in corners], [c[1] for c in corners]
        draw.rectangle((min(xs) - 2, min(ys) - 2, max(xs) + 2, max(ys) + 2), fill="black")

    draw = ImageDraw.Draw(image)
    textpage = page.get_textpage()
    count = textpage.count_chars()
    chars = [chr(raw.FPDFText_GetUnicode(textpage, i)) for i in range(count)]
    visible = [c for c in chars if not c.isspace()]
    if not visible:
        raise Withheld(f"page {number} has no text layer (a scan?): its words cannot be checked")
    if sum(map(_unreadable, visible)) > _UNREADABLE_SHARE * len(visible):
        raise Withheld(f"the text of page {number} cannot be read reliably, so cannot be checked")
    spans = find(chars, terms)
    for start, end in spans:
        for i in range(start, end):
            left, bottom, right, top = textpage.get_charbox(i, loose=True)
            if right > left or top > bottom:
                cover(left, bottom, right, top)
    width, height = page.get_size()
    for obj in page.get_objects(filter=[raw.FPDF_PAGEOBJ_IMAGE]):
        if obj.level > 0:
            raise Withheld(f"page {number} holds a picture inside a form object: not checked")
        left, bottom, right, top = obj.get_bounds()
        if (right - left) * (top - bottom) > _SCAN_SHARE * width * height:
            raise Withheld(f"page {number} is mostly a picture (a scan?): it cannot be checked")
        cover(left, bottom, right, top)
        shown.hidden_images += 1
    shown.hidden_words = len(spans)
    shown.pages.append(_png(image))
    return shown


def _pdf(data: bytes, terms: Sequence[str] | None, limits: ViewLimits) -> Shown:
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        return Shown(withheld="the PDF cannot be opened (damaged, or protected by a password)")
    shown = Shown(pages_total=len(pdf))
    try:
        for i in range(min(len(pdf), limits.pages)):
            page = _pdf_page(pdf[i], i + 1, terms, limits.scale)
            shown.pages += page.pages
            shown.hidden_words += page.hidden_words
            shown.hidden_images += page.hidden_images
    except Withheld as exc:
        return Shown(pages_total=shown.pages_total, withheld=str(exc))
    return shown


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def docx_text(data: bytes, budget: int) -> str:
    """A Word document's body text, one line per paragraph (table cells and text boxes
    included), read from ``word/document.xml`` with defusedxml (no entity expansion) after
    inflating it under ``budget`` bytes. Headers, footers, comments and properties are other
    parts and are not read. Raises ``ValueError`` for a file that is not one."""
    import zipfile

    from defusedxml.ElementTree import fromstring

    from selector.xlsx import _inflate

    archive = zipfile.ZipFile(io.BytesIO(data))
    xml = _inflate(data, archive.getinfo("word/document.xml"), budget)
    lines = []
    for paragraph in fromstring(xml).iter(f"{_W}p"):
        parts = []
        for node in paragraph.iter():
            if node.tag == f"{_W}t":
                parts.append(node.text or "")
            elif node.tag == f"{_W}tab":
                parts.append("\t")
            elif node.tag in (f"{_W}br", f"{_W}cr"):
                parts.append("\n")
        lines.append("".join(parts))
    return "\n".join(lines).strip()


def _docx(data: bytes, terms: Sequence[str] | None) -> Shown:
    from selector.attachments.archive import LIMITS

    try:
        text = docx_text(data, LIMITS.docx_inflated_bytes)
    except Exception:  # not a zip, no document part, over the budget, not XML: one answer
        return Shown(withheld="the Word document cannot be read")
    if terms is None:
        return Shown(text=text)
    redacted, hidden = redact_text(text, terms)
    return Shown(text=redacted, hidden_words=hidden)


def _image(data: bytes, terms: Sequence[str] | None, limits: ViewLimits) -> Shown:
    if terms is not None:
        return Shown(withheld="an image cannot be checked for what identifies the applicant")
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > limits.image_pixels:
                return Shown(withheld="the image is too large to show")
            image.thumbnail((2000, 2000))
            return Shown(image=_png(image.convert("RGB")))
    except (OSError, ValueError, Image.DecompressionBombError):
        return Shown(withheld="the image cannot be read")


def view(
    data: bytes,
    media_type: str,
    terms: Sequence[str] | None = None,
    limits: ViewLimits = VIEW_LIMITS,
) -> Shown:
    """What a reader sees of a file; ``terms`` (:func:`~selector.attachments.redact.
    identity_terms`) in blind review, None otherwise. In this process: see
    :func:`view_isolated` for untrusted files. A file a library fails on is not shown (in
    blind review that is the safe answer too)."""
    try:
        if media_type == PDF:
            return _pdf(data, terms, limits)
        if media_type == DOCX:
            return _docx(data, terms)
        if media_type in (PNG, JPEG):
            return _image(data, terms, limits)
    except MemoryError:
        raise
    except Exception:  # a renderer's error on a damaged file: its text is not the user's
        return Shown(withheld="the file is damaged and cannot be shown")
    return Shown(withheld="not a kind of file that can be shown")


def _serve() -> None:
    """The child process (``python -m selector.attachments.view``): limit itself, read the
    file from stdin, and write what a reader sees as JSON."""
    import json
    import sys

    from selector.isolation import hold

    media_type, terms, pages, memory_bytes, seconds = json.loads(sys.argv[1])
    hold(memory_bytes, seconds)
    limits = ViewLimits(pages=pages, memory_bytes=memory_bytes, seconds=seconds)
    shown = view(sys.stdin.buffer.read(), media_type, terms, limits)
    sys.stdout.write(json.dumps(shown.to_json()))


def view_isolated(
    data: bytes,
    media_type: str,
    terms: Sequence[str] | None = None,
    limits: ViewLimits = VIEW_LIMITS,
) -> Shown:
    """:func:`view` in a child process held to ``limits``; a file that exhausts them is
    withheld, saying so. The child is a new interpreter, not a fork of the caller (whose
    threads, a Streamlit server's, must not be forked)."""
    import json

    from selector.isolation import run_held

    argument = json.dumps(
        [media_type, list(terms) if terms is not None else None, limits.pages,
         limits.memory_bytes, limits.seconds]
    )  # fmt: skip
    code, out = run_held("selector.attachments.view", argument, data, limits.seconds)
    if code == 0:
        return Shown.from_json(json.loads(out))
    if code == -signal.SIGXCPU:
        return Shown(withheld=f"showing the file takes longer than {limits.seconds} s")
    return Shown(
        withheld=f"showing the file needs more than {limits.memory_bytes // MB} MB of memory, "
        "or ended the program that reads it"
    )


if __name__ == "__main__":
    _serve()
