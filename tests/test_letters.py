"""Decision letters (issue 12): who gets which letter, templates checked in a sandbox, .eml
files, and sending to a local SMTP server (aiosmtpd, started here) at most once per letter."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import shutil
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from selector import workflow
from selector.auth import Role, User
from selector.errors import ConfigError, InputError, PermissionDenied
from selector.intake import read_applications
from selector.letters import (
    OUTCOMES,
    Recipient,
    build_message,
    check_template,
    default_templates,
    render_letters,
)
from selector.letters.smtp import SmtpSettings, load_smtp_settings
from selector.models import Review
from selector.selection import decide
from selector.store import Store

CONFIG = """
[track]
name = "Test Leadership Track"

[cohort]
size = 3

[eligibility]
min_pgy = 2
pgy1_by_approval = true
max_pgy1 = 1

[[diversity]]
field = "specialty"
max_per_value = 1

[[criteria]]
id = "merit"
label = "Merit"
weight = 1.0
min = 1
max = 9
"""

#: id, name, pgy, specialty, program, approved, program director e-mail, score
PEOPLE = [
    ("1", "Ann Pgyone", 1, "Surgery", "Program 1", "Yes", "pd1@hospital.org", 9),
    ("2", "Bea Second", 2, "Pediatrics", "Program 2", "", "", 8),
    ("3", "Cal Third", 3, "Psychiatry", "Program 3", "", "", 7),
    ("4", "Dee Fourth", 2, "Pediatrics", "Program 1", "", "", 6),
    ("5", "Eli Fifth", 2, "Neurology", "Program 2", "", "", 5),
    ("6", "Fay Sixth", 3, "Psychiatry", "Program 3", "", "", 3),
    ("7", "Gus Seventh", 2, "Surgery", "Program 1", "", "", 2),
]
HEADER = "ID,Name,Email,PGY,Specialty,Program,Program director approval,Program director e-mail"
DEADLINE = dt.date(2027, 1, 15)
SETTINGS_SENDER = "Test Leadership Track <committee@hospital.org>"


def export_csv(people: list[tuple[Any, ...]] = PEOPLE) -> bytes:
    lines = [HEADER]
    for pid, name, pgy, specialty, program, approved, pd, _ in people:
        lines.append(f"{pid},{name},p{pid}@example.org,{pgy},{specialty},{program},{approved},{pd}")
    return ("\n".join(lines) + "\n").encode()


def build(store: Store, people: list[tuple[Any, ...]] = PEOPLE) -> Store:
    """Cycle 2027 with ``people``, one review each, and a final run."""
    system = store.system_user()
    store.create_cycle(system, "2027", CONFIG)
    store.import_applications(
        system, "2027", read_applications(export_csv(people), filename="x.csv")
    )
    ids = {a.name: a.applicant_id for a in store.applicants(system, "2027")}
    reviews = [Review(ids[p[1]], "rev@example.org", {"merit": float(p[7])}) for p in people]
    store.save_reviews(system, "2027", reviews, new_reviewers=["rev@example.org"])
    applicants, found = store.selection_inputs(system, "2027")
    config = store.cycle("2027").config
    decision = decide(applicants, found, config)
    store.record_run(
        system,
        "2027",
        config_text=CONFIG,
        decision=decision,
        final=True,
        inputs=(applicants, found),
    )
    return store


@pytest.fixture(scope="module")
def letters_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("letters") / "letters.db"
    build(Store(f"sqlite:///{path}")).close()
    return path


@pytest.fixture
def lstore(letters_template: Path, tmp_path: Path) -> Iterator[Store]:
    shutil.copy(letters_template, tmp_path / "letters.db")
    with Store(f"sqlite:///{tmp_path / 'letters.db'}") as store:
        yield store


SYSTEM = Store.system_user()
REVIEWER = User(id=99, email="rev@example.org", name="Rev", role=Role.REVIEWER)
CHAIR = User(id=98, email="chair@example.org", name="Chair", role=Role.CHAIR)


# ----------------------------------------------------------------------------- a test server


@dataclass
class Inbox:
    """What a local SMTP server received, and which addresses it refuses (550)."""

    messages: list[tuple[str, list[str], EmailMessage]] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if address in self.refuse:
            return "550 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), msg))
        return "250 Message accepted"

    def to(self, address: str) -> EmailMessage:
        (msg,) = [m for _, rcpts, m in self.messages if rcpts == [address]]
        return msg


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
def inbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    """A local SMTP server, reached through SELECTOR_SMTP_* variables (by the CLI, a page, or
    a dashboard started after this)."""
    found = Inbox()
    controller = Controller(found, hostname="127.0.0.1", port=free_port())
    controller.start()
    monkeypatch.setenv("SELECTOR_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SELECTOR_SMTP_PORT", str(controller.port))
    monkeypatch.setenv("SELECTOR_SMTP_STARTTLS", "false")
    monkeypatch.setenv("SELECTOR_SMTP_SENDER", "Committee <committee@hospital.org>")
    try:
        yield found
    finally:
        controller.stop()


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, SmtpSettings]]:
    """A plain SMTP server on localhost (no TLS, no login), and settings that reach it."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        port = controller.port
        yield (
            inbox,
            SmtpSettings(host="127.0.0.1", port=port, starttls=False, sender=SETTINGS_SENDER),
        )
    finally:
        controller.stop()


def address_of(store: Store, name: str) -> str:
    return next(a.email for a in store.applicants(SYSTEM, "2027") if a.name == name)


def id_of(store: Store, name: str) -> str:
    return next(a.applicant_id for a in store.applicants(SYSTEM, "2027") if a.name == name)


# ----------------------------------------------------------------------------- recipients


def test_each_applicant_gets_the_letter_of_their_outcome(lstore: Store) -> None:
    run = lstore.runs(SYSTEM, "2027")[0]
    found = workflow.letter_recipients(lstore, SYSTEM, "2027", deadline=DEADLINE)
    by_key = {r.key: r for r in found}
    selected = run.decision["selected"]
    waiting = {r for r in run.decision["replacements"].values() if r}
    assert len(selected) == 3 and waiting
    for a in lstore.applicants(SYSTEM, "2027"):
        expected = (
            "invitation"
            if a.applicant_id in selected
            else "waitlist"
            if a.applicant_id in waiting
            else "not_selected"
        )
        assert by_key[(a.applicant_id, expected)].address == a.email
    ann = id_of(lstore, "Ann Pgyone")  # the approved PGY1, top-scored: invited
    assert ann in selected
    note = by_key[(ann, "pd_note")]
    assert note.address == "pd1@hospital.org" and note.name == "Ann Pgyone"
    assert {r.outcome for r in found if r.applicant_id != ann} <= {
        "invitation",
        "waitlist",
        "not_selected",
    }
    assert all(r.deadline == DEADLINE for r in found)


def test_an_invited_pgy1_without_a_program_directors_address_is_said_plainly(
    tmp_path: Path,
) -> None:
    people = [(*PEOPLE[0][:6], "", 9), *PEOPLE[1:]]
    with build(Store(f"sqlite:///{tmp_path / 'db.sqlite'}"), people) as store:
        ann = id_of(store, "Ann Pgyone")
        note = next(
            r for r in workflow.letter_recipients(store, SYSTEM, "2027") if r.outcome == "pd_note"
        )
        assert note.applicant_id == ann and note.address == ""
        done = workflow.send_letters(store, SYSTEM, "2027", deadline=DEADLINE)
        assert done.unaddressed == [(ann, "pd_note")]
        assert (ann, "pd_note") not in done.would_send


def test_letters_need_a_final_run(tmp_path: Path) -> None:
    with Store(f"sqlite:///{tmp_path / 'db.sqlite'}") as store:
        store.create_cycle(SYSTEM, "2027", CONFIG)
        with pytest.raises(InputError) as err:
            workflow.letter_recipients(store, SYSTEM, "2027")
        assert err.value.code == "run_not_final"


def test_only_the_coordinator_and_the_chair_handle_letters(lstore: Store) -> None:
    for call in (
        lambda u: workflow.letter_recipients(lstore, u, "2027"),
        lambda u: lstore.letter_templates(u, "2027"),
        lambda u: lstore.save_letter_template(u, "2027", "invitation", "x"),
        lambda u: lstore.claim_letter(u, "2027", "A001", "invitation", "a@b.org"),
        lambda u: lstore.letters_sent(u, "2027"),
        lambda u: workflow.send_letters(lstore, u, "2027", deadline=DEADLINE),
    ):
        with pytest.raises(PermissionDenied):
            call(REVIEWER)
    assert workflow.letter_recipients(lstore, CHAIR, "2027")
    coordinator = replace(REVIEWER, role=Role.COORDINATOR)
    assert lstore.letters_sent(coordinator, "2027") == []


# ----------------------------------------------------------------------------- templates


def test_the_shipped_templates_use_only_known_placeholders() -> None:
    templates = default_templates()
    assert set(templates) == {*OUTCOMES, "signature"}
    for outcome in OUTCOMES:
        used = check_template(outcome, templates[outcome])
        assert {"name", "track", "signature"} <= used


@pytest.mark.parametrize(
    ("text", "code", "named"),
    [
        ("Subject: Hi\n\nDear {{ nmae }},", "letter_placeholder_unknown", "nmae"),
        (
            "Subject: Hi {{ applicant_id }}\n\nDear you",
            "letter_placeholder_unknown",
            "applicant_id",
        ),
        ("Dear {{ name }}", "letter_subject_missing", "Subject"),
        ("Subject: Hi\n\nDear {{ name ", "letter_template_syntax", "row 3"),
        ("Subject: Hi\n\n{{ name.__class__.__mro__ }}", "letter_template_refused", "attribute"),
        ("Subject: Hi\n\n{{ ''.__class__.__base__ }}", "letter_template_refused", "attribute"),
        ("Subject: Hi\n\n{{ name['x'] }}", "letter_template_refused", "attribute"),
        (
            "Subject: Hi\n\n{{ cycler.__init__.__globals__ }}",
            "letter_template_refused",
            "attribute",
        ),
        ("Subject: Hi\n\n{{ lipsum() }}", "letter_template_refused", "calling"),
        ("Subject: Hi\n\n{{ name | attr('upper') }}", "letter_template_refused", "attr"),
        ("Subject: Hi\n\n{% for x in name %}{{ x }}{% endfor %}", "letter_template_refused", "For"),
        ("Subject: Hi\n\n{% set name = 'x' %}", "letter_template_refused", "Assign"),
        ("Subject: Hi\n\n{% include 'x' %}", "letter_template_refused", "Include"),
        ("Subject: Hi\n\n{{ 'a' * 999999999 }}", "letter_template_refused", "Mul"),
    ],
)
def test_a_bad_template_is_refused_with_a_code_and_its_name(
    text: str, code: str, named: str
) -> None:
    with pytest.raises(InputError) as err:
        check_template("waitlist", text)
    assert err.value.code == code
    assert "template waitlist" in str(err.value) and named in str(err.value)


def test_the_sandbox_refuses_what_the_checks_would_let_through() -> None:
    """The second layer: rendered in the sandbox, an attribute of a placeholder is refused."""
    from jinja2.exceptions import SecurityError

    from selector.letters import _ENV

    with pytest.raises(SecurityError):
        _ENV.from_string("{{ name.__class__.__mro__ }}").render(name="x")
    with pytest.raises(SecurityError):
        _ENV.from_string("{{ name.format.__globals__ }}").render(name="x")


def test_a_refused_template_is_not_saved(lstore: Store) -> None:
    with pytest.raises(InputError) as err:
        workflow.save_template(lstore, SYSTEM, "2027", "invitation", "Subject: x\n\n{{ nmae }}")
    assert err.value.params["placeholder"] == "nmae"
    assert lstore.letter_templates(SYSTEM, "2027") == {}
    workflow.save_template(lstore, SYSTEM, "2027", "invitation", "Subject: Yes\n\nDear {{ name }}")
    assert lstore.letter_templates(SYSTEM, "2027") == {
        "invitation": "Subject: Yes\n\nDear {{ name }}"
    }
    assert lstore.audit_log(SYSTEM, "2027")[-1].action == "letter.template"
    found = workflow.cycle_templates(lstore, SYSTEM, "2027")
    assert found.templates["waitlist"] == default_templates()["waitlist"]
    assert found.track == "Test Leadership Track" and found.edited == {"invitation"}


def test_a_preview_fills_every_placeholder(lstore: Store) -> None:
    letter = workflow.preview_letter(lstore, SYSTEM, "2027", "pd_note", deadline=DEADLINE)
    assert "Alex Example" in letter.subject
    assert "Friday, 15 January 2027" in letter.body and "Example Program" in letter.body
    assert "Test Leadership Track" in letter.body and "The selection committee" in letter.body
    assert "{{" not in letter.body


def test_an_unfilled_placeholder_is_refused_before_anything_is_rendered() -> None:
    who = [
        Recipient("A001", "invitation", "a@example.org", "Ann", "Surgery", "P1", 2, DEADLINE),
        Recipient("A002", "invitation", "b@example.org", "Bea", "Surgery", "", 2, None),
    ]
    with pytest.raises(InputError) as err:
        render_letters(who, default_templates(), track="T", signature="S")
    assert err.value.code == "letter_placeholder_unfilled"
    assert err.value.params == {
        "template": "invitation",
        "placeholder": "deadline",
        "recipients": ["A002"],
        "others": [],
    }
    assert "Bea" not in str(err.value) and "b@example.org" not in str(err.value)
    with pytest.raises(InputError) as err:
        render_letters(who[:1], default_templates(), track="T", signature="  ")
    assert err.value.params["placeholder"] == "signature"


# ----------------------------------------------------------------------------- messages


def test_a_name_with_a_line_break_cannot_add_a_header() -> None:
    who = Recipient(
        "A001",
        "invitation",
        "ann@example.org",
        "Ann\r\nBcc: evil@attacker.org\r\nX-Evil: 1",
        "Surgery\nX-Also: 2",
        "P1",
        2,
        DEADLINE,
    )
    templates = {**default_templates(), "invitation": "Subject: For {{ name }}\n\nDear {{ name }}"}
    (letter,) = render_letters([who], templates, track="T", signature="S")
    raw = build_message(letter, sender=SETTINGS_SENDER).as_bytes()
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert msg["Bcc"] is None and msg["X-Evil"] is None and msg["X-Also"] is None
    assert [a.addr_spec for a in msg["To"].addresses] == ["ann@example.org"]
    assert msg["Subject"] == "For Ann Bcc: evil@attacker.org X-Evil: 1"
    assert b"\r\nBcc:" not in raw and b"\nBcc:" not in raw


def test_render_writes_one_eml_per_recipient_named_by_id(lstore: Store, tmp_path: Path) -> None:
    out = tmp_path / "letters"
    done = workflow.render_to_folder(
        lstore, SYSTEM, "2027", out, sender=SETTINGS_SENDER, deadline=DEADLINE
    )
    files = sorted(p.name for p in out.iterdir())
    assert files == sorted(done.written) and len(files) == len(PEOPLE) + 1  # + the PD's note
    ann = id_of(lstore, "Ann Pgyone")
    assert f"{ann}-invitation.eml" in files and f"{ann}-pd_note.eml" in files
    assert not any("Ann" in f or "@" in f for f in files)
    raw = (out / f"{ann}-invitation.eml").read_bytes()
    assert b"\r\n" in raw  # RFC 5322 line ends
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    assert msg["From"] == SETTINGS_SENDER and msg["Message-ID"] and msg["Date"]
    assert msg["To"].addresses[0].display_name == "Ann Pgyone"
    assert msg["Subject"] == "Your invitation to the Test Leadership Track"
    body = msg.get_content()
    assert "Dear Ann Pgyone," in body and "Friday, 15 January 2027" in body
    assert lstore.letters_sent(SYSTEM, "2027") == []  # rendering records nothing


# ----------------------------------------------------------------------------- sending


def test_a_dry_run_sends_and_records_nothing(
    lstore: Store, smtp_server: tuple[Inbox, SmtpSettings]
) -> None:
    inbox, settings = smtp_server
    done = workflow.send_letters(lstore, SYSTEM, "2027", settings=settings, deadline=DEADLINE)
    assert done.dry_run and len(done.would_send) == len(PEOPLE) + 1 and not done.sent
    assert inbox.messages == [] and lstore.letters_sent(SYSTEM, "2027") == []


def test_letters_arrive_once_each_with_their_headers_and_body(
    lstore: Store, smtp_server: tuple[Inbox, SmtpSettings]
) -> None:
    inbox, settings = smtp_server
    done = workflow.send_letters(
        lstore, SYSTEM, "2027", settings=settings, send=True, deadline=DEADLINE
    )
    assert len(done.sent) == len(PEOPLE) + 1 and not done.failed
    assert len(inbox.messages) == len(PEOPLE) + 1
    assert all(sender == "committee@hospital.org" for sender, _, _ in inbox.messages)
    run = lstore.runs(SYSTEM, "2027")[0]
    for a in lstore.applicants(SYSTEM, "2027"):
        msg = inbox.to(a.email)
        assert msg["To"].addresses[0].addr_spec == a.email
        assert f"Dear {a.name}," in msg.get_content()
        invited = a.applicant_id in run.decision["selected"]
        assert ("invitation" in msg["Subject"]) == invited
    note = inbox.to("pd1@hospital.org")
    assert note["Subject"] == "Your resident Ann Pgyone is invited to the Test Leadership Track"
    assert "Program 1" in note.get_content()
    sent = workflow.sent_letters(lstore, SYSTEM, "2027")
    assert len(sent) == len(PEOPLE) + 1 and {s["status"] for s in sent} == {"sent"}
    assert {s["message_id"] for s in sent} == {str(m["Message-ID"]) for _, _, m in inbox.messages}

    again = workflow.send_letters(
        lstore, SYSTEM, "2027", settings=settings, send=True, deadline=DEADLINE
    )
    assert again.sent == [] and len(again.already_sent) == len(PEOPLE) + 1
    assert len(inbox.messages) == len(PEOPLE) + 1


def test_a_refused_recipient_fails_alone_and_a_rerun_sends_only_the_rest(
    lstore: Store, smtp_server: tuple[Inbox, SmtpSettings], caplog: pytest.LogCaptureFixture
) -> None:
    inbox, settings = smtp_server
    bea = address_of(lstore, "Bea Second")
    inbox.refuse.add(bea)
    done = workflow.send_letters(
        lstore, SYSTEM, "2027", settings=settings, send=True, deadline=DEADLINE
    )
    bea_id = id_of(lstore, "Bea Second")
    assert [(a, r) for a, _, r in done.failed] == [
        (bea_id, "the mail server refused the recipient (550)")
    ]
    assert len(done.sent) == len(PEOPLE) and len(inbox.messages) == len(PEOPLE)
    assert bea not in str(done.to_json())
    assert bea_id in caplog.text and bea not in caplog.text and "Bea" not in caplog.text

    inbox.refuse.clear()
    rerun = workflow.send_letters(
        lstore, SYSTEM, "2027", settings=settings, send=True, deadline=DEADLINE
    )
    assert [k[0] for k in rerun.sent] == [bea_id] and not rerun.failed
    assert len(inbox.messages) == len(PEOPLE) + 1
    assert inbox.to(bea)["To"].addresses[0].display_name == "Bea Second"


def test_an_unfilled_placeholder_stops_the_send_before_the_first_letter(
    lstore: Store, smtp_server: tuple[Inbox, SmtpSettings]
) -> None:
    inbox, settings = smtp_server
    with pytest.raises(InputError) as err:
        workflow.send_letters(lstore, SYSTEM, "2027", settings=settings, send=True)
    assert err.value.code == "letter_placeholder_unfilled"
    assert err.value.params["placeholder"] == "deadline"
    assert inbox.messages == [] and lstore.letters_sent(SYSTEM, "2027") == []


def test_a_letter_claimed_elsewhere_is_not_sent_again(
    lstore: Store, smtp_server: tuple[Inbox, SmtpSettings]
) -> None:
    inbox, settings = smtp_server
    ann = id_of(lstore, "Ann Pgyone")
    assert lstore.claim_letter(SYSTEM, "2027", ann, "invitation", "x@example.org")
    assert not lstore.claim_letter(SYSTEM, "2027", ann, "invitation", "x@example.org")
    done = workflow.send_letters(
        lstore, SYSTEM, "2027", settings=settings, send=True, deadline=DEADLINE
    )
    assert (ann, "invitation") in done.already_sent and (ann, "invitation") not in done.sent
    assert len(inbox.messages) == len(PEOPLE)
    status = {
        (s["applicant_id"], s["outcome"]): s["status"]
        for s in workflow.sent_letters(lstore, SYSTEM, "2027")
    }
    assert status[(ann, "invitation")] == "sending"  # interrupted: shown, never sent twice


def test_an_unreachable_server_sends_nothing(lstore: Store) -> None:
    settings = SmtpSettings(host="127.0.0.1", port=1, starttls=False, sender=SETTINGS_SENDER)
    with pytest.raises(InputError) as err:
        workflow.send_letters(
            lstore, SYSTEM, "2027", settings=settings, send=True, deadline=DEADLINE
        )
    assert err.value.code == "smtp_unavailable"
    assert lstore.letters_sent(SYSTEM, "2027") == []


# ----------------------------------------------------------------------------- STARTTLS


def self_signed(tmp_path: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, made here with `cryptography`."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


def test_starttls_and_login_reach_a_server_that_requires_both(
    lstore: Store, tmp_path: Path
) -> None:
    cert, key = self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    logins: list[tuple[bytes, bool]] = []

    def authenticator(
        server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        ok = isinstance(data, LoginPassword) and data.password == b"s3cret-pass"
        logins.append((data.login, session.ssl is not None))
        return AuthResult(success=ok, handled=False)

    inbox = Inbox()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=free_port(),
        tls_context=context,
        require_starttls=True,
        auth_required=True,
        authenticator=authenticator,
    )
    controller.start()
    try:
        port = controller.port
        settings = SmtpSettings(
            host="127.0.0.1",
            port=port,
            username="committee",
            password="s3cret-pass",  # type: ignore[arg-type]
            sender=SETTINGS_SENDER,
            ca_file=str(cert),
        )
        done = workflow.send_letters(
            lstore, SYSTEM, "2027", settings=settings, send=True, deadline=DEADLINE
        )
        assert len(done.sent) == len(PEOPLE) + 1 and len(inbox.messages) == len(PEOPLE) + 1
        assert logins == [(b"committee", True)]  # logged in once, inside TLS
    finally:
        controller.stop()


def test_a_wrong_password_is_refused_before_any_letter(lstore: Store, tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    inbox = Inbox()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=free_port(),
        tls_context=context,
        require_starttls=True,
        auth_required=True,
        authenticator=lambda *args: AuthResult(success=False, handled=False),
    )
    controller.start()
    try:
        port = controller.port
        settings = SmtpSettings(
            host="127.0.0.1",
            port=port,
            username="committee",
            password="wrong-pass",  # type: ignore[arg-type]
            sender=SETTINGS_SENDER,
            ca_file=str(cert),
        )
        with pytest.raises(InputError) as err:
            workflow.send_letters(
                lstore, SYSTEM, "2027", settings=settings, send=True, deadline=DEADLINE
            )
        assert err.value.code == "smtp_login_refused" and "wrong-pass" not in str(err.value)
        assert inbox.messages == [] and lstore.letters_sent(SYSTEM, "2027") == []
        # An unknown certificate (no ca_file) is refused too, before any letter.
        with pytest.raises(InputError) as err:
            workflow.send_letters(
                lstore,
                SYSTEM,
                "2027",
                settings=settings.model_copy(update={"ca_file": ""}),
                send=True,
                deadline=DEADLINE,
            )
        assert err.value.code == "smtp_unavailable"
    finally:
        controller.stop()


# ----------------------------------------------------------------------------- settings


def test_settings_come_from_the_secrets_file_and_the_environment_wins(tmp_path: Path) -> None:
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(
        '[smtp]\nhost = "mail.hospital.org"\nsender = "gme@hospital.org"\npassword = "p1"\n'
    )
    found = load_smtp_settings({}, secrets)
    assert (found.host, found.port, found.starttls) == ("mail.hospital.org", 587, True)
    found = load_smtp_settings(
        {"SELECTOR_SMTP_PORT": "2525", "SELECTOR_SMTP_STARTTLS": "false"}, secrets
    )
    assert (found.port, found.starttls, found.password.get_secret_value()) == (2525, False, "p1")
    only_env = load_smtp_settings(
        {"SELECTOR_SMTP_HOST": "h", "SELECTOR_SMTP_SENDER": "s@h.org"}, tmp_path / "none.toml"
    )
    assert only_env.host == "h"


def test_wrong_settings_name_the_key_never_the_password(tmp_path: Path) -> None:
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[smtp]\nhost = "h"\npassword = "hunter2-secret"\nport = "many"\nhots = 1\n')
    with pytest.raises(ConfigError) as err:
        load_smtp_settings({}, secrets)
    assert err.value.code == "smtp_settings_invalid"
    assert {"sender", "port", "hots"} <= set(err.value.params["keys"])
    assert "hunter2" not in str(err.value)
    with pytest.raises(ConfigError) as err:
        load_smtp_settings({}, tmp_path / "missing.toml")
    assert err.value.code == "smtp_not_configured"


def test_the_letters_log_names_ids_only(
    lstore: Store, smtp_server: tuple[Inbox, SmtpSettings], caplog: pytest.LogCaptureFixture
) -> None:
    _, settings = smtp_server
    caplog.set_level("INFO", logger="selector.letters")
    workflow.send_letters(lstore, SYSTEM, "2027", settings=settings, send=True, deadline=DEADLINE)
    assert caplog.records
    for a in lstore.applicants(SYSTEM, "2027"):
        assert a.email not in caplog.text and a.name not in caplog.text
    assert "pd1@hospital.org" not in caplog.text


def test_an_address_no_header_can_hold_fails_alone_by_id(lstore: Store) -> None:
    from selector.workflow.letters import BAD_ADDRESS, LetterRun, _messages

    who = [
        Recipient("A001", "invitation", "ann@example.org", "Ann", "S", "P", 2, DEADLINE),
        Recipient("A002", "invitation", "bé a@exämple.org", "Bea", "S", "P", 2, DEADLINE),
    ]
    letters = render_letters(who, default_templates(), track="T", signature="S")
    run = LetterRun("2027", False)
    built = _messages(letters, SETTINGS_SENDER, "", run)
    assert [lt.recipient.applicant_id for lt, _ in built] == ["A001"]
    assert run.failed == [("A002", "invitation", BAD_ADDRESS)]


def test_the_dry_run_finds_an_address_no_header_can_hold(lstore: Store) -> None:
    from selector.letters import addressable

    ok = Recipient("A001", "invitation", "ann@example.org", "Ann", "S", "P", 2, DEADLINE)
    assert addressable(ok)
    assert not addressable(replace(ok, address="bé a@exämple.org"))
    assert addressable(replace(ok, name="Ann\r\nBcc: x@y.org"))  # the name is folded first
