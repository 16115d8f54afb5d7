"""End to end in real Chromium: coordinator uploads, reviewer scores, chair selects and
downloads the roster, whose cohort is checked against the engine's decision.

Runs ``streamlit run app.py`` on an empty temporary database (which seeds the demo cycle) and
drives Debian's ``chromium`` with Playwright (``executable_path``; no browser download). Real
data never enters the demo cycle, so after the demo's login page the server's shell makes a
cycle of its own and the committee's accounts (which retires the demo logins), and the
committee works in it: the demo export plus a newcomer, the demo's scores for the others.
With ``SELECTOR_SCREENSHOTS=DIR`` set, it also saves a screenshot of every page into DIR.
"""

from __future__ import annotations

import io
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import Page, expect, sync_playwright

from selector.config import DEFAULT_CONFIG_PATH
from selector.intake import read_applications
from selector.selection import decide
from selector.store import Store

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("SELECTOR_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
TIMEOUT_MS = 60_000
expect.set_options(timeout=TIMEOUT_MS)  # expect() waits 5 s by default: too short on a busy CI
SHOTS = os.environ.get("SELECTOR_SCREENSHOTS")
CYCLE = "2026"
PASSWORD = "committee-e2e-password"
ACCOUNTS = {
    "coordinator@committee.example.org": "coordinator",
    "chair@committee.example.org": "chair",
    "reviewer@committee.example.org": "reviewer",
}


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def dashboard(tmp: Path, db_url: str, *flags: str, port: int | None = None) -> Iterator[str]:
    """``streamlit run app.py`` on ``port`` (a free one by default) with ``SELECTOR_DB=db_url``
    and any further ``--option=value`` flags; yields its URL once it answers, stops it
    afterwards. Its log goes to ``tmp/streamlit.log``."""
    port = port or free_port()
    log = (tmp / "streamlit.log").open("wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.headless=true",
            f"--server.port={port}",
            "--server.address=127.0.0.1",
            "--server.fileWatcherType=none",
            "--browser.gatherUsageStats=false",
            *flags,
        ],
        cwd=REPO,
        env={**os.environ, "SELECTOR_DB": db_url},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        (tmp / "streamlit.log").read_text(errors="replace")
                    ) from None
                time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """A dashboard on a free port and an empty database; yields (app URL, database URL)."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    tmp = tmp_path_factory.mktemp("e2e")
    db_url = f"sqlite:///{tmp / 'e2e.db'}"
    with dashboard(tmp, db_url) as url:
        yield url, db_url


def export_with_newcomer() -> tuple[bytes, str]:
    """The demo export plus one new application; returns the file and the new applicant id."""
    wb = openpyxl.load_workbook(REPO / "data" / "demo_applications.xlsx")
    ws = wb.active
    assert ws is not None
    row = [c.value for c in ws[2]]
    row[0] = 901
    row[5] = "Testa Newcomer"
    row[6] = "testa.newcomer@example.org"
    ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    data = buf.getvalue()
    new = [a for a in read_applications(data, filename="x.xlsx").accepted if a.name == row[5]]
    return data, new[0].applicant_id


def wait_for_run(page: Page) -> None:
    """Wait until Streamlit has finished the current script run."""
    page.wait_for_timeout(300)
    page.wait_for_selector("[data-testid='stStatusWidget']", state="detached", timeout=TIMEOUT_MS)


def shot(page: Page, name: str) -> None:
    """Save a screenshot when SELECTOR_SCREENSHOTS is set (charts drawn, toasts gone)."""
    if SHOTS:
        wait_for_run(page)
        page.set_viewport_size({"width": 1400, "height": 1400})
        page.evaluate("document.querySelectorAll('*').forEach(e => { e.scrollTop = 0; })")
        page.wait_for_timeout(5000)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"))
        page.set_viewport_size({"width": 1400, "height": 1000})


def log_in(page: Page, email: str, password: str) -> None:
    """Log in through the form and wait for the menu of the role."""
    page.locator(".st-key-login_email input").fill(email)
    page.locator(".st-key-login_password input").fill(password)
    page.locator(".st-key-login_submit button").click()
    page.locator(".st-key-logout button").wait_for(timeout=TIMEOUT_MS)


def log_out(page: Page) -> None:
    """Log out and wait for the login form."""
    page.locator(".st-key-logout button").click()
    page.locator(".st-key-login_email input").wait_for(timeout=TIMEOUT_MS)


def go_to(page: Page, title: str) -> None:
    """Open a page from the sidebar menu."""
    page.get_by_role("link", name=title).click()
    wait_for_run(page)


def test_upload_review_select_download(server: tuple[str, str], tmp_path: Path) -> None:
    url, db_url = server
    export, newcomer = export_with_newcomer()
    export_path = tmp_path / "applications.xlsx"
    export_path.write_bytes(export)
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(url)
        expect(page.get_by_text("Demo data")).to_be_visible()
        shot(page, "login")

        # The server's shell: a cycle of its own and the committee's accounts.
        store = Store(db_url)
        system = store.system_user()
        store.create_cycle(system, CYCLE, DEFAULT_CONFIG_PATH.read_text(encoding="utf-8"))
        for email, role in ACCOUNTS.items():
            store.add_user(system, email, email.split("@")[0], role, PASSWORD)
        page.goto(url)
        expect(page.get_by_text("Demo data")).to_have_count(0)

        # Coordinator: upload the export, confirm, assign reviewers.
        log_in(page, "coordinator@committee.example.org", PASSWORD)
        page.locator(".st-key-upload_file input[type=file]").set_input_files(str(export_path))
        expect(page.get_by_text("New (41)")).to_be_visible()
        shot(page, "upload")
        page.locator(".st-key-confirm_import button").click()
        expect(page.get_by_text("Imported: 41 new")).to_be_visible()
        go_to(page, "Reviewers & assignments")
        page.locator(".st-key-assign button").click()
        expect(page.get_by_text("assignments (")).to_be_visible()
        shot(page, "reviewers")
        go_to(page, "Track config")
        shot(page, "track_config")
        log_out(page)

        # The other applicants' reviews arrive as a score file (the demo's).
        reviewer = "reviewer@committee.example.org"
        store.set_assignment(system, CYCLE, newcomer, reviewer, True)
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "selector",
                "scores",
                "import",
                str(REPO / "data" / "demo_scores.csv"),
                "--cycle",
                CYCLE,
                "--db",
                db_url,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr

        # Reviewer: open the newcomer and score every criterion.
        log_in(page, reviewer, PASSWORD)
        page.locator(".st-key-queue label").filter(has_text=newcomer).click()
        wait_for_run(page)
        criteria = store.cycle(CYCLE).config.criteria
        for c in criteria:
            page.locator(f".st-key-score_{newcomer}_{c.id} [role=radiogroup] label").nth(3).click()
            wait_for_run(page)
        deadline = time.monotonic() + 30
        while store.review(system, CYCLE, newcomer, reviewer) is None:
            assert time.monotonic() < deadline, "the review was not saved"
            time.sleep(0.3)
        saved = store.review(system, CYCLE, newcomer, reviewer)
        assert saved is not None and set(saved.scores.values()) == {4.0}
        shot(page, "my_reviews")
        log_out(page)

        # Chair: committee, run the saved rules, download the roster.
        log_in(page, "chair@committee.example.org", PASSWORD)
        shot(page, "committee")
        go_to(page, "Selection")
        page.locator(".st-key-run_A button").click()
        expect(page.locator(".st-key-selection_view")).to_be_visible()
        shot(page, "selection")
        go_to(page, "Roster")
        with page.expect_download() as download_info:
            page.locator(".st-key-download_xlsx button").click()
        roster = tmp_path / "roster.xlsx"
        download_info.value.save_as(roster)
        shot(page, "roster")
        browser.close()

    applicants, reviews = store.selection_inputs(system, CYCLE)
    expected = decide(applicants, reviews, store.cycle(CYCLE).config).selected
    workbook = openpyxl.load_workbook(roster, read_only=True)
    rows = list(workbook["Cohort"].iter_rows(values_only=True))
    workbook.close()  # read-only workbooks keep the file open until closed
    assert rows[0][0] == "Applicant ID"
    assert [r[0] for r in rows[1:]] == expected
    assert len(expected) == 10
