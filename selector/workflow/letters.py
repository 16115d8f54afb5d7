"""Decision letters: who gets which letter, the cycle's templates, rendering and sending.

Where outcomes come from is decided in one place, :func:`letter_recipients`; everything else
(templates, rendering, ``.eml`` files, sending, the record of what was sent) takes its list of
:class:`~selector.letters.Recipient` and nothing else. Only the coordinator and the chair may
do any of it (:attr:`~selector.auth.Action.SEND_LETTERS`, checked here and in the store).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from selector.letters import (
    OUTCOMES,
    SIGNATURE,
    Letter,
    Recipient,
    addressable,
    build_message,
    check_template,
    default_templates,
    file_names,
    preview_recipient,
    render_letters,
)

if TYPE_CHECKING:
    from email.message import EmailMessage

    from selector.auth import User
    from selector.letters.smtp import SmtpSettings
    from selector.models import Applicant
    from selector.store import Store

#: The log of letters sent: applicant ids and outcomes only, never a name or an address.
LOG = logging.getLogger("selector.letters")

_DIRECTOR = re.compile(r"\b(?:program\s+director|director|pd)\b", re.I)
_MAIL = re.compile(r"e-?\s?mail|\baddress\b|\bcontact\b", re.I)


def program_director_email(applicant: Applicant) -> str:
    """The program director's address from the application's answers (a question about the
    director's e-mail holding an address), or "" when it has none."""
    from selector.emails import is_email, normalize_email

    for question, answer in applicant.answers.items():
        if _DIRECTOR.search(question) and _MAIL.search(question):
            address = normalize_email(answer)
            if is_email(address):
                return address
    return ""


def letter_recipients(
    store: Store,
    actor: User,
    cycle: str | None,
    *,
    deadline: dt.date | None = None,
) -> list[Recipient]:
    """Who gets which letter. Once offers are made (:mod:`selector.workflow.offers`), from
    them: each open offer an invitation with the offer's own deadline (an invitation asks for
    an answer: one already given gets no new letter, accepted, declined or withdrawn), the
    final run's replacement candidates not offered a seat a waitlist letter, every other
    applicant (not withdrawn, never offered) a "not selected" letter. Before any offer, the
    same from the cycle's final run in force: its cohort is invited. Each invited PGY1's
    program director also gets a note (its address from the application; "" when the
    application has none). ``deadline`` is the date to
    answer by where an offer has none.

    The one place outcomes are read."""
    from selector.auth import Action
    from selector.workflow.offers import final_run

    actor.require(Action.SEND_LETTERS)
    name = store.cycle(cycle).name
    run = final_run(store, actor, name)
    offers = store.offers(actor, name)
    if offers:
        invited = {o.applicant_id: o.deadline or deadline for o in offers if o.status == "offered"}
    else:
        invited = dict.fromkeys(run.decision.get("selected", []), deadline)
    offered = {o.applicant_id for o in offers}
    waitlist = [
        r
        for r in dict.fromkeys((run.decision.get("replacements") or {}).values())
        if r and r not in invited and r not in offered
    ]
    applicants = {a.applicant_id: a for a in store.applicants(actor, name)}
    outcome_of = {a: "invitation" for a in invited} | {a: "waitlist" for a in waitlist}
    rest = sorted(a for a in applicants if a not in outcome_of and a not in offered)
    found: list[Recipient] = []
    for applicant_id in [*invited, *waitlist, *rest]:
        a = applicants.get(applicant_id)
        if a is None:  # withdrawn since the run
            continue
        outcome = outcome_of.get(applicant_id, "not_selected")
        when = invited.get(applicant_id, deadline)
        found.append(_recipient(a, outcome, a.email, when))
        if outcome == "invitation" and a.pgy == 1:
            found.append(_recipient(a, "pd_note", program_director_email(a), when))
    return found


def _recipient(a: Applicant, outcome: str, address: str, deadline: dt.date | None) -> Recipient:
    return Recipient(
        a.applicant_id, outcome, address, a.name, a.specialty, a.program, a.pgy, deadline
    )


# --------------------------------------------------------------------------- templates


@dataclass(frozen=True)
class LetterTemplates:
    """A cycle's templates by outcome (edited, else shipped), its signature, its track's
    name, and which outcomes were edited."""

    templates: dict[str, str]
    signature: str
    track: str
    edited: frozenset[str] = frozenset()


def cycle_templates(store: Store, actor: User, cycle: str | None) -> LetterTemplates:
    """The cycle's letter templates and signature: as edited, else the shipped defaults."""
    from selector.errors import ConfigError

    edited = store.letter_templates(actor, cycle)
    merged = {**default_templates(), **edited}
    found = store.cycle(cycle)
    try:
        track = found.config.track.name if found.config.track else found.name
    except ConfigError:
        track = found.name
    return LetterTemplates(
        {o: merged[o] for o in OUTCOMES}, merged[SIGNATURE], track, frozenset(edited)
    )


def save_template(store: Store, actor: User, cycle: str | None, outcome: str, text: str) -> None:
    """Keep the cycle's template of one outcome (or its signature, outcome "signature"),
    checked first: a template that would be refused when sending is not saved."""
    from selector.errors import InputError

    if outcome == SIGNATURE:
        if not text.strip():
            raise InputError("letter_signature_empty", "the signature is empty")
    else:
        check_template(outcome, text)
    store.save_letter_template(actor, cycle, outcome, text)


def preview_letter(
    store: Store,
    actor: User,
    cycle: str | None,
    outcome: str,
    *,
    text: str | None = None,
    deadline: dt.date | None = None,
    recipient: Recipient | None = None,
) -> Letter:
    """One letter of ``outcome`` as it would go out: to ``recipient`` (else a made-up one),
    from ``text`` (else the cycle's template). Refused as sending would be."""
    found = cycle_templates(store, actor, cycle)
    templates = dict(found.templates)
    if text is not None:
        templates[outcome] = text
    who = recipient or preview_recipient(outcome, deadline)
    (letter,) = render_letters([who], templates, track=found.track, signature=found.signature)
    return letter


# --------------------------------------------------------------------------- render and send


@dataclass
class LetterRun:
    """What one render or send did, by (applicant id, outcome): letters ``sent`` (or, in a
    dry run, that ``would_send``), ``already_sent`` before, ``failed`` with a reason,
    ``unaddressed`` (no address to send to), files ``written``."""

    cycle: str
    dry_run: bool
    letters: list[Letter] = field(default_factory=list)
    sent: list[tuple[str, str]] = field(default_factory=list)
    would_send: list[tuple[str, str]] = field(default_factory=list)
    already_sent: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str, str]] = field(default_factory=list)
    unaddressed: list[tuple[str, str]] = field(default_factory=list)
    written: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        def keys(items: Sequence[tuple[str, str]]) -> list[dict[str, str]]:
            return [{"applicant_id": a, "outcome": o} for a, o in items]

        return {
            "cycle": self.cycle,
            "dry_run": self.dry_run,
            "letters": len(self.letters),
            "sent": keys(self.sent),
            "would_send": keys(self.would_send),
            "already_sent": keys(self.already_sent),
            "failed": [{"applicant_id": a, "outcome": o, "reason": r} for a, o, r in self.failed],
            "unaddressed": keys(self.unaddressed),
            "written": self.written,
        }


def _letters(
    store: Store, actor: User, cycle: str | None, deadline: dt.date | None
) -> tuple[str, list[Letter], list[tuple[str, str]]]:
    """The cycle's name, every addressed recipient's letter (all checked before any is
    rendered), and the recipients without an address."""
    name = store.cycle(cycle).name
    recipients = letter_recipients(store, actor, name, deadline=deadline)
    found = cycle_templates(store, actor, name)
    addressed = [r for r in recipients if r.address]
    letters = render_letters(
        addressed, found.templates, track=found.track, signature=found.signature
    )
    return name, letters, [r.key for r in recipients if not r.address]


#: Why a letter whose address cannot go into a message header is not sent.
BAD_ADDRESS = "the address cannot be written in an e-mail header (check it in the application)"


def _messages(
    letters: Sequence[Letter], sender: str, reply_to: str, run: LetterRun
) -> list[tuple[Letter, EmailMessage]]:
    """Each letter's message; a letter whose address a message cannot hold (a space or a
    non-ASCII character before the @) goes to ``run.failed`` instead, by id."""
    built = []
    for letter in letters:
        try:
            built.append((letter, build_message(letter, sender=sender, reply_to=reply_to)))
        except ValueError:  # email's header defects are ValueErrors
            run.failed.append((*letter.recipient.key, BAD_ADDRESS))
    return built


def render_to_folder(
    store: Store,
    actor: User,
    cycle: str | None,
    out: str | Path,
    *,
    sender: str,
    reply_to: str = "",
    deadline: dt.date | None = None,
) -> LetterRun:
    """Write one ``.eml`` file per addressed recipient into ``out`` (named by applicant id and
    outcome, never by name); nothing is sent or recorded."""
    from selector.errors import InputError

    name, letters, unaddressed = _letters(store, actor, cycle, deadline)
    run = LetterRun(name, True, letters, unaddressed=unaddressed)
    messages = _messages(letters, sender, reply_to, run)
    folder = Path(out)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for (_, msg), file in zip(messages, file_names(lt for lt, _ in messages), strict=True):
            (folder / file).write_bytes(msg.as_bytes())
            run.written.append(file)
    except OSError as exc:
        raise InputError(
            "letters_out_unwritable",
            f"cannot write the letters to {folder} ({type(exc).__name__})",
        ) from None
    return run


def send_letters(
    store: Store,
    actor: User,
    cycle: str | None,
    *,
    settings: SmtpSettings | None = None,
    send: bool = False,
    deadline: dt.date | None = None,
) -> LetterRun:
    """Send each letter not sent yet over SMTP (``send``; else a dry run that sends and records
    nothing), with ``settings`` (else :func:`~selector.letters.smtp.load_smtp_settings`).
    Every letter is rendered and checked before the first goes out; each is claimed in the
    store before it is sent and released when the server refuses it, so a letter goes out at
    most once and a re-run after a failure sends only the rest. Failures are reported per
    recipient (id and outcome, never the address)."""
    import smtplib

    from selector.letters.smtp import LetterRefused, Mailer, load_smtp_settings

    name, letters, unaddressed = _letters(store, actor, cycle, deadline)
    done = {(s.applicant_id, s.outcome) for s in store.letters_sent(actor, name)}
    run = LetterRun(name, not send, letters, unaddressed=unaddressed)
    run.already_sent = [k for k in (lt.recipient.key for lt in letters) if k in done]
    todo = [lt for lt in letters if lt.recipient.key not in done]
    if not send:
        for letter in todo:
            if addressable(letter.recipient):
                run.would_send.append(letter.recipient.key)
            else:
                run.failed.append((*letter.recipient.key, BAD_ADDRESS))
        return run
    if not todo:
        return run
    if settings is None:
        settings = load_smtp_settings()
    messages = _messages(todo, settings.sender, settings.reply_to, run)
    with Mailer(settings) as mailer:
        for i, (letter, msg) in enumerate(messages):
            applicant_id, outcome = key = letter.recipient.key
            if not store.claim_letter(actor, name, applicant_id, outcome, letter.recipient.address):
                run.already_sent.append(key)  # sent from elsewhere meanwhile
                continue
            try:
                mailer.send(msg)
            except LetterRefused as exc:
                store.release_letter(actor, name, applicant_id, outcome)
                run.failed.append((applicant_id, outcome, exc.reason))
                LOG.warning("letter %s (%s) not sent: %s", applicant_id, outcome, exc.reason)
                continue
            except (OSError, smtplib.SMTPException) as exc:
                store.release_letter(actor, name, applicant_id, outcome)
                reason = f"the connection to the mail server broke ({type(exc).__name__})"
                for rest, _ in messages[i:]:
                    run.failed.append((*rest.recipient.key, reason))
                LOG.warning("letters from %s on not sent: %s", applicant_id, reason)
                break
            store.letter_sent(actor, name, applicant_id, outcome, str(msg["Message-ID"]))
            run.sent.append(key)
            LOG.info("letter %s (%s) sent", applicant_id, outcome)
    return run


def sent_letters(store: Store, actor: User, cycle: str | None) -> list[dict[str, Any]]:
    """The letters recorded for the cycle, as plain JSON: applicant id, outcome, status ("sent",
    or "sending" when the run that claimed it stopped before the server answered), when, by
    whom, the message id. Addresses are left out."""
    return [
        {
            "applicant_id": s.applicant_id,
            "outcome": s.outcome,
            "status": s.status,
            "at": s.at.isoformat(),
            "actor": s.actor,
            "message_id": s.message_id,
        }
        for s in store.letters_sent(actor, cycle)
    ]


def release_interrupted(
    store: Store, actor: User, cycle: str | None, applicant_id: str, outcome: str
) -> None:
    """Let the next send send a letter whose run stopped between claiming it and the mail
    server's answer (status "sending"), after checking it did not arrive; audited. Refused
    for a letter that was sent, or never claimed."""
    from selector.errors import InputError

    if not store.release_interrupted(actor, cycle, applicant_id, outcome):
        raise InputError(
            "letter_not_interrupted",
            f"no interrupted letter {outcome} to applicant {applicant_id}: a sent letter is "
            "never sent again",
            applicant_id=applicant_id,
            outcome=outcome,
        )
