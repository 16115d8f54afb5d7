"""Score files: long and wide formats, applicants by id or e-mail, every bad row named."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest

from selector.config import DEFAULT_CONFIG_PATH, load_config
from selector.errors import InputError
from selector.scorefile import read_scores
from tests.factories import make_applicants, make_config

CONFIG = make_config(
    criteria=[
        {"id": "awareness", "label": "Awareness", "min": 1, "max": 5},
        {"id": "action", "label": "Action", "min": 1, "max": 5, "weight": 1.5},
    ]
)
APPS = make_applicants(3)


def test_long_format() -> None:
    r = read_scores(
        b"applicant_id,reviewer,criterion,score\n"
        b"A001,R1,awareness,4\nA001,R1,action,5\nA002,R1,awareness,3\n",
        CONFIG,
        APPS,
        filename="s.csv",
    )
    assert r.format == "long"
    assert not r.problems
    assert [(x.applicant_id, x.reviewer, dict(x.scores)) for x in r.reviews] == [
        ("A001", "R1", {"awareness": 4.0, "action": 5.0}),
        ("A002", "R1", {"awareness": 3.0}),
    ]


def test_wide_format_by_email_and_label() -> None:
    r = read_scores(
        b"Email,Reviewer,Awareness,action,Comment,Conflict\n"
        b"resident002@example.org,R2,2,3,fine,\n"
        b"RESIDENT003@example.org,R2,,4,,yes\n",
        CONFIG,
        APPS,
    )
    assert r.format == "wide"
    assert not r.problems
    a, b = r.reviews
    assert (a.applicant_id, dict(a.scores), a.comment, a.conflict) == (
        "A002",
        {"awareness": 2.0, "action": 3.0},
        "fine",
        False,
    )
    assert (b.applicant_id, dict(b.scores), b.conflict) == ("A003", {"action": 4.0}, True)


@pytest.mark.parametrize(
    ("row", "code", "cell"),
    [
        ("A001,R1,awareness,6", "score_off_scale", "D2"),
        ("A001,R1,awareness,four", "score_not_number", "D2"),
        ("A001,R1,empathy,3", "score_unknown_criterion", "C2"),
        ("A999,R1,awareness,3", "score_unknown_applicant", "A2"),
        (",R1,awareness,3", "score_no_applicant", "A2"),
        ("A001,,awareness,3", "score_no_reviewer", "B2"),
    ],
)
def test_bad_long_rows_name_the_cell(row: str, code: str, cell: str) -> None:
    r = read_scores(
        f"applicant_id,reviewer,criterion,score\n{row}\n".encode(), CONFIG, APPS, filename="s.csv"
    )
    assert [p.code for p in r.errors] == [code]
    assert r.errors[0].location.cell == cell
    assert str(r.errors[0]).startswith(f"s.csv, cell {cell}")
    assert r.reviews == []


def test_same_reviewer_twice_is_an_error_naming_both_rows() -> None:
    long = read_scores(
        b"applicant_id,reviewer,criterion,score\nA001,R1,action,3\nA001,R1,action,4\n",
        CONFIG,
        APPS,
    )
    assert [p.code for p in long.errors] == ["score_duplicate"]
    assert long.errors[0].row == 3 and "row 2" in long.errors[0].message
    wide = read_scores(
        b"applicant_id,reviewer,awareness,action\nA001,R1,3,3\nA001,R1,4,4\n", CONFIG, APPS
    )
    assert [p.code for p in wide.errors] == ["score_duplicate"]
    assert wide.reviews == []


def test_wide_unknown_column_is_an_error_on_the_header() -> None:
    r = read_scores(b"applicant_id,reviewer,awareness,empathy\nA001,R1,3,3\n", CONFIG, APPS)
    assert [(p.code, p.location.cell) for p in r.errors] == [("score_unknown_criterion", "D1")]


def test_wide_off_scale_drops_the_review() -> None:
    r = read_scores(
        b"applicant_id,reviewer,awareness,action\nA001,R1,3,0\nA002,R1,3,3\n", CONFIG, APPS
    )
    assert [(p.code, p.location.cell) for p in r.errors] == [("score_off_scale", "D2")]
    assert [x.applicant_id for x in r.reviews] == ["A002"]


@pytest.mark.parametrize(
    "text",
    [b"reviewer,criterion,score\nR1,action,3\n", b"applicant_id,criterion,score\nA001,action,3\n"],
)
def test_unusable_header_raises(text: bytes) -> None:
    with pytest.raises(InputError):
        read_scores(text, CONFIG, APPS)


def test_xlsx_and_the_shipped_rubric() -> None:
    config = load_config(DEFAULT_CONFIG_PATH)
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ids = [c.id for c in config.criteria]
    ws.append(["applicant_id", "reviewer", *ids])
    ws.append(["A001", "Dr Test", *[4] * len(ids)])
    buf = io.BytesIO()
    wb.save(buf)
    r = read_scores(buf.getvalue(), config, APPS, filename="scores.xlsx")
    assert not r.problems
    assert r.reviews[0].scores == {i: 4.0 for i in ids}


def test_errors_name_a_path_source(tmp_path: Path) -> None:
    path = tmp_path / "my scores.csv"
    path.write_bytes(b"applicant_id,reviewer,criterion,score\nA001,R1,action,9\n")
    r = read_scores(path, CONFIG, APPS)
    assert str(r.errors[0]).startswith(f"{path}, cell D2")


@pytest.mark.parametrize(
    ("data", "cell"),
    [
        (b"applicant_id,reviewer,awareness,action\nA001,R1,3,3\nA001,R1,7,3\n", "C3"),
        (b"applicant_id,reviewer,criterion,score\nA001,R1,action,3\nA001,R1,action,7\n", "D3"),
    ],
)
def test_a_repeated_row_with_a_score_off_its_scale_is_named_off_scale(
    data: bytes, cell: str
) -> None:
    """Issue 10: a 7 on a 1-5 scale in a repeated row was reported only as "scored twice"."""
    r = read_scores(data, CONFIG, APPS)
    problems = [(p.code, p.location.cell) for p in r.errors]
    assert ("score_off_scale", cell) in problems
    assert "score_duplicate" in [code for code, _ in problems]
    assert "outside 1..5" in next(p.message for p in r.errors if p.code == "score_off_scale")
