"""`selector letters render|send|sent|template` (issue 12): the CLI face of the letters, on a
cycle with a final run, sending to a local SMTP server configured by SELECTOR_SMTP_* or by
``.streamlit/secrets.toml``."""

from __future__ import annotations

import email
import email.policy
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from selector.cli import main
from selector.store import Store
from tests.test_letters import PEOPLE, Inbox, free_port, id_of, inbox, letters_template

__all__ = ["inbox", "letters_template"]  # fixtures, used by name

LETTERS = len(PEOPLE) + 1  # one per applicant, and the note to the invited PGY1's director


@pytest.fixture
def db(letters_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The letters database, as $SELECTOR_DB, run from an empty folder (no secrets file)."""
    shutil.copy(letters_template, tmp_path / "letters.db")
    url = f"sqlite:///{tmp_path / 'letters.db'}"
    monkeypatch.setenv("SELECTOR_DB", url)
    monkeypatch.chdir(tmp_path)
    for key in ("HOST", "PORT", "STARTTLS", "SENDER", "USERNAME", "PASSWORD"):
        monkeypatch.delenv(f"SELECTOR_SMTP_{key}", raising=False)
    return url


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys: pytest.CaptureFixture[str], *argv: str, code: int = 0) -> Any:
    got, out, err = run(capsys, *argv)
    assert got == code, err
    return json.loads(out)


def test_render_writes_eml_files_and_sends_nothing(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    done = run_json(
        capsys,
        "letters",
        "render",
        "--out",
        str(out),
        "--from",
        "gme@hospital.org",
        "--deadline",
        "2027-01-15",
        "--json",
    )
    assert len(done["written"]) == LETTERS == len(list(out.glob("*.eml")))
    ann = id_of(Store(db), "Ann Pgyone")
    msg = email.message_from_bytes(
        (out / f"{ann}-pd_note.eml").read_bytes(), policy=email.policy.default
    )
    assert msg["To"] == "pd1@hospital.org" and msg["From"] == "gme@hospital.org"
    assert "Friday, 15 January 2027" in msg.get_content()  # type: ignore[attr-defined]
    assert run_json(capsys, "letters", "sent", "--json") == []


def test_render_without_a_sender_says_how_to_give_one(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "letters", "render", "--out", str(tmp_path / "o"))
    assert code == 2 and "--from ADDRESS" in err and "SELECTOR_SMTP_HOST" in err


def test_send_is_a_dry_run_unless_asked(
    db: str, inbox: Inbox, capsys: pytest.CaptureFixture[str]
) -> None:
    done = run_json(capsys, "letters", "send", "--deadline", "2027-01-15", "--json")
    assert done["dry_run"] and len(done["would_send"]) == LETTERS and done["sent"] == []
    assert inbox.messages == []
    code, out, _ = run(capsys, "letters", "send", "--deadline", "2027-01-15")
    assert code == 0 and f"dry run: {LETTERS} letters of cycle 2027 would be sent" in out


def test_send_a_failure_then_a_rerun_sends_only_the_rest(
    db: str, inbox: Inbox, capsys: pytest.CaptureFixture[str]
) -> None:
    store = Store(db)
    bea = next(a for a in store.applicants(store.system_user(), "2027") if a.name == "Bea Second")
    inbox.refuse.add(bea.email)
    done = run_json(
        capsys, "letters", "send", "--send", "--deadline", "2027-01-15", "--json", code=1
    )
    assert done["failed"] == [
        {
            "applicant_id": bea.applicant_id,
            "outcome": done["failed"][0]["outcome"],
            "reason": "the mail server refused the recipient (550)",
        }
    ]
    assert len(done["sent"]) == LETTERS - 1 == len(inbox.messages)

    inbox.refuse.clear()
    code, out, _ = run(capsys, "letters", "send", "--send", "--deadline", "2027-01-15")
    assert code == 0
    assert (
        "sent 1 letter of cycle 2027" in out
        and f"already sent before, not again: {LETTERS - 1}" in out
    )
    assert len(inbox.messages) == LETTERS
    sent = run_json(capsys, "letters", "sent", "--json")
    assert len(sent) == LETTERS and {s["status"] for s in sent} == {"sent"}


def test_an_unfilled_deadline_is_refused_with_its_code_before_sending(
    db: str, inbox: Inbox, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "letters", "send", "--send")
    assert code == 2
    assert "template invitation" in err and "{{ deadline }}" in err and "nothing was" in err
    assert inbox.messages == []


def test_settings_from_the_secrets_file(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    found = Inbox()
    controller = Controller(found, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        (tmp_path / ".streamlit").mkdir()
        (tmp_path / ".streamlit" / "secrets.toml").write_text(
            f'[smtp]\nhost = "127.0.0.1"\nport = {controller.port}\nstarttls = false\n'
            'sender = "Secrets <secrets@hospital.org>"\n'
        )
        done = run_json(capsys, "letters", "send", "--send", "--deadline", "2027-01-15", "--json")
        assert len(done["sent"]) == LETTERS
        assert {m["From"] for _, _, m in found.messages} == {"Secrets <secrets@hospital.org>"}
    finally:
        controller.stop()


def test_a_template_is_shown_and_replaced_checked(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "letters", "template", "waitlist")
    assert code == 0 and out.startswith("Subject: Your application to the {{ track }}")
    bad = tmp_path / "bad.txt"
    bad.write_text("Subject: Hello\n\nDear {{ name.__class__ }}\n")
    code, _, err = run(capsys, "letters", "template", "waitlist", "--set", str(bad))
    assert code == 2 and "template waitlist, row 3" in err
    good = tmp_path / "good.txt"
    good.write_text("Subject: Hello {{ name }}\n\nDear {{ name }}, wait please.\n")
    assert run(capsys, "letters", "template", "waitlist", "--set", str(good))[0] == 0
    assert run(capsys, "letters", "template", "waitlist")[1] == good.read_text()
    sig = tmp_path / "sig.txt"
    sig.write_text("Dr. Chair\nDEI Leadership Track\n")
    assert run(capsys, "letters", "template", "signature", "--set", str(sig))[0] == 0
    out_dir = tmp_path / "out"
    run_json(capsys, "letters", "render", "--out", str(out_dir), "--from", "a@b.org",
             "--deadline", "2027-01-15", "--json")  # fmt: skip
    waiting = [
        email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
        for p in out_dir.glob("*-waitlist.eml")
    ]
    assert waiting and all(m["Subject"].startswith("Hello ") for m in waiting)
    invited = next(out_dir.glob("*-invitation.eml")).read_bytes()
    assert b"Dr. Chair" in invited


def test_an_interrupted_letter_is_released_after_a_check_and_then_sent(
    db: str, inbox: Inbox, capsys: pytest.CaptureFixture[str]
) -> None:
    store = Store(db)
    system = store.system_user()
    ann = id_of(store, "Ann Pgyone")
    store.claim_letter(system, "2027", ann, "invitation", "p1@example.org")  # a run that stopped
    done = run_json(capsys, "letters", "send", "--send", "--deadline", "2027-01-15", "--json")
    assert {"applicant_id": ann, "outcome": "invitation"} in done["already_sent"]
    assert len(inbox.messages) == LETTERS - 1
    sent = {
        (s["applicant_id"], s["outcome"]): s["status"]
        for s in run_json(capsys, "letters", "sent", "--json")
    }
    assert sent[(ann, "invitation")] == "sending"

    assert run(capsys, "letters", "release", ann, "invitation")[0] == 0
    assert store.audit_log(system, "2027")[-1].action == "letter.release"
    code, _, err = run(capsys, "letters", "release", ann, "invitation")
    assert code == 2 and "never sent again" in err  # nothing left to release
    code, _, err = run(capsys, "letters", "release", ann, "waitlist")
    assert code == 2
    done = run_json(capsys, "letters", "send", "--send", "--deadline", "2027-01-15", "--json")
    assert done["sent"] == [{"applicant_id": ann, "outcome": "invitation"}]
    assert len(inbox.messages) == LETTERS
    code, _, err = run(capsys, "letters", "release", ann, "invitation")
    assert code == 2  # a sent letter stays sent
