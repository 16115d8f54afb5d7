"""The command-line face of selector: parses arguments, calls one domain function, prints.

Each command group lives in ``selector/commands/<group>.py``: its ``PARSERS`` maps each
command to a function that adds its parser and sets ``func``, the function that runs it. A
command module imports only argparse and light helpers at its top; what a command needs
(intake, the store, the solver, openpyxl) it imports when it runs, so ``selector --help`` and
``selector validate`` never load SQLAlchemy, PuLP or openpyxl.

Errors become one line on stderr and a non-zero exit code: 2 for bad input, 3 for an
infeasible selection, 4 for a refused permission, 1 for an unexpected error (its class and a
hint only: its text may quote applicant data; ``--debug`` shows all).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from selector import __version__
from selector.commands._common import close_stores
from selector.errors import SelectorError, describe_unexpected

#: Each command (as `selector --help` lists them, in order) and its module in
#: ``selector/commands/``; a command with ACTIONs (`scores import`) registers them itself,
#: `backup` registers `restore` and `config-schema` registers `check-config` beside it.
COMMANDS: tuple[tuple[str, str], ...] = (
    ("validate", "applications"),
    ("select", "select"),
    ("import", "applications"),
    ("applicants", "applications"),
    ("attachments", "attachments"),
    ("scores", "scores"),
    ("users", "users"),
    ("start", "users"),
    ("cycles", "cycles"),
    ("assign", "review"),
    ("calibrate", "review"),
    ("roster", "roster"),
    ("runs", "runs"),
    ("offers", "offers"),
    ("report", "report"),
    ("letters", "letters"),
    ("backup", "backup"),
    ("demo", "demo"),
    ("config-schema", "config"),
)

#: The command modules, one per command group.
COMMAND_MODULES: tuple[str, ...] = tuple(dict.fromkeys(module for _, module in COMMANDS))


class _Parser(argparse.ArgumentParser):
    """argparse that exits 2 with one line (its default is usage + a line, also exit 2)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"selector: error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="selector",
        description="Review applications and pick a cohort: intake, scoring, selection, roster.",
    )
    parser.add_argument("--version", action="version", version=f"selector {__version__}")
    parser.add_argument(
        "--debug", action="store_true", help="show a traceback for unexpected errors"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for command, name in COMMANDS:
        importlib.import_module(f"selector.commands.{name}").PARSERS[command](sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.func(args)
        return code
    except SelectorError as exc:
        print(f"selector: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("selector: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader of our output went away (`selector ... | head`): stop quietly, and point
        # stdout at /dev/null so the interpreter's final flush does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except Exception as exc:  # no traceback, and not the exception's text, unless asked for
        if args.debug or os.environ.get("SELECTOR_DEBUG"):
            raise
        print(
            f"selector: internal error: {describe_unexpected(exc)} (run with --debug for details)",
            file=sys.stderr,
        )
        return 1
    finally:
        close_stores()
