"""Letters: a cycle's edited letter templates and the record of each letter sent.

Only the coordinator and the chair (:attr:`~selector.auth.Action.SEND_LETTERS`) read or write
either. A letter is claimed (:meth:`LettersMixin.claim_letter`) before it goes to the mail
server and confirmed after (:meth:`~LettersMixin.letter_sent`); a refused one is released
(:meth:`~LettersMixin.release_letter`), so a re-run sends exactly the letters not yet sent, and
two sessions sending at once never send one twice (the row's unique key decides)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from selector.auth import Action, User
from selector.store.core import StoreCore
from selector.store.schema import CycleRow, LetterSentRow, LetterTemplateRow, utcnow


def _letter(cycle: CycleRow, applicant_id: str, outcome: str) -> tuple[Any, ...]:
    """The conditions that pick one recorded letter: its cycle, applicant and outcome."""
    return (
        LetterSentRow.cycle_id == cycle.id,
        LetterSentRow.applicant_id == applicant_id,
        LetterSentRow.outcome == outcome,
    )


@dataclass(frozen=True)
class SentLetter:
    """A letter recorded for one recipient: ``status`` "sent", or "sending" when the run that
    claimed it stopped before the mail server answered (it is not sent again by itself)."""

    applicant_id: str
    outcome: str
    address: str
    status: str
    message_id: str
    actor: str
    at: dt.datetime


class LettersMixin(StoreCore):
    """Letter templates per cycle and the letters sent."""

    def letter_templates(self, actor: User, cycle: str | None) -> dict[str, str]:
        """The cycle's edited templates (and signature) by outcome; the rest are the defaults."""
        actor.require(Action.SEND_LETTERS)
        with self._tx(write=False) as s:
            cycle_row = self._cycle_row(s, cycle)
            rows = s.scalars(
                select(LetterTemplateRow).where(LetterTemplateRow.cycle_id == cycle_row.id)
            )
            return {r.outcome: r.text for r in rows}

    def save_letter_template(self, actor: User, cycle: str | None, outcome: str, text: str) -> None:
        """Keep the cycle's template of ``outcome`` (checked by the caller), audited with the
        old and new text."""
        actor.require(Action.SEND_LETTERS)
        with self._tx() as s:
            cycle_row = self._cycle_row(s, cycle)
            row = s.scalars(
                select(LetterTemplateRow).where(
                    LetterTemplateRow.cycle_id == cycle_row.id,
                    LetterTemplateRow.outcome == outcome,
                )
            ).first()
            old = None if row is None else row.text
            if old == text:
                return
            if row is None:
                row = LetterTemplateRow(cycle_id=cycle_row.id, outcome=outcome, text=text)
                s.add(row)
            row.text, row.updated_by, row.updated_at = text, actor.email, utcnow()
            self._audit(s, actor, cycle_row, "letter.template", outcome, old, text)

    def claim_letter(
        self, actor: User, cycle: str | None, applicant_id: str, outcome: str, address: str
    ) -> bool:
        """Claim the letter of ``outcome`` to one recipient before sending it: False when it
        was sent (or claimed) already, so it is never sent twice."""
        actor.require(Action.SEND_LETTERS)
        try:
            with self._tx() as s:
                cycle_row = self._cycle_row(s, cycle)
                s.add(
                    LetterSentRow(
                        cycle_id=cycle_row.id,
                        applicant_id=applicant_id,
                        outcome=outcome,
                        address=address,
                        status="sending",
                        actor=actor.email,
                    )
                )
        except IntegrityError:
            return False
        return True

    def letter_sent(
        self, actor: User, cycle: str | None, applicant_id: str, outcome: str, message_id: str
    ) -> None:
        """Record that the mail server took a claimed letter (audited "letter.sent")."""
        actor.require(Action.SEND_LETTERS)
        with self._tx() as s:
            cycle_row = self._cycle_row(s, cycle)
            row = s.scalars(
                select(LetterSentRow).where(*_letter(cycle_row, applicant_id, outcome))
            ).one()
            row.status, row.message_id, row.sent_at = "sent", message_id, utcnow()
            self._audit(s, actor, cycle_row, "letter.sent", f"{applicant_id} {outcome}")

    def release_letter(
        self, actor: User, cycle: str | None, applicant_id: str, outcome: str
    ) -> None:
        """Drop a claim the mail server refused, so the next run sends the letter."""
        actor.require(Action.SEND_LETTERS)
        with self._tx() as s:
            cycle_row = self._cycle_row(s, cycle)
            s.execute(
                delete(LetterSentRow).where(
                    *_letter(cycle_row, applicant_id, outcome), LetterSentRow.status == "sending"
                )
            )

    def release_interrupted(
        self, actor: User, cycle: str | None, applicant_id: str, outcome: str
    ) -> bool:
        """Release a claim left "sending" by a run that stopped before the mail server answered,
        once someone has checked the letter did not arrive: the next run sends it. Audited
        ("letter.release"); False when there is no such claim (a sent letter stays sent)."""
        actor.require(Action.SEND_LETTERS)
        with self._tx() as s:
            cycle_row = self._cycle_row(s, cycle)
            row = s.scalars(
                select(LetterSentRow).where(
                    *_letter(cycle_row, applicant_id, outcome), LetterSentRow.status == "sending"
                )
            ).first()
            if row is None:
                return False
            s.delete(row)
            self._audit(s, actor, cycle_row, "letter.release", f"{applicant_id} {outcome}")
            return True

    def letters_sent(self, actor: User, cycle: str | None) -> list[SentLetter]:
        """The letters recorded for the cycle (sent, or claimed by a run that stopped), in the
        order they went out."""
        actor.require(Action.SEND_LETTERS)
        with self._tx(write=False) as s:
            cycle_row = self._cycle_row(s, cycle)
            rows = s.scalars(
                select(LetterSentRow)
                .where(LetterSentRow.cycle_id == cycle_row.id)
                .order_by(LetterSentRow.id)
            )
            return [
                SentLetter(
                    r.applicant_id, r.outcome, r.address, r.status, r.message_id, r.actor, r.sent_at
                )
                for r in rows
            ]
