"""Intake and files it must not mistake for an applications export (issue 10): selector's own
roster and score export, and an anonymous Microsoft Forms export whose "Email" column holds
"anonymous"."""

from __future__ import annotations

from typing import Any

import pytest

from selector.errors import InputError
from selector.intake import read_applications
from selector.roster import roster_csv, roster_xlsx
from selector.workflow.scores import SCORE_COLUMNS, _file_bytes
from tests.factories import make_applicants, make_config, make_reviews
from tests.test_intake import APPROVAL_Q, PGY_Q, SPECIALTY_Q, check_people, people, xlsx_bytes


def _decision() -> Any:
    from selector.selection import decide

    apps = make_applicants(6)
    config = make_config()
    scores = {a.applicant_id: float(60 - i) for i, a in enumerate(apps)}
    return decide(apps, make_reviews(apps, config, scores=scores), config)


@pytest.mark.parametrize(
    ("name", "make", "what"),
    [
        ("roster.xlsx", lambda: roster_xlsx(_decision()), "a roster"),
        ("roster.csv", lambda: roster_csv(_decision()), "a roster"),
        (
            "scores.csv",
            lambda: _file_bytes([list(SCORE_COLUMNS), ["A001", "r@x.org", "c", 3, ""]], "csv"),
            "a score export",
        ),
        (
            "scores.xlsx",
            lambda: _file_bytes([list(SCORE_COLUMNS), ["A001", "r@x.org", "c", 3, ""]], "xlsx"),
            "a score export",
        ),
    ],
)
def test_a_file_selector_wrote_is_named_not_imported(name: str, make: Any, what: str) -> None:
    with pytest.raises(InputError) as caught:
        read_applications(make(), filename=name)
    assert caught.value.code == "selector_file"
    assert f"this is {what} written by selector, not an applications export" in str(caught.value)


def test_anonymous_forms_export_reads_the_email_from_the_question_that_holds_it() -> None:
    """Microsoft Forms, anonymous: "Email" says "anonymous" in every row; the address is
    asked in a question whose header also names the program."""
    mail_q = "Preferred email for program communications"
    head = ["ID", "Start time", "Completion time", "Email", "Name", "Full name", mail_q]
    head += [PGY_Q, SPECIALTY_Q, APPROVAL_Q]
    rows: list[list[Any]] = [head]
    for i, p in enumerate(people(), start=1):
        name = f"{p['first']} {p['last']}"
        rows.append([i, p["when"], p["when"], "anonymous", "anonymous", name, p["email"]])
        rows[-1] += [p["pgy"], p["specialty"], p["approved"]]
    res = read_applications(xlsx_bytes(rows))
    check_people(res)
    assert res.mapping["email"] == mail_q
    refit = [w for w in res.warnings if w.code == "column_refit"]
    assert len(refit) == 1
    assert "'Email'" in refit[0].message and repr(mail_q) in refit[0].message


def test_a_mapped_column_that_fits_is_never_moved() -> None:
    head = ["Email", "Backup contact e-mail", "Name", PGY_Q, SPECIALTY_Q]
    rows: list[list[Any]] = [head]
    for p in people():
        rows.append([p["email"], "other@example.org", p["first"], p["pgy"], p["specialty"]])
    res = read_applications(xlsx_bytes(rows))
    assert res.mapping["email"] == "Email"
    assert not [w for w in res.warnings if w.code == "column_refit"]
