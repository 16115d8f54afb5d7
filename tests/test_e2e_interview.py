"""In real Chromium (issue 13, "What it must show"): a blind cycle with an interview round
(rubrics/with_interview.toml), from the attachments to the final cohort.

The coordinator imports a zip of CVs on the Upload page → a blind reviewer reads an assigned
applicant's CV redacted and scores the application → the chair decides the shortlist and
makes it final → the coordinator assigns interviewers → an interviewer scores one shortlisted
applicant on the interview rubric → the chair decides the cohort among the shortlisted and
makes it final. The other reviews are seeded through the core for speed. Each step is
checked against the store and :func:`selector.stages.decide_stage` on the stored data, so
the test fails if a page shows one thing and records another. Reuses the dashboard server
and helpers of tests/test_e2e_browser.py and tests/test_e2e_first_cycle.py.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

from playwright.sync_api import Page, expect, sync_playwright

from selector.config import DEFAULT_CONFIG_PATH, TrackConfig
from selector.intake import read_applications
from selector.models import Review
from selector.stages import decide_stage, stage_reviews
from selector.store import Store
from tests.attachment_files import make_pdf, make_zip
from tests.test_e2e_browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    PASSWORD,
    TIMEOUT_MS,
    go_to,
    log_in,
    log_out,
    pytestmark,
    server,
    wait_for_run,
)

__all__ = ["pytestmark", "server"]  # the browser mark and the server fixture, used by name

CONFIG_TEXT = (DEFAULT_CONFIG_PATH.parent / "with_interview.toml").read_text(encoding="utf-8")
SPECIALTIES = (
    "Pediatrics",
    "Neurology",
    "Surgery",
    "Psychiatry",
    "Family Medicine",
    "Dermatology",
    "Internal Medicine",
)
POOL = 26
NAME, EMAIL = "Maria Nunez", "maria.nunez@hospital.example.org"  # applicant 1, with the CV


def person(i: int) -> tuple[str, str]:
    """Applicant ``i``'s name and e-mail."""
    if i == 1:
        return NAME, EMAIL
    return f"Synthia Person{i:02d}", f"synthia.person{i:02d}@example.org"


def export() -> bytes:
    """The applications export: ``POOL`` residents, PGY2-4, seven specialties."""
    lines = ["ID,Name,Email,PGY,Specialty,Program,Why DEI"]
    for i in range(1, POOL + 1):
        name, email = person(i)
        specialty = SPECIALTIES[i % len(SPECIALTIES)]
        lines.append(f"{i},{name},{email},{2 + i % 3},{specialty},Program {i % 4},Essay {i}.")
    return ("\n".join(lines) + "\n").encode()


def cv_zip() -> bytes:
    """Qualtrics-style CVs: applicant 1's names them in the text layer; applicant 2's not."""
    return make_zip(
        {
            "1_cv.pdf": make_pdf([f"Curriculum vitae of {NAME}", f"Mail: {EMAIL}"]),
            "2_cv.pdf": make_pdf(["Another CV, with no name in it"]),
        }
    )


def accounts(prefix: str) -> dict[str, str]:
    """The committee's accounts (e-mail: role), unique per test by ``prefix``."""
    return {
        f"{prefix}.coord@committee.example.org": "coordinator",
        f"{prefix}.chair@committee.example.org": "chair",
        f"{prefix}.rev@committee.example.org": "reviewer",  # the blind reviewer in the browser
        f"{prefix}.ann@committee.example.org": "reviewer",
        f"{prefix}.ben@committee.example.org": "reviewer",
    }


def screening_scores(config: TrackConfig, i: int, j: int) -> dict[str, float]:
    """Reviewer ``j``'s screening scores of applicant ``i`` (varied, deterministic)."""
    rubric = config.stage_config(config.stages[0].name)
    return {c.id: float(1 + (i * 7 + j * 3 + k) % 5) for k, c in enumerate(rubric.criteria)}


def staged_cycle(store: Store, cycle: str, prefix: str) -> dict[str, str]:
    """A blind cycle with stages, its applicants, the committee's accounts, every screening
    review but the blind reviewer's of A001 (left to the browser), which is assigned to them;
    returns the accounts."""
    system = store.system_user()
    store.create_cycle(system, cycle, CONFIG_TEXT, blind=True)
    store.import_applications(system, cycle, read_applications(export(), filename="x.csv"))
    people = accounts(prefix)
    for email, role in people.items():
        store.add_user(system, email, email.split("@")[0], role, PASSWORD)
    reviewers = [e for e, r in people.items() if r == "reviewer"]
    config = store.cycle(cycle).config
    ids = sorted(a.applicant_id for a in store.applicants(system, cycle))
    reviews = [
        Review(a, email, screening_scores(config, i, j))
        for i, a in enumerate(ids, 1)
        for j, email in enumerate(reviewers)
        if (a, j) != ("A001", 0)
    ]
    store.save_reviews(system, cycle, reviews)
    store.set_assignment(system, cycle, "A001", reviewers[0], True)
    return people


def checked(page: Page, key: str) -> str:
    """The label of the checked option of the radio group with widget key ``key``."""
    return str(
        page.evaluate(
            """s => document.querySelector(s + ' input[type=radio]:checked')
                        .closest('label').innerText""",
            f".st-key-{key}",
        )
    )


def score(page: Page, applicant: str, criteria: list[str], level: int) -> None:
    """Give ``applicant`` ``level`` on each criterion, clicking the scale."""
    for c in criteria:
        scale = page.locator(f".st-key-score_{applicant}_{c} [role=radiogroup] label")
        scale.nth(level - 1).click()
        wait_for_run(page)


def never_identified(page: Page) -> None:
    """No applicant's name or e-mail anywhere on the page."""
    body = page.locator("body").inner_text()
    for i in range(1, POOL + 1):
        name, email = person(i)
        assert name not in body and name.split()[-1] not in body, name
        assert email not in body, email


def saved_review(
    store: Store, cycle: str, reviewer: str, stage: str | None, seeded: int = 0
) -> Review:
    """The one review ``reviewer`` saved in ``stage`` besides the ``seeded`` ones of
    applicants other than A001 (waits for the page's save)."""
    system = store.system_user()
    deadline = time.monotonic() + 30
    while True:
        mine = [r for r in store.reviews(system, cycle, stage=stage) if r.reviewer == reviewer]
        assert len(mine) <= seeded + 1
        if len(mine) == seeded + 1:
            mine = [r for r in mine if not seeded or r.applicant_id == "A001"]
            (review,) = mine
            return review
        assert time.monotonic() < deadline, "the review was not saved"
        time.sleep(0.3)


def test_attachments_shortlist_interview_cohort(server: tuple[str, str], tmp_path: Path) -> None:
    started = time.monotonic()
    url, db_url = server
    cycle = "interview-2027"
    archive = tmp_path / "cvs.zip"
    archive.write_bytes(cv_zip())
    store = Store(db_url)
    system = store.system_user()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(TIMEOUT_MS)
        people = staged_cycle(store, cycle, "iv")
        coordinator, chair, rev, *_ = people
        config = store.cycle(cycle).config
        screening, interview = config.stages
        page.goto(url)

        # 1. The coordinator imports the CVs on the Upload page.
        log_in(page, coordinator, PASSWORD)
        page.get_by_text("Attachments: CV, statement, letter").click()
        page.locator(".st-key-attachments_file input[type=file]").set_input_files(str(archive))
        page.locator(".st-key-import_attachments button").click()
        expect(page.get_by_text("2 file(s) matched")).to_be_visible()
        expect(page.get_by_text(f"{POOL - 2} active applicant(s) have no file")).to_be_visible()
        files = store.applicant_files(system, cycle, "A001").files
        assert [f.filename for f in files] == ["1_cv.pdf"]
        log_out(page)

        # 2. The blind reviewer reads the redacted CV of their one applicant and scores it.
        log_in(page, rev, PASSWORD)
        expect(page.get_by_text("Redacted for blind review: 2 place(s)")).to_be_visible()
        picture = page.locator("[data-testid='stImage'] img").first
        expect(picture).to_be_visible()
        assert picture.evaluate("img => img.naturalWidth") > 500  # a rendered page
        never_identified(page)
        assert "1_cv.pdf" not in page.locator("body").inner_text()
        shown = re.sub(r"^\S+ ", "", checked(page, "queue"))  # "○ <pseudonym>"
        assert shown != "A001"
        first_rubric = [c.id for c in config.stage_config(screening.name).criteria]
        score(page, shown, first_rubric, 4)
        expect(page.get_by_text("Saved. Every change is saved")).to_be_visible()
        never_identified(page)
        browser_review = saved_review(store, cycle, rev, None, seeded=POOL - 1)
        assert browser_review.applicant_id == "A001"
        assert browser_review.scores == dict.fromkeys(first_rubric, 4.0)
        log_out(page)

        # 3. The chair decides the shortlist and makes it final.
        log_in(page, chair, PASSWORD)
        go_to(page, "Selection")
        expect(page.get_by_text("No shortlist yet")).to_be_visible()
        expect(page.locator(".st-key-decide_cohort button")).to_be_disabled()
        page.locator(".st-key-decide_shortlist button").click()
        expect(page.locator(".st-key-finalise_shortlist button")).to_be_visible()
        expect(page.locator("[data-testid='stDataFrame']")).to_have_count(1)
        assert store.shortlist(system, cycle) is None  # decided, not yet final
        page.locator(".st-key-finalise_shortlist button").click()
        expect(page.get_by_text(f"Shortlist in force: {screening.size} applicants")).to_be_visible()
        applicants, reviews = store.selection_inputs(system, cycle, every_stage=True)
        expected = decide_stage(applicants, reviews, config, screening.name).selected
        shortlist = store.shortlist(system, cycle)
        assert shortlist == sorted(expected) and len(shortlist) == screening.size
        assert browser_review in stage_reviews(reviews, config, screening.name)
        log_out(page)

        # 4. The coordinator assigns interviewers to the shortlisted.
        log_in(page, coordinator, PASSWORD)
        go_to(page, "Reviewers & assignments")
        page.locator(".st-key-assign_interviewers button").click()
        k = interview.reviewers_per_applicant
        expect(page.get_by_text(f"{k * screening.size} interview assignment(s)")).to_be_visible()
        pairs = store.assignments(system, cycle, stage=interview.name)
        assert {a for a, _ in pairs} == set(shortlist) and len(pairs) == k * len(shortlist)
        log_out(page)

        # 5. An interviewer (the blind reviewer) scores one shortlisted applicant.
        log_in(page, rev, PASSWORD)
        page.locator(".st-key-review_stage label").filter(has_text=interview.title).click()
        wait_for_run(page)
        expect(page.get_by_text("the shortlisted applicants assigned to you")).to_be_visible()
        mine = [a for a, e in pairs if e == rev]
        expect(page.locator(".st-key-queue [role=radiogroup] label")).to_have_count(len(mine))
        current = re.sub(r"^\S+ ", "", checked(page, "queue"))
        talk = [c.id for c in config.stage_config(interview.name).criteria]
        assert not page.locator(f".st-key-score_{current}_{first_rubric[0]}").count()
        score(page, current, talk, 5)
        expect(page.get_by_text("Saved. Every change is saved")).to_be_visible()
        never_identified(page)
        interviewed = saved_review(store, cycle, rev, interview.name)
        assert interviewed.scores == dict.fromkeys(talk, 5.0)
        assert (interviewed.applicant_id, rev) in pairs
        log_out(page)

        # The other interviews, through the core.
        key = config.stage_key(interview.name)
        store.save_reviews(
            system,
            cycle,
            [
                Review(a, e, {c: float(1 + (n + m) % 5) for m, c in enumerate(talk)}, stage=key)
                for n, (a, e) in enumerate(pairs)
                if (a, e) != (interviewed.applicant_id, rev)
            ],
        )

        # 6. The chair decides the cohort among the shortlisted and makes it final.
        log_in(page, chair, PASSWORD)
        go_to(page, "Selection")
        expect(page.get_by_text("have no Interview score yet")).to_have_count(0)
        page.locator(".st-key-decide_cohort button").click()
        expect(page.locator(".st-key-finalise_cohort button")).to_be_enabled()
        expect(page.locator(".st-key-staged_xlsx button")).to_be_visible()
        page.locator(".st-key-finalise_cohort button").click()
        expect(page.get_by_text("The cohort is final")).to_be_visible()
        browser.close()

    applicants, reviews = store.selection_inputs(system, cycle, every_stage=True)
    expected = decide_stage(applicants, reviews, config, shortlist=shortlist).selected
    (final,) = [r for r in store.runs(system, cycle) if r.final and not r.stage]
    cohort = list(final.decision["selected"])
    assert cohort == expected
    assert len(cohort) == config.cohort.size and set(cohort) <= set(shortlist)
    assert final.decision["shortlist"] == shortlist
    store.close()
    print(f"\nthe interview journey took {time.monotonic() - started:.1f} s")
