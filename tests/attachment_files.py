"""Files for the attachment tests, made here: PDFs (fpdf2, text in DejaVu Sans so accents
survive), Word documents (written part by part), images (Pillow), and zips in each form
tool's layout."""

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


DOCX_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Default Extension="rels" ContentType="application/'
    'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
    'ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType='
    '"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)
DOCX_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats'
    '.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="word/document.xml"/></Relationships>'
)


def make_docx(lines: list[str], *, header: str = "") -> bytes:
    """A minimal Word document (the parts Word needs to open it) with one paragraph per line,
    the last two as a one-row table; ``header`` in a header part."""
    from xml.sax.saxutils import escape

    def paragraph(text: str) -> str:
        return f'<w:p><w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>'

    body = "".join(paragraph(line) for line in lines[:-2])
    if len(lines) >= 2:
        cells = "".join(f"<w:tc>{paragraph(line)}</w:tc>" for line in lines[-2:])
        body += f"<w:tbl><w:tr>{cells}</w:tr></w:tbl>"
    else:
        body += "".join(paragraph(line) for line in lines)
    document = (
        '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.'
        'openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body>{body}</w:body></w:document>"
    )
    parts = {
        "[Content_Types].xml": DOCX_TYPES,
        "_rels/.rels": DOCX_RELS,
        "word/document.xml": document,
    }
    if header:
        parts["word/header1.xml"] = document.replace(body, paragraph(header))
    return make_zip({k: v.encode() for k, v in parts.items()})


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
