"""Accessibility in real Chromium: axe-core on every page of every role, and a review scored
with the keyboard alone.

Every page is checked against WCAG 2.1 A and AA (axe-core's ``wcag2a``, ``wcag2aa``,
``wcag21a`` and ``wcag21aa`` rules, bundled by ``axe-playwright-python``): no serious or
critical violation, except the few that Streamlit's own markup causes, listed in
:data:`STREAMLIT_CAUSED` and explained in docs/accessibility.md. One server and one browser
serve all the pages (the server fixture and helpers are those of tests/test_e2e_browser.py).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect, sync_playwright

from selector import workflow
from selector.config import DEFAULT_CONFIG_PATH
from selector.store import Store
from tests.test_e2e_browser import (
    ACCOUNTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    CYCLE,
    PASSWORD,
    REPO,
    TIMEOUT_MS,
    export_with_newcomer,
    go_to,
    log_in,
    log_out,
    server,
    wait_for_run,
)

__all__ = ["server"]  # the fixture, imported so that pytest finds it here

pytestmark = pytest.mark.browser

#: WCAG 2.1 level A and AA, as axe-core tags its rules.
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}
#: axe's best-practice rules held to as well, at any impact: headings that skip no level (a
#: screen reader's outline of the page), which WCAG 1.3.1 does not strictly demand.
ALSO = ["heading-order"]


@dataclass(frozen=True)
class Allowed:
    """A violation Streamlit's own markup causes (docs/accessibility.md names each one)."""

    rule: str
    target: str  # a regular expression the node's CSS selector matches
    why: str


#: Violations caused by Streamlit itself, never by our pages' code. Keep it small.
STREAMLIT_CAUSED: list[Allowed] = []

AXE = Axe()


def settled(page: Page) -> None:
    """Wait until the script run is over and no element of the previous run is left (a
    busy machine can still show the last page, faded, after the new one has started)."""
    wait_for_run(page)
    page.wait_for_function(
        """() => !!document.querySelector(
                     '[data-testid=stApp][data-test-script-state=notRunning]')
                 && !document.querySelector('[data-stale=true]')"""
    )


def blocking(page: Page) -> list[str]:
    """The serious or critical WCAG 2.1 AA violations (and any of :data:`ALSO`) on the page as
    it is now, one line per node, less the allowed ones."""
    settled(page)
    page.wait_for_timeout(800)  # charts (vega-embed) draw after the run ends
    results = AXE.run(
        page,
        options={
            "runOnly": {"type": "tag", "values": WCAG_21_AA},
            "rules": {rule: {"enabled": True} for rule in ALSO},
            "resultTypes": ["violations"],
        },
    )
    found = []
    for violation in results.response["violations"]:
        if violation["impact"] not in BLOCKING and violation["id"] not in ALSO:
            continue
        for node in violation["nodes"]:
            target = " ".join(str(t) for t in node["target"])
            if any(
                a.rule == violation["id"] and re.search(a.target, target) for a in STREAMLIT_CAUSED
            ):
                continue
            found.append(
                f"{violation['id']} ({violation['impact']}) at {target}: "
                f"{node.get('failureSummary', '').splitlines()[-1:]} {node['html'][:160]}"
            )
    return found


class Audit:
    """The violations of every page checked, reported together at the end."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.pages: dict[str, list[str]] = {}

    def check(self, name: str, title: str) -> None:
        """Check the page once its title (h1) is ``title``."""
        expect(self.page.get_by_role("heading", level=1, name=title, exact=True)).to_be_visible()
        self.pages[name] = blocking(self.page)

    def report(self) -> str:
        return "\n".join(
            f"{name}:\n  " + "\n  ".join(lines) for name, lines in self.pages.items() if lines
        )


def focus_into(page: Page, selector: str, *, key: str = "Tab", limit: int = 120) -> None:
    """Press ``key`` (Tab, or Shift+Tab) until the keyboard focus is inside ``selector``."""
    for _ in range(limit):
        if page.evaluate(
            "s => !!document.activeElement && !!document.activeElement.closest(s)", selector
        ):
            return
        page.keyboard.press(key)
    raise AssertionError(f"{key} never reached {selector}")


def checked_value(page: Page, selector: str) -> str | None:
    """The label text of the checked radio in a Streamlit radio group."""
    value: Any = page.evaluate(
        """s => { const i = document.querySelector(s + ' input[type=radio]:checked');
                  return i ? i.closest('label').innerText : null; }""",
        selector,
    )
    return None if value is None else str(value)


def score_by_keyboard(page: Page, store: Store, applicant: str, criteria: list[str]) -> None:
    """Open ``applicant`` in the queue and score each criterion 4, then write a comment:
    keyboard only (Tab, arrow keys, typing)."""
    assigned = len(store.assignments(store.system_user(), CYCLE))
    focus_into(page, ".st-key-queue input[type=radio]")
    # Arrow keys move the choice in a radio group; walk until the applicant is chosen.
    for _ in range(assigned + 1):
        if applicant in (checked_value(page, ".st-key-queue") or ""):
            break
        page.keyboard.press("ArrowDown")
        wait_for_run(page)
    assert applicant in (checked_value(page, ".st-key-queue") or "")
    for criterion in criteria:
        group = f".st-key-score_{applicant}_{criterion}"
        focus_into(page, f"{group} input[type=radio]")  # past the help button
        page.keyboard.press("Space")  # checks the first level, focused on entering the group
        for _ in range(3):
            page.keyboard.press("ArrowDown")
        wait_for_run(page)
        assert (checked_value(page, group) or "").startswith("4"), checked_value(page, group)
    focus_into(page, f".st-key-comment_{applicant} textarea")
    page.keyboard.type("Clear motivation; scored with the keyboard.")
    page.keyboard.press("Tab")  # leaving the text area submits it
    wait_for_run(page)


def test_every_page_is_accessible_and_scoring_needs_no_mouse(
    server: tuple[str, str], tmp_path: Path
) -> None:
    url, db_url = server
    export, newcomer = export_with_newcomer()
    export_path = tmp_path / "applications.xlsx"
    export_path.write_bytes(export)
    reviewer = "reviewer@committee.example.org"

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(TIMEOUT_MS)
        audit = Audit(page)
        page.goto(url)
        expect(page.get_by_text("Demo data")).to_be_visible()
        audit.check("login page with the demo banner", "selector")
        page.locator(".st-key-start_for_real button").click()
        audit.check("the guided start", "Start for real")

        store = Store(db_url)
        system = store.system_user()
        store.create_cycle(system, CYCLE, DEFAULT_CONFIG_PATH.read_text(encoding="utf-8"))
        for email, role in ACCOUNTS.items():
            store.add_user(system, email, email.split("@")[0], role, PASSWORD)
        page.goto(url)
        expect(page.get_by_text("Demo data")).to_have_count(0)
        audit.check("login page", "selector")

        # Coordinator: Upload (with a preview), Reviewers & assignments, Track config.
        log_in(page, "coordinator@committee.example.org", PASSWORD)
        audit.check("coordinator: Upload (empty)", "Upload applications")
        page.locator(".st-key-upload_file input[type=file]").set_input_files(str(export_path))
        expect(page.get_by_text("New (41)")).to_be_visible()
        audit.check("coordinator: Upload (preview)", "Upload applications")
        page.locator(".st-key-confirm_import button").click()
        expect(page.get_by_text("Imported: 41 new")).to_be_visible()
        go_to(page, "Applicants")
        audit.check("coordinator: Applicants", "Applicants")
        go_to(page, "Reviewers & assignments")
        page.locator(".st-key-assign button").click()
        expect(page.get_by_text("assignments (")).to_be_visible()
        audit.check("coordinator: Reviewers & assignments", "Reviewers & assignments")
        go_to(page, "Track config")
        audit.check("coordinator: Track config", "Track config")
        log_out(page)

        store.set_assignment(system, CYCLE, newcomer, reviewer, True)
        demo_scores = (REPO / "data" / "demo_scores.csv").read_bytes()
        imported = workflow.import_scores(store, system, CYCLE, demo_scores, filename="s.csv")
        assert imported.saved and not imported.rejected

        # Reviewer: after logging in, the keyboard alone opens the newcomer and scores it.
        log_in(page, reviewer, PASSWORD)
        rubric = store.cycle(CYCLE).config.criteria
        criteria = [c.id for c in rubric]
        score_by_keyboard(page, store, newcomer, criteria)
        for c in rubric:  # what a screen reader announces for each group: no markdown marks
            group = page.locator(f".st-key-score_{newcomer}_{c.id}")
            name = f"{c.label} (weight {c.weight:g})"
            expect(group.get_by_role("radiogroup", name=name, exact=True)).to_have_count(1)
        deadline = time.monotonic() + 30
        while True:
            saved = store.review(system, CYCLE, newcomer, reviewer)
            if saved is not None and saved.comment:
                break
            assert time.monotonic() < deadline, f"the review was not saved: {saved}"
            time.sleep(0.3)
        assert saved.scores == dict.fromkeys(criteria, 4.0)
        assert saved.comment == "Clear motivation; scored with the keyboard."
        audit.check("reviewer: My reviews (an applicant open)", "My reviews")
        log_out(page)

        # Chair: Committee, Selection with a result, Roster.
        log_in(page, "chair@committee.example.org", PASSWORD)
        audit.check("chair: Committee", "Committee")
        charts = page.locator("[data-testid=stVegaLiteChart]")
        expect(charts).to_have_count(3)
        for label in charts.evaluate_all("cs => cs.map(c => c.getAttribute('aria-label'))"):
            assert label and "Vega" not in label, label  # the summary, not vega's default
        go_to(page, "Selection")
        page.locator(".st-key-run_A button").click()
        expect(page.locator(".st-key-selection_view")).to_be_visible()
        audit.check("chair: Selection (a result shown)", "Selection")
        wait_for_run(page)
        grid = page.locator(".st-key-cohort_A [data-testid='stDataFrameResizable']")
        grid.scroll_into_view_if_needed()
        box = grid.bounding_box()
        assert box is not None
        page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)  # the first row's marker
        expect(page.get_by_role("dialog")).to_be_visible()
        audit.check("chair: an application (dialog)", "Selection")
        page.keyboard.press("Escape")
        wait_for_run(page)
        page.get_by_role("tab", name="Composition").click()
        audit.check("chair: Selection (composition charts)", "Selection")
        go_to(page, "Roster")
        audit.check("chair: Roster", "Roster")

        # Chair, after the decision: Offers (before, and with answers and a plan), Track.
        go_to(page, "Offers")
        audit.check("chair: Offers (no final run)", "Offers")
        config = store.cycle(CYCLE).config
        workflow.finalise_cycle(store, system, CYCLE, config, confirm_open_reviews=True)
        go_to(page, "Offers")
        audit.check("chair: Offers (a final run, no offers)", "Offers")
        page.locator(".st-key-offers_create button").click()
        expect(page.get_by_text("offers made from final run")).to_be_visible()
        first, second = (o.applicant_id for o in store.offers(system, CYCLE)[:2])
        workflow.record_answer(store, system, CYCLE, first, "accepted")
        workflow.record_answer(store, system, CYCLE, second, "declined")
        go_to(page, "Track")
        expect(page.locator("[data-testid=stVegaLiteChart]")).to_have_count(1)
        audit.check("chair: Track (a cohort charted)", "Track")
        go_to(page, "Offers")
        expect(page.get_by_text("'s seat; ")).to_be_visible()  # the plan
        audit.check("chair: Offers (answers and the plan)", "Offers")
        browser.close()

    assert set(audit.pages) >= {
        "login page with the demo banner",
        "coordinator: Upload (preview)",
        "reviewer: My reviews (an applicant open)",
        "chair: Roster",
        "the guided start",
        "coordinator: Applicants",
        "chair: an application (dialog)",
        "chair: Offers (answers and the plan)",
        "chair: Track (a cohort charted)",
    }
    assert not audit.report(), "accessibility violations:\n" + audit.report()


def test_the_staged_selection_page_and_a_redacted_cv_are_accessible(
    server: tuple[str, str],
) -> None:
    """A blind cycle with an interview round (the setup of tests/test_e2e_interview.py, its
    shortlist and interviews made through the core): the reviewer's attachment view with a
    redacted CV, and the staged Selection page with the shortlist and the cohort shown."""
    from selector.models import Review
    from tests.test_e2e_interview import cv_zip, staged_cycle

    url, db_url = server
    cycle = "a11y-interview"
    store = Store(db_url)
    system = store.system_user()
    _, chair, rev, *_ = staged_cycle(store, cycle, "a11y")
    config = store.cycle(cycle).config
    workflow.import_attachments(store, system, cycle, cv_zip(), "cvs.zip")
    workflow.decide_cycle(
        store, system, cycle, config, store.cycle(cycle).config_text, stage="screening", final=True
    )
    interview = config.stages[-1]
    store.assign(system, cycle, k=interview.reviewers_per_applicant, stage=interview.name)
    talk = [c.id for c in config.stage_config(interview.name).criteria]
    store.save_reviews(
        system,
        cycle,
        [
            Review(a, e, {c: float(1 + (n + m) % 5) for m, c in enumerate(talk)}, stage="interview")
            for n, (a, e) in enumerate(store.assignments(system, cycle, stage=interview.name))
        ],
    )

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(TIMEOUT_MS)
        audit = Audit(page)
        page.goto(url)

        log_in(page, rev, PASSWORD)
        expect(page.get_by_text("Redacted for blind review: 2 place(s)")).to_be_visible()
        expect(page.locator("[data-testid='stImage'] img").first).to_be_visible()
        audit.check("reviewer: My reviews (a redacted CV)", "My reviews")
        log_out(page)

        log_in(page, chair, PASSWORD)
        go_to(page, "Selection")
        expect(page.get_by_text("Shortlist in force: 20 applicants")).to_be_visible()
        page.locator(".st-key-decide_shortlist button").click()
        expect(page.locator(".st-key-finalise_shortlist button")).to_be_visible()
        page.locator(".st-key-decide_cohort button").click()
        expect(page.locator(".st-key-finalise_cohort button")).to_be_visible()
        audit.check("chair: staged Selection (shortlist and cohort shown)", "Selection")
        browser.close()
    store.close()

    assert set(audit.pages) == {
        "reviewer: My reviews (a redacted CV)",
        "chair: staged Selection (shortlist and cohort shown)",
    }
    assert not audit.report(), "accessibility violations:\n" + audit.report()
