"""In real Chromium: the guided start from the demo, then a browser refresh, which starts a new
Streamlit session (logged out), never shows "Page not found": the address shows the login
page, and after logging in the same page again. Another role's address goes to one's own first
page. Reuses the server and helpers of tests/test_e2e_browser.py."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from selector.seed import demo_accounts
from selector.store import Store
from tests.test_e2e_browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    TIMEOUT_MS,
    log_in,
    log_out,
    server,
    wait_for_run,
)

__all__ = ["server"]  # the fixture, used by name

pytestmark = pytest.mark.browser

EMAIL, PASSWORD = "me@hospital.example.org", "my-own-password"


def no_page_not_found(page: Page) -> None:
    wait_for_run(page)
    expect(page.get_by_text("Page not found")).to_have_count(0)


def test_start_for_real_then_a_refresh_never_shows_page_not_found(
    server: tuple[str, str],
) -> None:
    url, db_url = server
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(url)

        # The guided start, from the login page's demo box.
        page.locator(".st-key-start_for_real button").click()
        page.locator(".st-key-start_email input").wait_for()
        for key, value in {
            "start_name": "Real Me",
            "start_email": EMAIL,
            "start_password": PASSWORD,
            "start_password_again": PASSWORD,
            "start_chair_name": "Real Chair",
            "start_chair_email": "chair@hospital.example.org",
            "start_cycle": "2027",
        }.items():
            page.locator(f".st-key-{key} input").fill(value)
        page.locator(".st-key-start_submit button").click()
        expect(page.get_by_text("is ready and you are logged in")).to_be_visible()
        one_time = page.locator("[data-testid='stCode'] code").inner_text().strip()
        page.locator(".st-key-start_continue button").click()
        expect(page.get_by_role("heading", name="Upload applications")).to_be_visible()
        store = Store(db_url)
        assert demo_accounts(store) is None
        assert store.authenticate("chair@hospital.example.org", one_time) is not None

        # A refresh on a page other than the first: a new session, logged out, on its address.
        page.get_by_role("link", name="Applicants").click()
        expect(page.get_by_role("heading", name="Applicants")).to_be_visible()
        assert page.url.endswith("/applicants")
        page.reload()
        page.locator(".st-key-login_email input").wait_for()
        no_page_not_found(page)
        expect(page.get_by_text("Demo data")).to_have_count(0)  # the demo never shows again
        log_in(page, EMAIL, PASSWORD)  # ... and back on the page asked for
        expect(page.get_by_role("heading", name="Applicants")).to_be_visible()
        assert page.url.endswith("/applicants")
        no_page_not_found(page)

        # Another role's address: one's own first page, not "Page not found".
        page.goto(f"{url}/committee")
        page.locator(".st-key-login_email input").wait_for()
        log_in(page, EMAIL, PASSWORD)
        expect(page.get_by_role("heading", name="Upload applications")).to_be_visible()
        no_page_not_found(page)
        log_out(page)
        browser.close()
