"""What the command modules share: the database options, ``ACTION`` subcommands, JSON output,
``--map``. Imports nothing heavy: the CLI registers every parser on each start."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from selector.store import Store

#: How many rows of a long list the text output shows (``--json`` has them all).
LISTED = 10

#: The default database file, as ``selector.store.DEFAULT_PATH`` (not imported here: it
#: loads SQLAlchemy; tests/test_cli.py checks the two agree).
DEFAULT_DB_PATH = Path("var") / "selector.db"
DB_HELP = f"database URL (default: $SELECTOR_DB, else sqlite:///{DEFAULT_DB_PATH})"

Subparsers = argparse._SubParsersAction


def db_command(
    sub: Subparsers,
    name: str,
    func: Callable[[argparse.Namespace], int],
    help: str,
    description: str | None = None,
    *,
    cycle: bool = True,
    with_json: bool = False,
    inherit: bool = False,
) -> argparse.ArgumentParser:
    """A database command: its parser with ``--db`` (``--cycle``; ``--json`` when asked) and
    the function it runs; ``inherit`` leaves a parent parser's ``--db`` value in place."""
    p: argparse.ArgumentParser = sub.add_parser(name, help=help, description=description)
    p.add_argument(
        "--db", metavar="URL", default=argparse.SUPPRESS if inherit else None, help=DB_HELP
    )
    if cycle:
        p.add_argument("--cycle", default=None, help="cycle name (default: the newest cycle)")
    if with_json:
        p.add_argument("--json", action="store_true", help="print one JSON object instead")
    p.set_defaults(func=func)
    return p


def actions(parser: argparse.ArgumentParser, dest: str, required: bool = True) -> Any:
    """The ACTION subcommands of a command such as `scores` or `users`."""
    found = parser.add_subparsers(dest=dest, metavar="ACTION")
    found.required = required
    return found


def print_json(obj: Any) -> None:
    print(json.dumps(obj, ensure_ascii=False, default=str))


def positive(text: str) -> float:
    """An argparse type: a finite number above 0 (a share of the score scale)."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (0 < value < math.inf):
        raise argparse.ArgumentTypeError(f"{text!r} is not a number above 0")
    return value


def iso_date(text: str) -> dt.date:
    """An argparse type: a date as YYYY-MM-DD."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def open_store(url: str | None) -> Store:
    """The store of ``--db`` (else ``$SELECTOR_DB``, else the default file), as the system
    user: whoever holds the database URL holds every right."""
    from selector.store import Store

    store = Store(url)
    _OPENED.append(store)
    return store


#: The stores this CLI run opened, closed by :func:`close_stores` when the command ends (an
#: embedded caller, such as a test running many commands in one process, keeps no
#: connections open).
_OPENED: list[Store] = []


def close_stores() -> None:
    """Close every store the command opened."""
    while _OPENED:
        _OPENED.pop().close()


def add_map_argument(p: argparse.ArgumentParser) -> None:
    """The ``--map FIELD=HEADER`` option, shared by every command that runs intake."""
    from selector.intake import MAPPABLE_FIELDS

    p.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="FIELD=HEADER",
        help=f"use the column HEADER for FIELD ({', '.join(MAPPABLE_FIELDS)}); repeatable",
    )


def parse_map(items: list[str]) -> dict[str, str]:
    """``["pgy=Training level"]`` → ``{"pgy": "Training level"}``."""
    from selector.errors import InputError

    mapping: dict[str, str] = {}
    for item in items:
        name, sep, header = item.partition("=")
        if not sep or not name.strip() or not header.strip():
            raise InputError("mapping_malformed", f"--map {item!r}: expected FIELD=HEADER")
        mapping[name.strip()] = header.strip()
    return mapping
