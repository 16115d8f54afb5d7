"""`selector letters render|send|sent|release|template`: the decision letters of a cycle's
final run, written as ``.eml`` files, sent over SMTP (a dry run unless ``--send``; each letter
at most once), listed as sent, an interrupted one released, their templates shown or
replaced."""

from __future__ import annotations

import argparse

from selector.commands._common import (
    LISTED,
    Subparsers,
    actions,
    db_command,
    iso_date,
    open_store,
    print_json,
)

OUTCOME_NAMES = ("invitation", "waitlist", "not_selected", "pd_note", "signature")


def register(sub: Subparsers) -> None:
    letters = sub.add_parser(
        "letters",
        help="decision letters of the final run: render .eml files, send over SMTP, list, edit",
        description="The letters of the cycle's final selection run: an invitation to each "
        "member, a waitlist letter to each replacement candidate, a 'not selected' letter to "
        "every other applicant, and a note to the program director of each invited PGY1.",
    )
    acts = actions(letters, "letters_command")
    r = db_command(
        acts,
        "render",
        run_render,
        help="write one RFC 5322 .eml file per recipient (named by applicant id and outcome)",
        with_json=True,
    )
    r.add_argument("--out", required=True, metavar="DIR", help="folder for the .eml files")
    r.add_argument(
        "--from",
        dest="sender",
        default=None,
        metavar="ADDRESS",
        help="the letters' From (default: the [smtp] sender)",
    )
    _deadline(r)
    s = db_command(
        acts,
        "send",
        run_send,
        help="send the letters not sent yet over SMTP (a dry run unless --send)",
        description="Send each letter not sent yet over SMTP (settings: [smtp] in "
        ".streamlit/secrets.toml or SELECTOR_SMTP_* variables). Without --send, only say what "
        "would go out. Every letter is checked before the first is sent; each is recorded, so "
        "a re-run after a failure sends only the rest. Exit 1 when any letter failed.",
        with_json=True,
    )
    s.add_argument("--send", action="store_true", help="really send (default: a dry run)")
    _deadline(s)
    db_command(acts, "sent", run_sent, help="list the letters sent", with_json=True)
    rel = db_command(
        acts,
        "release",
        run_release,
        help="let the next send send a letter whose run stopped before the server answered",
        description="A letter is recorded as 'sending' before it goes to the mail server; when "
        "the run stops before the server answers, it is never sent again by itself. Check it "
        "did not arrive, then release it here (audited) and run `letters send --send` again.",
    )
    rel.add_argument("applicant_id", metavar="ID", help="the applicant's id")
    rel.add_argument("outcome", choices=OUTCOME_NAMES[:-1], help="which letter")
    t = db_command(
        acts,
        "template",
        run_template,
        help="print a letter template of the cycle, or replace it (--set FILE), checked",
    )
    t.add_argument("outcome", choices=OUTCOME_NAMES, help="which letter (or the signature)")
    t.add_argument("--set", dest="set_file", default=None, metavar="FILE", help="new text")


def _deadline(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--deadline", type=iso_date, default=None, metavar="DATE", help="answer by (YYYY-MM-DD)"
    )


PARSERS = {"letters": register}


def _letters(n: int) -> str:
    return f"{n} letter{'' if n == 1 else 's'}"


def _keys(items: list[tuple[str, str]]) -> str:
    shown = ", ".join(f"{a} ({o})" for a, o in items[:LISTED])
    return shown + (f", and {len(items) - LISTED} more" if len(items) > LISTED else "")


def run_render(args: argparse.Namespace) -> int:
    from selector import workflow
    from selector.errors import ConfigError, InputError
    from selector.letters.smtp import load_smtp_settings

    sender = (args.sender or "").strip()
    if not sender:
        try:
            sender = load_smtp_settings().sender
        except ConfigError as exc:
            raise InputError(
                "letters_sender_missing",
                f"give the letters' From with --from ADDRESS ({exc.message})",
            ) from None
    store = open_store(args.db)
    done = workflow.render_to_folder(
        store, store.system_user(), args.cycle, args.out, sender=sender, deadline=args.deadline
    )
    if args.json:
        print_json(done.to_json())
        return 0
    print(f"wrote {_letters(len(done.written))} of cycle {done.cycle} to {args.out}")
    if done.unaddressed:
        print(f"no address for {len(done.unaddressed)}: {_keys(done.unaddressed)}")
    for applicant_id, outcome, reason in done.failed:
        print(f"not written: {applicant_id} ({outcome}): {reason}")
    return 1 if done.failed else 0


def run_send(args: argparse.Namespace) -> int:
    from selector import workflow

    store = open_store(args.db)
    done = workflow.send_letters(
        store,
        store.system_user(),
        args.cycle,
        send=args.send,
        deadline=args.deadline,
    )
    if args.json:
        print_json(done.to_json())
    else:
        if done.dry_run:
            print(
                f"dry run: {_letters(len(done.would_send))} of cycle {done.cycle} would be sent "
                "(add --send to send them)"
            )
        else:
            print(f"sent {_letters(len(done.sent))} of cycle {done.cycle}")
        if done.already_sent:
            print(f"already sent before, not again: {len(done.already_sent)}")
        if done.unaddressed:
            print(f"no address for {len(done.unaddressed)}: {_keys(done.unaddressed)}")
        for applicant_id, outcome, reason in done.failed:
            print(f"not sent: {applicant_id} ({outcome}): {reason}")
        if done.failed and not done.dry_run:
            print("run the same command again to send the letters that failed")
    return 1 if done.failed else 0


def run_sent(args: argparse.Namespace) -> int:
    from selector import workflow

    store = open_store(args.db)
    found = workflow.sent_letters(store, store.system_user(), args.cycle)
    if args.json:
        print_json(found)
        return 0
    for s in found:
        print(f"{s['at'][:19]}  {s['applicant_id']:<12} {s['outcome']:<13} {s['status']}")
    if not found:
        print("no letters sent yet")
    return 0


def run_release(args: argparse.Namespace) -> int:
    from selector import workflow

    store = open_store(args.db)
    workflow.release_interrupted(
        store, store.system_user(), args.cycle, args.applicant_id, args.outcome
    )
    print(f"released: the next `letters send --send` sends {args.outcome} to {args.applicant_id}")
    return 0


def run_template(args: argparse.Namespace) -> int:
    from selector import workflow
    from selector.errors import InputError

    store = open_store(args.db)
    actor = store.system_user()
    if args.set_file is None:
        found = workflow.cycle_templates(store, actor, args.cycle)
        text = found.signature if args.outcome == "signature" else found.templates[args.outcome]
        print(text, end="" if text.endswith("\n") else "\n")
        return 0
    try:
        with open(args.set_file, encoding="utf-8") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(
            "file_unreadable", f"cannot read {args.set_file} ({type(exc).__name__})"
        ) from None
    workflow.save_template(store, actor, args.cycle, args.outcome, text)
    print(f"saved the {args.outcome} template of cycle {store.cycle(args.cycle).name}")
    return 0
