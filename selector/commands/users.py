"""`users add|disable|enable|reset-password|set-role|list`: the accounts (coordinator, chair,
reviewer). A one-time password (enable, reset-password) is printed once, on the last line."""

from __future__ import annotations

import argparse
import getpass
import warnings
from pathlib import Path

from selector.auth import Role
from selector.commands._common import Subparsers, actions, db_command, open_store, print_json


def register(sub: Subparsers) -> None:
    roles = [r.value for r in Role]
    users = actions(
        sub.add_parser("users", help="add, disable, enable, reset or list user accounts"),
        "users_command",
    )
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
    for name, func, text in (
        ("disable", run_disable, "disable an account: no login, never assigned"),
        ("enable", run_enable, "enable a disabled account with a one-time password"),
        ("reset-password", run_reset, "give an account a one-time password (printed once)"),
    ):
        p = db_command(
            users, name, func, help=text, description=text[0].upper() + text[1:] + ".", cycle=False
        )
        p.add_argument("email", help="the account's e-mail address")
    us = db_command(users, "set-role", run_set_role, help="change an account's role", cycle=False)
    us.add_argument("email", help="the account's e-mail address")
    us.add_argument("role", choices=roles, help="the new role")
    ul = db_command(
        users,
        "list",
        run_list,
        help="list accounts: role, login (password, no password, disabled), open assignments",
        description="List every account with its login (password; no password: single "
        "sign-on only or not set yet; disabled: no login, never assigned) and its assigned, "
        "complete and open reviews in the cycle (default: the newest).",
        with_json=True,
    )
    ul.add_argument("--role", choices=roles, default=None, help="only this role")


def register_start(sub: Subparsers) -> None:
    p = db_command(
        sub,
        "start",
        run_start,
        help="leave the demo: your coordinator account, the chair's, the first cycle",
        description="The guided start, all or nothing: add your own coordinator account and "
        "the chair's, create the first real cycle (with --config, else the bundled config) "
        "and end the demo's public logins. Everything is checked before anything is written. "
        "Your password comes from --password-file (first line) or is typed twice; the chair's "
        "from --chair-password-file, else a one-time password is printed once, last.",
        cycle=False,
    )
    p.add_argument("--coordinator-email", required=True, help="your e-mail (your login)")
    p.add_argument("--coordinator-name", default="", help="your name (default: from the e-mail)")
    p.add_argument("--password-file", metavar="FILE", help="read your password from FILE")
    p.add_argument("--chair-email", required=True, help="the chair's e-mail (their login)")
    p.add_argument("--chair-name", default="", help="the chair's name (default: from the e-mail)")
    p.add_argument(
        "--chair-password-file", metavar="FILE", help="the chair's password (else a one-time one)"
    )
    p.add_argument("--cycle", required=True, help="the name of the first real cycle, e.g. 2027")
    p.add_argument("--config", metavar="FILE", help="its track config (default: the bundled one)")


PARSERS = {"users": register, "start": register_start}


def read_password(args: argparse.Namespace) -> str | None:
    """The new account's password: none, the first line of --password-file, or typed twice."""
    from selector.errors import InputError

    if args.no_password:
        return None
    if args.password_file:
        return _password_file(args.password_file)
    first, again = _prompt(f"password for {args.email}: "), _prompt("again: ")
    if again != first:
        raise InputError("password_mismatch", "the two passwords differ; nothing was changed")
    return first


def _password_file(path: str) -> str:
    """The first line of a password file."""
    from selector.errors import InputError, Location

    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(
            "file_unreadable", f"cannot read: {exc.strerror}", Location(file=path)
        ) from None
    return lines[0] if lines else ""


def _prompt(prompt: str) -> str:
    """A password typed at the terminal; without one (no terminal, input piped or closed),
    one line saying to use --password-file instead of reading it where it would echo."""
    from selector.errors import InputError

    with warnings.catch_warnings():
        warnings.simplefilter("error", getpass.GetPassWarning)  # no terminal: stop there
        try:
            return getpass.getpass(prompt)
        except (EOFError, getpass.GetPassWarning):
            raise InputError(
                "password_no_terminal",
                "no terminal to type the password at: pass --password-file FILE (or --no-password)",
            ) from None


def run_add(args: argparse.Namespace) -> int:
    password = read_password(args)
    store = open_store(args.db)
    name = args.name or args.email.split("@")[0]
    user = store.add_user(store.system_user(), args.email, name, args.role, password, args.program)
    print(f"added {user.role} {user.email}" + ("" if password else " (no password: cannot log in)"))
    return 0


def run_disable(args: argparse.Namespace) -> int:
    from selector.workflow.accounts import disable_account

    store = open_store(args.db)
    email = disable_account(store, store.system_user(), args.email)
    print(f"disabled {email}: no login, never assigned (`selector assign` moves its reviews)")
    return 0


def _print_one_time(verb: str, email: str, password: str) -> None:
    print(f"{verb} {email}; its one-time password (shown only now; change it after logging in):")
    print(password)


def run_enable(args: argparse.Namespace) -> int:
    from selector.workflow.accounts import enable_account

    store = open_store(args.db)
    _print_one_time("enabled", args.email, enable_account(store, store.system_user(), args.email))
    return 0


def run_reset(args: argparse.Namespace) -> int:
    from selector.workflow.accounts import reset_password

    store = open_store(args.db)
    _print_one_time("reset", args.email, reset_password(store, store.system_user(), args.email))
    return 0


def run_set_role(args: argparse.Namespace) -> int:
    store = open_store(args.db)
    user = store.set_role(store.system_user(), args.email, args.role)
    print(f"{user.email} is now a {user.role.value}")
    return 0


def run_list(args: argparse.Namespace) -> int:
    from selector.workflow.accounts import list_accounts

    store = open_store(args.db)
    cycle, accounts = list_accounts(store, store.system_user(), args.cycle, role=args.role)
    if args.json:
        print_json([a.to_json() for a in accounts])
        return 0
    for a in accounts:
        print(
            f"{a.role:<12} {a.email:<40} {a.login:<12} {a.open:>3} open  {a.name}"
            + (f" ({a.program})" if a.program else "")
        )
    if cycle is not None:
        print(f"(open: assigned reviews not complete in cycle {cycle})")
    return 0


def run_start(args: argparse.Namespace) -> int:
    from selector import workflow

    if args.password_file:
        password = again = _password_file(args.password_file)
    else:
        password = _prompt(f"password for {args.coordinator_email}: ")
        again = _prompt("again: ")
    chair_password = _password_file(args.chair_password_file) if args.chair_password_file else None
    config_text = workflow.read_config(args.config) if args.config else None
    store = open_store(args.db)
    done = workflow.start_real_use(
        store,
        store.system_user(),
        coordinator_email=args.coordinator_email,
        coordinator_name=args.coordinator_name or args.coordinator_email.split("@")[0],
        password=password,
        password_again=again,
        chair_email=args.chair_email,
        chair_name=args.chair_name or args.chair_email.split("@")[0],
        chair_password=chair_password,
        cycle=args.cycle,
        config_text=config_text,
    )
    print(f"added coordinator {done.coordinator.email} and chair {done.chair.email}")
    print(f"created cycle {done.cycle.name}; the demo logins are disabled")
    if done.chair_password is not None:
        _print_one_time("the chair", done.chair.email, done.chair_password)
    return 0
