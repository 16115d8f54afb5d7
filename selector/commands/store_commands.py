"""Commands on the database: `import`, `scores import/export`, `users`, `cycles`, `assign`,
`calibrate`, `roster`.

Each takes ``--db URL`` (else ``$SELECTOR_DB``, else ``./var/selector.db``) and acts as the
system user: whoever holds the database URL holds every right. `selector select` in database
mode lives in :mod:`selector.commands.select`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import io
import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from selector.auth import Role, normalize_email
from selector.commands.validate import add_map_argument, parse_map
from selector.config import DEFAULT_CONFIG_PATH, loads_config, read_config_text
from selector.errors import InputError, Location
from selector.intake import is_email, read_applications
from selector.models import Applicant, Review
from selector.roster import output_format, safe_cell, write_output
from selector.store import DEFAULT_PATH, ImportReport, Run, Store

#: How many rows of a long list the text output shows (``--json`` has them all).
LISTED = 10


def _command(
    sub: argparse._SubParsersAction,  # type: ignore[type-arg, unused-ignore]
    name: str,
    func: Callable[[argparse.Namespace], int],
    help: str,
    description: str | None = None,
    *,
    cycle: bool = True,
    with_json: bool = False,
    inherit: bool = False,
) -> argparse.ArgumentParser:
    """A database command: its parser with ``--db`` (``--cycle``; ``--json`` when asked) and
    the function it runs; ``inherit`` leaves a parent parser's ``--db`` value in place."""
    p: argparse.ArgumentParser = sub.add_parser(name, help=help, description=description)
    p.add_argument(
        "--db",
        metavar="URL",
        default=argparse.SUPPRESS if inherit else None,
        help=f"database URL (default: $SELECTOR_DB, else sqlite:///{DEFAULT_PATH})",
    )
    if cycle:
        p.add_argument("--cycle", default=None, help="cycle name (default: the newest cycle)")
    if with_json:
        p.add_argument("--json", action="store_true", help="print one JSON object instead")
    p.set_defaults(func=func)
    return p


def _actions(parser: argparse.ArgumentParser, dest: str, required: bool = True) -> Any:
    """The ACTION subcommands of a command such as `scores` or `users`."""
    actions = parser.add_subparsers(dest=dest, metavar="ACTION")
    actions.required = required
    return actions


def _print_json(obj: Any) -> None:
    print(json.dumps(obj, ensure_ascii=False, default=str))


def _positive(text: str) -> float:
    """An argparse type: a finite number above 0 (a share of the score scale)."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (0 < value < math.inf):
        raise argparse.ArgumentTypeError(f"{text!r} is not a number above 0")
    return value


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg, unused-ignore]
    p = _command(
        sub,
        "import",
        run_import,
        help="import an applications export into a cycle (adds, updates, withdraws)",
        description="Import an applications export (.xlsx/.csv) into the database in one "
        "transaction: new applicants are added, changed ones updated, those missing from the "
        "export marked withdrawn (kept with their reviews); every review is kept. The cycle is "
        "created with the default DEI config when it does not exist.",
        with_json=True,
    )
    p.add_argument("file", help="the export: .xlsx or .csv")
    add_map_argument(p)
    p.add_argument("--dry-run", action="store_true", help="report what would change, write nothing")

    scores = _actions(
        sub.add_parser("scores", help="import or export reviewers' scores"), "scores_command"
    )
    si = _command(
        scores,
        "import",
        run_scores_import,
        help="save the reviews in a score file (long or wide) into a cycle",
        description="Read a score file and save its reviews. Reviewers named by an e-mail "
        "address that is not yet a user are created as reviewers (without a password).",
        with_json=True,
    )
    si.add_argument("file", help="score file: .xlsx or .csv")
    se = _command(
        scores,
        "export",
        run_scores_export,
        help="write every review of a cycle as a long score file (.csv or .xlsx)",
        description="Write applicant_id, reviewer, criterion, score, comment rows for every "
        "saved score (drafts included); declared conflicts of interest are left out. "
        "`selector scores import` reads the file back.",
    )
    se.add_argument("file", help="output file (.csv, or .xlsx)")

    roles = [r.value for r in Role]
    users = _actions(sub.add_parser("users", help="add or list user accounts"), "users_command")
    ua = _command(
        users,
        "add",
        run_users_add,
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
    ul = _command(users, "list", run_users_list, help="list accounts", cycle=False, with_json=True)
    ul.add_argument("--role", choices=roles, default=None, help="only this role")

    cycles = _command(
        sub,
        "cycles",
        run_cycles_list,
        help="list cycles (newest first), or `cycles create NAME` to add one",
        cycle=False,
        with_json=True,
    )
    cc = _command(
        _actions(cycles, "cycles_command", required=False),
        "create",
        run_cycles_create,
        help="create a cycle with a track config",
        cycle=False,
        inherit=True,
    )
    cc.add_argument("name", help="cycle name, e.g. 2026")
    cc.add_argument("--config", default=str(DEFAULT_CONFIG_PATH), help="track config (.toml)")

    a = _command(
        sub,
        "assign",
        run_assign,
        help="assign k reviewers per applicant, balanced, avoiding own program and conflicts",
        description="(Re)assign reviewers: k per applicant, loads within one of each other, "
        "no reviewer from the applicant's own program (when the cycle says so), declared "
        "conflicts and manual overrides respected, started reviews kept.",
        with_json=True,
    )
    a.add_argument("--k", type=int, default=None, help="reviewers per applicant (default: config)")

    cal = _command(
        sub,
        "calibrate",
        run_calibrate,
        help="inter-rater reliability, reviewer leniency, disagreements to discuss",
        with_json=True,
    )
    cal.add_argument(
        "--threshold", type=_positive, default=None, help="disagreement threshold (share of scale)"
    )

    r = _command(
        sub,
        "roster",
        run_roster,
        help="write the roster of the final (else the latest) selection run (.xlsx or .csv)",
        description="Write the roster of the cycle's latest final selection run (else its "
        "latest run), decided again from that run's config snapshot and locks (--include, "
        "--exclude) on the stored data (refused if the data changed since; run `selector "
        "select` again). With --config, decide now with that config, without locks, and "
        "record the run.",
    )
    r.add_argument("--out", required=True, metavar="FILE", help="roster file (.xlsx or .csv)")
    r.add_argument("--config", default=None, help="decide now with this track config")


# ---------------------------------------------------------------------------------------------


def _import_cycle_name(store: Store, name: str | None) -> str:
    """The cycle to import into: the named one, else the newest that is not the demo, else
    one named after the current year."""
    from selector.seed import DEMO_CYCLE

    if name is not None:
        return name
    real = [c.name for c in store.cycles() if c.name != DEMO_CYCLE]
    return real[0] if real else str(dt.date.today().year)


def run_import(args: argparse.Namespace) -> int:
    data = read_applications(args.file, mapping=parse_map(args.map))
    store = Store(args.db)
    name = _import_cycle_name(store, args.cycle)
    exists = any(c.name == name for c in store.cycles())
    actor = store.system_user()
    if args.dry_run and not exists:  # a dry run writes nothing, not even the new cycle
        report = ImportReport(
            added=[a.applicant_id for a in data.accepted],
            rejected=[r.to_json() for r in data.rejected],
        )
    elif args.dry_run:
        report = store.preview_import(actor, name, data)
    else:  # a new cycle is created in the import's transaction: a failed import leaves none
        config_text = None if exists else read_config_text(DEFAULT_CONFIG_PATH)
        report = store.import_applications(actor, name, data, create_with=config_text)
    if args.json:
        _print_json(report.to_json())
        return 0
    counts = report.to_json()
    verb = "would import" if args.dry_run else "imported"
    print(
        f"{verb} {args.file} into cycle {name}: {counts['added']} added, "
        f"{counts['updated']} updated, {counts['unchanged']} unchanged, "
        f"{counts['withdrawn']} withdrawn, {len(report.rejected)} rejected"
    )
    for rejection in report.rejected:
        print(f"  row {rejection['row']}: {'; '.join(rejection['errors'])}")
    for applicant_id in report.withdrawn:
        print(f"  withdrawn: {applicant_id} (not in this export; reviews kept)")
    return 0


def _rejection_line(item: dict[str, Any]) -> str:
    return (f"row {item['row']}: " if item["row"] else "") + str(item["message"])


def run_scores_import(args: argparse.Namespace) -> int:
    from selector.scorefile import read_scores

    store = Store(args.db)
    actor = store.system_user()
    cycle = store.check_importable(actor, args.cycle)  # never the demo cycle
    applicants = store.applicants(actor, cycle.name)
    result = read_scores(args.file, cycle.config, applicants)
    errors = [p for p in result.problems if p.severity == "error"]
    rejected = [{"row": p.row, "column": p.location.column, "message": p.message} for p in errors]
    reviews = []
    users = {u.email for u in store.users(actor)}  # one read, not one per review
    new_reviewers: set[str] = set()
    for review in result.reviews:
        email = normalize_email(review.reviewer)
        known = email in users
        if known or is_email(email):
            reviews.append(review)
            if not known:
                new_reviewers.add(email)
        else:
            rejected.append(
                {
                    "row": None,
                    "column": "reviewer",
                    "message": f"reviewer {review.reviewer!r} is neither a user nor an e-mail "
                    "address; add them with `selector users add`",
                }
            )
    if not reviews:  # like an applications export with no valid row: refused as a whole
        if args.json:
            _print_json({"saved": 0, "rejected": rejected})
        if not rejected:
            raise InputError(
                "scores_no_rows", "no score rows; nothing was saved", Location(file=args.file)
            )
        other_cycle = bool(errors) and all(p.code == "score_unknown_applicant" for p in errors)
        raise InputError(
            "scores_none_valid",
            f"no valid score row, nothing was saved ({len(rejected)} rejected; "
            f"{_rejection_line(rejected[0])})"
            + (f"; is it a score file of another cycle than {cycle.name}?" if other_cycle else ""),
            Location(file=args.file),
        )
    # The new reviewers' accounts and their reviews are saved together, or neither.
    saved = store.save_reviews(actor, cycle.name, reviews, new_reviewers=new_reviewers)
    if args.json:
        _print_json({"saved": saved, "rejected": rejected})
        return 0
    print(f"saved {saved} review(s) into cycle {cycle.name}; {len(rejected)} rejected")
    for item in rejected[:LISTED]:
        print(f"  {_rejection_line(item)}")
    if len(rejected) > LISTED:
        print(f"  ... and {len(rejected) - LISTED} more rejected row(s) (see --json)")
    return 0


def run_scores_export(args: argparse.Namespace) -> int:
    kind = output_format(args.file, "scores")
    store = Store(args.db)
    cycle = store.cycle(args.cycle)
    rows: list[list[Any]] = [["applicant_id", "reviewer", "criterion", "score", "comment"]]
    for review in store.reviews(store.system_user(), cycle.name):
        if review.conflict:
            continue
        for criterion in cycle.config.criteria:
            if criterion.id in review.scores:
                score = review.scores[criterion.id]
                rows.append(
                    [
                        review.applicant_id,
                        review.reviewer,
                        criterion.id,
                        int(score) if float(score).is_integer() else score,
                        review.comment,
                    ]
                )
    safe = [[safe_cell(v) for v in row] for row in rows]
    if kind == "xlsx":
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        assert ws is not None
        ws.title = "scores"
        for row in safe:
            ws.append(row)
        buffer = io.BytesIO()
        wb.save(buffer)
        data = buffer.getvalue()
    else:
        import csv

        text = io.StringIO()
        csv.writer(text, lineterminator="\n").writerows(safe)
        data = text.getvalue().encode("utf-8-sig")
    write_output(args.file, data, "scores")
    print(f"wrote {len(rows) - 1} score(s) of cycle {cycle.name} to {args.file}")
    return 0


def _read_password(args: argparse.Namespace) -> str | None:
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


def run_users_add(args: argparse.Namespace) -> int:
    password = _read_password(args)
    store = Store(args.db)
    name = args.name or args.email.split("@")[0]
    user = store.add_user(store.system_user(), args.email, name, args.role, password, args.program)
    print(f"added {user.role} {user.email}" + ("" if password else " (no password: cannot log in)"))
    return 0


def run_users_list(args: argparse.Namespace) -> int:
    store = Store(args.db)
    users = store.users(store.system_user(), role=args.role)
    if args.json:
        _print_json(
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


def run_cycles_list(args: argparse.Namespace) -> int:
    store = Store(args.db)
    cycles = store.cycles()
    if args.json:
        _print_json(
            [
                {
                    "name": c.name,
                    "created_at": c.created_at.isoformat(),
                    "blind": c.blind,
                    "avoid_own_program": c.avoid_own_program,
                }
                for c in cycles
            ]
        )
        return 0
    for c in cycles:
        print(f"{c.name:<12} created {c.created_at:%Y-%m-%d}" + ("  (blind)" if c.blind else ""))
    if not cycles:
        print("no cycles yet: `selector import FILE` creates one")
    return 0


def run_cycles_create(args: argparse.Namespace) -> int:
    text = read_config_text(args.config)
    loads_config(text, args.config)  # names the file in any error
    store = Store(args.db)
    cycle = store.create_cycle(store.system_user(), args.name, text)
    print(f"created cycle {cycle.name} with {args.config}")
    return 0


def run_assign(args: argparse.Namespace) -> int:
    store = Store(args.db)
    report = store.assign(store.system_user(), args.cycle, k=args.k)
    if args.json:
        _print_json(report.to_json())
        return 0
    data = report.to_json()
    print(
        f"{data['assignments']} assignment(s): {data['added']} added, {data['removed']} removed; "
        f"loads differ by {data['load_spread']}"
    )
    for email, load in sorted(report.loads.items()):
        print(f"  {email:<40} {load}")
    short = list(report.short.items())
    for applicant_id, missing in short[:LISTED]:
        print(f"  {applicant_id}: {missing} reviewer(s) short (too few allowed reviewers)")
    if len(short) > LISTED:
        print(f"  ... and {len(short) - LISTED} more applicants short of reviewers (see --json)")
    return 0


def run_calibrate(args: argparse.Namespace) -> int:
    from selector.calibration import calibrate

    store = Store(args.db)
    cycle = store.cycle(args.cycle)
    _, reviews = store.selection_inputs(store.system_user(), cycle.name)
    result = calibrate(reviews, cycle.config, args.threshold)
    if args.json:
        _print_json(result.to_json())
        return 0
    rel = result.reliability

    def fmt(x: float | None) -> str:
        return "n/a" if x is None else f"{x:.2f}"

    print(
        f"cycle {cycle.name}: ICC(1) {fmt(rel.icc1)}, Krippendorff's alpha {fmt(rel.alpha)} "
        f"over {rel.applicants} applicants with 2+ reviews"
    )
    for s in result.reviewers:
        print(
            f"  {s.reviewer:<40} {s.reviews:>4} reviews  mean {s.mean:6.2f}  "
            f"leniency {fmt(s.leniency)}"
        )
    for d in result.disagreements:
        totals = ", ".join(f"{t:g}" for t in d.totals.values())
        print(
            f"  discuss {d.applicant_id}: totals {totals} "
            f"(spread {d.spread:.0%}, most on {d.criterion})"
        )
    return 0


def _recorded_run(
    store: Store, cycle: str, applicants: list[Applicant], reviews: list[Review]
) -> Run:
    """The run whose roster to write: the cycle's latest final run, else its latest run;
    refused when the data changed since it was decided."""
    from selector.store import input_hash

    runs = store.runs(store.system_user(), cycle)
    if not runs:
        raise InputError(
            "run_missing", f"no selection run in cycle {cycle} yet: run `selector select`"
        )
    run = next((r for r in runs if r.final), runs[0])
    if input_hash(applicants, reviews, run.config_text) != run.input_hash:
        raise InputError(
            "run_stale",
            f"the data of cycle {cycle} changed since run {run.id}; run `selector select` again",
        )
    return run


def run_roster(args: argparse.Namespace) -> int:
    from selector.roster import write_roster
    from selector.selection import decide
    from selector.store import input_hash

    output_format(args.out)
    own_text = read_config_text(args.config) if args.config else None
    if own_text is not None:
        loads_config(own_text, args.config)  # a broken config fails before the database opens
    store = Store(args.db)
    actor = store.system_user()
    cycle = store.cycle(args.cycle)
    applicants, reviews = store.selection_inputs(actor, cycle.name)
    run: Run | None = None
    if own_text is not None:
        config_text, source = own_text, f"config {args.config}"
    else:
        run = _recorded_run(store, cycle.name, applicants, reviews)
        config_text, source = run.config_text, f"{'final ' if run.final else ''}run {run.id}"
    include, exclude = (run.decision["include"], run.decision["exclude"]) if run else ([], [])
    config = loads_config(config_text, source)
    decision = decide(applicants, reviews, config, include=include, exclude=exclude)
    if run is not None and sorted(decision.selected) != sorted(run.decision["selected"]):
        raise InputError(
            "run_not_reproduced",
            f"deciding {source} again gave another cohort; run `selector select` again",
        )
    write_roster(decision, args.out, config_text=config_text)  # a failed write records nothing
    if run is None:
        store.record_run(
            actor,
            cycle.name,
            config_text=config_text,
            decision=decision,
            input_hash=input_hash(applicants, reviews, config_text),
        )
    print(
        f"wrote the roster of cycle {cycle.name}, {source} ({len(decision.selected)} selected) "
        f"to {args.out}"
    )
    if decision.status != "optimal":
        print("no cohort satisfies the rules:")
        print("\n".join(f"  - {line}" for line in decision.diagnosis))
        return 3
    return 0
