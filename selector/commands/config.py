"""`config-schema` (the JSON Schema of a track config, for editors) and `check-config`."""

from __future__ import annotations

import argparse
import json

from selector.commands._common import Subparsers


def register(sub: Subparsers) -> None:
    p = sub.add_parser("config-schema", help="print the JSON Schema of a track config")
    p.set_defaults(func=run_schema)
    c = sub.add_parser("check-config", help="validate a track config file")
    c.add_argument("config", help="path to a track config (.toml)")
    c.set_defaults(func=run_check)


PARSERS = {"config-schema": register}


def run_schema(args: argparse.Namespace) -> int:
    from selector.config import TrackConfig

    print(json.dumps(TrackConfig.model_json_schema(), indent=2))
    return 0


def run_check(args: argparse.Namespace) -> int:
    from selector.config import load_config

    cfg = load_config(args.config)
    lo, hi = cfg.cohort.bounds
    size = str(lo) if lo == hi else f"{lo}..{hi if hi is not None else '∞'}"
    problems = cfg.contradictions()
    if problems:
        print(f"{args.config}: valid, but no cohort can satisfy these rules:")
        for text in problems:
            print(f"  - {text}")
        return 3
    print(
        f"{args.config}: ok — cohort {size}, {len(cfg.criteria)} criteria, "
        f"{len(cfg.diversity)} diversity rule(s)"
    )
    return 0
