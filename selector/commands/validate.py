"""`selector validate FILE`: read an applications export and report what intake made of it."""

from __future__ import annotations

import argparse
import json

from selector.errors import InputError
from selector.intake import MAPPABLE_FIELDS, IntakeResult, read_applications


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "validate",
        help="check an applications export (.xlsx/.csv) and list rejected rows and warnings",
        description="Read an applications export as intake would and report every problem "
        "with its sheet row. Exit 0 when the file was read (even with rejected rows), "
        "2 when it cannot be read.",
    )
    p.add_argument("file", help="the export: .xlsx or .csv")
    add_map_argument(p)
    p.add_argument("--json", action="store_true", help="print one JSON object instead")
    p.set_defaults(func=run)


def add_map_argument(p: argparse.ArgumentParser) -> None:
    """The ``--map FIELD=HEADER`` option, shared by every command that runs intake."""
    p.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="FIELD=HEADER",
        help=f"use the column HEADER for FIELD ({', '.join(MAPPABLE_FIELDS)}); repeatable",
    )


def parse_map(items: list[str]) -> dict[str, str]:
    """``["pgy=Training level"]`` → ``{"pgy": "Training level"}``."""
    mapping: dict[str, str] = {}
    for item in items:
        name, sep, header = item.partition("=")
        if not sep or not name.strip() or not header.strip():
            raise InputError("mapping_malformed", f"--map {item!r}: expected FIELD=HEADER")
        mapping[name.strip()] = header.strip()
    return mapping


def run(args: argparse.Namespace) -> int:
    result = read_applications(args.file, mapping=parse_map(args.map))
    if args.json:
        print(json.dumps(result.to_json(), ensure_ascii=False))
    else:
        print(report(result))
    return 0


def report(result: IntakeResult) -> str:
    """A readable report: the counts, the column mapping, then one line per problem."""
    dupes = len(result.duplicates)
    lines = [
        f"{result.file} ({result.format}): {result.rows} data rows",
        f"  accepted    {len(result.accepted)}",
        f"  rejected    {len(result.rejected)}",
        f"  duplicates  {dupes} (earlier submissions superseded)",
        f"  warnings    {len(result.warnings) - dupes}",
        "",
        "Columns:",
    ]
    lines += [f"  {name:<14} ← {header}" for name, header in result.mapping.items()]
    problems = result.problems()
    if not problems:
        found = "No problems found." if result.rows else "No data rows below the header."
        lines += ["", found]
        return "\n".join(lines)
    rows = [(str(p.row or ""), p.location.cell or "", p.severity, p.message) for p in problems]
    widths = [max(len(r[i]) for r in [("row", "cell", "severity", ""), *rows]) for i in range(3)]
    lines += ["", "Problems:"]
    head = ("row", "cell", "severity", "problem")
    for r in [head, *rows]:
        lines.append("  " + "  ".join(r[i].ljust(widths[i]) for i in range(3)) + "  " + r[3])
    return "\n".join(lines)
