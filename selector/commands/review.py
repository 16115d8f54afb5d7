"""`assign` (reviewers to applicants) and `calibrate` (how well the reviewers agree)."""

from __future__ import annotations

import argparse

from selector.commands._common import (
    LISTED,
    Subparsers,
    db_command,
    open_store,
    positive,
    print_json,
)


def register_assign(sub: Subparsers) -> None:
    a = db_command(
        sub,
        "assign",
        run_assign,
        help="assign k reviewers per applicant, balanced, avoiding own program and conflicts",
        description="(Re)assign reviewers: k per applicant, loads within one of each other, "
        "no reviewer from the applicant's own program (when the cycle says so), declared "
        "conflicts and manual overrides respected, started reviews kept.",
        with_json=True,
    )
    a.add_argument("--k", type=int, default=None, help="reviewers per applicant (default: config)")
    a.add_argument(
        "--stage",
        metavar="NAME",
        help="a staged cycle: the stage to assign (e.g. interview: the shortlisted only); "
        "default the first stage",
    )


def register_calibrate(sub: Subparsers) -> None:
    cal = db_command(
        sub,
        "calibrate",
        run_calibrate,
        help="inter-rater reliability, reviewer leniency, disagreements to discuss",
        with_json=True,
    )
    cal.add_argument(
        "--threshold", type=positive, default=None, help="disagreement threshold (share of scale)"
    )


PARSERS = {"assign": register_assign, "calibrate": register_calibrate}


def run_assign(args: argparse.Namespace) -> int:
    store = open_store(args.db)
    report = store.assign(store.system_user(), args.cycle, k=args.k, stage=args.stage)
    if args.json:
        print_json(report.to_json())
        return 0
    data = report.to_json()
    print(
        f"{data['assignments']} assignment(s): {data['added']} added, {data['removed']} removed; "
        f"loads differ by {data['load_spread']}"
    )
    for email, load in sorted(report.loads.items()):
        print(f"  {email:<40} {load}")
    short = list(report.short.items())
    for applicant_id, missing in short[:LISTED]:
        print(f"  {applicant_id}: {missing} reviewer(s) short (too few allowed reviewers)")
    if len(short) > LISTED:
        print(f"  ... and {len(short) - LISTED} more applicants short of reviewers (see --json)")
    for line in report.warnings:
        print(f"warning: {line}")
    return 0


def run_calibrate(args: argparse.Namespace) -> int:
    from selector.calibration import calibrate

    store = open_store(args.db)
    cycle = store.cycle(args.cycle)
    _, reviews = store.selection_inputs(store.system_user(), cycle.name)
    result = calibrate(reviews, cycle.config, args.threshold)
    if args.json:
        print_json(result.to_json())
        return 0
    rel = result.reliability

    def fmt(x: float | None) -> str:
        return "n/a" if x is None else f"{x:.2f}"

    print(
        f"cycle {cycle.name}: ICC(1) {fmt(rel.icc1)}, Krippendorff's alpha {fmt(rel.alpha)} "
        f"over {rel.applicants} applicants with 2+ reviews"
    )
    for s in result.reviewers:
        print(
            f"  {s.reviewer:<40} {s.reviews:>4} reviews  mean {s.mean:6.2f}  "
            f"leniency {fmt(s.leniency)}"
        )
    for d in result.disagreements:
        totals = ", ".join(f"{t:g}" for t in d.totals.values())
        print(
            f"  discuss {d.applicant_id}: totals {totals} "
            f"(spread {d.spread:.0%}, most on {d.criterion})"
        )
    return 0
