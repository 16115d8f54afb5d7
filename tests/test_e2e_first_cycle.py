"""In real Chromium (issue 10, "What it must show"): a committee's first real cycle, played
through the dashboard only, from the demo database to the finalised roster.

Guided start (own accounts, the demo retires) → export A → export B of the same form whose
response ids restart at 1 (nobody merged) → reviewer accounts, one disabled, assignment never
to them → a reviewer scores one applicant with a comment and part-scores another → the chair
meets a mistyped rule field, then the open-reviews warning, opens an applicant and reads the
comment → finalises with the confirmation → the roster download holds the recorded cohort.

The shell only builds the input files and checks the database at the end. Reuses the
dashboard server and helpers of tests/test_e2e_browser.py.
"""

from __future__ import annotations

import io
import re
import tomllib
from pathlib import Path

import openpyxl
from playwright.sync_api import Locator, Page, expect, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from selector.config import DEFAULT_CONFIG_PATH
from selector.seed import demo_accounts
from selector.store import Store
from tests.test_e2e_browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    TIMEOUT_MS,
    go_to,
    log_in,
    log_out,
    pytestmark,
    server,
    shot,
    wait_for_run,
)

__all__ = ["pytestmark", "server"]  # the browser mark and the server fixture, used by name

CYCLE = "2027"
ME, MY_PASSWORD = "coord@hospital.example.org", "coordinator-own-password"
CHAIR = "chair@hospital.example.org"
REVIEWER_PASSWORD = "reviewer-initial-password"
REVIEWERS = {  # e-mail: name; the last one is disabled before assigning
    "ann.reviewer@hospital.example.org": "Ann Reviewer",
    "ben.reviewer@hospital.example.org": "Ben Reviewer",
    "cat.reviewer@hospital.example.org": "Cat Reviewer",
}
DISABLED = "cat.reviewer@hospital.example.org"
SPECIALTIES = ("Pediatrics", "Surgery", "Neurology", "Psychiatry", "Family Medicine", "Dermatology")
HEADERS = ["ID", "Name", "Email", "PGY", "Specialty", "Program", "Essay"]
COMMENT = "Thoughtful essay; strong record of community work."
CRITERIA = [c["id"] for c in tomllib.loads(DEFAULT_CONFIG_PATH.read_text("utf-8"))["criteria"]]


def person(i: int) -> dict[str, object]:
    """Synthetic applicant number ``i`` (its e-mail is who it is)."""
    return {
        "Name": f"Synthia Person{i:02d}",
        "Email": f"synthia.person{i:02d}@example.org",
        "PGY": 2 + i % 3,
        "Specialty": SPECIALTIES[i % len(SPECIALTIES)],
        "Program": f"Program {'XYZ'[i % 3]}",
        "Essay": f"Essay number {i}.",
    }


def workbook(people: list[dict[str, object]]) -> bytes:
    """An xlsx export whose response ids number the rows 1, 2, …"""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(HEADERS)
    for n, p in enumerate(people, start=1):
        ws.append([n, *(p[h] for h in HEADERS[1:])])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def config_text() -> str:
    """The bundled rules for a small first cycle: a cohort of 1 to 4, two reviewers each."""
    text = DEFAULT_CONFIG_PATH.read_text(encoding="utf-8")
    for old, new in (
        ("size = 10", "min_size = 1\nmax_size = 4"),
        ("min_distinct = 5", "min_distinct = 1"),
        ("reviewers_per_applicant = 3", "reviewers_per_applicant = 2"),
    ):
        assert old in text
        text = text.replace(old, new)
    return text


def upload(page: Page, path: Path) -> None:
    page.locator(".st-key-upload_file input[type=file]").set_input_files(str(path))
    wait_for_run(page)


def grid_row(scope: Page | Locator, *texts: str) -> None:
    """Expect a row holding all ``texts`` in a table within ``scope`` (a data grid's
    accessible fallback table, which holds the rows on screen)."""
    rows = scope.locator("[data-testid='stDataFrame'] tr")
    for text in texts:
        rows = rows.filter(has_text=text)
    expect(rows.first).to_be_attached()


def choose(page: Page, key: str, option: str) -> None:
    """Pick ``option`` in the selectbox with widget key ``key`` (typed, then clicked), once
    the script run is over (a rerun closes the open list: then again)."""
    field = page.locator(f".st-key-{key} input")
    for attempt in range(3):
        wait_for_run(page)
        field.click()
        field.fill(option)
        try:
            page.get_by_role("option", name=option, exact=True).click(timeout=TIMEOUT_MS / 4)
        except PlaywrightTimeout:
            if attempt == 2:
                raise
        else:
            return


def click_first_row(page: Page, key: str) -> None:
    """Select the first row of a data grid (its row marker at the left edge)."""
    grid = page.locator(f".st-key-{key} [data-testid='stDataFrameResizable']")
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)


def test_a_first_real_cycle_through_the_dashboard(server: tuple[str, str], tmp_path: Path) -> None:
    url, db_url = server
    first = [person(i) for i in range(1, 13)]
    newcomers = [person(i) for i in (13, 14)]
    # Export B: the same form later on; its numbering restarted, the two newcomers took ids 1
    # and 2, and the others come in reverse order: every id now points at another person.
    # One person's program changed meanwhile.
    moved = {**first[4], "Program": "Program Q"}
    second = newcomers + [moved if p_ is first[4] else p_ for p_ in first[::-1]]
    export_a, export_b, rules = (
        tmp_path / "export_a.xlsx",
        tmp_path / "export_b.xlsx",
        tmp_path / "rules.toml",
    )
    export_a.write_bytes(workbook(first))
    export_b.write_bytes(workbook(second))
    rules.write_text(config_text(), encoding="utf-8")

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(TIMEOUT_MS)

        # 1. The demo database → the guided start, from the login page.
        page.goto(url)
        expect(page.get_by_text("Demo data")).to_be_visible()
        page.locator(".st-key-start_for_real button").click()
        page.locator(".st-key-start_email input").wait_for()
        for key, value in {
            "start_name": "Cora Coordinator",
            "start_email": ME,
            "start_password": MY_PASSWORD,
            "start_password_again": MY_PASSWORD,
            "start_chair_name": "Chris Chair",
            "start_chair_email": CHAIR,
            "start_cycle": CYCLE,
        }.items():
            page.locator(f".st-key-{key} input").fill(value)
        page.locator(".st-key-start_config input[type=file]").set_input_files(str(rules))
        wait_for_run(page)
        page.locator(".st-key-start_submit button").click()
        expect(page.get_by_text("is ready and you are logged in")).to_be_visible()
        chair_password = page.locator("[data-testid='stCode'] code").inner_text().strip()
        assert chair_password
        page.locator(".st-key-start_continue button").click()
        expect(page.get_by_role("heading", name="Upload applications")).to_be_visible()
        expect(page.get_by_text(f"Cycle {CYCLE}")).to_be_visible()
        expect(page.get_by_text("Demo data")).to_have_count(0)
        expect(page.get_by_text("Cora Coordinator")).to_be_visible()  # logged in as oneself

        # 2. Export A.
        upload(page, export_a)
        expect(page.get_by_text("New (12)")).to_be_visible()
        page.locator(".st-key-confirm_import button").click()
        expect(page.get_by_text("Imported: 12 new, 0 changed, 0 withdrawn")).to_be_visible()

        # 3. Export B: ids restarted. The preview names the two newcomers as new people.
        upload(page, export_b)
        expect(page.get_by_text("belong to other people already imported")).to_be_visible()
        expect(page.get_by_text("New (2)")).to_be_visible()
        expect(page.get_by_text("Changed (1)")).to_be_visible()
        expect(page.get_by_text("Withdrawn (not in this export) (0)")).to_be_visible()
        new_tab = page.get_by_role("tabpanel", name="New (2)")
        for n, p_ in enumerate(newcomers, start=1):  # named, and whose id they took
            grid_row(new_tab, str(p_["Name"]), f"another person has A{n:03d}")
        page.get_by_role("tab", name="Changed (1)").click()
        changed_tab = page.get_by_role("tabpanel", name="Changed (1)")
        grid_row(changed_tab, "A005", str(moved["Name"]), "program", "Program Z", "Program Q")
        shot(page, "first_cycle_preview_b")
        page.locator(".st-key-confirm_import button").click()
        expect(page.get_by_text("Imported: 2 new, 1 changed, 0 withdrawn")).to_be_visible()
        go_to(page, "Applicants")
        for n, p_ in enumerate(first[:3], start=1):  # ids 1-3 are others' in export B
            grid_row(page, f"A{n:03d}", str(p_["Name"]), str(p_["Specialty"]))

        # 4. Reviewer accounts; one disabled; assignment never to them.
        go_to(page, "Reviewers & assignments")
        page.get_by_text("Add an account").click()
        for email, name in REVIEWERS.items():
            page.locator(".st-key-new_user_email input").fill(email)
            page.locator(".st-key-new_user_name input").fill(name)
            choose(page, "new_user_role", "reviewer")
            page.locator(".st-key-new_user_password input").fill(REVIEWER_PASSWORD)
            page.locator(".st-key-add_user button").click()
            wait_for_run(page)
            grid_row(page, email, name, "password")
        page.locator(".st-key-assign button").click()
        expect(page.get_by_text("28 assignments")).to_be_visible()
        page.get_by_text("Manage an account").click()
        choose(page, "manage_email", DISABLED)
        page.locator(".st-key-manage_action label").filter(has_text="Disable").click()
        page.locator(".st-key-manage_apply button").click()
        expect(page.get_by_text(f"{DISABLED} is disabled")).to_be_visible()
        grid_row(page, DISABLED, "disabled")
        page.locator(".st-key-assign button").click()  # moves the disabled one's reviews
        expect(page.get_by_text("28 assignments")).to_be_visible()
        expect(page.get_by_text("reviewer loads 14–14")).to_be_visible()
        shot(page, "first_cycle_reviewers")
        log_out(page)

        # 5. A reviewer: one applicant scored completely with a comment, another part-scored.
        reviewer = next(iter(REVIEWERS))
        log_in(page, reviewer, REVIEWER_PASSWORD)
        queue = page.locator(".st-key-queue [role=radiogroup] label")
        labels = [queue.nth(i).inner_text() for i in range(2)]
        # A queue entry: "○ <applicant id> · <name>".
        scored, part = (re.match(r"\S+ (\S+) · ", t).group(1) for t in labels)  # type: ignore[union-attr]
        page.locator(f".st-key-comment_{scored} textarea").fill(COMMENT)
        page.locator(f".st-key-comment_{scored} textarea").press("Tab")  # commit on blur
        wait_for_run(page)
        for i, c in enumerate(CRITERIA):
            scale = page.locator(f".st-key-score_{scored}_{c} [role=radiogroup] label")
            scale.nth(3 + i % 2).click()
            wait_for_run(page)
        expect(page.get_by_text("Saved. Every change is saved")).to_be_visible()
        queue.filter(has_text=part).click()
        wait_for_run(page)
        for c in CRITERIA[:2]:
            page.locator(f".st-key-score_{part}_{c} [role=radiogroup] label").nth(2).click()
            wait_for_run(page)
        expect(page.get_by_text(f"2 of {len(CRITERIA)} criteria scored")).to_be_visible()
        shot(page, "first_cycle_part_scored")
        log_out(page)

        # 6. The chair: a mistyped rule field is refused; the open reviews come first.
        log_in(page, CHAIR, chair_password)
        go_to(page, "Selection")
        expect(page.get_by_text("Reviews are still open")).to_be_visible()
        expect(
            page.get_by_text(
                "13 of 14 applicants have no complete review; 27 assigned reviews are open."
            ).first
        ).to_be_visible()
        editor = page.locator(".st-key-A_diversity")
        for typed in ("specialtyy", "Specialty"):  # the field cell offers the known fields only
            editor.scroll_into_view_if_needed()
            box = editor.locator("[data-testid='stDataFrameResizable']").bounding_box()
            assert box is not None
            page.mouse.dblclick(box["x"] + 60, box["y"] + 35 + 17)  # the first rule's field
            page.keyboard.type(typed)
            page.keyboard.press("Enter")
            wait_for_run(page)
            grid_row(editor, "specialty", "2")
            expect(editor.get_by_text(typed, exact=True)).to_have_count(0)
        expect(page.locator(".st-key-run_A button")).to_be_enabled()
        page.locator(".st-key-run_A button").click()
        expect(page.locator(".st-key-selection_view")).to_be_visible()
        wait_for_run(page)
        expect(page.get_by_text("Decided on the reviews in so far")).to_be_visible()
        shot(page, "first_cycle_selection")

        # 7. The chair opens the applicant from the cohort's row and reads the comment.
        click_first_row(page, "cohort_A")
        dialog = page.get_by_role("dialog")
        expect(dialog).to_be_visible()
        dialog.get_by_role("tab", name="Reviews").click()
        expect(dialog.get_by_text(COMMENT)).to_be_visible()
        shot(page, "first_cycle_application")
        expect(dialog.get_by_text("Ann Reviewer").first).to_be_visible()
        page.keyboard.press("Escape")
        wait_for_run(page)

        # 8. Finalise with the confirmation naming the open reviews; download the roster.
        go_to(page, "Roster")
        page.locator(".st-key-finalise button").click()
        dialog = page.get_by_role("dialog")
        expect(dialog.get_by_text("Finalise although these 27 reviews are open")).to_be_visible()
        confirm = page.locator(".st-key-finalise_confirm button")
        expect(confirm).to_be_disabled()
        page.locator(".st-key-confirm_open_reviews label").click()
        expect(confirm).to_be_enabled()
        confirm.click()
        expect(page.get_by_text("Finalised as run")).to_be_visible()
        shot(page, "first_cycle_roster")
        with page.expect_download() as download_info:
            page.locator(".st-key-download_xlsx button").click()
        roster = tmp_path / "roster.xlsx"
        download_info.value.save_as(roster)
        browser.close()

    # The database, at the end.
    store = Store(db_url)
    system = store.system_user()
    assert demo_accounts(store) is None
    stored = {a.email: a for a in store.applicants(system, CYCLE)}
    assert len(stored) == 14
    for p_ in [moved if p_ is first[4] else p_ for p_ in first] + newcomers:
        a = stored[str(p_["Email"])]
        assert (a.name, a.specialty, a.pgy, a.program) == tuple(
            p_[k] for k in ("Name", "Specialty", "PGY", "Program")
        )
    assignments = store.assignments(system, CYCLE)
    assert len(assignments) == 28 and all(e != DISABLED for _, e in assignments)
    (review,) = store.reviews(system, CYCLE)
    assert (review.applicant_id, review.reviewer, review.comment) == (scored, reviewer, COMMENT)
    by_id = {a.applicant_id: a for a in stored.values()}
    assert by_id[scored].name in labels[0]  # the review is on the person the reviewer scored
    (run,) = [r for r in store.runs(system, CYCLE) if r.final]
    cohort = list(run.decision["selected"])
    assert cohort == [scored]
    book = openpyxl.load_workbook(roster, read_only=True)
    rows = list(book["Cohort"].iter_rows(values_only=True))
    book.close()
    assert rows[0][0] == "Applicant ID"
    assert [r[0] for r in rows[1:]] == cohort
