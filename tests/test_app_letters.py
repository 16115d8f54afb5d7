"""The Letters page (issue 12) under AppTest: the coordinator and the chair edit a template,
preview it, send the letters of the final run after a confirmation, and see them sent; a
reviewer never gets the page."""

from __future__ import annotations

import datetime as dt
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app_pages import state
from selector.store import Store
from tests.test_app_pages import APP, no_exceptions, texts
from tests.test_letters import PEOPLE, Inbox, id_of, inbox, letters_template

__all__ = ["inbox", "letters_template"]  # fixtures, used by name

ACCOUNTS = {
    "coordinator": ("coord@example.org", "coordinator", "pw-coord-1"),
    "chair": ("chair@example.org", "chair", "pw-chair-1"),
    "reviewer": ("r1@example.org", "reviewer", "pw-rev1-11"),
}
LETTERS = len(PEOPLE) + 1


@pytest.fixture(scope="module")
def page_template(letters_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The letters database with a coordinator, a chair and a reviewer who can log in."""
    path = tmp_path_factory.mktemp("letters_page") / "page.db"
    shutil.copy(letters_template, path)
    with Store(f"sqlite:///{path}") as store:
        for email, role, password in ACCOUNTS.values():
            store.add_user(store.system_user(), email, email.split("@")[0], role, password)
    return path


@pytest.fixture
def ldb(page_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    shutil.copy(page_template, tmp_path / "page.db")
    url = f"sqlite:///{tmp_path / 'page.db'}"
    monkeypatch.setenv("SELECTOR_DB", url)
    monkeypatch.chdir(tmp_path)  # no .streamlit/secrets.toml here
    with Store(url) as store:
        yield store


def letters_page(store: Store, who: str) -> AppTest:
    email, _, password = ACCOUNTS[who]
    at = AppTest.from_file(str(APP), default_timeout=30)
    at.session_state[state.USER] = store.authenticate(email, password)
    at.session_state[state.LAST_SEEN] = time.time()
    at.run()
    return at.switch_page("app_pages/letters.py").run()


def all_text(at: AppTest) -> str:
    return texts(at) + "\n" + "\n".join(str(t.value) for t in at.text)


@pytest.mark.parametrize("who", ["coordinator", "chair"])
def test_the_coordinator_and_the_chair_send_after_a_confirmation(
    ldb: Store, inbox: Inbox, who: str
) -> None:
    at = letters_page(ldb, who)
    no_exceptions(at)
    assert [t.value for t in at.title] == ["Letters"]
    # Without a deadline the letters that name it cannot go: said before any send.
    assert "uses {{ deadline }}, which is empty for" in texts(at)
    assert not any(b.key == "letters_send" for b in at.button)

    at.date_input(key=state.LETTER_DEADLINE).set_value(dt.date(2027, 1, 15)).run()
    no_exceptions(at)
    recipients = next(d.value for d in at.dataframe if "Letter" in d.value.columns)
    assert len(recipients) == LETTERS
    assert f"{LETTERS}** to send" in texts(at)
    at.button(key="letters_send").click().run()
    assert inbox.messages == []  # the button only asks
    at.button(key="letters_send_confirm").click().run()
    no_exceptions(at)
    assert len(inbox.messages) == LETTERS
    assert f"Sent {LETTERS} letters." in texts(at)
    sent = next(d.value for d in at.dataframe if "Status" in d.value.columns)
    assert len(sent) == LETTERS and set(sent["Status"]) == {"sent"}
    assert not any(b.key == "letters_send" and not b.disabled for b in at.button)
    log = ldb.audit_log(ldb.system_user(), "2027")
    assert sum(e.action == "letter.sent" for e in log) == LETTERS
    assert {e.actor for e in log if e.action == "letter.sent"} == {ACCOUNTS[who][0]}


def test_a_template_is_previewed_checked_and_saved(ldb: Store) -> None:
    at = letters_page(ldb, "coordinator")
    at.date_input(key=state.LETTER_DEADLINE).set_value(dt.date(2027, 1, 15)).run()
    ann = id_of(ldb, "Ann Pgyone")
    shown = all_text(at)
    assert f"to applicant {ann}" in shown and "Dear Ann Pgyone," in shown  # the invitation
    assert "Friday, 15 January 2027" in shown

    key = "letter_text_2027_invitation"
    at.text_area(key=key).input("Subject: Hi {{ nmae }}\n\nDear {{ name }}").run()
    no_exceptions(at)
    assert "unknown placeholder {{ nmae }}" in texts(at)
    at.button(key="save_letter_invitation").click().run()
    assert "unknown placeholder {{ nmae }}" in texts(at)
    assert ldb.letter_templates(ldb.system_user(), "2027") == {}

    at.text_area(key=key).input("Subject: Welcome, {{ name }}\n\nDear {{ name | upper }}").run()
    assert "Subject: Welcome, Ann Pgyone" in all_text(at) and "Dear ANN PGYONE" in all_text(at)
    at.button(key="save_letter_invitation").click().run()
    no_exceptions(at)
    assert ldb.letter_templates(ldb.system_user(), "2027") == {
        "invitation": "Subject: Welcome, {{ name }}\n\nDear {{ name | upper }}"
    }


def test_a_refused_recipient_is_named_by_id_and_sent_on_the_next_try(
    ldb: Store, inbox: Inbox
) -> None:
    bea = next(a for a in ldb.applicants(ldb.system_user(), "2027") if a.name == "Bea Second")
    inbox.refuse.add(bea.email)
    at = letters_page(ldb, "chair")
    at.date_input(key=state.LETTER_DEADLINE).set_value(dt.date(2027, 1, 15)).run()
    at.button(key="letters_send").click().run()
    at.button(key="letters_send_confirm").click().run()
    no_exceptions(at)
    errors = [e.value for e in at.error]
    assert any(bea.applicant_id in e and "refused the recipient (550)" in e for e in errors)
    assert not any(bea.email in e for e in errors)
    assert len(inbox.messages) == LETTERS - 1

    inbox.refuse.clear()
    assert "**1** to send" in texts(at)
    at.button(key="letters_send").click().run()
    at.button(key="letters_send_confirm").click().run()
    assert len(inbox.messages) == LETTERS and "Sent 1 letter." in texts(at)


def test_a_reviewer_never_gets_the_letters_page(ldb: Store) -> None:
    email, _, password = ACCOUNTS["reviewer"]
    at = AppTest.from_file(str(APP), default_timeout=30)
    at.session_state[state.USER] = ldb.authenticate(email, password)
    at.session_state[state.LAST_SEEN] = time.time()
    at.run()
    with pytest.raises(ValueError, match="navigation page"):
        at.switch_page("app_pages/letters.py")
    direct = AppTest.from_file(str(APP.parent / "app_pages" / "letters.py"), default_timeout=30)
    direct.session_state[state.USER] = ldb.authenticate(email, password)
    direct.session_state[state.LAST_SEEN] = time.time()
    direct.run()
    no_exceptions(direct)
    assert any("This page is for the" in e.value for e in direct.error)
    assert not direct.title


def test_without_a_final_run_the_templates_can_still_be_edited(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    monkeypatch.setenv("SELECTOR_DB", url)
    with Store(url) as store:
        from tests.test_letters import CONFIG

        store.create_cycle(store.system_user(), "2027", CONFIG)
        email, role, password = ACCOUNTS["coordinator"]
        store.add_user(store.system_user(), email, "Coord", role, password)
        at = letters_page(store, "coordinator")
        no_exceptions(at)
        assert "no selection run of cycle 2027 is final" in texts(at)
        assert at.text_area(key="letter_text_2027_waitlist").value.startswith("Subject:")
        assert not at.dataframe


def test_an_interrupted_letter_is_released_from_the_page_after_a_check(ldb: Store) -> None:
    system = ldb.system_user()
    ann = id_of(ldb, "Ann Pgyone")
    # A send that stopped after claiming Ann's invitation, before the mail server answered.
    assert ldb.claim_letter(system, "2027", ann, "invitation", "ann@example.org")
    at = letters_page(ldb, "coordinator")
    at.date_input(key=state.LETTER_DEADLINE).set_value(dt.date(2027, 1, 15)).run()
    no_exceptions(at)
    assert "interrupted (not sent again)" in all_text(at) or any(
        "interrupted (not sent again)" in d.value.to_string() for d in at.dataframe
    )
    release = at.button(key="letters_release")
    assert release.disabled  # not before the check is ticked
    at.checkbox(key="letters_release_checked").check().run()
    at.button(key="letters_release").click().run()
    no_exceptions(at)
    assert [s["status"] for s in workflow_sent(ldb) if s["applicant_id"] == ann] == []
    assert not any(b.key == "letters_release" for b in at.button)  # nothing left to release
    log = ldb.audit_log(system, "2027")
    assert any(e.action.startswith("letter.release") for e in log)


def workflow_sent(store: Store) -> list[dict[str, str]]:
    from selector import workflow

    return workflow.sent_letters(store, store.system_user(), "2027")
