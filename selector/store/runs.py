"""Selection runs: the inputs of a selection, their hash, recorded runs, and the audit log.

A run keeps the config snapshot, :func:`input_hash` of the data it was decided on and the full
decision JSON, so a roster can later be checked against the data it claims."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from selector.auth import Action, User
from selector.errors import InputError
from selector.models import Applicant, Review
from selector.store.applicants import ApplicantsMixin
from selector.store.reviews import ReviewsMixin
from selector.store.schema import AuditRow, CycleRow, RunRow

if TYPE_CHECKING:
    from selector.selection import Decision

#: What a selection is decided on: the selectable applicants and their reviews.
SelectionInputs = tuple[Sequence[Applicant], Sequence[Review]]


@dataclass(frozen=True)
class Run:
    """A recorded selection run: config snapshot, input hash, the full decision JSON and
    the inputs it was decided on (:func:`inputs_json`; None for a run recorded before runs
    kept them)."""

    id: int
    cycle: str
    actor: str
    at: dt.datetime
    config_text: str
    input_hash: str
    decision: dict[str, Any]
    final: bool
    inputs: dict[str, Any] | None = None
    #: A final run undone (:meth:`RunsMixin.unfinalise`): no longer final, kept as it was.
    unfinalised: bool = False
    #: The stage whose shortlist the run decided ("screening"); "" for a cohort.
    stage: str = ""


@dataclass(frozen=True)
class AuditEntry:
    """Who changed what and when, with old and new values."""

    at: dt.datetime
    actor: str
    cycle: str | None
    action: str
    target: str
    old: Any
    new: Any


def inputs_json(applicants: Sequence[Applicant], reviews: Sequence[Review]) -> dict[str, Any]:
    """The inputs of a selection as plain JSON, in a fixed order: what :func:`input_hash`
    hashes and what a run keeps, so it can be decided again (:func:`inputs_from_json`)."""
    return {
        "applicants": sorted(
            ({**a.canonical(), "answers": dict(a.answers)} for a in applicants),
            key=lambda d: d["applicant_id"],
        ),
        "reviews": sorted(
            (
                {
                    "applicant_id": r.applicant_id,
                    "reviewer": r.reviewer,
                    "scores": dict(r.scores),
                    "conflict": r.conflict,
                }
                | ({"stage": r.stage} if r.stage else {})  # a later stage's (hashes kept)
                for r in reviews
            ),
            key=lambda d: (d.get("stage", ""), d["applicant_id"], d["reviewer"]),
        ),
    }


def inputs_from_json(data: Mapping[str, Any]) -> tuple[list[Applicant], list[Review]]:
    """The (applicants, reviews) of :func:`inputs_json` back."""
    applicants = [Applicant(**a) for a in data["applicants"]]
    reviews = [
        Review(
            r["applicant_id"],
            r["reviewer"],
            dict(r["scores"]),
            conflict=bool(r["conflict"]),
            stage=str(r.get("stage", "")),
        )
        for r in data["reviews"]
    ]
    return applicants, reviews


def input_hash(applicants: Sequence[Applicant], reviews: Sequence[Review], config_text: str) -> str:
    """SHA-256 over the inputs of a selection, so a run can be matched to its data."""
    payload = {"config": config_text, **inputs_json(applicants, reviews)}
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _digest(inputs: SelectionInputs, config_text: str, claimed: str | None) -> str:
    """:func:`input_hash` of ``inputs``; refused when it is not the ``claimed`` one (the data
    changed since the decision was made)."""
    digest = input_hash(*inputs, config_text)
    if claimed is not None and claimed != digest:
        raise InputError(
            "run_inputs_changed",
            "the data changed since this decision (applications, reviews or rules); run it again",
        )
    return digest


class RunsMixin(ApplicantsMixin, ReviewsMixin):
    """Selection inputs, recorded runs and the audit log."""

    def selection_inputs(
        self, actor: User, cycle: str | None, *, every_stage: bool = False
    ) -> tuple[list[Applicant], list[Review]]:
        """The selectable applicants (not withdrawn) and their reviews, for selection.decide:
        the first (or only) stage's reviews, or with ``every_stage`` those of every stage
        (a staged cycle's final decision)."""
        actor.require(Action.RUN_SELECTION)
        stage = None if every_stage else ""
        if actor.can(Action.READ_ALL):  # every role that runs a selection: one read
            with self._tx(write=False) as s:
                cycle_row = self._cycle_row(s, cycle)
                applicants = self._all_applicants(s, cycle_row)
                reviews = self._read_reviews(s, actor, cycle_row, selectable_only=True, stage=stage)
                return applicants, reviews
        applicants = self.applicants(actor, cycle)
        ids = {a.applicant_id for a in applicants}
        every = self.reviews(actor, cycle, every_stage=every_stage)
        return applicants, [r for r in every if r.applicant_id in ids]

    def shortlist(self, actor: User, cycle: str | None) -> list[str] | None:
        """The shortlist in force of a staged cycle: the cohort of the newest final run of
        its first stage (not undone); None when there is none."""
        actor.require(Action.READ_ALL)
        with self._tx(write=False) as s:
            found = self._shortlist(s, self._cycle_row(s, cycle))
            return None if found is None else sorted(found)

    def record_run(
        self,
        actor: User,
        cycle: str | None,
        *,
        config_text: str,
        decision: Decision | Mapping[str, Any],
        final: bool = False,
        input_hash: str | None = None,
        inputs: SelectionInputs | None = None,
        stage: str = "",
        trainees: Collection[str] = (),
    ) -> int:
        """Record a selection run (config snapshot, input hash, the decision's JSON); a final
        run needs the chair. Returns the run id. ``decision`` is a
        :class:`~selector.selection.Decision` or its ``to_json()`` object.

        ``inputs`` are the (applicants, reviews) the decision was made on, as
        :meth:`selection_inputs` gave them: they are hashed instead of reading the cycle again,
        so a stored selection loads its data once. Without them the cycle's current data is
        read and hashed. Either way the run keeps the inputs themselves (the decision JSON's
        ``inputs``), so ``selector runs verify`` can decide it again. ``input_hash`` is
        :func:`input_hash` of the data the decision was made on: when the hashed data
        (``inputs``, else the stored data) no longer hashes the same, the run is refused, so
        a run never claims data it was not decided on. ``stage`` names the stage whose
        shortlist the run decided ("" for a cohort): its final run is the shortlist."""
        actor.require(Action.FINALIZE if final else Action.RUN_SELECTION)
        decision_json = dict(decision) if isinstance(decision, Mapping) else decision.to_json()
        if inputs is None:
            inputs = self.selection_inputs(actor, cycle)
        digest = _digest(inputs, config_text, input_hash)
        kept_inputs = inputs_json(*inputs)
        if trainees:
            kept_inputs["trainees"] = sorted(trainees)
        kept = {**decision_json, "inputs": kept_inputs}  # so the run can be replayed
        with self._tx() as s:
            cycle_row = self._cycle_row(s, cycle)
            row = RunRow(
                cycle_id=cycle_row.id,
                actor=actor.email,
                config_text=config_text,
                input_hash=digest,
                decision=json.loads(json.dumps(kept, default=str)),
                final=final,
                stage=stage,
            )
            s.add(row)
            s.flush()
            self._audit(
                s,
                actor,
                cycle_row,
                "run.final" if final else "run",
                str(row.id),
                None,
                {"input_hash": digest, "selected": decision_json.get("selected")}
                | ({"stage": stage} if stage else {}),
            )
            return row.id

    def runs(self, actor: User, cycle: str | None, *, every_stage: bool = False) -> list[Run]:
        """Recorded selection runs of a cycle, newest first: its cohorts, or with
        ``every_stage`` its shortlists too. A final run that was undone (:meth:`unfinalise`)
        is listed with ``final`` False and ``unfinalised`` True, so the final run in force is
        the newest one whose ``final`` is True (of the cohorts, or of one stage)."""
        actor.require(Action.READ_ALL)
        with self._tx(write=False) as s:
            cycle_row = self._cycle_row(s, cycle)
            undone = self._unfinalised(s, cycle_row)
            query = select(RunRow).where(RunRow.cycle_id == cycle_row.id)
            if not every_stage:
                query = query.where(RunRow.stage == "")
            rows = s.scalars(query.order_by(RunRow.id.desc()))
            runs = []
            for r in rows:
                decision = dict(r.decision)
                inputs = decision.pop("inputs", None)  # kept beside the decision, not in it
                runs.append(
                    Run(
                        r.id,
                        cycle_row.name,
                        r.actor,
                        r.created_at,
                        r.config_text,
                        r.input_hash,
                        decision,
                        r.final and r.id not in undone,
                        inputs,
                        r.final and r.id in undone,
                        r.stage,
                    )
                )
            return runs

    def unfinalise(self, actor: User, cycle: str | None, reason: str = "") -> int:
        """Undo the cycle's final run in force (the chair only), audited as
        "run.unfinalise" with the reason: the run is kept, no longer final, and the final
        run before it (if any) is in force again. Returns the undone run's id; refused when
        no run is final."""
        actor.require(Action.FINALIZE)
        with self._tx() as s:
            cycle_row = self._cycle_row(s, cycle)
            undone = self._unfinalised(s, cycle_row)
            row = s.scalars(
                select(RunRow)
                .where(
                    RunRow.cycle_id == cycle_row.id,
                    RunRow.final.is_(True),
                    RunRow.id.not_in(undone),
                )
                .order_by(RunRow.id.desc())
            ).first()
            if row is None:
                raise InputError(
                    "run_not_final", f"no selection run of cycle {cycle_row.name} is final"
                )
            self._audit(
                s,
                actor,
                cycle_row,
                "run.unfinalise",
                str(row.id),
                {"final": True},
                {"final": False, "reason": reason.strip()},
            )
            return row.id

    def applicant_history(
        self, actor: User, cycle: str | None, applicant_id: str
    ) -> list[AuditEntry]:
        """The audit entries about one applicant (oldest first): imports and changes,
        withdrawals, merges, assignments, reviews and conflicts of it."""
        actor.require(Action.READ_AUDIT)
        with self._tx(write=False) as s:
            cycle_row = self._cycle_row(s, cycle)
            rows = s.scalars(
                select(AuditRow)
                .where(
                    AuditRow.cycle_id == cycle_row.id,
                    (AuditRow.target == applicant_id)
                    | AuditRow.target.startswith(f"{applicant_id} ", autoescape=True),
                )
                .order_by(AuditRow.id)
            )
            return [
                AuditEntry(r.at, r.actor, cycle_row.name, r.action, r.target, r.old, r.new)
                for r in rows
            ]

    def audit_log(
        self, actor: User, cycle: str | None = None, *, newest: int | None = None
    ) -> list[AuditEntry]:
        """Who changed what and when (oldest first); one cycle's entries, or all; with
        ``newest``, only that many of the latest."""
        actor.require(Action.READ_AUDIT)
        with self._tx(write=False) as s:
            names = {c.id: c.name for c in s.scalars(select(CycleRow))}
            query = select(AuditRow).order_by(AuditRow.id.desc())
            if cycle is not None:
                query = query.where(AuditRow.cycle_id == self._cycle_row(s, cycle).id)
            if newest is not None:
                query = query.limit(newest)
            rows = list(s.scalars(query))[::-1]
            return [
                AuditEntry(
                    r.at,
                    r.actor,
                    names.get(r.cycle_id) if r.cycle_id else None,
                    r.action,
                    r.target,
                    r.old,
                    r.new,
                )
                for r in rows
            ]

    def data_version(self) -> tuple[int, int]:
        """A value that changes whenever the stored data does: the audit log's length and
        last id (every write is audited in its own transaction; the length also changes when
        a transaction that took an earlier id commits late). One cheap query, no role needed:
        it says nothing about what changed."""
        with self._tx(write=False) as s:
            count, last = s.execute(select(func.count(AuditRow.id), func.max(AuditRow.id))).one()
        return int(count), int(last or 0)
