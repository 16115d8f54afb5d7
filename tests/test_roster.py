"""Rosters: the workbook's sheets and formatting, the CSV, and formula injection."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from selector.roster import roster_csv, roster_xlsx, safe_cell
from selector.selection import Decision, decide
from tests.factories import make_applicants, make_config, make_reviews


def decision(**kw: object) -> Decision:
    apps = make_applicants(
        6,
        pgy=[3, 3, 3, 3, 3, 1],
        pgy1_approved=False,
        name=['=HYPERLINK("http://x")', "+Plus", "-Minus", "@At", "\tTab", "Plain Name"],
    )
    config = make_config(eligibility={"min_pgy": 2})
    scores = {a.applicant_id: float(60 - i) for i, a in enumerate(apps)}
    return decide(apps, make_reviews(apps, config, scores=scores), config, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Ana", "Ana"),
        ("", ""),
        (-1.5, -1.5),
        (3, 3),
        (None, None),
    ],
)
def test_safe_cell(value: object, expected: object) -> None:
    assert safe_cell(value) == expected


@given(st.text())
def test_safe_cell_never_leaves_a_formula_start(text: str) -> None:
    out = safe_cell(text)
    assert not out.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert out.removeprefix("'") == text or out == text


def test_workbook_sheets_and_format() -> None:
    d = decision(exclude=["A005"])
    data = roster_xlsx(
        d,
        inputs={"apps.csv": b"abc"},
        config_text="[cohort]\nsize = 3",
        generated_at=dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
    )
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["Cohort", "Replacements", "All applicants", "Rules", "Audit"]
    cohort = wb["Cohort"]
    assert [c.value for c in cohort[1]] == [
        "Applicant ID",
        "Name",
        "E-mail",
        "PGY",
        "Specialty",
        "Score",
        "Margin",
    ]
    assert cohort["A1"].font.b and cohort.freeze_panes == "A2"
    assert cohort.auto_filter.ref == "A1:G4"
    assert [r[0] for r in cohort.iter_rows(min_row=2, values_only=True)] == d.selected
    names = [r[1] for r in cohort.iter_rows(min_row=2, values_only=True)]
    assert names == ['\'=HYPERLINK("http://x")', "'+Plus", "'-Minus"]
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate)
    everyone = {r[0]: r for r in wb["All applicants"].iter_rows(min_row=2, values_only=True)}
    assert everyone["A006"][7] == "ineligible"
    assert everyone["A005"][7] == "locked out"
    assert everyone["A001"][7] == "selected"
    audit = dict(wb["Audit"].iter_rows(min_row=2, values_only=True))
    assert audit["input file apps.csv"] == hashlib.sha256(b"abc").hexdigest()
    assert audit["tie-break seed"] == "test"
    assert audit["generated (UTC)"] == "2026-01-02 03:04:05"
    assert audit["solver"].startswith("highs ")
    rules = list(wb["Rules"].iter_rows(min_row=2, values_only=True))
    assert ("config", "size = 3") in rules


def test_csv_has_the_cohort_first_and_everyone() -> None:
    d = decision()
    data = roster_csv(d)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert [r["applicant_id"] for r in rows[:3]] == d.selected
    assert len(rows) == 6
    assert rows[0]["name"] == '\'=HYPERLINK("http://x")'
    assert {r["status"] for r in rows} == {"selected", "not selected", "ineligible"}


def test_infeasible_decision_still_makes_a_roster() -> None:
    d = decision(include=["A006"])
    assert d.status == "infeasible"
    wb = openpyxl.load_workbook(io.BytesIO(roster_xlsx(d)))
    rules = list(wb["Rules"].iter_rows(min_row=2, values_only=True))
    assert any(what == "diagnosis" for what, _ in rules)
    assert wb["Cohort"].max_row == 1
