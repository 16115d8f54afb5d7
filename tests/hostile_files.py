"""A corpus of hostile and careless files, built here rather than committed as binaries.

Each entry is a file a user could hand selector (an upload, `selector validate`, `import`,
`scores import`) with what must happen: exit 0 (read) or 2 (refused with one line), never a
crash, a traceback or unbounded memory. ``python tests/hostile_files.py DIR`` writes them out
to try by hand. Bombs are made without ever holding their inflated bytes: a deflate segment
ending in a full flush is a complete, history-free piece of a stream, so repeating its bytes
repeats what it inflates to.
"""

from __future__ import annotations

import struct
import sys
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

MB = 1024 * 1024

CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    b'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    b'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
    b'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
    b'worksheet+xml"/></Types>'
)
ROOT_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://'
    b'schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type='
    b'"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    b'Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.'
    b'openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/'
    b'officeDocument/2006/relationships"><sheets><sheet name="Form1" sheetId="1" r:id="rId1"/>'
    b"</sheets></workbook>"
)
WORKBOOK_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://'
    b'schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type='
    b'"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    b'Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.'
    b'openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
    b'Target="sharedStrings.xml"/></Relationships>'
)
SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.'
    b'openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
SHEET_TAIL = b"</sheetData></worksheet>"

HEADERS = ("Email", "Name", "PGY", "Specialty")
APPLICANT = ("ada.synthetic@example.org", "Ada Synthetic", "PGY-2", "Internal Medicine")


@dataclass(frozen=True)
class Member:
    """One zip member: its raw (already deflated, or stored) bytes and what the zip claims."""

    name: str
    raw: bytes
    size: int  # the uncompressed size the zip's headers claim
    method: int = 8  # 8 deflate, 0 stored
    crc: int = 0  # a bomb's CRC is never reached


def member(name: str, data: bytes) -> Member:
    """A member deflated the ordinary way, claiming its true size."""
    packer = zlib.compressobj(6, zlib.DEFLATED, -15)
    return Member(name, packer.compress(data) + packer.flush(), len(data), crc=zlib.crc32(data))


def bomb_member(
    name: str, head: bytes, unit: bytes, repeats: int, tail: bytes, *, crc: bool = False
) -> Member:
    """``head + unit * (repeats * 16 MB / len(unit)) + tail``, deflated without building it;
    with ``crc``, with its true checksum (so a parser reads it to the end)."""
    chunk = unit * (16 * MB // len(unit))
    checksum = 0
    if crc:
        checksum = zlib.crc32(head)
        for _ in range(repeats):
            checksum = zlib.crc32(chunk, checksum)
        checksum = zlib.crc32(tail, checksum)

    def segment(data: bytes) -> bytes:
        packer = zlib.compressobj(9, zlib.DEFLATED, -15)
        return packer.compress(data) + packer.flush(zlib.Z_FULL_FLUSH)

    raw = segment(head) + segment(chunk) * repeats + segment(tail) + b"\x03\x00"  # final block
    return Member(name, raw, len(head) + len(chunk) * repeats + len(tail), crc=checksum)


def zip_bytes(members: Iterable[Member]) -> bytes:
    """A zip archive written by hand, so its headers can claim what a test wants."""
    body, directory = bytearray(), bytearray()
    count = 0
    for m in members:
        name = m.name.encode()
        crc = m.crc
        header = struct.pack(
            "<4s5H3I2H", b"PK\x03\x04", 20, 0, m.method, 0, 0, crc, len(m.raw), m.size, len(name), 0
        )
        directory += struct.pack(
            "<4s6H3I5H2I",
            b"PK\x01\x02",
            20,
            20,
            0,
            m.method,
            0,
            0,
            crc,
            len(m.raw),
            m.size,
            len(name),
            0,
            0,
            0,
            0,
            0,
            len(body),
        )
        directory += name
        body += header + name + m.raw
        count += 1
    end = struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, count, count, len(directory), len(body), 0)
    return bytes(body + directory + end)


def _cell(ref: str, text: str) -> bytes:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'.encode()


def form_rows(extra: bytes = b"") -> bytes:
    """A sheet with a header and one applicant (cells A1:D2), plus ``extra`` rows."""
    rows = []
    for number, values in ((1, HEADERS), (2, APPLICANT)):
        cells = b"".join(_cell(f"{'ABCD'[i]}{number}", v) for i, v in enumerate(values))
        rows.append(b'<row r="%d">' % number + cells + b"</row>")
    return SHEET_HEAD + b"".join(rows) + extra + SHEET_TAIL


def workbook(sheet: bytes | Member, *extra: Member, workbook_xml: bytes = WORKBOOK) -> bytes:
    """An .xlsx with one sheet (and optional extra members)."""
    sheet_member = sheet if isinstance(sheet, Member) else member("xl/worksheets/sheet1.xml", sheet)
    return zip_bytes(
        [
            member("[Content_Types].xml", CONTENT_TYPES),
            member("_rels/.rels", ROOT_RELS),
            member("xl/workbook.xml", workbook_xml),
            member("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
            sheet_member,
            *extra,
        ]
    )


def stray_cell(ref: str) -> bytes:
    """The form, plus one stray value far away (the 1.9 KB file that aborted the server)."""
    row = "".join(ch for ch in ref if ch.isdigit())
    return workbook(form_rows(b'<row r="%s">' % row.encode() + _cell(ref, "x") + b"</row>"))


def shared_strings_bomb() -> bytes:
    """2 GB of shared strings in a few MB; the sheet points at the first one."""
    head = b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    sst = bomb_member(
        "xl/sharedStrings.xml",
        head,
        b"<si><t>equity access community mentorship</t></si>",
        128,
        b"</sst>",
    )
    sheet = form_rows(b'<row r="3"><c r="A3" t="s"><v>0</v></c></row>')
    return workbook(sheet, sst)


def single_string_bomb() -> bytes:
    """One 3 GB string in a shared-strings part of about 3 MB."""
    head = b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>'
    sst = bomb_member("xl/sharedStrings.xml", head, b"A", 192, b"</t></si></sst>")
    sheet = form_rows(b'<row r="3"><c r="A3" t="s"><v>0</v></c></row>')
    return workbook(sheet, sst)


def lying_sizes() -> bytes:
    """A 1 GB shared-strings part whose zip headers claim 1 KB."""
    head = b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    sst = bomb_member("xl/sharedStrings.xml", head, b"<si><t>x</t></si>", 64, b"</sst>")
    return workbook(form_rows(), Member(sst.name, sst.raw, 1024))


def dense_cells(columns: int, chunks: int, *, named: bool = True) -> bytes:
    """A sheet that really holds values in ``columns`` columns: ``chunks`` × 16 MB of rows,
    its cells named (``r="B7"``, as Excel writes them) or not (allowed, and rarer)."""
    from openpyxl.utils import get_column_letter

    letters = [get_column_letter(i + 1) for i in range(columns)]
    if not named:
        row = b"<row>" + b"<c><v>1</v></c>" * columns + b"</row>"
        return workbook(
            bomb_member("xl/worksheets/sheet1.xml", SHEET_HEAD, row, chunks, SHEET_TAIL)
        )
    rows_per_chunk = 16 * MB // (columns * 30)
    body = bytearray(SHEET_HEAD)
    for r in range(1, rows_per_chunk * chunks + 1):
        body += (
            b"<row>" + "".join(f'<c r="{c}{r}"><v>1</v></c>' for c in letters).encode() + b"</row>"
        )
    return workbook(bytes(body + SHEET_TAIL))


def string_amplification() -> bytes:
    """One 48 MB shared string referenced by 40 cells: small on disk and in the zip, but 1.9 GB
    once every cell holds its own copy (the limit on the parsing process catches this)."""
    head = b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>'
    sst = bomb_member("xl/sharedStrings.xml", head, b"B", 3, b"</t></si></sst>", crc=True)
    rows = b"".join(
        b'<row r="%d"><c r="E%d" t="s"><v>0</v></c></row>' % (n, n) for n in range(3, 43)
    )
    return workbook(form_rows(rows), sst)


def deep_sheet(depth: int) -> bytes:
    """A sheet whose XML nests ``depth`` elements inside one cell."""
    nest = b"<is>" + b"<r>" * depth + b"<t>x</t>" + b"</r>" * depth + b"</is>"
    return workbook(form_rows(b'<row r="3"><c r="A3" t="inlineStr">' + nest + b"</c></row>"))


def deep_workbook(depth: int) -> bytes:
    """workbook.xml nesting ``depth`` elements."""
    xml = WORKBOOK.replace(b"<sheets>", b"<x>" * depth + b"</x>" * depth + b"<sheets>")
    return workbook(form_rows(), workbook_xml=xml)


def entity_expansion() -> bytes:
    """The 'billion laughs' in the shared strings and the workbook."""
    lol = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(
            b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
            for i in range(1, 10)
        )
        + b"]>"
    )
    sst = member("xl/sharedStrings.xml", lol + b"<sst><si><t>&lol9;</t></si></sst>")
    book = lol + WORKBOOK.split(b"?>", 1)[1].replace(b'name="Form1"', b'name="&lol9;"')
    return workbook(
        form_rows(b'<row r="3"><c r="A3" t="s"><v>0</v></c></row>'), sst, workbook_xml=book
    )


def many_members(count: int) -> bytes:
    extra = [member(f"xl/media/image{i}.png", b"") for i in range(count)]
    return workbook(form_rows(), *extra)


def dimension_claim() -> bytes:
    """A sheet whose <dimension> claims A1:XFD1048576 but holds the form only (harmless)."""
    sheet = form_rows().replace(b"<sheetData>", b'<dimension ref="A1:XFD1048576"/><sheetData>')
    return workbook(sheet)


def styled_far_cell() -> bytes:
    """An empty formatted cell at XFD1048576 (Excel writes these): no value, so harmless."""
    return workbook(form_rows(b'<row r="1048576"><c r="XFD1048576" s="1"/></row>'))


def bzip2_member() -> bytes:
    return workbook(Member("xl/worksheets/sheet1.xml", b"BZh91AY&SY", 100, method=12))


def csv_text(rows: Iterable[Iterable[str]], sep: str = ",") -> str:
    return "".join(sep.join(row) + "\r\n" for row in rows)


def legit_csv(target: int) -> bytes:
    """A valid applications export of about ``target`` bytes (under the upload cap)."""
    header = csv_text([[*HEADERS, "Essay"]])
    essay = '"' + "I lead, listen and build community; " * 8 + '"'
    lines = [header]
    size, n = len(header), 0
    while size < target:
        line = csv_text(
            [[f"r{n}@example.org", f"Resident {n}", f"PGY-{2 + n % 4}", "Pediatrics", essay]]
        )
        lines.append(line)
        size += len(line)
        n += 1
    return "".join(lines).encode()


def legit_xlsx(rows: int) -> bytes:
    """A valid applications workbook with ``rows`` applicants (openpyxl, as Excel would)."""
    import io

    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Form1")
    ws.append([*HEADERS, "Essay"])
    for n in range(rows):
        ws.append(
            [
                f"r{n}@example.org",
                f"Resident {n}",
                f"PGY-{2 + n % 4}",
                "Pediatrics",
                "I lead. " * 20,
            ]
        )
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


#: name → (builder, exit codes allowed for `selector validate`)
CORPUS: dict[str, tuple[Callable[[], bytes], frozenset[int]]] = {
    "stray_xfd1048576.xlsx": (lambda: stray_cell("XFD1048576"), frozenset({2})),
    "stray_zzzzzz3.xlsx": (lambda: stray_cell("ZZZZZZ3"), frozenset({2})),
    "stray_a99999999.xlsx": (lambda: stray_cell("A99999999"), frozenset({2})),
    "shared_strings_bomb.xlsx": (shared_strings_bomb, frozenset({2})),
    "single_string_bomb.xlsx": (single_string_bomb, frozenset({2})),
    "lying_sizes.xlsx": (lying_sizes, frozenset({2})),
    "dense_cells.xlsx": (lambda: dense_cells(1_000, 4), frozenset({2})),
    "dense_unnamed_cells.xlsx": (lambda: dense_cells(1_000, 2, named=False), frozenset({2})),
    "string_amplification.xlsx": (string_amplification, frozenset({2})),
    "deep_sheet.xlsx": (lambda: deep_sheet(200_000), frozenset({0, 2})),
    "deep_workbook.xlsx": (lambda: deep_workbook(200_000), frozenset({0, 2})),
    "entity_expansion.xlsx": (entity_expansion, frozenset({2})),
    "many_members.xlsx": (lambda: many_members(5_000), frozenset({2})),
    "dimension_claim.xlsx": (dimension_claim, frozenset({0})),
    "styled_far_cell.xlsx": (styled_far_cell, frozenset({0})),
    "bzip2_member.xlsx": (bzip2_member, frozenset({2})),
    "truncated.xlsx": (lambda: legit_xlsx(50)[:3000], frozenset({2})),
    "zip_not_xlsx.xlsx": (lambda: zip_bytes([member("notes.txt", b"hello")]), frozenset({2})),
    "legit_big.xlsx": (lambda: legit_xlsx(5_000), frozenset({0})),
    "legit_19mb.csv": (lambda: legit_csv(19 * MB), frozenset({0})),
    "csv_big_cell.csv": (
        lambda: (
            csv_text([[*HEADERS, "Essay"], [*APPLICANT, '"' + "word " * 40_000 + '"']])
        ).encode(),
        frozenset({0}),
    ),
    "csv_unclosed_quote.csv": (
        lambda: csv_text(
            [
                HEADERS,
                APPLICANT,
                ['"b@example.org', "B", "PGY-3", "Pediatrics"],
                ["c@example.org", "C", "PGY-2", "Neurology"],
            ]
        ).encode(),
        frozenset({2}),
    ),
    "csv_comma_bomb.csv": (lambda: b"," * (19 * MB), frozenset({2})),
    "csv_ragged.csv": (
        lambda: (csv_text([HEADERS, *[APPLICANT] * 20_000]) + "," * 1_000_000).encode(),
        frozenset({2}),
    ),
    "csv_one_long_line.csv": (lambda: b"x" * (19 * MB), frozenset({2})),
    "utf16_without_bom.csv": (
        lambda: csv_text([HEADERS, APPLICANT]).encode("utf-16-le"),
        frozenset({2}),
    ),
    "latin1.csv": (
        lambda: csv_text(
            [HEADERS, ["jose@example.org", "José Núñez", "PGY-2", "Neurology"]]
        ).encode("latin-1"),
        frozenset({0}),
    ),
    "nul_bytes.csv": (lambda: b"Email,Name\x00\x00\x00" * 1000, frozenset({2})),
    "pdf_named_csv.csv": (lambda: b"%PDF-1.7\n" + b"0" * 5000, frozenset({2})),
    "old_xls.xlsx": (lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 5000, frozenset({2})),
    "empty.csv": (lambda: b"", frozenset({2})),
}


def write_corpus(folder: Path, names: Iterable[str] | None = None) -> dict[str, Path]:
    """Write the corpus (or the named files) to ``folder``; their paths by name."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name in names or CORPUS:
        path = folder / name
        path.write_bytes(CORPUS[name][0]())
        paths[name] = path
    return paths


if __name__ == "__main__":
    for name, path in write_corpus(Path(sys.argv[1] if len(sys.argv) > 1 else "hostile")).items():
        print(f"{path.stat().st_size:>12,}  {name}")
