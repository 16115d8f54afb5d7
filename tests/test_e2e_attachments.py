"""End to end in real Chromium: the coordinator imports a zip of attachments on the Upload
page, and a blind reviewer reads the assigned applicant's CV redacted on My reviews, never
the name (the dashboard and helpers are tests/test_e2e_browser.py's)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from selector.config import DEFAULT_CONFIG_PATH
from selector.intake import read_applications
from selector.store import Store
from tests.attachment_files import make_pdf, make_zip
from tests.test_e2e_browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    PASSWORD,
    TIMEOUT_MS,
    log_in,
    log_out,
    server,
)

pytestmark = pytest.mark.browser
__all__ = ["server"]  # the fixture, imported for pytest

NAME, EMAIL = "Maria Nunez", "maria.nunez@hospital.example.org"
HEADER = "ID,Name,Email,PGY,Specialty,Program,Why DEI"


def test_a_blind_reviewer_reads_a_redacted_cv(server: tuple[str, str], tmp_path: Path) -> None:
    url, db_url = server
    rows = [
        f"1,{NAME},{EMAIL},3,Pediatrics,Program 1,essay one",
        "2,Testa Other,testa.other@example.org,2,Neurology,Program 2,essay two",
    ]
    export = ("\n".join([HEADER, *rows]) + "\n").encode()
    archive = tmp_path / "files.zip"
    archive.write_bytes(
        make_zip(
            {
                "1_cv.pdf": make_pdf([f"Curriculum vitae of {NAME}", f"Mail: {EMAIL}"]),
                "2_cv.pdf": make_pdf(["Another CV"]),
            }
        )
    )
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(url)

        # The server's shell: a blind cycle, the applicants, two accounts, one assignment.
        store = Store(db_url)
        system = store.system_user()
        config = DEFAULT_CONFIG_PATH.read_text(encoding="utf-8")
        store.create_cycle(system, "blind-2027", config, blind=True)
        store.import_applications(system, "blind-2027", read_applications(export, filename="x"))
        coordinator, reviewer = "coord@att.example.org", "rev@att.example.org"
        store.add_user(system, coordinator, "coord", "coordinator", PASSWORD)
        store.add_user(system, reviewer, "rev", "reviewer", PASSWORD)
        store.set_assignment(system, "blind-2027", "A001", reviewer, True)
        page.goto(url)

        log_in(page, coordinator, PASSWORD)
        page.get_by_text("Attachments: CV, statement, letter").click()
        page.locator(".st-key-attachments_file input[type=file]").set_input_files(str(archive))
        page.locator(".st-key-import_attachments button").click()
        expect(page.get_by_text("2 file(s) matched")).to_be_visible()
        log_out(page)

        log_in(page, reviewer, PASSWORD)  # a reviewer's one page: My reviews
        expect(page.get_by_text("Redacted for blind review: 2 place(s)")).to_be_visible()
        picture = page.locator("[data-testid='stImage'] img").first
        expect(picture).to_be_visible()
        assert picture.evaluate("img => img.naturalWidth") > 500  # a rendered page
        body = page.locator("body").inner_text()
        assert "Nunez" not in body and EMAIL not in body and "1_cv.pdf" not in body
        assert "attachment-1.pdf" in body
        browser.close()
    store.close()
