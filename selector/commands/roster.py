"""`selector roster`: write the roster of a cycle's final (else latest) selection run."""

from __future__ import annotations

import argparse

from selector.commands._common import Subparsers, db_command, open_store


def register(sub: Subparsers) -> None:
    r = db_command(
        sub,
        "roster",
        run,
        help="write the roster of the final (else the latest) selection run (.xlsx or .csv)",
        description="Write the roster of the cycle's latest final selection run (else its "
        "latest run), decided again from that run's config snapshot and locks (--include, "
        "--exclude) on the stored data (refused if the data changed since; run `selector "
        "select` again). With --config, decide now with that config, without locks, and "
        "record the run.",
    )
    r.add_argument("--out", required=True, metavar="FILE", help="roster file (.xlsx or .csv)")
    r.add_argument("--config", default=None, help="decide now with this track config")


PARSERS = {"roster": register}


def run(args: argparse.Namespace) -> int:
    from selector import workflow
    from selector.roster import output_format

    output_format(args.out)
    # A broken config fails before the database opens.
    own_text = workflow.read_config(args.config) if args.config else None
    store = open_store(args.db)
    done = workflow.roster_of_final_run(
        store,
        store.system_user(),
        args.cycle,
        args.out,
        config_text=own_text,
        config_name=args.config,
    )
    decision = done.decision
    print(
        f"wrote the roster of cycle {done.cycle}, {done.source} ({len(decision.selected)} "
        f"selected) to {args.out}"
    )
    if decision.status != "optimal":
        print("no cohort satisfies the rules:")
        print("\n".join(f"  - {line}" for line in decision.diagnosis))
        return 3
    return 0
