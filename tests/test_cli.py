"""The CLI shell: every command has help text; errors are one line, never a traceback."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest

from selector.cli import COMMAND_MODULES, build_parser, main
from selector.config import DEFAULT_CONFIG_PATH

REPO = Path(__file__).resolve().parent.parent


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    found: dict[str, argparse.ArgumentParser] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found[name] = sub
                for child, grandchild in _subcommands(sub).items():
                    found[f"{name} {child}"] = grandchild
    return found


def test_every_command_module_registers_and_every_command_has_help() -> None:
    parser = build_parser()
    top = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    helped = {c.dest for c in top._choices_actions if c.help}
    commands = _subcommands(parser)
    assert len(COMMAND_MODULES) >= 5
    for name in ("validate", "select", "import", "demo", "config-schema"):
        assert name in commands, name
    for name in top.choices:
        assert name in helped, f"command {name!r} has no help text"
    for name, sub in commands.items():
        assert sub.format_help().strip(), name


def test_no_command_is_one_clear_line(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main([])
    assert info.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("selector: error:")


def test_config_error_exits_2_with_one_line(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.toml"
    bad.write_text("[cohort]\nsize = 10\nsise = 1\n", encoding="utf-8")
    assert main(["check-config", str(bad)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "bad.toml" in err[0] and "cohort.sise" in err[0] and "Traceback" not in err[0]


def test_python_dash_m_runs_the_cli() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "selector", "--version"], capture_output=True, text=True, check=True
    )
    assert out.stdout.startswith("selector ")


def test_check_config_exits_3_on_rules_no_cohort_can_satisfy(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "impossible.toml"
    path.write_text(
        "[cohort]\nsize = 10\n[[diversity]]\nfield = 'specialty'\nmin_distinct = 50\n"
        "[[criteria]]\nid = 'a'\nlabel = 'A'\n",
        encoding="utf-8",
    )
    assert main(["check-config", str(path)]) == 3
    assert "min_distinct 50 is more than the largest cohort (10)" in capsys.readouterr().out
    assert main(["check-config", str(DEFAULT_CONFIG_PATH)]) == 0


HEAVY = ("sqlalchemy", "pulp", "openpyxl")


@pytest.mark.parametrize(
    "argv",
    [["--help"], ["--version"], ["validate", "data/demo_applications.xlsx"]],
    ids=["help", "version", "validate"],
)
def test_fast_commands_do_not_load_sqlalchemy_pulp_or_openpyxl(argv: list[str]) -> None:
    """`--help`, `--version` and `validate` start fast: no database, solver or workbook writer."""
    code = (
        "import contextlib, io, sys\n"
        "from selector.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n"
        f"        code = main({argv!r})\n"
        "    except SystemExit as exc:\n"
        "        code = exc.code\n"
        "assert code == 0, code\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    )
    assert out.stdout.strip() == "", f"{argv} loaded {out.stdout.strip()}"


def test_the_cli_constants_agree_with_the_modules_it_does_not_import() -> None:
    from selector.commands import _common, demo
    from selector.demo import DEMO_SEED
    from selector.store import DEFAULT_PATH

    assert _common.DEFAULT_DB_PATH == DEFAULT_PATH
    assert demo.DEMO_SEED == DEMO_SEED
