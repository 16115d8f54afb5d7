"""`cycles` (list them, newest first), `cycles create NAME` (from the previous cycle of its
track, or a track config) and `cycles composition` (each cohort of the track, year over
year)."""

from __future__ import annotations

import argparse

from selector.commands._common import Subparsers, actions, db_command, open_store, print_json


def register(sub: Subparsers) -> None:
    cycles = db_command(
        sub,
        "cycles",
        run_list,
        help="list cycles (newest first), or `cycles create NAME` to add one",
        cycle=False,
        with_json=True,
    )
    sub_actions = actions(cycles, "cycles_command", required=False)
    cc = db_command(
        sub_actions,
        "create",
        run_create,
        help="create a cycle, from the previous cycle of its track or a track config",
        cycle=False,
        inherit=True,
    )
    cc.add_argument("name", help="cycle name, e.g. 2026")
    cc.add_argument(
        "--from",
        dest="from_cycle",
        default=None,
        metavar="CYCLE",
        help="the cycle to start from: its track and (without --config) its config "
        "(default: the newest cycle of the track)",
    )
    cc.add_argument(
        "--track", default=None, help="the track to join (default: the previous cycle's)"
    )
    cc.add_argument(
        "--config",
        default=None,
        help="track config (.toml) (default: the previous cycle's; the bundled one for a "
        "first cycle)",
    )
    comp = db_command(
        sub_actions,
        "composition",
        run_composition,
        help="the composition of each cohort of a track (specialty, PGY, program)",
        cycle=False,
        inherit=True,
    )
    comp.add_argument("--track", default=None, help="track name (default: the newest cycle's)")
    comp.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS, help="print JSON instead"
    )


PARSERS = {"cycles": register}


def run_list(args: argparse.Namespace) -> int:
    store = open_store(args.db)
    cycles = store.cycles()
    if args.json:
        print_json(
            [
                {
                    "name": c.name,
                    "track": c.track,
                    "created_at": c.created_at.isoformat(),
                    "blind": c.blind,
                    "avoid_own_program": c.avoid_own_program,
                }
                for c in cycles
            ]
        )
        return 0
    for c in cycles:
        print(
            f"{c.name:<12} created {c.created_at:%Y-%m-%d}  track {c.track}"
            + ("  (blind)" if c.blind else "")
        )
    if not cycles:
        print("no cycles yet: `selector import FILE` creates one")
    return 0


def run_create(args: argparse.Namespace) -> int:
    from selector import workflow

    # A config file is read and checked first: its errors name the file, before the store opens.
    text = workflow.read_config(args.config) if args.config else None
    store = open_store(args.db)
    cycle = workflow.create_cycle(
        store,
        store.system_user(),
        args.name,
        text,
        from_cycle=args.from_cycle,
        track=args.track,
    )
    print(f"created cycle {cycle.name} in track {cycle.track!r}")
    return 0


def run_composition(args: argparse.Namespace) -> int:
    from selector import workflow

    store = open_store(args.db)
    found = workflow.composition(store, store.system_user(), args.track)
    if getattr(args, "json", False):
        print_json(found.to_json())
        return 0
    print(f"track {found.track}")
    for c in found.cohorts:
        print(f"{c.cycle}: {c.size} member(s)")
        for field, title in workflow.COMPOSITION_FIELDS.items():
            counts = ", ".join(f"{v} {n}" for v, n in c.counts[field].items()) or "-"
            print(f"  {title}: {counts}")
    return 0
