"""`scores import` (a score file's reviews into a cycle) and `scores export` (every saved
score of a cycle as a long score file)."""

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
    scores = actions(
        sub.add_parser("scores", help="import or export reviewers' scores"), "scores_command"
    )
    si = db_command(
        scores,
        "import",
        run_import,
        help="save the reviews in a score file (long or wide) into a cycle",
        description="Read a score file and save its reviews. Reviewers named by an e-mail "
        "address that is not yet a user are created as reviewers (without a password).",
        with_json=True,
    )
    si.add_argument("file", help="score file: .xlsx or .csv")
    se = db_command(
        scores,
        "export",
        run_export,
        help="write every review of a cycle as a long score file (.csv or .xlsx)",
        description="Write applicant_id, reviewer, criterion, score, comment rows for every "
        "saved score (drafts included); declared conflicts of interest are left out. "
        "`selector scores import` reads the file back.",
    )
    se.add_argument("file", help="output file (.csv, or .xlsx)")


PARSERS = {"scores": register}


def run_import(args: argparse.Namespace) -> int:
    from selector import workflow
    from selector.workflow.scores import rejection_line

    store = open_store(args.db)
    done = workflow.import_scores(store, store.system_user(), args.cycle, args.file)
    if done.refusal is not None:
        if args.json:
            print_json(done.to_json())
        raise done.refusal
    if args.json:
        print_json(done.to_json())
        return 0
    print(f"saved {done.saved} review(s) into cycle {done.cycle}; {len(done.rejected)} rejected")
    for item in done.rejected[:LISTED]:
        print(f"  {rejection_line(item)}")
    if len(done.rejected) > LISTED:
        print(f"  ... and {len(done.rejected) - LISTED} more rejected row(s) (see --json)")
    return 0


def run_export(args: argparse.Namespace) -> int:
    from selector import workflow
    from selector.roster import output_format

    output_format(args.file, "scores")  # refuse a name it cannot write before opening the store
    store = open_store(args.db)
    done = workflow.export_scores(store, store.system_user(), args.cycle, args.file)
    print(f"wrote {done.scores} score(s) of cycle {done.cycle} to {args.file}")
    return 0
