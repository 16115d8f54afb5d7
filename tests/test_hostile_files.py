"""Hostile files never take the process down (issue 8).

Every file of the corpus (``tests/hostile_files.py``) goes through ``selector validate``,
``selector import`` and ``selector scores import`` in a child process, which reports each
exit code, what reached stderr and how long it took; the test then reads the child's peak
memory from ``resource``. Before the limits, the 1.9 KB stray-cell workbook aborted the
interpreter (SIGABRT) and the bombs inflated gigabytes.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from selector import xlsx
from selector.errors import InputError
from selector.tables import read_grid
from tests.hostile_files import CORPUS, stray_cell, write_corpus

pytestmark = pytest.mark.slow

#: The child: run each command on each file in-process, as the CLI would, and report.
RUNNER = textwrap.dedent(
    """
    import contextlib, io, json, resource, sys, time
    from pathlib import Path
    from selector.cli import main

    folder, db = Path(sys.argv[1]), sys.argv[2]
    assert main(["cycles", "create", "2026", "--db", db]) == 0
    results = []
    commands = {"validate": ["validate"], "import": ["import", "--cycle", "2026", "--db", db],
                "scores import": ["scores", "import", "--cycle", "2026", "--db", db]}
    for path in sorted(folder.iterdir()):
        for name, command in commands.items():
            err = io.StringIO()
            start = time.perf_counter()
            with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
                code = main([*command, str(path)])
            results.append({
                "file": path.name, "command": name,
                "code": code, "stderr": err.getvalue(),
                "seconds": time.perf_counter() - start,
                "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            })
    print(json.dumps(results))
    """
)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    write_corpus(folder)
    return folder


@pytest.fixture(scope="module")
def outcomes(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    db = f"sqlite:///{tmp_path_factory.mktemp('db') / 'hostile.db'}"
    done = subprocess.run(
        [sys.executable, "-c", RUNNER, str(corpus), db],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=Path(__file__).parent.parent,
    )
    assert done.returncode == 0, f"the runner died ({done.returncode}): {done.stderr[-2000:]}"
    return list(json.loads(done.stdout.splitlines()[-1]))


def test_every_file_and_command_is_answered(outcomes: list[dict]) -> None:
    assert {r["file"] for r in outcomes} == set(CORPUS)
    assert len(outcomes) == 3 * len(CORPUS)


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_validate_reads_or_refuses_with_one_line(name: str, outcomes: list[dict]) -> None:
    (result,) = [r for r in outcomes if r["file"] == name and r["command"] == "validate"]
    assert result["code"] in CORPUS[name][1], result["stderr"]
    if result["code"] == 2:
        assert result["stderr"].count("\n") == 1, result["stderr"]
        assert result["stderr"].startswith("selector: error: ")


def test_every_command_ends_with_0_or_2_one_line_no_traceback(outcomes: list[dict]) -> None:
    for result in outcomes:
        where = f"{result['command']} {result['file']}"
        assert result["code"] in (0, 2), (where, result["stderr"])
        assert "Traceback" not in result["stderr"], where
        if result["code"] == 2:
            assert result["stderr"].count("\n") == 1, (where, result["stderr"])
            assert len(result["stderr"]) < 400, (where, len(result["stderr"]))


def test_time_and_memory_are_bounded(outcomes: list[dict]) -> None:
    """Each command within 60 s; the process's peak RSS (``resource``) under 1 GB. The child
    that parses a workbook cannot pass its own address-space limit of 1 GB (tested below)."""
    slowest = max(outcomes, key=lambda r: r["seconds"])
    assert slowest["seconds"] < 60, slowest
    assert max(r["peak_mb"] for r in outcomes) < 1024


def test_the_errors_name_the_limit(outcomes: list[dict]) -> None:
    said = {r["file"]: r["stderr"] for r in outcomes if r["command"] == "validate"}
    assert "sheet 'Form1' claims 1,048,576 rows × 16,384 columns" in said["stray_xfd1048576.xlsx"]
    assert "the limit is 2,000,000 cells" in said["stray_zzzzzz3.xlsx"]
    assert "claims 2,236 rows × 1,000 columns" in said["dense_cells.xlsx"]
    assert "claims 2,234 rows × 1,000 columns" in said["dense_unnamed_cells.xlsx"]
    for bomb in ("shared_strings_bomb.xlsx", "single_string_bomb.xlsx", "lying_sizes.xlsx"):
        assert "inflates to more than 100 MB" in said[bomb]
    assert "needs more than 1,024 MB of memory" in said["string_amplification.xlsx"]
    assert "holds 5,005 files; the limit is 1,000" in said["many_members.xlsx"]
    assert "row 3: a quote opened in this row is never closed" in said["csv_unclosed_quote.csv"]


def test_the_stray_cell_workbook_exits_2_as_a_process(tmp_path: Path) -> None:
    """The 1.9 KB file that aborted the interpreter (exit 134): now one line and exit 2."""
    path = tmp_path / "stray.xlsx"
    path.write_bytes(stray_cell("XFD1048576"))
    assert path.stat().st_size < 2000
    done = subprocess.run(
        [sys.executable, "-m", "selector", "validate", str(path)], capture_output=True, text=True
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert "1,048,576 rows × 16,384 columns" in done.stderr


def test_dev_zero_is_refused_before_it_is_read() -> None:
    with pytest.raises(InputError, match="larger than 50 MB") as caught:
        read_grid("/dev/zero")
    assert caught.value.code == "file_too_large"


def test_the_parsing_child_is_held_to_its_memory_limit(corpus: Path) -> None:
    """What the checks before parsing cannot see (one string copied into every cell that
    points at it) ends the child, not the caller."""
    data = (corpus / "string_amplification.xlsx").read_bytes()
    with pytest.raises(InputError) as caught:
        xlsx.read(data, "amplified.xlsx", limits=xlsx.Limits(memory_bytes=512 * xlsx.MB))
    assert caught.value.code == "xlsx_too_much_memory"
    assert "needs more than 512 MB" in caught.value.message


def test_a_slow_parse_is_stopped(corpus: Path) -> None:
    data = (corpus / "legit_big.xlsx").read_bytes()
    with pytest.raises(InputError) as caught:
        xlsx.read(data, "slow.xlsx", limits=xlsx.Limits(seconds=0))
    assert caught.value.code == "xlsx_too_slow"


def test_limits_are_checked_before_parsing() -> None:
    """inspect() alone refuses the stray cell, with the standard library only."""
    with pytest.raises(InputError, match="claims 3 rows × 321,272,406 columns"):
        xlsx.inspect(stray_cell("ZZZZZZ3"), "z.xlsx")
