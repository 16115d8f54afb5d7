"""`validate` (what intake makes of an applications export) and `import` (it into a cycle)."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from selector.commands._common import (
    Subparsers,
    actions,
    add_map_argument,
    db_command,
    open_store,
    parse_map,
    print_json,
)

if TYPE_CHECKING:
    from selector.intake import IntakeResult


def register_validate(sub: Subparsers) -> None:
    p = sub.add_parser(
        "validate",
        help="check an applications export (.xlsx/.csv) and list rejected rows and warnings",
        description="Read an applications export as intake would and report every problem "
        "with its sheet row. Exit 0 when the file was read (even with rejected rows), "
        "2 when it cannot be read.",
    )
    p.add_argument("file", help="the export: .xlsx or .csv")
    add_map_argument(p)
    p.add_argument("--json", action="store_true", help="print one JSON object instead")
    p.set_defaults(func=run_validate)


def register_import(sub: Subparsers) -> None:
    p = db_command(
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
    p.add_argument(
        "--allow-mass-withdrawal",
        action="store_true",
        help="import even when it would withdraw more than half of the active applicants "
        "(refused otherwise: usually the wrong file)",
    )


def register_applicants(sub: Subparsers) -> None:
    group = actions(
        sub.add_parser(
            "applicants", help="list, withdraw or restore applicants; merge two records of one"
        ),
        "applicants_command",
    )
    for name, func, text in (
        ("withdraw", run_withdraw, "withdraw one applicant: out of assignments and selection"),
        ("restore", run_restore, "restore a withdrawn applicant, with their reviews"),
    ):
        w = db_command(
            group,
            name,
            func,
            help=text,
            description=text[0].upper() + text[1:] + "; reviews are kept. Audited, with the "
            "reason.",
        )
        w.add_argument("applicant", metavar="ID", help="the applicant id")
        w.add_argument("--reason", default="", help="why (kept in the audit log)")
    db_command(
        group,
        "list",
        run_list,
        help="list the applicants with their status and saved reviews",
        with_json=True,
    )
    p = db_command(
        group,
        "merge",
        run_merge,
        help="merge two records of one person (their e-mail changed) into KEEP, audited",
        description="Merge OTHER into KEEP: KEEP keeps its id and reviews and takes the "
        "application in the latest export; OTHER's reviews move to KEEP where KEEP has none "
        "from that reviewer (on a clash KEEP's review stays and OTHER's is removed, its scores "
        "kept in the audit log); OTHER is removed.",
        with_json=True,
    )
    p.add_argument("keep", metavar="KEEP", help="the applicant id to keep")
    p.add_argument("other", metavar="OTHER", help="the applicant id merged into it")


PARSERS = {
    "validate": register_validate,
    "import": register_import,
    "applicants": register_applicants,
}


def run_validate(args: argparse.Namespace) -> int:
    from selector.intake import read_applications

    result = read_applications(args.file, mapping=parse_map(args.map))
    if args.json:
        print(json.dumps(result.to_json(), ensure_ascii=False))
    else:
        print(report(result))
    return 0


def report(result: IntakeResult) -> str:
    """A readable report: the counts, the column mapping, then one line per problem."""
    dupes = len(result.duplicates)
    lines = [
        f"{result.file} ({result.format}): {result.rows} data rows",
        f"  accepted    {len(result.accepted)}",
        f"  rejected    {len(result.rejected)}",
        f"  duplicates  {dupes} (earlier submissions superseded)",
        f"  warnings    {len(result.warnings) - dupes}",
        "",
        "Columns:",
    ]
    lines += [f"  {name:<14} ← {header}" for name, header in result.mapping.items()]
    problems = result.problems()
    if not problems:
        found = "No problems found." if result.rows else "No data rows below the header."
        lines += ["", found]
        return "\n".join(lines)
    rows = [(str(p.row or ""), p.location.cell or "", p.severity, p.message) for p in problems]
    widths = [max(len(r[i]) for r in [("row", "cell", "severity", ""), *rows]) for i in range(3)]
    lines += ["", "Problems:"]
    head = ("row", "cell", "severity", "problem")
    for r in [head, *rows]:
        lines.append("  " + "  ".join(r[i].ljust(widths[i]) for i in range(3)) + "  " + r[3])
    return "\n".join(lines)


def run_import(args: argparse.Namespace) -> int:
    from selector import workflow
    from selector.intake import read_applications
    from selector.store import mass_withdrawal

    data = read_applications(args.file, mapping=parse_map(args.map))
    store = open_store(args.db)
    actor = store.system_user()
    name = workflow.import_target(store, args.cycle)
    if args.dry_run:  # a dry run writes nothing, not even a new cycle
        report = workflow.preview_import(store, actor, name, data)
    else:
        report = workflow.import_applications(
            store, actor, name, data, allow_mass_withdrawal=args.allow_mass_withdrawal
        )
    if args.json:
        print_json(report.to_json())
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
    if args.dry_run:
        for line in workflow.preview_text(report):
            print(line)
        if mass_withdrawal(report):
            print(
                f"  importing it would be refused: {len(report.withdrawn)} of "
                f"{report.active_before} active applicants withdrawn "
                "(confirm with --allow-mass-withdrawal)"
            )
        return 0
    for applicant_id in report.withdrawn:
        print(
            f"  withdrawn: {applicant_id} {report.names.get(applicant_id, '')} "
            "(not in this export; reviews kept)"
        )
    for form_id, new_id in report.id_reused.items():
        print(
            f"  new: {new_id} {report.names.get(new_id, '')} (response id {form_id} is another "
            "person's, with another e-mail)"
        )
    return 0


def run_merge(args: argparse.Namespace) -> int:
    from selector import workflow

    store = open_store(args.db)
    done = workflow.merge_applicants(store, store.system_user(), args.cycle, args.keep, args.other)
    if args.json:
        print_json(
            {
                "keep": done.keep,
                "other": done.other,
                "application_from": done.application_from,
                "moved": done.moved,
                "dropped": done.dropped,
            }
        )
        return 0
    print(
        f"merged {done.other} into {done.keep} (application of {done.application_from}); "
        f"{len(done.moved)} review(s) moved, {len(done.dropped)} dropped as a clash"
    )
    for email in done.dropped:
        print(f"  {email} had reviewed both: the review of {done.keep} is kept (see the audit log)")
    return 0


def _set_withdrawn(args: argparse.Namespace, withdrawn: bool) -> int:
    from selector import workflow

    store = open_store(args.db)
    changed = workflow.set_withdrawn(
        store,
        store.system_user(),
        args.cycle,
        args.applicant,
        withdrawn=withdrawn,
        reason=args.reason,
    )
    state = "withdrawn" if withdrawn else "restored"
    print(f"{args.applicant} {state}" if changed else f"{args.applicant} was already {state}")
    return 0


def run_withdraw(args: argparse.Namespace) -> int:
    return _set_withdrawn(args, True)


def run_restore(args: argparse.Namespace) -> int:
    return _set_withdrawn(args, False)


def run_list(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from selector import workflow

    store = open_store(args.db)
    rows = workflow.applicant_statuses(store, store.system_user(), args.cycle)
    if args.json:
        print_json([asdict(r) for r in rows])
        return 0
    for r in rows:
        state = "withdrawn" if r.withdrawn else "active"
        print(f"{r.applicant_id:<10} {state:<9} {r.reviews:>2} review(s)  {r.name}")
    return 0
