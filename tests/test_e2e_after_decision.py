"""In real Chromium (issue 12, "What it must show"): after the decision, as the chair and the
coordinator of a small track play it through the dashboard.

The chair finalises on the Roster page → the coordinator offers the seats and sends the first
letters to a local SMTP server (aiosmtpd, started here) → the coordinator records an acceptance
and two declines, one of them "no answer" (the answer-by date has passed) → the chair reads the
plan (who takes whose seat, the rules still met) and fills → the coordinator previews a letter
and sends again: the two new invitations with their deadline, no letter to the decliners
again → the chair's Roster page and its csv show each offer's status → a second cycle of the
track, and the chair's Track page shows each cohort.

Every step is checked against the core (Store, workflow) as well as on the screen, so the test
fails if the pages say one thing and the database another. One server; each role logs in once,
in a browser context of its own. Reuses the server and helpers of tests/test_e2e_browser.py and
tests/test_e2e_first_cycle.py, and the SMTP server and data of tests/test_e2e_letters.py.
"""

from __future__ import annotations

import csv
import datetime as dt
import time
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from selector import workflow
from selector.intake import read_applications
from selector.letters import format_deadline
from selector.models import Review
from selector.store import Store
from tests.test_e2e_browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    TIMEOUT_MS,
    dashboard,
    go_to,
    log_in,
    wait_for_run,
)
from tests.test_e2e_first_cycle import grid_row
from tests.test_letters import CONFIG, PEOPLE, Inbox, export_csv, inbox

__all__ = ["inbox"]  # the SMTP server fixture, used by name

pytestmark = pytest.mark.browser

CYCLE, NEXT = "2027", "2028"
TRACK = "Test Leadership Track"  # CONFIG's [track] name
CHAIR = ("chair@committee.example.org", "after-decision-chair-password")
COORDINATOR = ("coordinator@committee.example.org", "after-decision-coordinator-password")


def committee_cycle(db_url: str) -> dict[str, str]:
    """The server's shell: cycle 2027 (tests/test_letters.py's seven applicants and rules: a
    cohort of 3, at most 1 per specialty, at most 1 PGY1), one complete review each, the
    chair's and the coordinator's accounts; no run yet. Returns name → applicant id."""
    with Store(db_url) as store:
        system = store.system_user()
        store.create_cycle(system, CYCLE, CONFIG)
        store.import_applications(system, CYCLE, read_applications(export_csv(), filename="x.csv"))
        ids = {a.name: a.applicant_id for a in store.applicants(system, CYCLE)}
        reviews = [Review(ids[p[1]], "rev@example.org", {"merit": float(p[7])}) for p in PEOPLE]
        store.save_reviews(system, CYCLE, reviews, new_reviewers=["rev@example.org"])
        store.add_user(system, CHAIR[0], "Charlie Chair", "chair", CHAIR[1])
        store.add_user(system, COORDINATOR[0], "Cora Coordinator", "coordinator", COORDINATOR[1])
    return ids


def logged_in(browser: Browser, url: str, email: str, password: str) -> Page:
    """A browser context of its own (its own session) logged in as ``email``."""
    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(url)
    log_in(page, email, password)
    return page


def type_date(page: Page, label: str, day: dt.date) -> None:
    """Type ``day`` into Streamlit's date field ``label`` (one spin button per part, year
    first); leaving the field commits it."""
    page.get_by_role("spinbutton", name=f"year, {label}").click()
    page.keyboard.type(day.strftime("%Y%m%d"))
    page.get_by_role("heading", level=1).click()
    wait_for_run(page)


def answer(page: Page, name: str, status: str, *, no_answer: bool = False) -> None:
    """Record one answer on the Offers page: the applicant picked by name (typed, then the
    option clicked), the answer, "no answer by the deadline" when asked."""
    field = page.locator(".st-key-offer_applicant input")
    field.click()
    field.fill(name)
    page.get_by_role("option").filter(has_text=name).click()
    wait_for_run(page)
    page.locator(".st-key-offer_answer label").filter(has_text=status).click()
    wait_for_run(page)
    if no_answer:
        page.locator(".st-key-offer_no_answer label").click()
        wait_for_run(page)
    page.locator(".st-key-offer_record button").click()
    wait_for_run(page)


def send_letters(page: Page, count: int) -> None:
    """Send the Letters page's ``count`` letters, behind its confirmation."""
    expect(page.get_by_text(f"{count} to send")).to_be_visible()
    page.locator(".st-key-letters_send button").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    dialog.locator(".st-key-letters_send_confirm button").click()
    expect(page.get_by_text(f"Sent {count} letters.")).to_be_visible()


def test_offers_declines_fill_letters_roster_and_track(tmp_path: Path, inbox: Inbox) -> None:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    started = time.monotonic()
    db_url = f"sqlite:///{tmp_path / 'after.db'}"
    ids = committee_cycle(db_url)
    ann, bea, cal, dee, eli = (
        ids[n] for n in ("Ann Pgyone", "Bea Second", "Cal Third", "Dee Fourth", "Eli Fifth")
    )
    today = dt.date.today()
    passed = today - dt.timedelta(days=1)  # the answer-by date, gone by when answers arrive
    fill_by = today + dt.timedelta(days=7)  # the Offers page's default for new offers
    store = Store(db_url)
    system = store.system_user()

    with dashboard(tmp_path, db_url) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        chair = logged_in(browser, url, *CHAIR)
        coordinator = logged_in(browser, url, *COORDINATOR)

        # 1. The chair decides on the saved rules and finalises on the Roster page.
        go_to(chair, "Selection")
        chair.locator(".st-key-run_A button").click()
        expect(chair.locator(".st-key-selection_view")).to_be_visible()
        go_to(chair, "Roster")
        chair.locator(".st-key-finalise button").click()
        chair.locator(".st-key-finalise_confirm button").click()
        expect(chair.get_by_text("Finalised as run")).to_be_visible()
        (final,) = [r for r in store.runs(system, CYCLE) if r.final]
        assert final.decision["selected"] == [ann, bea, cal]

        # 2. The coordinator offers the three seats, then records the answers.
        go_to(coordinator, "Offers")
        expect(
            coordinator.get_by_text(f"Final run {final.id} selected 3 applicants")
        ).to_be_visible()
        type_date(coordinator, "Answer by", passed)
        coordinator.locator(".st-key-offers_create button").click()
        expect(coordinator.get_by_text(f"3 offers made from final run {final.id}.")).to_be_visible()
        assert {o.applicant_id: o.deadline for o in store.offers(system, CYCLE)} == dict.fromkeys(
            (ann, bea, cal), passed
        )

        # The first letters: the three invitations (and Ann's program director's note), the
        # two replacement candidates waitlisted (answer-by date typed for their letter), the
        # others not selected.
        go_to(coordinator, "Letters")
        type_date(coordinator, "Answer by", fill_by)
        send_letters(coordinator, 8)
        first_round = {(rcpts[0], str(m["Subject"])) for _, rcpts, m in inbox.messages}
        assert len(inbox.messages) == len(first_round) == 8
        go_to(coordinator, "Offers")
        answer(coordinator, "Ann Pgyone", "accepted")
        expect(coordinator.get_by_text(f"{ann}: accepted")).to_be_visible()
        answer(coordinator, "Bea Second", "declined")
        expect(coordinator.get_by_text(f"{bea}: declined")).to_be_visible()
        answer(coordinator, "Cal Third", "declined", no_answer=True)
        expect(coordinator.get_by_text(f"{cal}: declined (no answer)")).to_be_visible()
        expect(coordinator.get_by_text("1 accepted · 0 offered · 2 declined")).to_be_visible()
        assert workflow.offer_statuses(store, system, CYCLE) == {
            ann: "accepted",
            bea: "declined",
            cal: "declined (no answer)",
        }

        # 3. The chair reads the plan, in words, before any offer goes out; then fills.
        go_to(chair, "Offers")
        plan = workflow.offer_plan(store, system, CYCLE)
        assert [(s.applicant_id, s.replaces) for s in plan.seats] == [(dee, bea), (eli, cal)]
        lines = [
            f"{dee} (Dee Fourth) takes {bea} (Bea Second)'s seat; every rule still met",
            f"{eli} (Eli Fifth) takes {cal} (Cal Third)'s seat; still met: at most 1 per specialty",
        ]
        assert plan.lines() == lines
        for line in lines:
            expect(chair.get_by_text(line, exact=True)).to_be_visible()
        assert len(store.offers(system, CYCLE)) == 3  # reading the plan offered nothing
        chair.locator(".st-key-offers_fill button").click()
        expect(chair.get_by_text("2 offers made; the fill is recorded as run")).to_be_visible()
        offers = {o.applicant_id: o for o in store.offers(system, CYCLE)}
        assert {a: (o.status, o.replaces, o.deadline) for a, o in offers.items() if o.live} == {
            ann: ("accepted", None, passed),
            dee: ("offered", bea, fill_by),
            eli: ("offered", cal, fill_by),
        }
        filled = max(store.runs(system, CYCLE), key=lambda r: r.id)
        assert filled.decision["fills_run"] == final.id and not filled.final
        assert sorted(filled.decision["selected"]) == sorted([ann, dee, eli])
        expect(
            chair.get_by_text("nothing to fill: every seat is accepted or offered")
        ).to_be_visible()

        # 4. The coordinator previews the letters and sends them, behind the confirmation:
        # the two new invitations only (the others went out before; the decliners get none).
        go_to(coordinator, "Letters")
        recipients = workflow.letter_recipients(store, system, CYCLE, deadline=fill_by)
        # An invitation asks for an answer: Ann, who accepted, gets no new letter.
        expected = {
            (dee, "invitation"),
            (eli, "invitation"),
            (ids["Fay Sixth"], "not_selected"),
            (ids["Gus Seventh"], "not_selected"),
        }
        assert {r.key for r in recipients} == expected
        preview = coordinator.get_by_role("tabpanel", name="Invitation")
        expect(preview.get_by_text(f"Subject: Your invitation to the {TRACK}")).to_be_visible()
        body = preview.get_by_text("Dear Dee Fourth,")
        expect(body).to_be_visible()
        text = body.inner_text()
        for filled_in in (TRACK, "resident in Pediatrics", f"by {format_deadline(fill_by)}"):
            assert filled_in in text, filled_in
        assert "{{" not in text and "}}" not in text
        coordinator.get_by_role("tab", name="Not selected").click()
        panel = coordinator.get_by_role("tabpanel", name="Not selected")
        expect(panel.get_by_text("Dear Fay Sixth,")).to_be_visible()
        expect(coordinator.get_by_text("2 sent before (never sent again)")).to_be_visible()
        send_letters(coordinator, 2)

        # 5. The chair's Roster page: each member's offer status; the csv has them all.
        go_to(chair, "Roster")
        expect(
            chair.get_by_text("Offers made: 1 accepted, 2 open, 2 declined or withdrawn")
        ).to_be_visible()
        # (The grid's accessible table holds the columns on screen: whose seat each new
        # offer takes is further right; tests/test_app_offers.py reads it.)
        seats = (
            (ann, "accepted"),
            (bea, "declined"),
            (cal, "declined (no answer)"),
            (dee, "offered"),
            (eli, "offered"),
        )
        for seat in seats:
            grid_row(chair.locator(".st-key-roster_table"), *seat)
        with chair.expect_download() as download_info:
            chair.locator(".st-key-download_csv button").click()
        roster = tmp_path / "roster.csv"
        download_info.value.save_as(roster)

        # 6. Next year's cycle of the track; the chair's Track page shows each cohort.
        workflow.create_cycle(store, system, NEXT)
        go_to(chair, "Track")
        expect(chair.get_by_role("heading", name="Track", level=1)).to_be_visible()
        summary = (
            f"Track {TRACK}, cohort by cycle. {CYCLE}: 1 member from 1 specialty, 1 PGY level, "
            f"1 program; {NEXT}: no final cohort yet."
        )
        expect(chair.get_by_text(summary, exact=True)).to_be_visible()  # the chart's text
        expect(chair.locator("[data-testid=stVegaLiteChart]")).to_have_count(1)
        sizes = chair.locator("[data-testid='stDataFrame']").last  # "Cohort sizes"
        sizes.scroll_into_view_if_needed()
        for cycle, members in ((CYCLE, "1"), (NEXT, "0")):
            row = sizes.locator("tr").filter(has_text=cycle).filter(has_text=members)
            expect(row.first).to_be_attached()
        browser.close()

    # What arrived at the SMTP server. First: an invitation to each of the three members
    # with the offers' deadline, Ann's program director's note, the two replacement
    # candidates waitlisted, the others not selected.
    address = {a.applicant_id: a.email for a in store.applicants(system, CYCLE)}
    invitation, application = f"Your invitation to the {TRACK}", f"Your application to the {TRACK}"
    first, second = inbox.messages[:8], inbox.messages[8:]
    assert first_round == {
        *((address[a], invitation) for a in (ann, bea, cal)),
        ("pd1@hospital.org", f"Your resident Ann Pgyone is invited to the {TRACK}"),
        *((address[a], application) for a in (dee, eli, ids["Fay Sixth"], ids["Gus Seventh"])),
    }
    for _, rcpts, msg in first:
        text = " ".join(msg.get_content().split())
        if rcpts[0] in (address[dee], address[eli]):
            assert "among the residents we will invite first" in text  # waitlisted
            assert f"until {format_deadline(fill_by)}" in text
        elif rcpts[0] in (address[ids["Fay Sixth"]], address[ids["Gus Seventh"]]):
            assert "we cannot offer you a seat" in text
        else:
            assert format_deadline(passed) in text
    # After the fill: the two new offers' invitations with their own deadline, and nothing
    # else: no letter to the decliners again, nothing sent twice.
    assert sorted(rcpts[0] for _, rcpts, _ in second) == sorted([address[dee], address[eli]])
    for (_, _, msg), name in zip(second, ("Dee Fourth", "Eli Fifth"), strict=True):
        assert msg["Subject"] == invitation
        content = " ".join(msg.get_content().split())
        assert f"Dear {name}," in content and f"by {format_deadline(fill_by)}" in content
    sent = {(s["applicant_id"], s["outcome"]) for s in workflow.sent_letters(store, system, CYCLE)}
    assert sent == expected | {(ann, "invitation"), (ann, "pd_note")} | {
        (bea, "invitation"),
        (cal, "invitation"),
    } | {
        (dee, "waitlist"),
        (eli, "waitlist"),
    }
    assert workflow.send_letters(store, system, CYCLE).would_send == []  # each went out once

    # The downloaded roster: the accepted member first, then every other offer, with status.
    with roster.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    statuses = {r["applicant_id"]: r["offer"] for r in rows if r["offer"]}
    assert statuses == workflow.offer_statuses(store, system, CYCLE)
    assert statuses == {
        ann: "accepted",
        bea: "declined",
        cal: "declined (no answer)",
        dee: "offered",
        eli: "offered",
    }
    assert [r["applicant_id"] for r in rows[:5]] == [ann, bea, cal, dee, eli]
    composition = workflow.composition(store, system, TRACK)
    assert [(c.cycle, c.size) for c in composition.cohorts] == [(CYCLE, 1), (NEXT, 0)]
    store.close()
    print(f"\nafter-decision e2e: {time.monotonic() - started:.1f} s")
