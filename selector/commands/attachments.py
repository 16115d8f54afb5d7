"""`attachments import`: a form tool's zip of applicants' files (CV, statement, letter) into
a cycle."""

from __future__ import annotations

import argparse

from selector.commands._common import (
    LISTED,
    Subparsers,
    actions,
    db_command,
    open_store,
    print_json,
)


def register(sub: Subparsers) -> None:
    group = actions(
        sub.add_parser("attachments", help="import applicants' files (CV, statement, letter)"),
        "attachments_command",
    )
    p = db_command(
        group,
        "import",
        run_import,
        help="import a zip of applicants' files into a cycle",
        description="Import the files applicants uploaded (PDF, Word .docx, PNG, JPEG; the "
        "kind is read from the content) from a zip in one transaction. Files are matched to "
        "applicants by the layouts form tools write: Qualtrics' download of uploaded files (a "
        "folder per question, the response id first in each name), REDCap's export (the "
        "record id first), or a plain folder with the applicant's e-mail or id in each name. "
        "A file for a question that already holds a different one replaces it (the old one "
        "is kept). The zip is checked against limits before any file is read.",
        with_json=True,
    )
    p.add_argument("file", help="the zip")


PARSERS = {"attachments": register}


def run_import(args: argparse.Namespace) -> int:
    from selector import workflow

    store = open_store(args.db)
    report = workflow.import_attachments(store, store.system_user(), args.cycle, args.file)
    if args.json:
        print_json(report.to_json())
        return 0
    print(
        f"{len(report.matched)} file(s) matched ({len(report.replaced)} replaced an earlier "
        f"one, {len(report.unchanged)} unchanged); {len(report.unmatched)} matched no "
        f"applicant; {len(report.refused)} refused; {len(report.applicants_without)} active "
        "applicant(s) have no file"
    )
    for path in report.unmatched[:LISTED]:
        print(f"  no applicant: {path}")
    for path, why in list(report.refused.items())[:LISTED]:
        print(f"  refused: {path}: {why}")
    if report.applicants_without:
        listed = ", ".join(report.applicants_without[:LISTED])
        more = len(report.applicants_without) - LISTED
        print(f"  without files: {listed}" + (f" and {more} more" if more > 0 else ""))
    return 0
