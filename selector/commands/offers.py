"""`selector offers create|record|plan|fill|list`: a seat offered to each member of the final
run, the answers, and the offers that fill declined seats under the same rules.

Exit 0 on success, 2 on bad input, 3 when the declined seats cannot be filled under the rules
(the diagnosis is printed), 4 when the acting role may not make offers.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from selector.commands._common import (
    Subparsers,
    actions,
    db_command,
    iso_date,
    open_store,
    print_json,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from selector.store import Offer
    from selector.workflow.offers import Plan


def register(sub: Subparsers) -> None:
    offers = sub.add_parser(
        "offers",
        help="offer seats from the final run, record answers, fill declined seats",
        description="Offers after the decision: `create` offers a seat to each member of the "
        "cycle's final run; `record` an answer; `plan` shows who would take the declined "
        "seats under the same rules; `fill` makes those offers; `list` shows them all.",
    )
    acts = actions(offers, "offers_command")
    create = db_command(
        acts,
        "create",
        run_create,
        help="offer a seat to each member of the cycle's latest final run",
        with_json=True,
    )
    create.add_argument("--deadline", type=iso_date, metavar="DATE", help="answer by (YYYY-MM-DD)")
    record = db_command(
        acts,
        "record",
        run_record,
        help="record an applicant's answer: --accepted, --declined or --withdrawn",
        with_json=True,
    )
    record.add_argument("applicant_id", metavar="ID", help="the applicant's id")
    answer = record.add_mutually_exclusive_group(required=True)
    for status in ("accepted", "declined", "withdrawn"):
        answer.add_argument(
            f"--{status}",
            dest="status",
            action="store_const",
            const=status,
            help=f"the applicant {status}",
        )
    record.add_argument(
        "--no-answer",
        action="store_true",
        help="with --declined: no answer came by the deadline (recorded as such)",
    )
    db_command(
        acts,
        "plan",
        run_plan,
        help="show who would take the declined seats, and that every rule is still met",
        with_json=True,
    )
    fill = db_command(
        acts,
        "fill",
        run_fill,
        help="make the offers the plan needs (recorded as a run); --dry-run only shows it",
        with_json=True,
    )
    fill.add_argument("--deadline", type=iso_date, metavar="DATE", help="answer by (YYYY-MM-DD)")
    fill.add_argument("--dry-run", action="store_true", help="show the plan, make no offer")
    db_command(acts, "list", run_list, help="list the cycle's offers", with_json=True)


PARSERS = {"offers": register}


def _print_offers(found: Sequence[Offer]) -> None:
    for o in found:
        extra = "" if o.replaces is None else f"  replaces {o.replaces}"
        silent = " (no answer)" if o.no_answer else ""
        deadline = "-" if o.deadline is None else o.deadline.isoformat()
        print(
            f"{o.applicant_id:<10} {o.name[:30]:<30} {o.status + silent:<22} "
            f"offered {o.offered_at:%Y-%m-%d}  deadline {deadline}{extra}"
        )


def run_create(args: argparse.Namespace) -> int:
    from selector import workflow

    store = open_store(args.db)
    made = workflow.create_offers(store, store.system_user(), args.cycle, args.deadline)
    if args.json:
        print_json([o.to_json() for o in made])
    else:
        print(f"{len(made)} offer(s) made from run {made[0].run_id}:")
        _print_offers(made)
    return 0


def run_record(args: argparse.Namespace) -> int:
    from selector import workflow

    store = open_store(args.db)
    offer = workflow.record_answer(
        store,
        store.system_user(),
        args.cycle,
        args.applicant_id,
        args.status,
        no_answer=args.no_answer,
    )
    if args.json:
        print_json(offer.to_json())
    else:
        silent = " (no answer by the deadline)" if offer.no_answer else ""
        print(f"{offer.applicant_id}: {offer.status}{silent}")
    return 0


def _show_plan(
    plan: Plan, as_json: bool, made: Sequence[Offer] | None = None, run_id: int | None = None
) -> int:
    """Print a plan (and the offers a fill made); exit 3 when it cannot be filled."""
    if as_json:
        out = plan.to_json()
        if made is not None:
            out["run_id"] = run_id
            out["offers"] = [o.to_json() for o in made]
        print_json(out)
    else:
        print("\n".join(plan.lines()))
        if made:
            print(f"{len(made)} offer(s) made; the fill is recorded as run {run_id}")
    if not plan.feasible:
        print("selector: the declined seats cannot be filled under the rules", file=sys.stderr)
        return 3
    return 0


def run_plan(args: argparse.Namespace) -> int:
    from selector import workflow

    store = open_store(args.db)
    return _show_plan(workflow.offer_plan(store, store.system_user(), args.cycle), args.json)


def run_fill(args: argparse.Namespace) -> int:
    from selector import workflow

    store = open_store(args.db)
    done = workflow.fill_offers(
        store, store.system_user(), args.cycle, deadline=args.deadline, dry_run=args.dry_run
    )
    if args.dry_run:
        return _show_plan(done.plan, args.json)
    return _show_plan(done.plan, args.json, done.offers, done.run_id)


def run_list(args: argparse.Namespace) -> int:
    from selector import workflow

    store = open_store(args.db)
    found = workflow.list_offers(store, store.system_user(), args.cycle)
    if args.json:
        print_json([o.to_json() for o in found])
    elif not found:
        print("no offers yet: run `selector offers create`")
    else:
        _print_offers(found)
    return 0
