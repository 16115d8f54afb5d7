"""The Letters page in real Chromium (issue 12): the chair of a cycle with a final run sets the
answer-by date, previews the invitation, sends the letters behind the confirmation, and the
local SMTP server (aiosmtpd, started here) receives each letter once. The page passes the
accessibility audit of the other pages (tests/test_e2e_a11y.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from selector.store import Store
from tests.test_e2e_a11y import blocking
from tests.test_e2e_browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    TIMEOUT_MS,
    dashboard,
    go_to,
    log_in,
    wait_for_run,
)
from tests.test_letters import PEOPLE, Inbox, inbox, letters_template

__all__ = ["inbox", "letters_template"]  # fixtures, used by name

pytestmark = pytest.mark.browser

CHAIR = ("chair@committee.example.org", "letters-e2e-password")


def test_the_chair_previews_and_sends_the_letters(
    letters_template: Path, tmp_path: Path, inbox: Inbox
) -> None:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    shutil.copy(letters_template, tmp_path / "letters.db")
    db_url = f"sqlite:///{tmp_path / 'letters.db'}"
    with Store(db_url) as store:
        store.add_user(store.system_user(), CHAIR[0], "Charlie Chair", "chair", CHAIR[1])
    letters = len(PEOPLE) + 1
    with dashboard(tmp_path, db_url) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(url)
        log_in(page, *CHAIR)
        go_to(page, "Letters")
        expect(page.get_by_role("heading", name="Letters", level=1)).to_be_visible()
        # No answer-by date yet: the letters that name it are refused before any is sent.
        expect(page.get_by_text("which is empty for").first).to_be_visible()

        # Streamlit's date field: one spin button per part, typed in turn; leaving it commits.
        page.get_by_role("spinbutton", name="year, Answer by").click()
        page.keyboard.type("20270115")
        page.get_by_role("heading", name="Letters", level=1).click()
        wait_for_run(page)
        expect(page.get_by_text(f"{letters} to send")).to_be_visible()
        expect(page.get_by_text("Dear Ann Pgyone,").first).to_be_visible()  # the preview
        violations = blocking(page)  # axe-core, WCAG 2.1 AA, as for every other page
        assert not violations, "\n".join(violations)

        page.locator(".st-key-letters_send button").click()
        dialog = page.get_by_role("dialog")
        expect(dialog).to_be_visible()
        assert inbox.messages == []  # the button only asks
        dialog.locator(".st-key-letters_send_confirm button").click()
        wait_for_run(page)
        expect(page.get_by_text(f"Sent {letters} letters.")).to_be_visible()
        browser.close()

    assert len(inbox.messages) == letters
    invited = [m for _, _, m in inbox.messages if "invitation" in str(m["Subject"])]
    assert len(invited) == 3
    for msg in invited:
        assert "Friday, 15 January 2027" in msg.get_content()
