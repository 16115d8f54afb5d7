"""`runs list` (a cycle's recorded selection runs, newest first) and `runs unfinalise` (undo
the final run in force, audited; the final run before it is in force again)."""

from __future__ import annotations

import argparse

from selector.commands._common import Subparsers, actions, db_command, open_store, print_json


def register(sub: Subparsers) -> None:
    runs = sub.add_parser(
        "runs",
        help="list a cycle's selection runs, or undo its finalisation",
        description="List a cycle's recorded selection runs (newest first; which one is "
        "final), or undo the final run in force (`runs unfinalise`): the run is kept, no "
        "longer final, and the undoing is in the audit log.",
    )
    found = actions(runs, "runs_command")
    db_command(
        found,
        "list",
        run_list,
        help="list the cycle's selection runs, newest first",
        with_json=True,
    )
    undo = db_command(
        found,
        "unfinalise",
        run_unfinalise,
        help="undo the final run in force (audited); the final run before it is in force again",
    )
    undo.add_argument("--reason", default="", help="why, for the audit log")


PARSERS = {"runs": register}


def run_list(args: argparse.Namespace) -> int:
    store = open_store(args.db)
    runs = store.runs(store.system_user(), args.cycle)
    in_force = next((r.id for r in runs if r.final), None)
    if args.json:
        print_json(
            [
                {
                    "id": r.id,
                    "at": r.at.isoformat(),
                    "by": r.actor,
                    "final": r.final,
                    "in_force": r.id == in_force,
                    "unfinalised": r.unfinalised,
                    "selected": r.decision.get("selected") or [],
                    "input_hash": r.input_hash,
                }
                for r in runs
            ]
        )
        return 0
    for r in runs:
        state = "final (in force)" if r.id == in_force else "final" if r.final else ""
        state = "unfinalised" if r.unfinalised else state
        print(
            f"run {r.id:<5} {r.at:%Y-%m-%d %H:%M}  {r.actor:<24} "
            f"{len(r.decision.get('selected') or []):>3} selected  {state}".rstrip()
        )
    if not runs:
        print("no selection runs yet: `selector select` records one")
    return 0


def run_unfinalise(args: argparse.Namespace) -> int:
    from selector import workflow

    store = open_store(args.db)
    undone = workflow.unfinalise(store, store.system_user(), args.cycle, args.reason)
    now = next((r.id for r in store.runs(store.system_user(), args.cycle) if r.final), None)
    print(
        f"run {undone} is no longer final; "
        + (f"final run {now} is in force again" if now else "no run is final now")
    )
    return 0
