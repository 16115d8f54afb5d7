"""Reviewers' scores in and out of a cycle: a score file (long or wide) read and saved, and
every saved score written as a long score file."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from selector.auth import User
    from selector.errors import InputError
    from selector.models import Review
    from selector.store import Store
    from selector.tables import Source

#: The columns of an exported score file (what `scores import` reads back).
SCORE_COLUMNS = ("applicant_id", "reviewer", "criterion", "score", "comment")


@dataclass
class ScoreImport:
    """What a score import did: the reviews saved (``saved``, and how many per reviewer), the
    reviewer accounts it created, and the rows rejected (``row`` may be None, ``column``,
    ``message``). ``refusal`` is set when nothing was saved: no valid row."""

    cycle: str
    saved: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)
    refusal: InputError | None = None
    by_reviewer: dict[str, int] = field(default_factory=dict)
    created_reviewers: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"saved": self.saved, "rejected": self.rejected}


def rejection_line(item: dict[str, Any]) -> str:
    """One rejected row as text: ``row 7: message``."""
    return (f"row {item['row']}: " if item["row"] else "") + str(item["message"])


def import_scores(
    store: Store,
    actor: User,
    cycle: str | None,
    source: Source,
    *,
    filename: str | None = None,
    create_reviewers: bool = False,
    stage: str | None = None,
) -> ScoreImport:
    """Read a score file and save its reviews in one transaction. A reviewer must have an
    account: an unknown one is a rejected row (a mistyped e-mail would otherwise make an
    account and a stray review), unless ``create_reviewers``, which adds each unknown e-mail
    address as a reviewer (without a password) together with their reviews. Never into the
    demo cycle. ``stage`` (a staged cycle's stage name; None the first, or only, stage) is
    the stage scored, on its own rubric; a later stage's scores are of shortlisted
    applicants only (the store refuses the file otherwise, naming the first outsider)."""
    from dataclasses import replace

    from selector.auth import normalize_email
    from selector.errors import InputError, Location
    from selector.intake import is_email
    from selector.scorefile import read_scores

    target = store.check_importable(actor, cycle)
    applicants = store.applicants(actor, target.name)
    key = target.config.stage_key(stage)
    rubric = target.config.stage_config(key) if key else target.config
    result = read_scores(source, rubric, applicants, filename=filename)
    errors = [p for p in result.problems if p.severity == "error"]
    rejected = [{"row": p.row, "column": p.location.column, "message": p.message} for p in errors]
    reviews: list[Review] = []
    users = {u.email for u in store.users(actor)}  # one read, not one per review
    new_reviewers: set[str] = set()
    for review in result.reviews:
        email = normalize_email(review.reviewer)
        if email in users or (create_reviewers and is_email(email)):
            reviews.append(replace(review, stage=key))
            if email not in users:
                new_reviewers.add(email)
            continue
        if is_email(email):
            message = (
                f"unknown reviewer {review.reviewer!r}: no account has this e-mail; add it "
                "with `selector users add`, or import with --create-reviewers"
            )
        else:
            message = (
                f"reviewer {review.reviewer!r} is neither a user nor an e-mail address; "
                "add them with `selector users add`"
            )
        row = result.rows.get((review.applicant_id, review.reviewer))
        rejected.append({"row": row, "column": "reviewer", "message": message})
    rejected.sort(key=lambda item: (item["row"] is None, item["row"] or 0))
    done = ScoreImport(target.name, rejected=rejected)
    named = filename or (str(source) if isinstance(source, (str, Path)) else None)
    where = Location(file=named)
    if not reviews:  # like an applications export with no valid row: refused as a whole
        if not rejected:
            done.refusal = InputError("scores_no_rows", "no score rows; nothing was saved", where)
            return done
        other_cycle = bool(errors) and all(p.code == "score_unknown_applicant" for p in errors)
        done.refusal = InputError(
            "scores_none_valid",
            f"no valid score row, nothing was saved ({len(rejected)} rejected; "
            f"{rejection_line(rejected[0])})"
            + (f"; is it a score file of another cycle than {target.name}?" if other_cycle else ""),
            where,
        )
        return done
    # The new reviewers' accounts and their reviews are saved together, or neither.
    done.saved = store.save_reviews(actor, target.name, reviews, new_reviewers=new_reviewers)
    for review in reviews:
        email = normalize_email(review.reviewer)
        done.by_reviewer[email] = done.by_reviewer.get(email, 0) + 1
    done.created_reviewers = sorted(new_reviewers)
    return done


@dataclass(frozen=True)
class ScoreExport:
    """What a score export wrote: the cycle and the number of score rows."""

    cycle: str
    scores: int


def score_rows(
    store: Store, actor: User, cycle: str | None, stage: str | None = None
) -> tuple[str, list[list[Any]]]:
    """The cycle's name and one row per saved score (drafts included, declared conflicts left
    out), in the criteria's order, after a header row; of one stage (a name; None the first,
    or only, stage), in its rubric's order."""
    target = store.cycle(cycle)
    key = target.config.stage_key(stage)
    rubric = target.config.stage_config(key) if key else target.config
    rows: list[list[Any]] = [list(SCORE_COLUMNS)]
    for review in store.reviews(actor, target.name, stage=stage):
        if review.conflict:
            continue
        for criterion in rubric.criteria:
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
    return target.name, rows


def _file_bytes(rows: list[list[Any]], kind: str) -> bytes:
    """The rows as an .xlsx workbook (one sheet, "scores") or a UTF-8 CSV with a BOM; text
    that a spreadsheet would run as a formula is quoted as in the roster."""
    from selector.roster import safe_cell

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
        return buffer.getvalue()
    import csv

    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(safe)
    return text.getvalue().encode("utf-8-sig")


def export_scores(
    store: Store, actor: User, cycle: str | None, path: str | Path, *, stage: str | None = None
) -> ScoreExport:
    """Write every saved score of a cycle (of one stage: a name, None the first or only) to
    ``path`` (.csv or .xlsx) as a long score file."""
    from selector.roster import output_format, write_output

    kind = output_format(path, "scores")
    name, rows = score_rows(store, actor, cycle, stage)
    write_output(path, _file_bytes(rows, kind), "scores")
    return ScoreExport(name, len(rows) - 1)
