"""`selector runs list`, `selector runs verify RUN_ID | --latest` and `selector runs
unfinalise`: the recorded runs, each one decided again from its own inputs, and undoing the
final run in force (audited; the final run before it is in force again)."""

from __future__ import annotations

import argparse

from selector.commands._common import Subparsers, actions, db_command, open_store, print_json


def register(sub: Subparsers) -> None:
    runs = db_command(
        sub,
        "runs",
        run_list,
        help="list the recorded selection runs, or verify one (`runs verify RUN_ID`)",
        description="List a cycle's recorded selection runs, newest first; `runs verify` "
        "decides a run again from the inputs it kept and checks its cohort and hash.",
        with_json=True,
    )
    acts = actions(runs, "runs_command", required=False)
    ls = db_command(
        acts, "list", run_list, help="list the recorded runs", with_json=True, inherit=True
    )
    ls.set_defaults(func=run_list)
    v = db_command(
        acts,
        "verify",
        run_verify,
        help="decide a run again from its own inputs; exit 0 when identical, 1 naming what differs",
        description="Decide a recorded run again from the inputs it kept, with its config "
        "snapshot and locks, and check the input hash, the status, the cohort and its total. "
        "Exit 0 when identical, 1 naming what differs. Also says, as information, whether "
        "today's data still matches the run's.",
        with_json=True,
        inherit=True,
    )
    which = v.add_mutually_exclusive_group(required=True)
    which.add_argument("run_id", nargs="?", type=int, metavar="RUN_ID", help="the run's id")
    which.add_argument("--latest", action="store_true", help="the cycle's latest run")
    undo = db_command(
        acts,
        "unfinalise",
        run_unfinalise,
        help="undo the final run in force (audited); the final run before it is in force again",
        inherit=True,
    )
    undo.add_argument("--reason", default="", help="why, for the audit log")


PARSERS = {"runs": register}


def run_list(args: argparse.Namespace) -> int:
    from selector import workflow

    store = open_store(getattr(args, "db", None))
    found = workflow.list_runs(store, store.system_user(), args.cycle)
    if args.json:
        print_json(found)
        return 0
    for r in found:
        print(
            f"run {r['id']:<5} {r['at'][:19]}  {'final ' if r['final'] else '      '}"
            + (f"{r['stage'] or 'cohort':<11}" if any(x["stage"] for x in found) else "")
            + f"{r['status']:<10} {len(r['selected'])} selected  hash {r['input_hash'][:12]}"
            + ("" if r["keeps_inputs"] else "  (inputs not kept)")
            + (f"  (fills declined seats of run {r['fills_run']})" if r["fills_run"] else "")
            + ("  (in force)" if r["in_force"] else "  (unfinalised)" if r["unfinalised"] else "")
        )
    if not found:
        print("no selection runs yet: run `selector select --db ...`")
    return 0


def run_verify(args: argparse.Namespace) -> int:
    from selector import workflow

    store = open_store(getattr(args, "db", None))
    result = workflow.verify_run(
        store, store.system_user(), args.cycle, None if args.latest else args.run_id
    )
    if args.json:
        print_json(result.to_json())
    else:
        if result.identical:
            print(
                f"run {result.run_id} verified: deciding it again from {result.replayed_from} "
                f"gives the same cohort (input hash {result.input_hash})"
            )
        else:
            print(f"run {result.run_id} differs:")
            print("\n".join(f"  - {line}" for line in result.differences))
        print(
            "today's data still matches this run"
            if result.data_current
            else "today's data no longer matches this run (applications, reviews or rules "
            "changed since)"
        )
    return 0 if result.identical else 1


def run_unfinalise(args: argparse.Namespace) -> int:
    from selector import workflow

    store = open_store(getattr(args, "db", None))
    undone = workflow.unfinalise(store, store.system_user(), args.cycle, args.reason)
    now = next((r.id for r in store.runs(store.system_user(), args.cycle) if r.final), None)
    print(
        f"run {undone} is no longer final; "
        + (f"final run {now} is in force again" if now else "no run is final now")
    )
    return 0
