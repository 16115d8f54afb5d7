"""The roster: a decision as a workbook (or CSV) a committee can hand on.

Sheets: Cohort, Second-years (last cycle's accepted members, while the track runs),
Replacements, All applicants (status and reason), Rules (the config used, rule prices, any
diagnosis) and Audit (input file hashes, solver and version, tie-break seed, time).
Once the cycle has offers, the Cohort sheet is the accepted cohort, an Offers sheet lists every
offer with its status, and the other sheets (and the CSV) show each applicant's offer status.
Every text cell goes through :func:`safe_cell`, so a name such as ``=HYPERLINK(...)`` from an
application form is shown as text, never run as a formula.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from selector import __version__
from selector.errors import InputError, Location
from selector.models import SecondYears
from selector.selection import Decision

if TYPE_CHECKING:
    from selector.selection.lottery import Lottery
    from selector.selection.robustness import Robustness
    from selector.store.offers import Offer

#: Leading characters that make a spreadsheet treat a cell as a formula (or part of one).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """A cell value that cannot run as a formula: text starting with = + - @ tab or CR gets a
    leading apostrophe; numbers, booleans and None pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def applicant_status(decision: Decision, applicant_id: str) -> str:
    """One word for where an applicant stands: selected, not selected, locked out,
    ineligible or unscored."""
    if applicant_id in decision.selected:
        return "selected"
    if applicant_id in decision.unscored:
        return "unscored"
    if applicant_id in decision.ineligible:
        return "ineligible"
    if applicant_id in decision.exclude:
        return "locked out"
    return "not selected"


def _person(decision: Decision, applicant_id: str) -> list[Any]:
    """The columns every sheet starts with: id, name, e-mail, PGY, specialty."""
    a = decision.applicants[applicant_id]
    return [applicant_id, a.name, a.email, a.pgy, a.specialty]


def _cohort_rows(decision: Decision) -> list[list[Any]]:
    return [
        [*_person(decision, aid), decision.scores.get(aid), decision.margins.get(aid)]
        for aid in decision.selected
    ]


#: The columns of the Second-years sheet.
SECOND_YEAR_HEADER = ["Applicant ID", "Name", "E-mail", "PGY", "Specialty", "Program", "Cohort of"]


def second_year_rows(second_years: SecondYears | None) -> list[list[Any]]:
    """The second-year trainees as rows (id and PGY as in the cycle that chose them)."""
    if second_years is None:
        return []
    return [
        [a.applicant_id, a.name, a.email, a.pgy, a.specialty, a.program, second_years.cycle]
        for a in second_years.members
    ]


def _all_rows(decision: Decision, offered: Mapping[str, str]) -> list[list[Any]]:
    return [
        [
            *_person(decision, aid),
            decision.applicants[aid].program,
            decision.scores.get(aid),
            applicant_status(decision, aid),
            decision.margins.get(aid),
            decision.reasons.get(aid, ""),
            *([offered.get(aid, "")] if offered else []),
        ]
        for aid in decision.applicants
    ]


def offer_status(offer: Offer) -> str:
    """An offer's status in words: "declined (no answer)" for a silent decline."""
    return f"{offer.status} (no answer)" if offer.no_answer else offer.status


def _offer_rows(offers: Sequence[Offer]) -> list[list[Any]]:
    """One row per offer: who, status, when offered, deadline, whose seat it fills."""
    return [
        [
            o.applicant_id,
            o.name,
            offer_status(o),
            o.offered_at.strftime("%Y-%m-%d %H:%M"),
            None if o.deadline is None else o.deadline.isoformat(),
            o.replaces,
        ]
        for o in offers
    ]


def _accepted_rows(decision: Decision, offers: Sequence[Offer]) -> list[list[Any]]:
    """The accepted cohort: each accepted member, with whose seat it took."""
    return [
        [*_person(decision, o.applicant_id), decision.scores.get(o.applicant_id), o.replaces]
        for o in offers
        if o.status == "accepted" and o.applicant_id in decision.applicants
    ]


def _sheet(wb: Workbook, title: str, header: Sequence[str], rows: list[list[Any]]) -> None:
    """A table sheet: bold header, frozen first row, autofilter, fitted column widths."""
    ws = wb.create_sheet(title)
    ws.append([safe_cell(h) for h in header])
    for row in rows:
        ws.append([safe_cell(v) for v in row])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    for i, _ in enumerate(header, start=1):
        letter = get_column_letter(i)
        width = max((len(str(c.value)) for c in ws[letter] if c.value is not None), default=8)
        ws.column_dimensions[letter].width = min(max(width + 2, 8), 70)


def _hashes(inputs: Mapping[str, bytes]) -> list[list[Any]]:
    return [
        [f"input file {name}", hashlib.sha256(data).hexdigest()]
        for name, data in sorted(inputs.items())
    ]


def roster_xlsx(
    decision: Decision,
    *,
    inputs: Mapping[str, bytes] | None = None,
    config_text: str | None = None,
    generated_at: dt.datetime | None = None,
    input_hash: str | None = None,
    run_id: int | None = None,
    robustness: Robustness | None = None,
    lottery: Lottery | None = None,
    offers: Sequence[Offer] = (),
    second_years: SecondYears | None = None,
) -> bytes:
    """The roster workbook. ``inputs`` (file name → bytes) are hashed into the Audit sheet;
    ``config_text`` is the config as written (else the validated config as JSON); the run's
    id and the hash of the data decided on go to the Audit sheet; ``robustness`` adds a
    Robustness sheet (each selectable applicant's selection probability). With ``offers``
    the Cohort sheet is the accepted cohort and an Offers sheet lists every offer;
    ``second_years`` (while the track runs) adds a Second-years sheet beside the Cohort."""
    wb = Workbook()
    if wb.active is not None:
        wb.remove(wb.active)
    if offers:
        _sheet(
            wb,
            "Cohort",
            ["Applicant ID", "Name", "E-mail", "PGY", "Specialty", "Score", "Took the seat of"],
            _accepted_rows(decision, offers),
        )
        _sheet(
            wb,
            "Offers",
            ["Applicant ID", "Name", "Offer", "Offered (UTC)", "Deadline", "Replaces"],
            _offer_rows(offers),
        )
    else:
        _sheet(
            wb,
            "Cohort",
            ["Applicant ID", "Name", "E-mail", "PGY", "Specialty", "Score", "Margin"],
            _cohort_rows(decision),
        )
    if second_years is not None and second_years.cycle is not None:
        _sheet(wb, "Second-years", SECOND_YEAR_HEADER, second_year_rows(second_years))
    names = {aid: a.name for aid, a in decision.applicants.items()}
    _sheet(
        wb,
        "Replacements",
        ["Member", "Member name", "Replacement", "Replacement name", "Replacement score"],
        [
            [m, names.get(m), r, names.get(r) if r else None, decision.scores.get(r or "")]
            for m, r in decision.replacements.items()
        ],
    )
    _sheet(
        wb,
        "All applicants",
        [
            "Applicant ID",
            "Name",
            "E-mail",
            "PGY",
            "Specialty",
            "Program",
            "Score",
            "Status",
            "Margin",
            "Reason",
            *(["Offer"] if offers else []),
        ],
        _all_rows(decision, {o.applicant_id: offer_status(o) for o in offers}),
    )
    rules: list[list[Any]] = [["status", decision.status], ["total score", decision.total_score]]
    rules += [[f"price of rule: {k}", v] for k, v in decision.rule_prices.items()]
    unconstrained = decision.unconstrained
    rules.append(["unconstrained top-N total", unconstrained.get("total_score")])
    rules.append(["unconstrained top-N", ", ".join(unconstrained.get("selected", []))])
    rules += [["diagnosis", line] for line in decision.diagnosis]
    if lottery is not None:
        rules.append(["lottery", lottery.text()])
        rules += [["drawn by lot", a] for a in lottery.drawn]
        rules.append(["lottery among", ", ".join(lottery.pool)])
        rules.append(["lottery seed", lottery.seed])
    rules += [["locked in", a] for a in decision.include]
    rules += [["locked out", a] for a in decision.exclude]
    text = config_text or json.dumps(decision.config.model_dump(), indent=2)
    rules += [["config", line] for line in text.splitlines()]
    _sheet(wb, "Rules", ["What", "Value"], rules)
    if robustness is not None:
        _sheet(
            wb,
            "Robustness",
            ["Applicant ID", "Name", "Status", "Selection probability", "Verdict"],
            _robustness_rows(decision, robustness),
        )
    when = (generated_at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    audit: list[list[Any]] = [
        ["generated (UTC)", when.strftime("%Y-%m-%d %H:%M:%S")],
        ["selector version", __version__],
        ["run id", run_id],
        ["input hash (SHA-256 of applicants, reviews and config)", input_hash],
        *_robustness_audit(robustness),
        ["solver", f"{decision.solver.get('name')} {decision.solver.get('version')}"],
        ["tie-break seed", decision.tie_break_seed],
        ["tie-break rule", decision.tie_break],
        *_hashes(inputs or {}),
        *[[f"time {k}", v] for k, v in decision.timings.items()],
        *[["warning", w] for w in decision.warnings],
    ]
    _sheet(wb, "Audit", ["What", "Value"], audit)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _robustness_rows(decision: Decision, found: Robustness) -> list[list[Any]]:
    verdict = {a: "secure" for a in found.secure}
    verdict.update({a: "contested" for a in found.contested})
    verdict.update({a: "near-miss" for a in found.near_misses})
    order = sorted(found.probability, key=lambda a: (-found.probability[a], a))
    return [
        [
            a,
            decision.applicants[a].name,
            applicant_status(decision, a),
            found.probability[a],
            verdict.get(a, ""),
        ]
        for a in order
    ]


def _robustness_audit(found: Robustness | None) -> list[list[Any]]:
    if found is None:
        return []
    return [
        ["robustness draws", found.draws],
        ["robustness seed", found.seed],
        ["robustness: secure seats", f"{len(found.secure)} of {len(found.selected)}"],
    ]


def roster_csv(
    decision: Decision,
    *,
    input_hash: str | None = None,
    run_id: int | None = None,
    robustness: Robustness | None = None,
    offers: Sequence[Offer] = (),
    second_years: SecondYears | None = None,
) -> bytes:
    """The cohort first, then every other applicant, one row each with status and reason
    (UTF-8 with a byte-order mark, so Excel reads accents right); with ``robustness`` a
    ``selection_probability`` column, and with a run id or input hash, ``run_id`` and
    ``input_hash`` columns (the same on every row). With ``offers`` an ``offer`` column, and
    the accepted cohort first, then the other offers, then everyone else. With
    ``second_years`` (while the track runs) the second-year trainees follow the cohort, status
    ``second-year``, their cycle in a ``second_year_of`` column (empty on this cycle's rows)."""
    track = second_years is not None and second_years.cycle is not None
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(
        [
            "applicant_id",
            "name",
            "email",
            "pgy",
            "specialty",
            "score",
            "status",
            "margin",
            "replacement",
            "reason",
            *(["selection_probability"] if robustness is not None else []),
            *(["run_id", "input_hash"] if run_id is not None or input_hash is not None else []),
            *(["offer"] if offers else []),
            *(["second_year_of"] if track else []),
        ]
    )
    stamp = (
        ["" if run_id is None else run_id, input_hash or ""]
        if run_id is not None or input_hash is not None
        else []
    )
    offered = {o.applicant_id: offer_status(o) for o in offers}
    if offers:
        accepted = [o.applicant_id for o in offers if o.status == "accepted"]
        first = accepted + [o.applicant_id for o in offers if o.status != "accepted"]
    else:
        first = list(decision.selected)
    first = [a for a in first if a in decision.applicants]
    order = first + [a for a in decision.applicants if a not in set(first)]
    for i, aid in enumerate(order):
        if track and i == len(first):
            _second_year_lines(
                w, second_years, robustness is not None, [*stamp, *([""] if offers else [])]
            )
        w.writerow(
            [
                safe_cell(v)
                for v in (
                    *_person(decision, aid),
                    decision.scores.get(aid, ""),
                    applicant_status(decision, aid),
                    "" if decision.margins.get(aid) is None else decision.margins[aid],
                    decision.replacements.get(aid) or "",
                    decision.reasons.get(aid, ""),
                    *([robustness.probability.get(aid, "")] if robustness is not None else []),
                    *stamp,
                    *([offered.get(aid, "")] if offers else []),
                    *([""] if track else []),
                )
            ]
        )
    if track and len(order) == len(first):  # nobody after the cohort: the second-years last
        _second_year_lines(
            w, second_years, robustness is not None, [*stamp, *([""] if offers else [])]
        )
    return buf.getvalue().encode("utf-8-sig")


def _second_year_lines(
    w: Any, second_years: SecondYears | None, probability: bool, stamp: list[Any]
) -> None:
    """The CSV rows of the second-year trainees (no score, margin or reason this cycle)."""
    if second_years is None:
        return
    for a in second_years.members:
        cells = [a.applicant_id, a.name, a.email, a.pgy, a.specialty, "", "second-year"]
        cells += ["", "", f"in the cohort of {second_years.cycle}"]
        cells += [""] if probability else []
        w.writerow([safe_cell(v) for v in (*cells, *stamp, second_years.cycle)])


def output_format(path: str | Path, what: str = "roster") -> Literal["xlsx", "csv"]:
    """The format a file name asks for; anything but .xlsx or .csv is an InputError, so a
    command can refuse the name before doing any work."""
    suffix = Path(path).suffix.lower()
    if suffix == ".xlsx":
        return "xlsx"
    if suffix == ".csv":
        return "csv"
    raise InputError(
        f"{what}_format", f"the {what} must be .xlsx or .csv", Location(file=str(path))
    )


def write_output(path: str | Path, data: bytes, what: str = "roster") -> None:
    """Write an output file; a missing folder, a directory or a refused write is an InputError."""
    try:
        Path(path).write_bytes(data)
    except OSError as exc:
        raise InputError(
            f"{what}_unwritable", f"cannot write: {exc.strerror}", Location(file=str(path))
        ) from None


def write_roster(
    decision: Decision,
    path: str | Path,
    *,
    inputs: Mapping[str, bytes] | None = None,
    config_text: str | None = None,
    input_hash: str | None = None,
    run_id: int | None = None,
    robustness: Robustness | None = None,
    lottery: Lottery | None = None,
    offers: Sequence[Offer] = (),
    second_years: SecondYears | None = None,
) -> None:
    """The roster as a workbook or CSV, by the extension of ``path`` (the CSV's reasons say
    who was drawn by lot); with ``offers``, each applicant's offer status and the accepted
    cohort first; with the second-year trainees when given."""
    if output_format(path) == "xlsx":
        data = roster_xlsx(
            decision,
            inputs=inputs,
            config_text=config_text,
            input_hash=input_hash,
            run_id=run_id,
            robustness=robustness,
            lottery=lottery,
            offers=offers,
            second_years=second_years,
        )
    else:
        data = roster_csv(
            decision,
            input_hash=input_hash,
            run_id=run_id,
            robustness=robustness,
            offers=offers,
            second_years=second_years,
        )
    write_output(path, data)
