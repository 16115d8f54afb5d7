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
from typing import TYPE_CHECKING, Any

from selector.commands._common import DEFAULT_DB_PATH, Subparsers, open_store

if TYPE_CHECKING:
    from selector.config import TrackConfig
    from selector.selection import Decision
    from selector.selection.lottery import Lottery
    from selector.selection.robustness import Robustness
    from selector.workflow.progress import OpenReviews


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
        "--stage",
        metavar="NAME",
        help="a staged cycle (with --db): decide the first stage's shortlist (e.g. "
        "screening); without it, the cohort is decided among the shortlist in force on the "
        "combined score of every stage",
    )
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
    p.add_argument(
        "--final",
        action="store_true",
        help="on a stored cycle: record the run as the cycle's final selection (as the Roster "
        "page's Finalise; refused while reviews are open unless --confirm-open-reviews); "
        "with --stage: record the shortlist as final, the one the interviews are of",
    )
    p.add_argument(
        "--confirm-open-reviews",
        action="store_true",
        help="with --final: finalise although reviews are still open (each is recorded with "
        "the run)",
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
    open_reviews = None
    staged: dict[str, object] = {}
    if (args.final or args.confirm_open_reviews) and args.stage is None and not config.stages:
        return _finalise(args, config, config_text, locks)
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
            stage=args.stage,
            final=args.final,
            **locks,
        )
        decision, found, lottery = done.decision, done.robustness, done.lottery
        staged = done.staged
        # Before a staged cycle's cohort: the last stage's (interview) open reviews.
        last = config.stages[-1].name if config.stages and args.stage is None else None
        open_reviews = workflow.open_reviews(
            store, store.system_user(), args.cycle, stage=args.stage or last
        )
    else:
        if args.scores is None:
            raise InputError("select_no_scores", "--scores is required with --applications")
        if args.stage is not None or config.stages:
            raise InputError(
                "select_stages_files",
                "a cycle with stages is decided on the database (--db), where the shortlist "
                "and each stage's reviews are kept",
            )
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
    if open_reviews:  # said before the cohort: a decision on reviews not all in
        print(f"selector: warning: {open_reviews.summary()}", file=sys.stderr)
        for pair in open_reviews.open:
            print(f"  open: {open_reviews.pair_text(pair)}", file=sys.stderr)
        for applicant in open_reviews.unreviewed:
            print(f"  no complete review: {open_reviews.label(applicant)}", file=sys.stderr)
    _print(args, config, decision, found, lottery, open_reviews, staged)
    return 0 if decision.status == "optimal" else 3


def _print(
    args: argparse.Namespace,
    config: TrackConfig,
    decision: Decision,
    found: Robustness | None,
    lottery: Lottery | None,
    open_reviews: OpenReviews | None,
    staged: dict[str, object],
) -> None:
    """The decision on stdout: one JSON object (with ``stage`` and ``shortlist`` in a staged
    cycle), or the report."""
    from selector import workflow

    if args.json:
        out = workflow.decision_json(decision, found, lottery) | staged
        if open_reviews is not None:
            out["open_reviews"] = open_reviews.to_json()
        print(json.dumps(out, ensure_ascii=False))
    else:
        if args.stage is not None:
            print(f"shortlist of stage {args.stage}" + (" (final)" if args.final else ""))
        elif config.stages:
            print(f"final cohort among the shortlist, on the combined score of {_stages(config)}")
        print(report(decision))
        if found is not None:
            names = {a: p.name for a, p in decision.applicants.items()}
            print("\n".join(found.summary(names)))
        if lottery is not None:
            print(f"lottery: {lottery.text()}")
        if args.out:
            print(f"roster written to {args.out}")


def _stages(config: TrackConfig) -> str:
    assert config.combine is not None
    weights = config.combine.weights
    return " + ".join(f"{weights[s.name]:g} × {s.name}" for s in config.stages)


def _finalise(
    args: argparse.Namespace, config: Any, config_text: str, locks: dict[str, Any]
) -> int:
    """`select --final`: decide on the stored cycle and record the run as final."""
    from selector import workflow
    from selector.errors import InputError
    from selector.roster import write_roster

    if args.final and args.applications is not None:
        raise InputError(
            "select_final_files", "--final records a run of a stored cycle: drop --applications"
        )
    if args.confirm_open_reviews and not args.final:
        raise InputError("select_confirm_without_final", "--confirm-open-reviews goes with --final")
    store = open_store(args.db)
    actor = store.system_user()
    open_reviews = workflow.open_reviews(store, actor, args.cycle)
    done = workflow.finalise_cycle(
        store,
        actor,
        args.cycle,
        config,
        include=locks["include"],
        exclude=locks["exclude"],
        confirm_open_reviews=args.confirm_open_reviews,
        robustness=locks["robustness"],
        seed=locks["seed"],
        config_source=args.config,
    )
    decision = done.decision
    if args.out:
        write_roster(
            decision,
            args.out,
            inputs={Path(args.config).name: config_text.encode("utf-8")},
            config_text=config_text,
            input_hash=done.input_hash,
            run_id=done.run_id,
            robustness=done.robustness,
            lottery=done.lottery,
        )
    if args.json:
        out = workflow.decision_json(decision, done.robustness, done.lottery)
        out["run"] = done.run_id
        out["final"] = done.final
        if open_reviews is not None:
            out["open_reviews"] = open_reviews.to_json()
        print(json.dumps(out, ensure_ascii=False))
    else:
        print(report(decision))
        if args.out:
            print(f"roster written to {args.out}")
    if done.final:
        if open_reviews:
            print(
                f"selector: warning: finalised although {open_reviews.summary()}", file=sys.stderr
            )
        print(f"recorded as the final run {done.run_id} of the cycle", file=sys.stderr)
    else:
        print("selector: not finalised: no cohort satisfies the rules", file=sys.stderr)
    return 0 if decision.status == "optimal" else 3


#: How many applicants outside the cohort the text report explains (the highest-scored).
NEAR_MISSES = 10


def report(d: Decision) -> str:
    """A readable summary: the cohort with margins and replacements, the rules with their
    labels and prices, why the highest-scored others are out, then the rest. Figures to two
    decimals (the JSON has them in full); names beside ids."""
    from selector.selection.reasons import who

    def num(x: float | None) -> str:
        return "-" if x is None else f"{x:.2f}"

    lines: list[str] = []
    if d.status == "optimal":
        lines.append(f"optimal cohort of {len(d.selected)}, total score {num(d.total_score)}")
        lines.append(f"  {'applicant':<32} {'score':>8} {'margin':>8}  replacement")
        for a in d.selected:
            r = d.replacements.get(a)
            lines.append(
                f"  {who(a, d.applicants):<32} {num(d.scores.get(a)):>8} "
                f"{num(d.margins.get(a)):>8}  {who(r, d.applicants) if r else '-'}"
            )
        priced = [r for r in d.rules if r.price is not None]
        if priced:
            lines.append("rules (the total score each costs):")
            lines += [
                f"  {r.label}: {num(r.price)}{' (binding)' if r.binding else ''}" for r in priced
            ]
        top = d.unconstrained.get("total_score")
        lines.append(f"top-N by score alone, without the rules: total {num(top)}")
        others = [
            a
            for a in sorted(d.scores, key=lambda a: (-d.scores[a], a))
            if a in d.why and d.why[a].status == "not_selected"
        ][:NEAR_MISSES]
        if others:
            lines.append(f"the {len(others)} highest-scored applicants not selected:")
            lines += [f"  {who(a, d.applicants)}: {d.reasons[a]}" for a in others]
    else:
        lines.append("no cohort satisfies the rules:")
        lines += [f"  - {line}" for line in d.diagnosis]
    if d.ineligible:
        lines.append(f"not selectable ({len(d.ineligible)}):")
        lines += [f"  {who(a, d.applicants)}: {why}" for a, why in d.ineligible.items()]
    lines += [f"warning: {w}" for w in d.warnings]
    lines.append(f"tie-break: {d.tie_break}")
    return "\n".join(lines)
