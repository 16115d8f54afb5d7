"""In real Chromium (issue 10, deciding with the whole picture): the Selection page warns
about open reviews first, the chair opens an applicant from a cohort row and reads the
reviewers' comments, and finalising takes a confirmation that names the open reviews.

Reuses the dashboard server and helpers of tests/test_e2e_browser.py."""

from __future__ import annotations

from playwright.sync_api import expect, sync_playwright

from selector.config import DEFAULT_CONFIG_PATH
from selector.intake import read_applications
from selector.models import Review
from selector.store import Store
from tests.test_e2e_browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    PASSWORD,
    TIMEOUT_MS,
    go_to,
    log_in,
    pytestmark,
    server,
    wait_for_run,
)

__all__ = ["pytestmark", "server"]  # the browser mark and the server fixture, used by name

CHAIR = "chair@committee.example.org"
REVIEWERS = ("rev1@committee.example.org", "rev2@committee.example.org")


def export(n: int = 8) -> bytes:
    lines = ["ID,Name,Email,PGY,Specialty,Program,Essay"]
    specialties = ("Pediatrics", "Surgery", "Neurology", "Psychiatry", "Family Medicine")
    for i in range(1, n + 1):
        lines.append(
            f"{i},Browser Person {i},bp{i}@example.org,3,{specialties[i % 5]},Program X,essay {i}"
        )
    return ("\n".join(lines) + "\n").encode()


def test_open_reviews_an_application_and_a_confirmed_finalisation(
    server: tuple[str, str],
) -> None:
    url, db_url = server
    store = Store(db_url)
    system = store.system_user()
    config = DEFAULT_CONFIG_PATH.read_text(encoding="utf-8").replace("size = 10", "size = 3")
    store.create_cycle(system, "2027", config.replace("min_distinct = 5", "min_distinct = 1"))
    store.add_user(system, CHAIR, "Chris Chair", "chair", PASSWORD)
    for i, email in enumerate(REVIEWERS, start=1):
        store.add_user(system, email, f"Reviewer Number{i}", "reviewer", PASSWORD, "Program Y")
    store.import_applications(system, "2027", read_applications(export(), filename="x.csv"))
    store.assign(system, "2027", k=2)
    criteria = [c.id for c in store.cycle("2027").config.criteria]
    # Reviewer 1 is done, with comments; reviewer 2 has not started.
    store.save_reviews(
        system,
        "2027",
        [
            Review(a, REVIEWERS[0], dict.fromkeys(criteria, 2.0 + int(a[1:]) % 4), f"Note on {a}.")
            for a, e in store.assignments(system, "2027")
            if e == REVIEWERS[0]
        ],
    )

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(url)
        log_in(page, CHAIR, PASSWORD)
        go_to(page, "Selection")
        expect(page.get_by_text("Reviews are still open")).to_be_visible()
        expect(page.get_by_text("8 assigned reviews are open")).to_be_visible()

        page.locator(".st-key-run_A button").click()
        expect(page.locator(".st-key-selection_view")).to_be_visible()
        wait_for_run(page)
        # Select the first cohort row (the row marker at the grid's left edge).
        grid = page.locator(".st-key-cohort_A [data-testid='stDataFrameResizable']")
        grid.scroll_into_view_if_needed()
        box = grid.bounding_box()
        assert box is not None
        page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)
        dialog = page.get_by_role("dialog")
        expect(dialog).to_be_visible()
        expect(dialog.get_by_text("Reviews (")).to_be_visible()
        dialog.get_by_role("tab", name="Reviews").click()
        expect(dialog.get_by_text("Note on A")).to_be_visible()
        expect(dialog.get_by_text("Reviewer Number1").first).to_be_visible()
        page.keyboard.press("Escape")
        wait_for_run(page)

        go_to(page, "Roster")
        page.locator(".st-key-finalise button").click()
        dialog = page.get_by_role("dialog")
        expect(dialog.get_by_text("Finalise although these 8 reviews are open")).to_be_visible()
        confirm = page.locator(".st-key-finalise_confirm button")
        expect(confirm).to_be_disabled()
        page.locator(".st-key-confirm_open_reviews label").click()
        expect(confirm).to_be_enabled()
        confirm.click()
        expect(page.get_by_text("Finalised as run")).to_be_visible()
        browser.close()

    (run,) = [r for r in store.runs(system, "2027") if r.final]
    assert len(run.decision["open_reviews"]["open"]) == 8
