"""`scores import` (a score file's reviews into a cycle) and `scores export` (every saved
score of a cycle as a long score file)."""

from __future__ import annotations

import argparse

from selector.commands._common import (
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
        description="Read a score file and save its reviews. Every reviewer must have an "
        "account: a row of an unknown reviewer (a mistyped e-mail) is rejected, unless "
        "--create-reviewers, which adds each unknown e-mail address as a reviewer (without a "
        "password). The report lists every rejected row and the reviews saved per reviewer.",
        with_json=True,
    )
    si.add_argument("file", help="score file: .xlsx or .csv")
    si.add_argument(
        "--create-reviewers",
        action="store_true",
        help="add reviewers not yet known (named by e-mail) as accounts without a password",
    )
    si.add_argument(
        "--stage",
        metavar="NAME",
        help="a staged cycle: the stage these scores are of (e.g. interview), on its rubric; "
        "default the first stage",
    )
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
    se.add_argument(
        "--stage",
        metavar="NAME",
        help="a staged cycle: the stage whose scores to write (default the first stage)",
    )


PARSERS = {"scores": register}


def run_import(args: argparse.Namespace) -> int:
    from selector import workflow
    from selector.workflow.scores import rejection_line

    store = open_store(args.db)
    done = workflow.import_scores(
        store,
        store.system_user(),
        args.cycle,
        args.file,
        create_reviewers=args.create_reviewers,
        stage=args.stage,
    )
    if done.refusal is not None:
        if args.json:
            print_json(done.to_json())
        raise done.refusal
    if args.json:
        print_json(done.to_json())
        return 0
    print(f"saved {done.saved} review(s) into cycle {done.cycle}; {len(done.rejected)} rejected")
    for email, n in sorted(done.by_reviewer.items()):
        print(f"  saved {n} review(s) by {email}")
    if done.created_reviewers:
        print(f"  new reviewer accounts (no password): {', '.join(done.created_reviewers)}")
    for item in done.rejected:  # every bad row, not the first few
        print(f"  rejected {rejection_line(item)}")
    return 0


def run_export(args: argparse.Namespace) -> int:
    from selector import workflow
    from selector.roster import output_format

    output_format(args.file, "scores")  # refuse a name it cannot write before opening the store
    store = open_store(args.db)
    done = workflow.export_scores(
        store, store.system_user(), args.cycle, args.file, stage=args.stage
    )
    print(f"wrote {done.scores} score(s) of cycle {done.cycle} to {args.file}")
    return 0
