"""`selector validate`: the readable report, the --json contract, --map, and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from selector.cli import main

ROOT = Path(__file__).resolve().parent.parent

HEADER = "Timestamp,Full name,Contact,Level,Specialty\n"
BODY = (
    "2026-01-10 09:00,Testa Quillfeather,testa@example.org,PGY-2,IM\n"
    "2026-01-11 09:00,Probo Marbleway,probo@example.org,MS4,Peds\n"
    "\n"
    "2026-01-09 09:00,Testa Quillfeather,TESTA@example.org,PGY-3,IM\n"
)


@pytest.fixture
def export(tmp_path: Path) -> Path:
    path = tmp_path / "apps.csv"
    path.write_text("Name,Email,PGY,Specialty,Notes\n" + _rows(), encoding="utf-8")
    return path


def _rows() -> str:
    return (
        "Testa Quillfeather,testa@example.org,PGY-2,IM,first\n"
        "Probo Marbleway,probo@example.org,MS4,Peds,\n"
        "\n"
        "Testa Quillfeather,TESTA@example.org,PGY-3,IM,again\n"
        "Fictia Larkspur,fictia@example.org,PGY-4,Lifestyle Medicine,\n"
    )


def test_json_contract(export: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(export), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"rows", "accepted", "rejected", "warnings"}
    assert out["rows"] == 4
    assert [a["row"] for a in out["accepted"]] == [5, 6]
    assert out["accepted"][0] == {
        "row": 5,
        "applicant_id": out["accepted"][0]["applicant_id"],
        "name": "Testa Quillfeather",
        "email": "testa@example.org",
        "pgy": 3,
        "specialty": "Internal Medicine",
        "program": "",
        "pgy1_approved": False,
    }
    assert out["rejected"] == [{"row": 3, "errors": ["PGY 'MS4' is not a resident level"]}]
    assert out["warnings"][0] == {
        "row": 2,
        "message": "duplicate submission of testa@example.org; kept row 5",
    }
    assert out["warnings"][1]["row"] == 6


def test_readable_report(export: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(export)]) == 0
    out = capsys.readouterr().out
    assert "4 data rows" in out
    assert "accepted    2" in out and "rejected    1" in out and "duplicates  1" in out
    lines = out.splitlines()
    problems = lines[lines.index("Problems:") + 2 :]
    assert [ln.split()[0] for ln in problems] == ["2", "3", "6"]
    assert "C3" in problems[1] and "error" in problems[1] and "MS4" in problems[1]


def test_map_names_columns_intake_cannot_guess(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "odd.csv"
    path.write_text("Who,Contact,Stage,Dept\nTesta Q,testa@example.org,2,IM\n", encoding="utf-8")
    assert main(["validate", str(path), "--json"]) == 2
    assert "no column found for name" in capsys.readouterr().err
    argv = ["validate", str(path), "--json", "--map", "name=Who", "--map", "pgy = Stage"]
    assert main([*argv, "--map", "specialty=Dept"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["accepted"][0]["pgy"] == 2


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"", "the file is empty"),
        (b"\x00\x01binary", "not a spreadsheet"),
        (b"alpha,beta\n1,2\n", "no column found for name, e-mail, PGY level, specialty"),
    ],
)
def test_unreadable_file_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, needle: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    assert main(["validate", str(path), "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and needle in captured.err


def test_bad_map_argument(export: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(export), "--map", "pgy"]) == 2
    assert "expected FIELD=HEADER" in capsys.readouterr().err


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(tmp_path / "nope.xlsx")]) == 2
    assert "file not found" in capsys.readouterr().err


def test_python_dash_m_on_the_demo_export() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "selector", "validate", "data/demo_applications.xlsx", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert (out["rows"], len(out["accepted"]), len(out["rejected"])) == (43, 40, 2)


def test_a_header_only_file_says_it_has_no_data_rows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "header_only.csv"
    path.write_text("ID,Name,Email,PGY,Specialty\n", encoding="utf-8")
    assert main(["validate", str(path)]) == 0
    out = capsys.readouterr().out
    assert "0 data rows" in out and "No data rows below the header." in out
