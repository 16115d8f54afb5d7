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
from typing import TYPE_CHECKING

from selector.commands._common import DEFAULT_DB_PATH, Subparsers, open_store

if TYPE_CHECKING:
    from selector.selection import Decision


def register(sub: Subparsers) -> None:
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
    p.add_argument(
        "--robustness",
        type=int,
        metavar="N",
        help="also resample the reviews N times (bootstrap over reviewers) and report how "
        "often each applicant is selected",
    )
    p.add_argument(
        "--seed",
        metavar="S",
        help="the bootstrap's seed (default: a fresh one, printed and recorded)",
    )
    p.set_defaults(func=run)


PARSERS = {"select": register}


def run(args: argparse.Namespace) -> int:
    from selector import workflow
    from selector.config import loads_config, read_config_text
    from selector.errors import InputError
    from selector.roster import output_format

    config_text = read_config_text(args.config)
    config = loads_config(config_text, args.config)
    if args.out:
        output_format(args.out)  # refuse a roster name it cannot write before solving
    locks = {
        "include": args.include,
        "exclude": args.exclude,
        "solver": args.solver,
        "robustness": args.robustness,
        "seed": args.seed,
    }
    rejected_rows = 0
    if args.applications is None:
        if args.db is None and not os.environ.get("SELECTOR_DB") and not DEFAULT_DB_PATH.exists():
            raise InputError(
                "select_no_input",
                "give --applications and --scores, or a database (--db URL or SELECTOR_DB)",
            )
        store = open_store(args.db)
        done = workflow.decide_cycle(
            store,
            store.system_user(),
            args.cycle,
            config,
            config_text,
            roster=args.out,
            roster_inputs={Path(args.config).name: config_text.encode("utf-8")},
            config_source=args.config,
            **locks,
        )
        decision, found, lottery = done.decision, done.robustness, done.lottery
    else:
        if args.scores is None:
            raise InputError("select_no_scores", "--scores is required with --applications")
        on_files = workflow.decide_files(
            config,
            config_text,
            args.config,
            args.applications,
            args.scores,
            roster=args.out,
            **locks,
        )
        decision, rejected_rows = on_files.decision, on_files.rejected_rows
        found, lottery = on_files.robustness, on_files.lottery
    if rejected_rows:  # after every check, so an error is still the only line on stderr
        print(
            f"selector: warning: {rejected_rows} application row(s) rejected by intake "
            f"(run `selector validate {args.applications}`)",
            file=sys.stderr,
        )
    if args.json:
        print(json.dumps(workflow.decision_json(decision, found, lottery), ensure_ascii=False))
    else:
        print(report(decision))
        if found is not None:
            names = {a: p.name for a, p in decision.applicants.items()}
            print("\n".join(found.summary(names)))
        if lottery is not None:
            print(f"lottery: {lottery.text()}")
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
