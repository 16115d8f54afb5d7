"""`selector select`: pick the cohort from files (or the database) and explain it.

Exit 0 when an optimal cohort is found, 3 when the rules cannot be met (the diagnosis is
printed, and with ``--json`` the JSON object still is), 2 on bad input.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from selector.config import loads_config, read_config_text
from selector.errors import InputError, Location
from selector.models import Applicant, Review
from selector.roster import output_format, write_roster
from selector.selection import Decision, decide
from selector.tables import read_bytes


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg, unused-ignore]
    p = sub.add_parser(
        "select",
        help="pick the optimal cohort and explain it (margins, replacements, rule prices)",
        description="Read applications, scores and a track config; solve the selection "
        "integer program; print the cohort with its explanations. Exit 0 when optimal, "
        "3 when no cohort satisfies the rules (with a diagnosis), 2 on bad input.",
    )
    p.add_argument("--applications", metavar="FILE", help="applications export (.xlsx/.csv)")
    p.add_argument("--scores", metavar="FILE", help="reviewer scores (.xlsx/.csv), long or wide")
    p.add_argument("--config", metavar="FILE", required=True, help="track config (.toml)")
    p.add_argument(
        "--include",
        nargs="+",
        action="extend",
        default=[],
        metavar="ID",
        help="lock these applicants into the cohort",
    )
    p.add_argument(
        "--exclude",
        nargs="+",
        action="extend",
        default=[],
        metavar="ID",
        help="lock these applicants out of the cohort",
    )
    p.add_argument("--out", metavar="ROSTER", help="write the roster: .xlsx workbook or .csv")
    p.add_argument("--json", action="store_true", help="print exactly one JSON object")
    p.add_argument(
        "--solver", choices=["highs", "cbc"], default="highs", help="MIP solver (default highs)"
    )
    p.add_argument(
        "--db",
        metavar="URL",
        help="without --applications: decide on the stored cycle of this database "
        "(default $SELECTOR_DB, else var/selector.db)",
    )
    p.add_argument("--cycle", metavar="NAME", help="the cycle in the database (default: newest)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    config_text = read_config_text(args.config)
    config = loads_config(config_text, args.config)
    if args.out:
        output_format(args.out)  # refuse a roster name it cannot write before solving
    inputs = {Path(args.config).name: config_text.encode("utf-8")}
    store = None
    digest: str | None = None
    rejected_rows = 0
    applicants: list[Applicant]
    reviews: list[Review]
    if args.applications is None:
        from selector.store import DEFAULT_PATH, Store, input_hash

        if args.db is None and not os.environ.get("SELECTOR_DB") and not DEFAULT_PATH.exists():
            raise InputError(
                "select_no_input",
                "give --applications and --scores, or a database (--db URL or SELECTOR_DB)",
            )
        store = Store(args.db)
        actor = store.system_user()
        applicants, reviews = store.selection_inputs(actor, args.cycle)
        digest = input_hash(applicants, reviews, config_text)
    else:
        if args.scores is None:
            raise InputError("select_no_scores", "--scores is required with --applications")
        from selector.intake import read_applications
        from selector.scorefile import read_scores

        app_bytes = read_bytes(args.applications)[0]
        score_bytes = read_bytes(args.scores)[0]
        inputs[Path(args.applications).name] = app_bytes
        inputs[Path(args.scores).name] = score_bytes
        intake = read_applications(app_bytes, filename=args.applications)
        applicants = intake.accepted
        rejected_rows = len(intake.rejected)
        if not applicants:
            raise InputError(
                "applications_empty",
                f"no valid application in the file ({rejected_rows} rejected row(s); "
                f"run `selector validate {args.applications}`)",
                Location(file=args.applications),
            )
        result = read_scores(score_bytes, config, applicants, filename=args.scores)
        if result.errors:
            first = result.errors[0]
            where = first.location
            notes = [f"cell {where.cell}"] if where.cell else []
            if len(result.errors) > 1:
                notes.append(f"and {len(result.errors) - 1} more problem(s) in the file")
            # "file, row N, column 'X': message (cell D7, ...)": the row is named in words.
            raise InputError(
                first.code,
                first.message + (f" ({'; '.join(notes)})" if notes else ""),
                Location(file=where.file, row=where.row, column=where.column),
            )
        reviews = result.reviews
    decision = decide(
        applicants,
        reviews,
        config,
        include=args.include,
        exclude=args.exclude,
        solver=args.solver,
    )
    if args.out:  # before recording the run, so a failed write records nothing
        write_roster(decision, args.out, inputs=inputs, config_text=config_text)
    if store is not None:
        store.record_run(
            store.system_user(),
            args.cycle,
            config_text=config_text,
            decision=decision,
            input_hash=digest,
        )
    if rejected_rows:  # after every check, so an error is still the only line on stderr
        print(
            f"selector: warning: {rejected_rows} application row(s) rejected by intake "
            f"(run `selector validate {args.applications}`)",
            file=sys.stderr,
        )
    if args.json:
        print(json.dumps(decision.to_json(), ensure_ascii=False))
    else:
        print(report(decision))
        if args.out:
            print(f"roster written to {args.out}")
    return 0 if decision.status == "optimal" else 3


def report(d: Decision) -> str:
    """A readable summary: the cohort with margins and replacements, then the rest."""
    lines: list[str] = []
    if d.status == "optimal":
        lines.append(f"optimal cohort of {len(d.selected)}, total score {d.total_score:g}")
        lines.append(f"  {'id':<12} {'score':>8} {'margin':>8}  replacement  name")
        for a in d.selected:
            m = d.margins.get(a)
            lines.append(
                f"  {a:<12} {d.scores.get(a, 0):>8g} {'-' if m is None else f'{m:g}':>8}  "
                f"{d.replacements.get(a) or '-':<11}  {d.applicants[a].name}"
            )
        if d.rule_prices:
            lines.append("rule prices (total score each rule costs):")
            lines += [f"  {k}: {'-' if v is None else f'{v:g}'}" for k, v in d.rule_prices.items()]
        top = d.unconstrained
        lines.append(f"unconstrained top-N total: {top.get('total_score')}")
    else:
        lines.append("no cohort satisfies the rules:")
        lines += [f"  - {line}" for line in d.diagnosis]
    if d.ineligible:
        lines.append(f"not selectable ({len(d.ineligible)}):")
        lines += [f"  {a}: {why}" for a, why in d.ineligible.items()]
    lines += [f"warning: {w}" for w in d.warnings]
    lines.append(f"tie-break: {d.tie_break}")
    return "\n".join(lines)
