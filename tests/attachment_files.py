"""Files for the attachment tests, made here: PDFs (fpdf2, text in DejaVu Sans so accents
survive), Word documents (python-docx), images (Pillow), and zips in each form tool's layout."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

FONT = Path(__file__).resolve().parents[1] / "selector" / "fonts" / "DejaVuSans.ttf"


def make_pdf(
    lines: list[str],
    *,
    pages: int = 1,
    photo: bool = False,
    scan: bool = False,
    author: str = "",
) -> bytes:
    """A PDF with ``lines`` of text on each page; a small photo, or a page-wide picture with
    no text (a scan), when asked; ``author`` in its metadata."""
    from fpdf import FPDF
    from PIL import Image

    pdf = FPDF()
    pdf.add_font("DejaVu", "", str(FONT))
    if author:
        pdf.set_author(author)
    for _ in range(pages):
        pdf.add_page()
        if scan:
            pdf.image(Image.new("RGB", (800, 1100), "gray"), x=0, y=0, w=210, h=297)
            continue
        pdf.set_font("DejaVu", size=12)
        for line in lines:
            pdf.cell(0, 10, line, new_x="LMARGIN", new_y="NEXT")
        if photo:
            pdf.image(Image.new("RGB", (60, 80), "red"), x=150, y=200, w=30, h=40)
    return bytes(pdf.output())


def make_docx(lines: list[str]) -> bytes:
    import docx

    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def make_png(size: tuple[int, int] = (40, 30)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, "blue").save(out, format="PNG")
    return out.getvalue()


def make_zip(files: dict[str, bytes], *, compress: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compress) as z:
        for name, data in files.items():
            z.writestr(name, data)
    return out.getvalue()


def bomb(inflated: int) -> bytes:
    """A zip whose one member inflates to ``inflated`` bytes of zeros (a few KB packed)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z,
        z.open("cv.pdf", "w", force_zip64=True) as member,
    ):
        chunk = b"\0" * (1 << 20)
        for _ in range(inflated // len(chunk)):
            member.write(chunk)
    return out.getvalue()
