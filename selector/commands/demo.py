"""`selector demo [--out DIR]`: regenerate the synthetic demo data (seeded, byte for byte)."""

from __future__ import annotations

import argparse

from selector.commands._common import Subparsers

#: The demo's seed, as ``selector.demo.DEMO_SEED`` (not imported here: it loads numpy and
#: openpyxl; tests/test_cli.py checks the two agree).
DEMO_SEED = 2026


def register(sub: Subparsers) -> None:
    p = sub.add_parser(
        "demo",
        help="write the synthetic demo files (applications export, scores, reviewers)",
        description="Write the seeded synthetic demo data. With the default seed the files "
        "equal the ones committed in data/.",
    )
    p.add_argument("--out", default="data", metavar="DIR", help="directory (default: data)")
    p.add_argument("--seed", type=int, default=DEMO_SEED, help=f"seed (default: {DEMO_SEED})")
    p.set_defaults(func=run)


PARSERS = {"demo": register}


def run(args: argparse.Namespace) -> int:
    from selector.demo import write_demo

    for path in write_demo(args.out, seed=args.seed):
        print(path)
    return 0
