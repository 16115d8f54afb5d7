"""The grid reader: xlsx and csv (encodings, delimiters, line ends) → text cells + Excel rows."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from selector.errors import InputError
from selector.tables import MAX_BYTES, cell_text, read_bytes, read_grid


def workbook(*sheets: tuple[str, list[list[object]]]) -> bytes:
    wb = openpyxl.Workbook()
    first = wb.active
    assert first is not None
    wb.remove(first)
    for title, rows in sheets:
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        ("  padded  ", "padded"),
        (True, "TRUE"),
        (False, "FALSE"),
        (2.0, "2"),
        (2.5, "2.5"),
        (float("nan"), ""),
        (7, "7"),
        (dt.datetime(2026, 1, 15, 10, 23, 5), "2026-01-15 10:23:05"),
        (dt.date(2026, 1, 15), "2026-01-15"),
        (dt.time(9, 30), "09:30:00"),
        (dt.timedelta(hours=1), "1:00:00"),
    ],
)
def test_cell_text(value: object, text: str) -> None:
    assert cell_text(value) == text


def test_xlsx_keeps_excel_row_numbers_and_types() -> None:
    rows: list[list[object]] = [["Title"], [], ["Name", "PGY", "When"]]
    rows.append(["Testa Q", 2, dt.datetime(2026, 1, 15, 9, 30)])
    grid = read_grid(workbook(("Sheet1", rows)))
    assert grid.format == "xlsx" and grid.sheet == "Sheet1"
    assert grid.row_numbers == [1, 2, 3, 4]
    assert grid.rows[3] == ["Testa Q", "2", "2026-01-15 09:30:00"]
    assert grid.rows[1] == ["", "", ""]


def test_xlsx_text_and_mixed_columns_convert_alike() -> None:
    """A text-only column (stripped in one pass) and a mixed one (cell by cell) give the same
    text as cell_text for every cell."""
    when = dt.datetime(2026, 2, 1, 8, 5, 9)
    rows: list[list[object]] = [["  Answer ", "Mixed"], [" a ", 3.0], ["b  ", when], ["c", True]]
    rows += [["d", None], ["e", "  text "], ["f", 2.5]]
    grid = read_grid(workbook(("Sheet1", rows)))
    assert [r[0] for r in grid.rows] == ["Answer", "a", "b", "c", "d", "e", "f"]
    assert [r[1] for r in grid.rows] == [
        "Mixed",
        "3",
        "2026-02-01 08:05:09",
        "TRUE",
        "",
        "text",
        "2.5",
    ]


def test_xlsx_data_not_starting_at_a1_keeps_positions() -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws["C3"] = "Name"
    buf = io.BytesIO()
    wb.save(buf)
    grid = read_grid(buf.getvalue())
    assert grid.rows[2] == ["", "", "Name"]


def test_xlsx_named_sheet_and_blank_cover_sheet() -> None:
    data = workbook(("Cover", []), ("Responses", [["Name"], ["Testa Q"]]), ("Other", [["x"]]))
    assert read_grid(data).sheet == "Responses"
    assert read_grid(data, sheet="Other").rows == [["x"]]
    with pytest.raises(InputError, match="no sheet named 'Nope'; the workbook has Cover"):
        read_grid(data, sheet="Nope")


@pytest.mark.parametrize(
    ("encoding", "delimiter", "newline"),
    [
        ("utf-8", ",", "\n"),
        ("utf-8-sig", ",", "\r\n"),
        ("cp1252", ";", "\r\n"),
        ("utf-16", "\t", "\r\n"),
        ("utf-8", "|", "\n"),
    ],
)
def test_csv_variants(encoding: str, delimiter: str, newline: str) -> None:
    text = newline.join(
        [delimiter.join(["Name", "Note"]), delimiter.join(["Zoë Quillfeather", "café"])]
    )
    grid = read_grid(text.encode(encoding))
    assert grid.format == "csv"
    assert grid.rows == [["Name", "Note"], ["Zoë Quillfeather", "café"]]
    expected = {"utf-8-sig": "utf-8-sig", "cp1252": "cp1252", "utf-16": "utf-16"}
    assert grid.encoding == expected.get(encoding, "utf-8")


def test_csv_quoted_newlines_count_as_one_row() -> None:
    data = b'Name,Statement\r\nTesta,"line one\r\nline two"\r\nProbo,short\r\n'
    grid = read_grid(data)
    assert grid.rows[1] == ["Testa", "line one\r\nline two"]
    assert grid.row_numbers == [1, 2, 3]


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "file_empty"),
        (b"  \n\n", "file_empty"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old xls", "not_a_spreadsheet"),
        (b"%PDF-1.7\n", "not_a_spreadsheet"),
        (b"PK\x03\x04garbage", "xlsx_unreadable"),
    ],
)
def test_unreadable(data: bytes, code: str) -> None:
    with pytest.raises(InputError) as err:
        read_grid(data, filename="x.bin")
    assert err.value.code == code
    assert err.value.location.file == "x.bin"


def test_zip_that_is_not_a_workbook() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("hello.txt", "hi")
    with pytest.raises(InputError) as err:
        read_grid(buf.getvalue())
    assert err.value.code == "xlsx_unreadable"


def test_too_large() -> None:
    with pytest.raises(InputError) as err:
        read_grid(b"a" * (MAX_BYTES + 1))
    assert err.value.code == "file_too_large"


def test_read_bytes_sources(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(b"a\n")
    assert read_bytes(path) == (b"a\n", str(path))
    assert read_bytes(str(path), filename="shown.csv") == (b"a\n", "shown.csv")
    assert read_bytes(bytearray(b"a")) == (b"a", "<upload>")
    assert read_bytes(io.StringIO("é")) == ("é".encode(), "<upload>")
    with path.open("rb") as fh:
        assert read_bytes(fh)[1] == str(path)
    with pytest.raises(InputError, match="file not found"):
        read_bytes(tmp_path / "missing.csv")


@settings(max_examples=50, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_give_a_grid_or_an_input_error(data: bytes) -> None:
    try:
        grid = read_grid(data)
    except InputError:
        return
    assert len(grid.rows) == len(grid.row_numbers)


# ---- issue 8: CSV quirks that refused valid files or swallowed rows


def test_delimiter_guess_ignores_commas_inside_quoted_text() -> None:
    """A semicolon file whose quoted essays hold more commas than the file has semicolons."""
    text = 'Email;Essay\na@example.org;"I lead, listen, build, teach, and, learn, daily"\n'
    grid = read_grid(text.encode())
    assert grid.rows[1] == ["a@example.org", "I lead, listen, build, teach, and, learn, daily"]


def test_a_cell_longer_than_the_csv_module_default_is_read() -> None:
    essay = "word " * 40_000  # 200,000 characters; csv's default limit is 131,072
    grid = read_grid(f'Email,Essay\na@example.org,"{essay}"\n'.encode())
    assert grid.rows[1][1] == essay.strip()


def test_an_unclosed_quote_is_reported_with_its_row() -> None:
    text = 'Email,PGY\na@example.org,2\n"b@example.org,3\nc@example.org,4\n'
    with pytest.raises(InputError) as caught:
        read_grid(text.encode(), "apps.csv")
    assert caught.value.code == "csv_unclosed_quote"
    assert caught.value.location.row == 3


def test_a_quoted_multiline_cell_in_the_last_row_is_fine() -> None:
    grid = read_grid(b'Email,Essay\na@example.org,"two\nlines"\n')
    assert grid.rows[1] == ["a@example.org", "two\nlines"]
