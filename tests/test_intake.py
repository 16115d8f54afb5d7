"""Intake of applications exports: each form tool's shape, normalisation, rejections, duplicates."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from selector.errors import InputError
from selector.intake import (
    IntakeResult,
    email_id,
    format_id,
    parse_pgy,
    parse_timestamp,
    parse_yes_no,
    read_applications,
    tidy_name,
)

Rows = Sequence[Sequence[Any]]

PGY_Q = "What is your current post-graduate year (PGY)?"
SPECIALTY_Q = "Residency program / specialty"
APPROVAL_Q = "If you are a PGY-1, has your program director approved your participation?"
STATEMENT_Q = "Personal statement: why does DEI matter to you?"


def xlsx_bytes(rows: Rows, title_rows: Rows = ()) -> bytes:
    """An .xlsx workbook with ``rows`` (after any title rows) on its first sheet."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    for row in [*title_rows, *rows]:
        ws.append(list(row))
    for cells in ws.iter_rows():
        for cell in cells:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text that looks like a formula, as form tools write it
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def csv_bytes(
    rows: Rows, *, encoding: str = "utf-8", delimiter: str = ",", newline: str = "\r\n"
) -> bytes:
    """A .csv file with ``rows``, written the way Excel or a form tool would."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator=newline)
    writer.writerows([["" if c is None else str(c) for c in row] for row in rows])
    return buf.getvalue().encode(encoding)


def people(n: int = 3) -> list[dict[str, Any]]:
    """Synthetic applicants with obviously fictional names."""
    pool = [
        ("Testa", "Quillfeather", "PGY-2", "IM", "Yes"),
        ("Probo", "Marbleway", "PGY 3", "Peds", ""),
        ("Fictia", "Larkspur", "pgy1", "OB/GYN", "Yes"),
        ("Dummo", "Fernwhistle", "4", "Psych", "No"),
        ("Sampla", "Cloudberry", "PGY-5 (fellow)", "EM", ""),
    ]
    out = []
    for i in range(n):
        first, last, pgy, spec, ok = pool[i % len(pool)]
        out.append(
            {
                "first": first,
                "last": f"{last}{i // len(pool) or ''}",
                "email": f"{first.lower()}.{last.lower()}{i}@example.org",
                "pgy": pgy,
                "specialty": spec,
                "program": "Fictional General Hospital",
                "approved": ok,
                "statement": f"Statement number {i}: I care about equity, e.g., access to care.",
                "when": dt.datetime(2026, 1, 10 + i, 9, 30),
            }
        )
    return out


def check_people(res: IntakeResult, n: int = 3) -> None:
    """The result holds the ``people(n)`` applicants, normalised."""
    assert res.rows == n
    assert not res.rejected, res.rejected
    got = {a.email: a for a in res.accepted}
    for p in people(n):
        a = got[p["email"]]
        assert a.name == f"{p['first']} {p['last']}"
        assert a.pgy == parse_pgy(p["pgy"])
    first = got[people(1)[0]["email"]]
    assert first.specialty == "Internal Medicine"
    assert first.pgy1_approved is True


# ---------------------------------------------------------------------------------------
# Export shapes, each synthesised here.


def google_forms(n: int = 3) -> list[list[Any]]:
    head = ["Timestamp", "Email Address", "Full name", PGY_Q, SPECIALTY_Q, "Home program"]
    head += [APPROVAL_Q, STATEMENT_Q]
    rows: list[list[Any]] = [head]
    for p in people(n):
        when = p["when"].strftime("%m/%d/%Y %H:%M:%S")
        name = f"{p['first']} {p['last']}"
        rows.append([when, p["email"], name, p["pgy"], p["specialty"], p["program"]])
        rows[-1] += [p["approved"], p["statement"]]
    return rows


def test_google_forms_csv() -> None:
    res = read_applications(csv_bytes(google_forms()), filename="google.csv")
    check_people(res)
    assert res.format == "csv"
    assert res.mapping["pgy"] == PGY_Q
    assert res.mapping["submitted"] == "Timestamp"
    a = res.accepted[0]
    assert a.answers[STATEMENT_Q].startswith("Statement number 0")
    assert a.program == "Fictional General Hospital"
    assert a.applicant_id == email_id(a.email)


def test_microsoft_forms_xlsx() -> None:
    head = ["ID", "Start time", "Completion time", "Email", "Name", "Last modified time"]
    head += [PGY_Q, SPECIALTY_Q, APPROVAL_Q, STATEMENT_Q]
    rows: list[list[Any]] = [head]
    for i, p in enumerate(people(), start=1):
        rows.append([i, p["when"], p["when"], p["email"], f"{p['first']} {p['last']}", None])
        rows[-1] += [p["pgy"], p["specialty"], p["approved"], p["statement"]]
    res = read_applications(xlsx_bytes(rows), filename="forms.xlsx")
    check_people(res)
    assert [a.applicant_id for a in res.accepted] == ["A001", "A002", "A003"]
    assert res.mapping["submitted"] == "Completion time"
    assert res.accepted[0].row == 2


def test_microsoft_forms_anonymous_uses_the_questions() -> None:
    """An anonymous form writes "anonymous" in Email/Name; the asked questions win."""
    head = ["ID", "Start time", "Completion time", "Email", "Name"]
    head += ["Full name", "Institutional e-mail address", PGY_Q, SPECIALTY_Q, APPROVAL_Q]
    rows: list[list[Any]] = [head]
    for i, p in enumerate(people(), start=1):
        name = f"{p['first']} {p['last']}"
        rows.append([i, p["when"], p["when"], "anonymous", "anonymous", name, p["email"]])
        rows[-1] += [p["pgy"], p["specialty"], p["approved"]]
    res = read_applications(xlsx_bytes(rows))
    check_people(res)
    assert res.mapping["email"] == "Institutional e-mail address"
    assert res.mapping["name"] == "Full name"


def test_qualtrics_three_header_rows() -> None:
    codes = ["StartDate", "EndDate", "Status", "IPAddress", "ResponseId", "RecipientLastName"]
    codes += ["RecipientFirstName", "RecipientEmail", "Q1", "Q2", "Q3", "Q4", "Q5", "Q6"]
    texts = ["Start Date", "End Date", "Response Type", "IP Address", "Response ID"]
    texts += ["Recipient Last Name", "Recipient First Name", "Recipient Email"]
    texts += ["What is your full name?", "Institutional e-mail", PGY_Q, SPECIALTY_Q]
    texts += [APPROVAL_Q, STATEMENT_Q]
    imports = [f'{{"ImportId":"{c}"}}' for c in codes]
    rows: list[list[Any]] = [codes, texts, imports]
    for i, p in enumerate(people()):
        when = p["when"].strftime("%Y-%m-%d %H:%M:%S")
        rows.append([when, when, "IP Address", "192.0.2.1", f"R_fake{i}", "", "", ""])
        rows[-1] += [f"{p['first']} {p['last']}", p["email"], p["pgy"], p["specialty"]]
        rows[-1] += [p["approved"], p["statement"]]
    for data in (csv_bytes(rows), xlsx_bytes(rows)):
        res = read_applications(data)
        check_people(res)
        assert res.header_rows == [1, 2, 3]
        assert res.accepted[0].applicant_id == "R_fake0"
        assert res.accepted[0].row == 4
        assert res.mapping["pgy"] == PGY_Q
        assert STATEMENT_Q in res.accepted[0].answers


def test_qualtrics_map_by_question_code() -> None:
    """A mapping override may name the Qualtrics code as well as the question text."""
    codes = ["ResponseId", "Q1", "Q2", "Q3", "Q4"]
    texts = ["Response ID", "Who are you?", "Contact", "Year", "Dept"]
    rows = [codes, texts, [f'{{"ImportId":"{c}"}}' for c in codes]]
    rows.append(["R_1", "Testa Quillfeather", "testa@example.org", "PGY-2", "IM"])
    mapping = {"name": "Q1", "email": "Contact", "pgy": "Q3", "specialty": "Dept"}
    res = read_applications(csv_bytes(rows), mapping=mapping)
    assert res.mapping == {
        "applicant_id": "Response ID",
        "name": "Who are you?",
        "email": "Contact",
        "pgy": "Year",
        "specialty": "Dept",
    }
    assert res.accepted[0].specialty == "Internal Medicine"


def test_surveymonkey_two_header_rows() -> None:
    top = ["Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address"]
    top += ["Email Address", "First Name", "Last Name", "Custom Data 1"]
    top += ["What is your e-mail address?", PGY_Q, "What is your specialty?", ""]
    top += [APPROVAL_Q, "Which areas interest you?", "", STATEMENT_Q]
    sub = ["", "", "", "", "", "", "", "", "", "Open-Ended Response", "Response", "Response"]
    sub += ["Other (please specify)", "Response", "Mentorship", "Advocacy", "Open-Ended Response"]
    rows: list[list[Any]] = [top, sub]
    for i, p in enumerate(people()):
        when = p["when"].strftime("%m/%d/%Y %I:%M:%S %p")
        rows.append([11400 + i, 4242, when, when, "192.0.2.1", "", p["first"], p["last"], ""])
        rows[-1] += [p["email"], p["pgy"], p["specialty"], "", p["approved"]]
        rows[-1] += ["Mentorship", "", p["statement"]]
    res = read_applications(xlsx_bytes(rows))
    check_people(res)
    assert res.header_rows == [1, 2]
    assert res.mapping["email"] == "What is your e-mail address?"
    assert res.mapping["specialty"] == "What is your specialty?"
    answers = res.accepted[0].answers
    assert answers["Which areas interest you? - Mentorship"] == "Mentorship"
    assert "Which areas interest you? - Advocacy" in answers
    assert "What is your specialty? - Other (please specify)" in answers
    assert res.accepted[0].applicant_id == "A11400"


def test_redcap_label_export() -> None:
    head = ["Record ID", "Survey Identifier", "Survey Timestamp", "First name", "Last name"]
    head += ["Email", "Training level", "Specialty", "Program", "PD approval (PGY-1 only)"]
    head += ["Complete?"]
    rows: list[list[Any]] = [head]
    for i, p in enumerate(people(), start=1):
        rows.append([i, "", p["when"].strftime("%Y-%m-%d %H:%M"), p["first"], p["last"]])
        rows[-1] += [p["email"], p["pgy"], p["specialty"], p["program"], p["approved"]]
        rows[-1] += ["Complete"]
    res = read_applications(csv_bytes(rows))
    check_people(res)
    assert res.mapping["first_name"] == "First name"
    assert res.mapping["pgy1_approved"] == "PD approval (PGY-1 only)"
    assert res.accepted[0].applicant_id == "A001"


def test_hand_kept_sheet_with_title_rows_and_blank_rows() -> None:
    titles = [["DEI Leadership Track — applications 2026"], ["kept by the coordinator"], []]
    head = ["Name", "E-mail", "PGY", "Specialty", "Approved", "Notes"]
    rows: list[list[Any]] = [head]
    for p in people():
        rows.append([f"{p['last']}, {p['first']}", p["email"], p["pgy"], p["specialty"]])
        rows[-1] += ["x" if p["approved"] == "Yes" else "", "fictional"]
        rows.append([None] * 6)
    res = read_applications(xlsx_bytes(rows, title_rows=titles))
    check_people(res)
    assert res.header_rows == [4]
    assert [a.row for a in res.accepted] == [5, 7, 9]
    assert res.accepted[0].answers == {"Notes": "fictional"}


@pytest.mark.parametrize(
    ("encoding", "delimiter", "newline"),
    [
        ("utf-8", ",", "\n"),
        ("utf-8-sig", ",", "\r\n"),
        ("cp1252", ";", "\r\n"),
        ("utf-8", "\t", "\n"),
    ],
)
def test_csv_encodings(encoding: str, delimiter: str, newline: str) -> None:
    rows = google_forms()
    rows[1][2] = "Testa Quillfeather-Müller"
    data = csv_bytes(rows, encoding=encoding, delimiter=delimiter, newline=newline)
    res = read_applications(data)
    assert res.rows == 3
    assert res.accepted[0].name == "Testa Quillfeather-Müller"
    assert res.headers[0] == "Timestamp"


def test_every_column_but_the_mapped_ones_is_an_answer() -> None:
    res = read_applications(csv_bytes(google_forms(1)))
    assert set(res.accepted[0].answers) == {"Timestamp", STATEMENT_Q}


def test_duplicate_headers_are_kept_apart() -> None:
    rows = [["Name", "Email", "PGY", "Specialty", "Comment", "Comment", ""]]
    rows.append(["Testa Q", "testa@example.org", "2", "IM", "one", "two", "three"])
    res = read_applications(csv_bytes(rows))
    assert res.accepted[0].answers == {"Comment": "one", "Comment (F)": "two", "Column G": "three"}


# ---------------------------------------------------------------------------------------
# Rows: rejections, warnings, duplicates.


def simple(rows: Rows) -> IntakeResult:
    head = ["Timestamp", "Name", "Email", "PGY", "Specialty", "PGY1 approved"]
    return read_applications(csv_bytes([head, *rows]), filename="simple.csv")


def test_rejections_carry_sheet_rows_and_reasons() -> None:
    res = simple(
        [
            ["", "Testa Q", "testa@example.org", "MS4", "IM", ""],
            ["", "Probo M", "", "PGY-2", "Peds", ""],
            ["", "Fictia L", "fictia@", "PGY-2", "Peds", ""],
            ["", "Dummo F", "dummo@example.org", "PGY-12", "", ""],
            ["", "Sampla C", "sampla@example.org", "attending", "EM", ""],
            ["", "Okay K", "okay@example.org", "PGY-3", "EM", ""],
        ]
    )
    assert res.rows == 6
    got = {r.row: r.errors for r in res.rejected}
    assert got == {
        2: ["PGY 'MS4' is not a resident level"],
        3: ["e-mail is missing"],
        4: ["e-mail 'fictia@' is not valid"],
        5: ["PGY 'PGY-12' is not a resident level (PGY1 to PGY10)", "specialty is missing"],
        6: ["PGY 'attending' is not a resident level"],
    }
    assert [a.row for a in res.accepted] == [7]
    assert res.rejected[0].values["PGY"] == "MS4"
    assert res.rejected[0].problems[0].location.cell == "D2"
    assert res.to_json()["rejected"][0] == {
        "row": 2,
        "errors": ["PGY 'MS4' is not a resident level"],
    }


def test_unknown_specialty_is_kept_with_a_warning() -> None:
    res = simple([["", "Testa Q", "testa@example.org", "PGY-2", "Lifestyle  Medicine", ""]])
    assert res.accepted[0].specialty == "Lifestyle Medicine"
    [w] = res.warnings
    assert (w.code, w.row, w.severity) == ("specialty_unknown", 2, "warning")


def test_duplicates_keep_the_latest_by_timestamp() -> None:
    res = simple(
        [
            ["2026-01-12 10:00", "Testa Q", "Testa@Example.org", "PGY-2", "IM", ""],
            ["2026-01-10 10:00", "Testa Q", "testa@example.org", "PGY-3", "IM", ""],
            ["2026-01-11 10:00", "Testa Q", "testa@example.org ", "PGY-4", "IM", ""],
        ]
    )
    [a] = res.accepted
    assert (a.row, a.pgy, a.email) == (2, 2, "testa@example.org")
    assert [(w.row, w.message) for w in res.warnings] == [
        (3, "duplicate submission of testa@example.org; kept row 2"),
        (4, "duplicate submission of testa@example.org; kept row 2"),
    ]


def test_duplicates_without_timestamps_keep_the_later_row() -> None:
    res = simple(
        [
            ["", "Testa Q", "testa@example.org", "PGY-2", "IM", ""],
            ["", "Testa Q", "TESTA@example.org", "PGY-3", "IM", ""],
        ]
    )
    assert [a.row for a in res.accepted] == [3]
    assert res.duplicates[0].row == 2


def test_a_rejected_resubmission_does_not_hide_the_valid_one() -> None:
    res = simple(
        [
            ["2026-01-10 10:00", "Testa Q", "testa@example.org", "PGY-2", "IM", ""],
            ["2026-01-12 10:00", "Testa Q", "testa@example.org", "MS4", "IM", ""],
        ]
    )
    assert [a.row for a in res.accepted] == [2]
    assert [r.row for r in res.rejected] == [3]
    assert not res.warnings


def test_repeated_id_gets_an_email_id() -> None:
    head = ["ID", "Name", "Email", "PGY", "Specialty"]
    rows = [["7", "Testa Q", "testa@example.org", "2", "IM"]]
    rows.append(["7", "Probo M", "probo@example.org", "3", "IM"])
    res = read_applications(csv_bytes([head, *rows]))
    assert [a.applicant_id for a in res.accepted] == ["A007", email_id("probo@example.org")]
    assert res.warnings[0].code == "duplicate_id"


@pytest.mark.parametrize("order", ["explicit first", "derived first"])
def test_an_id_equal_to_another_rows_email_id_rejects_a_row(order: str) -> None:
    head = ["ID", "Name", "Email", "PGY", "Specialty"]
    taken = email_id("probo@example.org")
    explicit = [taken, "Testa Q", "testa@example.org", "2", "IM"]
    derived = ["", "Probo M", "probo@example.org", "3", "IM"]
    rows = [explicit, derived] if order == "explicit first" else [derived, explicit]
    res = read_applications(csv_bytes([head, *rows]))
    ids = [a.applicant_id for a in res.accepted]
    assert len(ids) == len(set(ids))  # never two applicants with one id
    if order == "explicit first":  # the e-mail id of row 3 is taken: row 3 is rejected
        assert ids == [taken] and [r.row for r in res.rejected] == [3]
        (problem,) = res.rejected[0].problems
        assert problem.code == "id_collision" and problem.location.row == 3
        assert "row 2" in problem.message and taken in problem.message
        assert "probo" not in problem.message.lower() and "Testa" not in problem.message
    else:  # the repeated explicit id gives way to row 3's own e-mail id
        assert ids == [taken, email_id("testa@example.org")] and not res.rejected


def test_pgy1_approval_unclear_is_warned_only_for_pgy1() -> None:
    res = simple(
        [
            ["", "Testa Q", "testa@example.org", "PGY-1", "IM", "maybe"],
            ["", "Probo M", "probo@example.org", "PGY-2", "IM", "maybe"],
            ["", "Fictia L", "fictia@example.org", "PGY-1", "IM", "Approved"],
        ]
    )
    assert [a.pgy1_approved for a in res.accepted] == [False, False, True]
    assert [(w.code, w.row) for w in res.warnings] == [("approval_unclear", 2)]


def test_name_missing_falls_back_to_email() -> None:
    res = simple([["", "", "testa@example.org", "PGY-2", "IM", ""]])
    assert res.accepted[0].name == "testa@example.org"
    assert res.warnings[0].code == "name_missing"


def test_to_json_shape() -> None:
    res = simple([["", "Testa Q", "testa@example.org", "PGY-2", "IM", "no"]])
    assert res.to_json() == {
        "rows": 1,
        "accepted": [
            {
                "row": 2,
                "applicant_id": email_id("testa@example.org"),
                "name": "Testa Q",
                "email": "testa@example.org",
                "pgy": 2,
                "specialty": "Internal Medicine",
                "program": "",
                "pgy1_approved": False,
            }
        ],
        "rejected": [],
        "warnings": [],
    }


# ---------------------------------------------------------------------------------------
# Files that cannot be read.


@pytest.mark.parametrize(
    ("data", "code", "needle"),
    [
        (b"", "file_empty", "empty"),
        (b"%PDF-1.4 binary\x00", "not_a_spreadsheet", "not a spreadsheet"),
        (b"PK\x03\x04 broken zip", "xlsx_unreadable", ".xlsx"),
        (b",,\n ,\n", "header_missing", "every row is blank"),
        (b"alpha,beta\n1,2\n", "field_unmapped", "headers seen: 'alpha', 'beta'"),
        (b"Name,Email,Notes\nT,t@example.org,x\n", "field_unmapped", "PGY level, specialty"),
    ],
)
def test_unreadable_files_raise_one_clear_error(data: bytes, code: str, needle: str) -> None:
    with pytest.raises(InputError) as err:
        read_applications(data, filename="bad.csv")
    assert err.value.code == code
    assert needle in str(err.value)
    assert "bad.csv" in str(err.value)


def test_unmapped_error_names_the_headers_it_saw() -> None:
    with pytest.raises(InputError, match=r"headers seen: 'Name', 'Email', 'Notes'"):
        read_applications(b"Name,Email,Notes\nT,t@example.org,x\n")


def test_mapping_override_errors() -> None:
    data = csv_bytes(google_forms(1))
    with pytest.raises(InputError, match="cannot map 'shoe_size'"):
        read_applications(data, mapping={"shoe_size": "Timestamp"})
    with pytest.raises(InputError, match="no column has that header"):
        read_applications(data, mapping={"pgy": "Year of birth"})


def test_content_fallback_finds_unnamed_columns() -> None:
    rows = [["Name", "Contact", "Level", "Where"]]
    rows += [["Testa Q", "testa@example.org", "PGY-2", "Pediatrics"]]
    rows += [["Probo M", "probo@example.org", "PGY-3", "Psych"]]
    res = read_applications(csv_bytes([["Name", "Contact", "Stage", "Where"], *rows[1:]]))
    assert res.mapping == {"name": "Name", "email": "Contact", "pgy": "Stage", "specialty": "Where"}


@pytest.mark.parametrize(
    ("head", "cells", "name"),
    [
        (["Name (Last, First)"], ["Quillfeather, Testa"], "Testa Quillfeather"),
        (["First name", "Last name"], ["Testa", "Quillfeather"], "Testa Quillfeather"),
        (["Last name", "First name"], ["Quillfeather", "Testa"], "Testa Quillfeather"),
        (["Full name", "First name"], ["Testa Quillfeather", "T"], "Testa Quillfeather"),
        (["First and last name"], ["Testa  Quillfeather"], "Testa Quillfeather"),
    ],
)
def test_name_columns(head: list[str], cells: list[str], name: str) -> None:
    rows = [[*head, "Email", "PGY", "Specialty"], [*cells, "testa@example.org", "2", "IM"]]
    assert read_applications(csv_bytes(rows)).accepted[0].name == name


def test_program_column_holding_specialties_becomes_the_specialty() -> None:
    rows = [["Name", "Email", "PGY", "Program"], ["Testa Q", "testa@example.org", "2", "Peds"]]
    res = read_applications(csv_bytes(rows))
    assert res.mapping["specialty"] == "Program" and "program" not in res.mapping
    assert res.accepted[0].specialty == "Pediatrics"


def test_specialty_and_residency_program_columns_both_map() -> None:
    rows = [["Name", "Email", "PGY", "Residency program", "Specialty"]]
    rows.append(["Testa Q", "testa@example.org", "2", "Harbor Point IM", "IM"])
    res = read_applications(csv_bytes(rows))
    assert res.mapping["specialty"] == "Specialty"
    assert res.mapping["program"] == "Residency program"


def test_path_and_file_object_sources(tmp_path: Any) -> None:
    path = tmp_path / "apps.csv"
    path.write_bytes(csv_bytes(google_forms()))
    assert read_applications(path).file == str(path)
    assert read_applications(str(path)).rows == 3
    with path.open("rb") as fh:
        check_people(read_applications(fh))


# ---------------------------------------------------------------------------------------
# Normalisation tables.


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("PGY-2", 2),
        ("PGY 2", 2),
        ("pgy2", 2),
        ("2", 2),
        ("2.0", 2),
        ("PGY-1 (intern)", 1),
        ("PGY-5 (fellow)", 5),
        ("Intern", 1),
        ("second year", 2),
        ("3rd-year resident", 3),
        ("PGY-12", 12),
        ("MS4", None),
        ("attending", None),
        ("n/a", None),
        ("", None),
        ("Fellow", None),
    ],
)
def test_parse_pgy(text: str, level: int | None) -> None:
    assert parse_pgy(text) == level


@pytest.mark.parametrize(
    ("text", "value", "understood"),
    [
        ("Yes", True, True),
        ("yes, approved", True, True),
        ("TRUE", True, True),
        ("1", True, True),
        ("x", True, True),
        ("Approved", True, True),
        ("", False, True),
        ("No", False, True),
        ("FALSE", False, True),
        ("Not applicable (PGY-2 or above)", False, True),
        ("N/A", False, True),
        ("Pending", False, True),
        ("maybe", False, False),
    ],
)
def test_parse_yes_no(text: str, value: bool, understood: bool) -> None:
    assert parse_yes_no(text) == (value, understood)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Testa Quillfeather", "Testa Quillfeather"),
        ("Quillfeather, Testa", "Testa Quillfeather"),
        ("Quillfeather, Testa, MD", "Testa Quillfeather"),
        ("  Testa   Quillfeather ", "Testa Quillfeather"),
        ("Testa Quillfeather, M.D.", "Testa Quillfeather"),
    ],
)
def test_tidy_name(text: str, name: str) -> None:
    assert tidy_name(text) == name


@pytest.mark.parametrize(
    ("text", "stamp"),
    [
        ("2026-01-15 10:23:00", dt.datetime(2026, 1, 15, 10, 23)),
        ("1/15/2026 10:23:00", dt.datetime(2026, 1, 15, 10, 23)),
        ("1/15/2026 10:23:00 AM", dt.datetime(2026, 1, 15, 10, 23)),
        ("2026-01-15T10:23:00+01:00", dt.datetime(2026, 1, 15, 9, 23)),
        ("46037.5", dt.datetime(2026, 1, 15, 12, 0)),
        ("soon", None),
    ],
)
def test_parse_timestamp(text: str, stamp: dt.datetime | None) -> None:
    assert parse_timestamp(text) == stamp


def test_format_id() -> None:
    assert [format_id(t) for t in ("7", "123", "1234", "R_abc", "7.0")] == [
        "A007",
        "A123",
        "A1234",
        "R_abc",
        "A007",
    ]


# ---------------------------------------------------------------------------------------
# Properties: random tables never crash intake, and every data row is accounted for.

_text = st.text(
    st.characters(blacklist_categories=("Cc", "Cs"), whitelist_characters="\n\t"), max_size=12
)
_cells = st.one_of(
    _text,
    st.sampled_from(["PGY-2", "pgy1", "MS4", "IM", "Peds", "x@example.org", "Yes", "", "2"]),
    st.integers(-5, 5000),
)


def _accounted(res: IntakeResult) -> None:
    rows = [a.row for a in res.accepted] + [r.row for r in res.rejected]
    rows += [w.row for w in res.duplicates]
    assert len(rows) == len(set(rows)) == res.rows


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(_cells, min_size=1, max_size=6), min_size=1, max_size=8))
def test_random_tables_never_crash(table: list[list[Any]]) -> None:
    for data in (csv_bytes(table), xlsx_bytes(table)):
        try:
            res = read_applications(data)
        except InputError:
            continue
        _accounted(res)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.lists(_cells, min_size=0, max_size=8), min_size=0, max_size=12),
    st.booleans(),
)
def test_every_data_row_is_accounted_for(body: list[list[Any]], as_xlsx: bool) -> None:
    head = ["Timestamp", "ID", "Name", "Email", "PGY", "Specialty", "Approved", "Notes"]
    data = xlsx_bytes([head, *body]) if as_xlsx else csv_bytes([head, *body])
    res = read_applications(data)
    expected = sum(1 for row in body if any(str(c).strip() for c in row))
    assert res.rows == expected
    _accounted(res)
