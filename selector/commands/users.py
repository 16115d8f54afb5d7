"""`users add` and `users list`: the accounts (coordinator, chair, reviewer)."""

from __future__ import annotations

import argparse
import getpass
from pathlib import Path

from selector.auth import Role
from selector.commands._common import Subparsers, actions, db_command, open_store, print_json


def register(sub: Subparsers) -> None:
    roles = [r.value for r in Role]
    users = actions(sub.add_parser("users", help="add or list user accounts"), "users_command")
    ua = db_command(
        users,
        "add",
        run_add,
        help="add an account (password from a prompt or --password-file)",
        description="Add a user. The password is read from --password-file (first line) or "
        "asked for twice at a prompt; it is stored only as an argon2 hash.",
        cycle=False,
    )
    ua.add_argument("email", help="the user's e-mail address (their login)")
    ua.add_argument("--role", required=True, choices=roles, help="the user's role")
    ua.add_argument("--name", default="", help="display name (default: from the e-mail)")
    ua.add_argument("--program", default="", help="residency program (for assignment)")
    ua.add_argument("--password-file", metavar="FILE", help="read the password from FILE")
    ua.add_argument("--no-password", action="store_true", help="no login until a password is set")
    ul = db_command(users, "list", run_list, help="list accounts", cycle=False, with_json=True)
    ul.add_argument("--role", choices=roles, default=None, help="only this role")


PARSERS = {"users": register}


def read_password(args: argparse.Namespace) -> str | None:
    """The new account's password: none, the first line of --password-file, or typed twice."""
    from selector.errors import InputError, Location

    if args.no_password:
        return None
    if args.password_file:
        try:
            lines = Path(args.password_file).read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise InputError(
                "file_unreadable", f"cannot read: {exc.strerror}", Location(file=args.password_file)
            ) from None
        return lines[0] if lines else ""
    first = getpass.getpass(f"password for {args.email}: ")
    if getpass.getpass("again: ") != first:
        raise InputError("password_mismatch", "the two passwords differ; nothing was changed")
    return first


def run_add(args: argparse.Namespace) -> int:
    password = read_password(args)
    store = open_store(args.db)
    name = args.name or args.email.split("@")[0]
    user = store.add_user(store.system_user(), args.email, name, args.role, password, args.program)
    print(f"added {user.role} {user.email}" + ("" if password else " (no password: cannot log in)"))
    return 0


def run_list(args: argparse.Namespace) -> int:
    store = open_store(args.db)
    users = store.users(store.system_user(), role=args.role)
    if args.json:
        print_json(
            [
                {"email": u.email, "name": u.name, "role": u.role.value, "program": u.program}
                for u in users
            ]
        )
        return 0
    for u in users:
        print(
            f"{u.role.value:<12} {u.email:<40} {u.name}" + (f" ({u.program})" if u.program else "")
        )
    return 0
