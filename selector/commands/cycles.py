"""`cycles` (list them, newest first) and `cycles create NAME` (with a track config)."""

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
    cc = db_command(
        actions(cycles, "cycles_command", required=False),
        "create",
        run_create,
        help="create a cycle with a track config",
        cycle=False,
        inherit=True,
    )
    cc.add_argument("name", help="cycle name, e.g. 2026")
    cc.add_argument("--config", default=None, help="track config (.toml)")


PARSERS = {"cycles": register}


def run_list(args: argparse.Namespace) -> int:
    store = open_store(args.db)
    cycles = store.cycles()
    if args.json:
        print_json(
            [
                {
                    "name": c.name,
                    "created_at": c.created_at.isoformat(),
                    "blind": c.blind,
                    "avoid_own_program": c.avoid_own_program,
                }
                for c in cycles
            ]
        )
        return 0
    for c in cycles:
        print(f"{c.name:<12} created {c.created_at:%Y-%m-%d}" + ("  (blind)" if c.blind else ""))
    if not cycles:
        print("no cycles yet: `selector import FILE` creates one")
    return 0


def run_create(args: argparse.Namespace) -> int:
    from selector import workflow
    from selector.config import DEFAULT_CONFIG_PATH

    path = args.config or str(DEFAULT_CONFIG_PATH)
    text = workflow.read_config(path)  # names the file in any error, before the store opens
    store = open_store(args.db)
    cycle = workflow.create_cycle(store, store.system_user(), args.name, text)
    print(f"created cycle {cycle.name} with {path}")
    return 0
