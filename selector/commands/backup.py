"""`backup` and `restore`: a consistent copy of the SQLite database, and putting one back.

See :mod:`selector.backup` for what each guarantees; on PostgreSQL both exit 2 with the
``pg_dump``/``pg_restore`` line to use instead.
"""

from __future__ import annotations

import argparse

from selector.commands._common import DB_HELP, Subparsers


def register(sub: Subparsers) -> None:
    b = sub.add_parser(
        "backup",
        help="copy the SQLite database to one file, safely while the dashboard runs",
        description="Copy the database with SQLite's online backup API: one consistent "
        "snapshot (every committed change before the copy started, none after), checked with "
        "PRAGMA integrity_check, written next to --out and renamed into place. Writers are "
        "not held up. On PostgreSQL use pg_dump.",
    )
    b.add_argument("--out", required=True, metavar="FILE", help="the backup file to write")
    b.add_argument("--force", action="store_true", help="replace FILE if it exists")
    b.add_argument("--db", metavar="URL", default=None, help=DB_HELP)
    b.set_defaults(func=run_backup)

    r = sub.add_parser(
        "restore",
        help="replace the SQLite database with a backup (the previous one is kept)",
        description="Check the backup (a SQLite file with selector's tables, passing "
        "PRAGMA integrity_check, not from a newer schema), keep the current database as "
        "<db>.before-restore-<time>, and move the backup into place in one rename. Refused "
        "while another process (the dashboard, a running command) has the database open: "
        "stop it first. An older schema is upgraded. On PostgreSQL use pg_restore or psql.",
    )
    r.add_argument("file", help="the backup file")
    r.add_argument("--db", metavar="URL", default=None, help=DB_HELP)
    r.set_defaults(func=run_restore)


PARSERS = {"backup": register}


def run_backup(args: argparse.Namespace) -> int:
    from selector.backup import backup
    from selector.store import default_url

    url = args.db or default_url()
    summary, seconds = backup(url, args.out, force=args.force)
    print(f"backed up to {args.out} in {seconds:.2f} s: {summary}")
    return 0


def run_restore(args: argparse.Namespace) -> int:
    from selector.backup import restore
    from selector.store import default_url

    url = args.db or default_url()
    done = restore(url, args.file)
    print(f"restored {args.file}: {done.summary}")
    if done.previous is not None:
        print(
            f"the previous database is kept as {done.previous} "
            f"(to undo: selector restore {done.previous})"
        )
    return 0
