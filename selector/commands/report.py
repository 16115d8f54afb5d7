"""`selector report --out decision.pdf [--run RUN_ID]`: the decision report for leadership."""

from __future__ import annotations

import argparse

from selector.commands._common import Subparsers, db_command, open_store


def register(sub: Subparsers) -> None:
    r = db_command(
        sub,
        "report",
        run,
        help="write the decision report (PDF) of a recorded run",
        description="Write a short PDF for GME leadership: the cohort, its composition, the "
        "rules and their prices, why each applicant not selected is out, how sure each seat "
        "is (bootstrap over reviewers), reliability, the run id and the input hash. The run "
        "(default: the cycle's final run, else its latest) is decided again from its own "
        "inputs.",
    )
    r.add_argument("--out", required=True, metavar="FILE", help="the report (.pdf)")
    r.add_argument(
        "--run", type=int, metavar="RUN_ID", help="the run (default: final, else latest)"
    )


PARSERS = {"report": register}


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from selector import workflow
    from selector.errors import InputError, Location
    from selector.roster import write_output

    if Path(args.out).suffix.lower() != ".pdf":
        raise InputError("report_format", "the report must be .pdf", Location(file=args.out))
    store = open_store(args.db)
    run_id, pdf = workflow.decision_report(store, store.system_user(), args.cycle, args.run)
    write_output(args.out, pdf, "report")
    print(f"wrote the decision report of run {run_id} to {args.out}")
    return 0
