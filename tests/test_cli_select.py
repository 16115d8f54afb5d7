"""`selector select`: the CLI contract (JSON on stdout, exit codes, one-line errors, rosters)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import openpyxl
import pytest

from selector.cli import build_parser, main

SPECS = ["Surgery", "Surgery", "Surgery", "Pediatrics", "Neurology", "Psychiatry"]
CONFIG = """
[cohort]
size = 3

[eligibility]
min_pgy = 2
max_pgy1 = 1

[[diversity]]
field = "specialty"
max_per_value = {cap}
min_distinct = {distinct}

[selection]
tie_break_seed = "cli-test"

[[criteria]]
id = "merit"
label = "Merit"
min = 1
max = 5

[[criteria]]
id = "action"
label = "Action"
weight = 1.5
min = 1
max = 5
"""


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    apps = tmp_path / "applications.csv"
    rows = ["Applicant ID,Name,Email,PGY,Specialty,Program,PGY1 approved"]
    for i, spec in enumerate(SPECS, start=1):
        pgy = "1" if i == 6 else "3"
        rows.append(f"A00{i},Test Resident {i},resident{i}@example.org,{pgy},{spec},Program 1,")
    apps.write_text("\n".join(rows) + "\n")
    scores = tmp_path / "scores.csv"
    lines = ["applicant_id,reviewer,merit,action"]
    for i, (m, a) in enumerate([(5, 5), (5, 4), (4, 4), (3, 3), (2, 2), (5, 5)], start=1):
        lines.append(f"A00{i},R1,{m},{a}")
        lines.append(f"resident{i}@example.org,R2,{m},{a}")
    scores.write_text("\n".join(lines) + "\n")
    config = tmp_path / "track.toml"
    config.write_text(CONFIG.format(cap=2, distinct=2))
    return {"apps": apps, "scores": scores, "config": config, "dir": tmp_path}


def args(files: dict[str, Path], *extra: str) -> list[str]:
    return [
        "select",
        "--applications",
        str(files["apps"]),
        "--scores",
        str(files["scores"]),
        "--config",
        str(files["config"]),
        *extra,
    ]


def test_json_is_one_object_and_exit_0(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(args(files, "--json")) == 0
    out = capsys.readouterr()
    d = json.loads(out.out)
    assert d["status"] == "optimal"
    assert d["selected"] == ["A001", "A002", "A004"]
    assert d["total_score"] == 12.5 + 11.0 + 7.5
    assert d["ineligible"] == {"A006": "PGY1 without program director approval"}
    assert set(d["replacements"]) == set(d["selected"])
    # A003 is a third Surgery: forced in, it takes A002's seat (12.5 + 10 + 7.5 = 30 < 31).
    assert d["margins"]["A003"] == 1.0
    assert "cli-test" in d["tie_break"]
    assert d["diagnosis"] == []


def test_locks(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(args(files, "--json", "--include", "A005", "--exclude", "A001")) == 0
    d = json.loads(capsys.readouterr().out)
    assert "A005" in d["selected"] and "A001" not in d["selected"]


def test_infeasible_exit_3_with_diagnosis(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    files["config"].write_text(CONFIG.format(cap=1, distinct=5))
    assert main(args(files, "--json")) == 3
    d = json.loads(capsys.readouterr().out)
    assert d["status"] == "infeasible"
    # A006 (PGY1, no approval) is not selectable: Surgery, Pediatrics and Neurology remain.
    assert "only 3 specialties have selectable applicants; the rules ask for 5" in d["diagnosis"]
    assert any(
        'lower the minimum of "at least 5 specialties" from 5 to 3' in t for t in d["diagnosis"]
    )


def test_infeasible_text_report(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    files["config"].write_text(CONFIG.format(cap=1, distinct=5))
    assert main(args(files)) == 3
    assert "no cohort satisfies the rules" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("line", "where"),
    [
        ("A001,R9,6,3", "row 14"),
        ("A001,R9,x,3", "row 14"),
        ("A001,R1,3,3", "row 14"),
        ("A999,R9,3,3", "row 14"),
    ],
)
def test_bad_score_row_exit_2_naming_file_and_row(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str], line: str, where: str
) -> None:
    with files["scores"].open("a") as f:
        f.write(line + "\n")
    assert main(args(files, "--json")) == 2
    out = capsys.readouterr()
    assert out.out == ""
    err = out.err.strip().splitlines()
    assert len(err) == 1
    assert "scores.csv, " + where in err[0]


@pytest.mark.parametrize(
    "extra",
    [("--include", "A999"), ("--include", "A001", "--exclude", "A001")],
)
def test_bad_locks_exit_2(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str], extra: tuple[str, ...]
) -> None:
    assert main(args(files, *extra)) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_missing_scores_exit_2(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["select", "--applications", str(files["apps"]), "--config", str(files["config"])]
    assert main(argv) == 2
    assert "--scores" in capsys.readouterr().err


def test_roster_xlsx_and_csv(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    xlsx = files["dir"] / "roster.xlsx"
    assert main(args(files, "--out", str(xlsx))) == 0
    assert "roster written" in capsys.readouterr().out
    wb = openpyxl.load_workbook(xlsx)
    assert wb.sheetnames == ["Cohort", "Replacements", "All applicants", "Rules", "Audit"]
    audit = dict(wb["Audit"].iter_rows(min_row=2, values_only=True))
    assert "input file scores.csv" in audit and "input file track.toml" in audit
    out_csv = files["dir"] / "roster.csv"
    assert main(args(files, "--json", "--out", str(out_csv))) == 0
    rows = list(csv.DictReader(io.StringIO(out_csv.read_text(encoding="utf-8-sig"))))
    assert [r["status"] for r in rows[:3]] == ["selected"] * 3
    assert len(rows) == 6
    assert main(args(files, "--out", str(files["dir"] / "roster.pdf"))) == 2


def test_cbc_gives_the_same_cohort(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(args(files, "--json")) == 0
    highs = json.loads(capsys.readouterr().out)
    assert main(args(files, "--json", "--solver", "cbc")) == 0
    cbc = json.loads(capsys.readouterr().out)
    assert cbc["selected"] == highs["selected"] and cbc["margins"] == highs["margins"]


def test_select_has_help_text() -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    select = sub.choices["select"]  # type: ignore[index]
    assert select.description
    for action in select._actions:
        if action.dest != "help":
            assert action.help, action.dest


def test_json_rules_and_reasons_in_the_committees_words(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 11: every rule with its id, label, price and whether it binds; every applicant's
    reason with a status, the ids of the rules and a sentence (labels, two decimals, names)."""
    text = CONFIG.format(cap=2, distinct=1)
    files["config"].write_text(text + '\n[labels]\n"max_pgy1" = "one intern at most"\n')
    assert main(args(files, "--json")) == 0
    d = json.loads(capsys.readouterr().out)
    rules = {r["id"]: r for r in d["rules"]}
    assert list(rules) == [
        "size",
        "min_pgy",
        "pgy1_approval",
        "max_pgy1",
        "max_per_value:specialty",
        "min_distinct:specialty",
    ]
    assert rules["max_per_value:specialty"] == {
        "id": "max_per_value:specialty",
        "label": "at most 2 per specialty",
        "price": 2.5,  # A003 (10) would take A004's seat (7.5)
        "binding": True,
    }
    assert rules["max_pgy1"]["label"] == "one intern at most"
    assert rules["pgy1_approval"]["binding"] and not rules["min_pgy"]["binding"]
    assert rules["size"]["price"] is None
    assert d["rule_prices"]["at most 2 per specialty"] == 2.5  # today's key, by label
    assert d["reasons"]["A003"] == {
        "status": "not_selected",
        "rules": ["max_per_value:specialty"],
        "text": "not selected: it outscores the member A004 (Test Resident 4) 7.50, but taking "
        "a seat from it breaks a rule: Surgery already has 2 of 2 seats: A001 (Test Resident 1) "
        "12.50, A002 (Test Resident 2) 11.00 (at most 2 per specialty); its score would need "
        "to rise by more than 1.00 to get in",
    }
    assert d["reasons"]["A006"]["status"] == "ineligible"
    assert d["reasons"]["A006"]["rules"] == ["pgy1_approval"]
    assert d["reasons"]["A001"]["status"] == "selected"
    assert "A003 (Test Resident 3) 10.00 takes the seat" not in d["reasons"]["A004"]["text"]
    assert (
        "if it declines, A003 (Test Resident 3) 10.00 takes the seat"
        in (d["reasons"]["A001"]["text"])
    )
    assert {r["status"] for r in d["reasons"].values()} <= {
        "selected",
        "not_selected",
        "ineligible",
        "unscored",
        "below_floor",
        "locked_out",
    }


def test_text_report_uses_labels_and_two_decimals(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    files["config"].write_text(CONFIG.format(cap=2, distinct=1))
    assert main(args(files)) == 0
    out = capsys.readouterr().out
    assert "total score 31.00" in out
    assert "  at most 2 per specialty: 2.50 (binding)" in out
    assert "specialty max_per_value" not in out
    assert "A003 (Test Resident 3): not selected: it outscores the member A004" in out
