"""Decision letters: one template per outcome, checked, then rendered into e-mail messages.

A template is plain text: a first line ``Subject: ...``, a blank line, then the body. It is a
Jinja2 template run in a sandbox (:class:`jinja2.sandbox.SandboxedEnvironment`, with
``StrictUndefined``, no autoescaping: the letters are plain text) and may use only these
placeholders (:data:`PLACEHOLDERS`)::

    {{ name }}       the applicant's name (in the program director's note: their resident's)
    {{ specialty }}  the applicant's specialty
    {{ program }}    the applicant's residency program
    {{ deadline }}   the date to answer by ("Friday, 15 January 2027")
    {{ track }}      the track's name (the config's [track] name, else the cycle's)
    {{ signature }}  the committee's signature, edited with the templates

with ``{% if %}`` and the filters in :data:`FILTERS`; nothing else (no attributes, calls,
loops or assignments). A template is checked whole before any letter is rendered
(:func:`check_template`): a syntax error, another construct or an unknown placeholder is an
:class:`~selector.errors.InputError` naming the template and the placeholder or line. A
placeholder a template uses that is empty for a recipient (no deadline given, no program) is
one too, before any letter is rendered (:func:`render_letters`); it names recipients by id.

Messages (:func:`build_message`) are RFC 5322 (``email.policy.SMTP``): names and subjects are
folded to one line first, so a name holding CR/LF cannot add a header.
"""

from __future__ import annotations

import datetime as dt
import email.policy
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from importlib import resources

from jinja2 import StrictUndefined, TemplateSyntaxError, nodes
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment

from selector.errors import InputError, Location

#: The outcomes, one template each, in the order the dashboard shows them.
OUTCOMES: tuple[str, ...] = ("invitation", "waitlist", "not_selected", "pd_note")
OUTCOME_LABELS: dict[str, str] = {
    "invitation": "Invitation",
    "waitlist": "Waitlist (replacement candidates)",
    "not_selected": "Not selected",
    "pd_note": "Note to the program director (invited PGY1)",
}
#: The signature is kept beside the templates, under this key.
SIGNATURE = "signature"

#: The placeholders a template may use, and what each holds.
PLACEHOLDERS: dict[str, str] = {
    "name": "the applicant's name (in the program director's note: their resident's)",
    "specialty": "the applicant's specialty",
    "program": "the applicant's residency program",
    "deadline": "the date to answer by",
    "track": "the track's name",
    "signature": "the committee's signature",
}
#: The filters a template may use (``{{ name | upper }}``).
FILTERS = frozenset({"upper", "lower", "title", "capitalize", "trim"})

#: The template constructs allowed: text, placeholders, constants, ``if``, the filters above.
_ALLOWED = (
    nodes.Template,
    nodes.Output,
    nodes.TemplateData,
    nodes.Name,
    nodes.Const,
    nodes.If,
    nodes.Not,
    nodes.And,
    nodes.Or,
    nodes.CondExpr,
    nodes.Concat,
    nodes.Filter,
)

_ENV = SandboxedEnvironment(
    undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False
)
_ENV.globals.clear()  # no range, lipsum, cycler, joiner or namespace: placeholders only

_SUBJECT = re.compile(r"\ASubject:[ \t]*(?P<subject>[^\r\n]*)\r?\n(?:[ \t]*\r?\n)?", re.I)


@dataclass(frozen=True)
class Recipient:
    """Who gets which letter: the applicant it is about, the outcome (:data:`OUTCOMES`), the
    address it goes to (the applicant's, or their program director's; "" when unknown), and
    what the placeholders are filled with."""

    applicant_id: str
    outcome: str
    address: str
    name: str
    specialty: str
    program: str
    pgy: int
    deadline: dt.date | None = None

    @property
    def key(self) -> tuple[str, str]:
        """(applicant id, outcome): each letter is sent at most once per key."""
        return self.applicant_id, self.outcome


@dataclass(frozen=True)
class Letter:
    """One rendered letter: its recipient, subject and body."""

    recipient: Recipient
    subject: str
    body: str


def default_templates() -> dict[str, str]:
    """The templates shipped with selector (``selector/letters/templates``), and the default
    signature under :data:`SIGNATURE`."""
    folder = resources.files(__package__).joinpath("templates")
    return {
        key: folder.joinpath(f"{key}.txt").read_text(encoding="utf-8")
        for key in (*OUTCOMES, SIGNATURE)
    }


def format_deadline(day: dt.date | None) -> str:
    """A deadline as a letter writes it ("Friday, 15 January 2027"); "" for none."""
    return "" if day is None else f"{day:%A}, {day.day} {day:%B %Y}"


def one_line(text: str) -> str:
    """Text fit for a header: every run of whitespace (CR and LF included) one space."""
    return " ".join(text.split())


def _where(outcome: str, line: int | None = None) -> Location:
    return Location(file=f"template {outcome}", row=line)


def _split(outcome: str, text: str) -> tuple[str, str]:
    """A template's subject line and body."""
    m = _SUBJECT.match(text.lstrip("\ufeff"))
    if m is None:
        raise InputError(
            "letter_subject_missing",
            "a letter template starts with a line 'Subject: ...', then a blank line, then the body",
            _where(outcome, 1),
            template=outcome,
        )
    return m["subject"], text[m.end() :]


def _parse(outcome: str, source: str, first_line: int) -> nodes.Template:
    try:
        return _ENV.parse(source)
    except TemplateSyntaxError as exc:
        line = None if exc.lineno is None else exc.lineno + first_line - 1
        raise InputError(
            "letter_template_syntax",
            f"the template cannot be read: {exc.message}",
            _where(outcome, line),
            template=outcome,
        ) from None


def _construct(node: nodes.Node) -> str:
    """A template construct in words, for the error that refuses it."""
    if isinstance(node, nodes.Getattr | nodes.Getitem):
        return "reading an attribute or item of a placeholder"
    if isinstance(node, nodes.Call):
        return "calling a function"
    if isinstance(node, nodes.Filter):
        return f"the filter {node.name!r} (allowed: {', '.join(sorted(FILTERS))})"
    return f"the construct {type(node).__name__!r}"


def _check_nodes(outcome: str, tree: nodes.Template, first_line: int) -> set[str]:
    """The placeholders a parsed template uses; any construct but :data:`_ALLOWED` (and a
    filter outside :data:`FILTERS`, a name that is not a placeholder) is refused."""
    used: set[str] = set()
    for node in [tree, *tree.find_all(nodes.Node)]:
        line = getattr(node, "lineno", None)
        where = _where(outcome, None if line is None else line + first_line - 1)
        if not isinstance(node, _ALLOWED) or (
            isinstance(node, nodes.Filter) and node.name not in FILTERS
        ):
            raise InputError(
                "letter_template_refused",
                f"a letter template may use only placeholders, if and simple filters, "
                f"not {_construct(node)}",
                where,
                template=outcome,
            )
        if isinstance(node, nodes.Name):
            if node.name not in PLACEHOLDERS:
                raise InputError(
                    "letter_placeholder_unknown",
                    f"unknown placeholder {{{{ {node.name} }}}}; use one of "
                    + ", ".join(PLACEHOLDERS),
                    where,
                    template=outcome,
                    placeholder=node.name,
                )
            used.add(node.name)
    return used


def check_template(outcome: str, text: str) -> set[str]:
    """Check one template (subject and body) without rendering it; returns the placeholders
    it uses. Raises :class:`InputError` (``letter_subject_missing``,
    ``letter_template_syntax``, ``letter_template_refused``, ``letter_placeholder_unknown``)
    naming the template and where."""
    if outcome not in OUTCOMES:
        raise InputError(
            "letter_outcome_unknown",
            f"no letter {outcome!r}; the letters are {', '.join(OUTCOMES)}",
            template=outcome,
        )
    subject, body = _split(outcome, text)
    used = _check_nodes(outcome, _parse(outcome, subject, 1), 1)
    body_line = text[: len(text) - len(body)].count("\n") + 1
    return used | _check_nodes(outcome, _parse(outcome, body, body_line), body_line)


def values_of(recipient: Recipient, *, track: str, signature: str) -> dict[str, str]:
    """What each placeholder holds in one recipient's letter."""
    return {
        "name": one_line(recipient.name),
        "specialty": one_line(recipient.specialty),
        "program": one_line(recipient.program),
        "deadline": format_deadline(recipient.deadline),
        "track": one_line(track),
        "signature": signature.strip(),
    }


def _unfilled(
    recipients: Sequence[Recipient],
    used: Mapping[str, set[str]],
    *,
    track: str,
    signature: str,
) -> None:
    """Refuse when a placeholder a template uses is empty for any recipient: one error for
    the first (template, placeholder) found, counting the recipients and naming them by id."""
    empty: dict[tuple[str, str], list[str]] = {}
    for r in recipients:
        values = values_of(r, track=track, signature=signature)
        for name in sorted(used[r.outcome]):
            if not values[name]:
                empty.setdefault((r.outcome, name), []).append(r.applicant_id)
    if not empty:
        return
    (outcome, name), ids = next(iter(empty.items()))
    hint = {
        "deadline": "; give the response deadline",
        "signature": "; write the signature beside the templates",
    }.get(name, "; leave it out of the template or fill it in the applications")
    shown = ", ".join(ids[:5]) + (", …" if len(ids) > 5 else "")
    raise InputError(
        "letter_placeholder_unfilled",
        f"the template uses {{{{ {name} }}}}, which is empty for {len(ids)} "
        f"recipient{'s' if len(ids) != 1 else ''} ({shown}){hint}; nothing was rendered or sent",
        _where(outcome),
        template=outcome,
        placeholder=name,
        recipients=ids,
        others=[f"{o}: {p}" for o, p in empty if (o, p) != (outcome, name)],
    )


def render_letters(
    recipients: Sequence[Recipient],
    templates: Mapping[str, str],
    *,
    track: str,
    signature: str,
) -> list[Letter]:
    """Every recipient's letter, rendered only after every template they need was checked and
    every placeholder filled (else :class:`InputError`, nothing rendered)."""
    needed = sorted({r.outcome for r in recipients}, key=OUTCOMES.index)
    used = {outcome: check_template(outcome, templates[outcome]) for outcome in needed}
    _unfilled(recipients, used, track=track, signature=signature)
    compiled = {}
    for outcome in needed:
        subject, body = _split(outcome, templates[outcome])
        compiled[outcome] = (_ENV.from_string(subject), _ENV.from_string(body))
    letters = []
    for r in recipients:
        values = values_of(r, track=track, signature=signature)
        subject_t, body_t = compiled[r.outcome]
        try:
            subject, body = subject_t.render(values), body_t.render(values)
        except (SecurityError, UndefinedError) as exc:  # the sandbox, behind the checks
            raise InputError(
                "letter_template_refused",
                f"the sandbox refused the template ({type(exc).__name__})",
                _where(r.outcome),
                template=r.outcome,
            ) from None
        letters.append(Letter(r, one_line(subject), body.strip() + "\n"))
    return letters


def preview_recipient(outcome: str, deadline: dt.date | None = None) -> Recipient:
    """A made-up recipient, to preview a template when the cycle has nobody of that outcome."""
    return Recipient(
        "A000",
        outcome,
        "applicant@example.org",
        "Alex Example",
        "Internal Medicine",
        "Example Program",
        1 if outcome == "pd_note" else 2,
        deadline,
    )


def _to(recipient: Recipient) -> Address:
    """The To address: the applicant's name (folded to one line) and address; the program
    director's note has no name. Raises ValueError when no header can hold the address."""
    name = "" if recipient.outcome == "pd_note" else one_line(recipient.name)
    return Address(display_name=name, addr_spec=recipient.address)


def addressable(recipient: Recipient) -> bool:
    """Whether a message header can hold the recipient's address (no space or non-ASCII
    character before the @): the check of :func:`build_message`, without building it."""
    try:
        _to(recipient)
    except ValueError:  # email's header defects are ValueErrors
        return False
    return True


def build_message(
    letter: Letter, *, sender: str, reply_to: str = "", date: dt.datetime | None = None
) -> EmailMessage:
    """One letter as an RFC 5322 message (``email.policy.SMTP``: CRLF line ends) from
    ``sender`` to the recipient's address. The display name and subject are folded to one
    line first, so nothing in them can start a header of its own."""
    r = letter.recipient
    msg = EmailMessage(policy=email.policy.SMTP)
    msg["From"] = sender
    msg["To"] = _to(r)
    if reply_to:
        msg["Reply-To"] = reply_to
    msg["Subject"] = one_line(letter.subject)
    when = (date or dt.datetime.now(dt.UTC)).timestamp()
    msg["Date"] = formatdate(when, usegmt=True)
    domain = sender.rpartition("@")[2].strip(" >") or None
    msg["Message-ID"] = make_msgid(domain=domain)
    msg.set_content(letter.body)
    return msg


def file_names(letters: Iterable[Letter]) -> list[str]:
    """A file name per letter, from the applicant id and outcome (no names), unique."""
    names: list[str] = []
    taken: set[str] = set()
    for letter in letters:
        stem = re.sub(r"[^A-Za-z0-9_-]", "_", letter.recipient.applicant_id)[:80] or "letter"
        base = f"{stem}-{letter.recipient.outcome}"
        name, n = f"{base}.eml", 1
        while name.lower() in taken:
            n += 1
            name = f"{base}-{n}.eml"
        taken.add(name.lower())
        names.append(name)
    return names
