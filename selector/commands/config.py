"""`config-schema` (the JSON Schema of a track config, for editors) and `check-config`."""

from __future__ import annotations

import argparse
import json

from selector.commands._common import Subparsers


def register(sub: Subparsers) -> None:
    p = sub.add_parser("config-schema", help="print the JSON Schema of a track config")
    p.set_defaults(func=run_schema)
    c = sub.add_parser(
        "check-config",
        help="validate a track config file",
        description="Validate a track config: every key, every rule's field, and rules no "
        "cohort can satisfy. Exit 0 when ok, 2 when invalid (an unknown rule field is named, "
        "with the field it was likely meant to be), 3 when valid but contradictory.",
    )
    c.add_argument("config", help="path to a track config (.toml)")
    c.add_argument(
        "--applications",
        metavar="FILE",
        help="an applications export (.xlsx/.csv): rule fields may then also be its columns "
        "(without it, only canonical fields such as specialty, program, pgy)",
    )
    c.set_defaults(func=run_check)


PARSERS = {"config-schema": register}


def run_schema(args: argparse.Namespace) -> int:
    from selector.config import TrackConfig

    print(json.dumps(TrackConfig.model_json_schema(), indent=2))
    return 0


def run_check(args: argparse.Namespace) -> int:
    from selector.config import CONTRADICTIONS_HEADING, columns_of, load_config

    cfg = load_config(args.config)
    columns = None
    if args.applications is not None:
        from selector.intake import read_applications

        columns = columns_of(read_applications(args.applications).accepted)
    cfg.require_known_fields(columns, args.config)
    lo, hi = cfg.cohort.bounds
    size = str(lo) if lo == hi else f"{lo}..{hi if hi is not None else '∞'}"
    problems = cfg.contradictions()
    if problems:
        print(f"{args.config}: {CONTRADICTIONS_HEADING}")
        for text in problems:
            print(f"  - {text}")
        return 3
    if cfg.stages:
        stages = " → ".join(
            f"{s.name} ({len(s.criteria)} criteria"
            + (f", shortlist {s.size})" if s.size is not None else ")")
            for s in cfg.stages
        )
        print(
            f"{args.config}: ok — stages {stages}, cohort {size}, "
            f"{len(cfg.diversity)} diversity rule(s)"
        )
        return 0
    print(
        f"{args.config}: ok — cohort {size}, {len(cfg.criteria)} criteria, "
        f"{len(cfg.diversity)} diversity rule(s)"
    )
    return 0
