"""Hostile input across the CLI: every case ends with one clear line on stderr (no traceback,
no "internal error") and the documented exit code: 2 bad input, 3 infeasible."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from selector.cli import main
from selector.store import Store

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
CONFIG = ROOT / "rubrics" / "dei_leadership.toml"

APPS = "{d}/apps.xlsx"
SCORES = "{d}/scores.csv"
FILES = ["--applications", APPS, "--scores", SCORES]
RO_DB = "sqlite:///file:{d}/ro.db?mode=ro&uri=true"


def _config(replace: tuple[str, str] | None = None) -> str:
    text = CONFIG.read_text(encoding="utf-8")
    if replace is not None:
        assert replace[0] in text
        text = text.replace(*replace)
    return text


def _write_files(d: Path) -> None:
    """The demo export and scores, a good config, and a collection of broken files."""
    shutil.copy(DATA / "demo_applications.xlsx", d / "apps.xlsx")
    shutil.copy(DATA / "demo_scores.csv", d / "scores.csv")
    (d / "cfg.toml").write_text(_config(), encoding="utf-8")
    (d / "typo.toml").write_text(_config(("size = 10", "sizee = 10")), encoding="utf-8")
    (d / "infeasible.toml").write_text(
        _config(("min_distinct = 5", "min_distinct = 50")), encoding="utf-8"
    )
    (d / "bad.toml").write_text("this is [not toml\n", encoding="utf-8")
    (d / "latin1.toml").write_bytes(b"\xff\xfe\x00 not utf-8")
    (d / "empty.csv").write_bytes(b"")
    (d / "png.xlsx").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    (d / "pdf.xlsx").write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\n")
    (d / "old.xls").write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 504)
    with zipfile.ZipFile(d / "zip.xlsx", "w") as z:
        z.writestr("hello.txt", "not a workbook")
    Workbook().save(d / "nodata.xlsx")
    (d / "header_only.csv").write_text(
        "ID,Full name,E-mail,Training level,Specialty,Program\n", encoding="utf-8"
    )
    (d / "scores_header_only.csv").write_text(
        "applicant_id,reviewer,criterion,score\n", encoding="utf-8"
    )
    # Another cycle's score file: the same rows for applicants B001… this cycle does not have.
    lines = (d / "scores.csv").read_text(encoding="utf-8").splitlines()
    (d / "other_scores.csv").write_text(
        "\n".join([lines[0]] + ["B" + line[1:] for line in lines[1:]]) + "\n", encoding="utf-8"
    )
    (d / "adir").mkdir()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Files above plus a database with cycle 2026 (demo data), an empty cycle "other", one
    reviewer, and a copy opened read-only."""
    d = tmp_path_factory.mktemp("hostile")
    _write_files(d)
    db = ["--db", f"sqlite:///{d}/x.db"]
    steps = [
        ["import", str(d / "apps.xlsx"), "--cycle", "2026", *db],
        ["scores", "import", str(d / "scores.csv"), "--cycle", "2026", *db, "--create-reviewers"],
        ["cycles", "create", "other", "--config", str(d / "cfg.toml"), *db],
        ["users", "add", "a@example.org", "--role", "reviewer", "--no-password", *db],
    ]
    for argv in steps:
        assert main(argv) == 0
    Store(f"sqlite:///{d}/ro.db").close()  # migrated and checkpointed, then opened read-only
    return d


def run(argv: list[str]) -> int:
    """The exit code of the CLI, also when argparse exits on its own."""
    try:
        return main(argv)
    except SystemExit as exc:
        return int(str(exc.code))


# (case id, arguments with {d} for the folder, exit code, phrase of the one stderr line)
CASES = [
    # Files that are missing, folders, empty, or something else renamed .xlsx (intake's words
    # are its own; the file name is the phrase).
    ("validate-missing", ["validate", "{d}/nope.xlsx"], 2, "nope.xlsx"),
    ("validate-folder", ["validate", "{d}/adir"], 2, "adir"),
    ("validate-empty", ["validate", "{d}/empty.csv"], 2, "empty.csv"),
    ("validate-png", ["validate", "{d}/png.xlsx"], 2, "png.xlsx"),
    ("validate-pdf", ["validate", "{d}/pdf.xlsx"], 2, "pdf.xlsx"),
    ("validate-zip", ["validate", "{d}/zip.xlsx"], 2, "zip.xlsx"),
    ("validate-xls", ["validate", "{d}/old.xls"], 2, "old.xls"),
    ("validate-no-data", ["validate", "{d}/nodata.xlsx"], 2, "nodata.xlsx"),
    ("import-missing", ["import", "{d}/nope.xlsx"], 2, "nope.xlsx"),
    ("import-folder", ["import", "{d}/adir"], 2, "adir"),
    ("import-png", ["import", "{d}/png.xlsx"], 2, "png.xlsx"),
    ("import-xls", ["import", "{d}/old.xls"], 2, "old.xls"),
    ("import-header-only", ["import", "{d}/header_only.csv", "--cycle", "2026"], 2, "no valid"),
    # Configs: missing, a folder, not UTF-8, not TOML, a typo'd key, infeasible.
    ("select-config-missing", ["select", "--config", "{d}/nope.toml", *FILES], 2, "not found"),
    ("select-config-folder", ["select", "--config", "{d}/adir", *FILES], 2, "Is a directory"),
    ("select-config-latin1", ["select", "--config", "{d}/latin1.toml", *FILES], 2, "not UTF-8"),
    ("select-config-not-toml", ["select", "--config", "{d}/bad.toml", *FILES], 2, "not valid TOML"),
    ("select-config-typo", ["select", "--config", "{d}/typo.toml", *FILES], 2, "cohort.sizee"),
    ("check-config-missing", ["check-config", "{d}/nope.toml"], 2, "not found"),
    ("check-config-folder", ["check-config", "{d}/adir"], 2, "cannot read: Is a directory"),
    ("check-config-latin1", ["check-config", "{d}/latin1.toml"], 2, "not UTF-8"),
    ("check-config-not-toml", ["check-config", "{d}/bad.toml"], 2, "not valid TOML"),
    ("check-config-typo", ["check-config", "{d}/typo.toml"], 2, "unknown key"),
    ("cycles-create-typo", ["cycles", "create", "x", "--config", "{d}/typo.toml"],
     2, "unknown key"),
    ("cycles-create-folder", ["cycles", "create", "x", "--config", "{d}/adir"],
     2, "Is a directory"),
    # select: unreadable inputs, locks, output names.
    ("select-apps-png", ["select", "--config", "{d}/cfg.toml", "--applications", "{d}/png.xlsx",
                         "--scores", SCORES], 2, "png.xlsx"),
    ("select-apps-header-only", ["select", "--config", "{d}/cfg.toml", "--applications",
                                 "{d}/header_only.csv", "--scores", SCORES],
     2, "no valid application"),
    ("select-scores-empty", ["select", "--config", "{d}/cfg.toml", "--applications", APPS,
                             "--scores", "{d}/empty.csv"], 2, "empty.csv"),
    ("select-scores-other-cycle", ["select", "--config", "{d}/cfg.toml", "--applications", APPS,
                                   "--scores", "{d}/other_scores.csv"], 2, "unknown applicant"),
    ("select-include-unknown", ["select", "--config", "{d}/cfg.toml", *FILES, "--include", "Z999"],
     2, "not among the applications: Z999"),
    ("select-include-and-exclude", ["select", "--config", "{d}/cfg.toml", *FILES,
                                    "--include", "A001", "--exclude", "A001"],
     2, "both included and excluded: A001"),
    ("select-out-extension", ["select", "--config", "{d}/cfg.toml", *FILES, "--out", "{d}/r.pdf"],
     2, "must be .xlsx or .csv"),
    ("select-out-unwritable", ["select", "--config", "{d}/cfg.toml", *FILES,
                               "--out", "{d}/nodir/r.xlsx"], 2, "cannot write"),
    ("select-unknown-cycle", ["select", "--config", "{d}/cfg.toml", "--cycle", "nosuch"],
     2, "no cycle named 'nosuch'"),
    # Database commands.
    ("scores-import-header-only", ["scores", "import", "{d}/scores_header_only.csv",
                                   "--cycle", "2026"], 2, "no score rows"),
    ("scores-import-other-cycle", ["scores", "import", "{d}/other_scores.csv", "--cycle", "2026"],
     2, "another cycle"),
    ("scores-import-unknown-cycle", ["scores", "import", SCORES, "--cycle", "nosuch"],
     2, "no cycle named"),
    ("scores-export-extension", ["scores", "export", "{d}/s.pdf"], 2, "must be .xlsx or .csv"),
    ("scores-export-folder", ["scores", "export", "{d}/adir"], 2, "must be .xlsx or .csv"),
    ("scores-export-unwritable", ["scores", "export", "{d}/nodir/s.csv"], 2, "cannot write"),
    ("users-add-duplicate", ["users", "add", "a@example.org", "--role", "reviewer",
                             "--no-password"], 2, "already exists"),
    ("users-add-unknown-role", ["users", "add", "b@example.org", "--role", "wizard"],
     2, "invalid choice: 'wizard'"),
    ("users-add-password-file-missing", ["users", "add", "b@example.org", "--role", "reviewer",
                                         "--password-file", "{d}/nope.txt"], 2, "cannot read"),
    ("cycles-create-duplicate", ["cycles", "create", "other", "--config", "{d}/cfg.toml"],
     2, "already exists"),
    ("assign-unknown-cycle", ["assign", "--cycle", "nosuch"], 2, "no cycle named"),
    ("assign-k-zero", ["assign", "--cycle", "2026", "--k", "0"], 2, "k must be 1 or more"),
    ("calibrate-threshold-negative", ["calibrate", "--threshold", "-1"], 2, "not a number above 0"),
    ("calibrate-threshold-nan", ["calibrate", "--threshold", "nan"], 2, "not a number above 0"),
    ("roster-unknown-cycle", ["roster", "--cycle", "nosuch", "--out", "{d}/r.csv"],
     2, "no cycle named"),
    ("roster-no-run", ["roster", "--cycle", "other", "--out", "{d}/r.csv"], 2, "no selection run"),
    ("roster-extension", ["roster", "--out", "{d}/r.pdf"], 2, "must be .xlsx or .csv"),
    ("roster-unwritable", ["roster", "--cycle", "2026", "--config", "{d}/cfg.toml",
                           "--out", "{d}/nodir/r.xlsx"], 2, "cannot write"),
    # Database URLs.
    ("db-malformed", ["cycles", "--db", "notaurl"], 2, "not a database URL"),
    ("db-port-not-a-number", ["cycles", "--db", "postgresql+psycopg://u:pw@host:abc/db"],
     2, "not a database URL"),
    ("db-unknown-driver", ["cycles", "--db", "foo://x"], 2, "no installed database driver"),
    ("db-folder-is-a-file", ["cycles", "--db", "sqlite:///{d}/cfg.toml/x.db"],
     2, "a file is in the way"),
    ("db-is-a-folder", ["cycles", "--db", "sqlite:///{d}/adir"], 2, "unable to open"),
    ("db-not-a-database", ["cycles", "--db", "sqlite:///{d}/cfg.toml"], 2, "not a database"),
    ("db-read-only", ["users", "add", "c@example.org", "--role", "reviewer", "--no-password",
                      "--db", RO_DB], 2, "readonly database"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("argv", "code", "phrase"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_input_is_one_clear_line(
    world: Path,
    argv: list[str],
    code: int,
    phrase: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SELECTOR_DB", f"sqlite:///{world}/x.db")
    assert run([a.format(d=world) for a in argv]) == code
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert err[0].startswith("selector: error:") and "internal error" not in err[0]
    assert phrase in err[0]


def test_environment_url_that_is_malformed(
    world: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SELECTOR_DB", "not a url")
    assert main(["users", "list"]) == 2
    assert capsys.readouterr().err.startswith("selector: error: not a database URL")


def test_unreachable_server_hides_the_password(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["cycles", "--db", "postgresql://user:secret@127.0.0.1:1/db"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "cannot use the database" in err[0]
    assert "secret" not in err[0] and "user:***@" in err[0]


def test_read_only_database_still_reads(
    world: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)  # a "file:" URI path must not become folders under the cwd
    assert main(["cycles", "--db", RO_DB.format(d=world)]) == 0
    assert "no cycles yet" in capsys.readouterr().out
    assert list(tmp_path.iterdir()) == []


def test_infeasible_config_exits_3_with_a_diagnosis(
    world: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["select", "--config", f"{world}/infeasible.toml"]
    args += [a.format(d=world) for a in FILES]
    assert main(args) == 3
    out = capsys.readouterr().out
    assert "no cohort satisfies the rules" in out and "min_distinct" in out
    assert main([*args, "--json"]) == 3  # the JSON object is still printed
    report = json.loads(capsys.readouterr().out)
    assert report["status"] == "infeasible" and report["diagnosis"]


def test_infeasible_roster_exits_3_with_a_diagnosis(
    world: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SELECTOR_DB", f"sqlite:///{world}/x.db")
    argv = ["roster", "--cycle", "2026", "--config", f"{world}/infeasible.toml"]
    assert main([*argv, "--out", f"{world}/r.csv"]) == 3
    assert "no cohort satisfies the rules" in capsys.readouterr().out


def test_refused_score_file_still_reports_json(
    world: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SELECTOR_DB", f"sqlite:///{world}/x.db")
    argv = ["scores", "import", f"{world}/other_scores.csv", "--cycle", "2026", "--json"]
    assert main(argv) == 2
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert report["saved"] == 0 and report["rejected"]
    assert len(captured.err.strip().splitlines()) == 1


def test_dry_run_import_creates_no_cycle(
    world: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SELECTOR_DB", f"sqlite:///{world}/x.db")
    argv = ["import", f"{world}/apps.xlsx", "--cycle", "2030", "--dry-run", "--json"]
    assert main(argv) == 0
    assert json.loads(capsys.readouterr().out)["added"] > 0
    assert main(["cycles", "--json"]) == 0
    assert "2030" not in {c["name"] for c in json.loads(capsys.readouterr().out)}


def test_a_port_that_is_not_a_number_hides_the_password(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["cycles", "--db", "postgresql+psycopg://user:secret@host:abc/db"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("selector: error: not a database URL")
    assert "secret" not in err[0]


def test_a_huge_value_is_quoted_short_on_stderr(
    world: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SELECTOR_DB", f"sqlite:///{world}/x.db")
    assert main(["assign", "--cycle", "x" * 200_000]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no cycle named 'xxx" in err[0] and "…'" in err[0]
    assert len(err[0]) <= len("selector: error: ") + 300


def test_a_huge_cell_is_quoted_short_in_row_problems(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = tmp_path / "huge.csv"
    export.write_text(
        "ID,Name,Email,PGY,Specialty\n"
        f"1,Testperson One,one@example.org,{'9' * 100_000},Psychiatry\n"
        "2,Testperson Two,two@example.org,2,Psychiatry\n",
        encoding="utf-8",
    )
    for argv in (
        ["validate", str(export)],
        ["import", str(export), "--db", f"sqlite:///{tmp_path}/x.db"],
    ):
        assert main(argv) == 0
        out = capsys.readouterr().out
        assert "…' is not a resident level" in out
        assert max(map(len, out.splitlines())) <= 320, argv
    assert main(["validate", str(export), "--json"]) == 0
    (message,) = json.loads(capsys.readouterr().out)["rejected"][0]["errors"]
    assert len(message) <= 300


def test_an_unexpected_error_prints_its_class_not_its_text(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    from sqlalchemy.exc import IntegrityError

    def crash(*args: object, **kwargs: object) -> None:
        params = ("E1234ABCD", "Probo Marsh", "probo@example.org")
        raise IntegrityError("INSERT INTO applicants ...", params, Exception("UNIQUE failed"))

    monkeypatch.setattr(Store, "import_applications", crash)
    db = ["--db", f"sqlite:///{tmp_path}/x.db"]
    assert main(["import", str(DATA / "demo_applications.xlsx"), "--cycle", "2026", *db]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("selector: internal error: IntegrityError")
    assert "--debug" in err[0]
    for text in (err[0], caplog.text):
        assert "Probo" not in text and "probo@" not in text and "INSERT" not in text
    with pytest.raises(IntegrityError):  # --debug shows everything
        main(["--debug", "import", str(DATA / "demo_applications.xlsx"), "--cycle", "2026", *db])
