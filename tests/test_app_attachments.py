"""Attachments on the dashboard: the zip upload (Upload page) and a reviewer reading an
assigned applicant's files inline (My reviews), redacted or withheld in blind review."""

from __future__ import annotations

import time

import pytest
from streamlit.testing.v1 import AppTest

from app_pages import state
from selector.attachments import read_archive
from selector.errors import PermissionDenied
from selector.intake import read_applications
from selector.store import Store
from tests.attachment_files import make_docx, make_pdf, make_png, make_zip
from tests.test_app_pages import (
    APP,
    CONFIG,
    PEOPLE,
    app_as,
    db,
    export_csv,
    no_exceptions,
    template,
    texts,
)

__all__ = ["db", "template"]  # fixtures, imported for pytest


def files_zip() -> bytes:
    """REDCap-style names (record id first): a CV and a statement for A001, a statement for
    A002, and one file of nobody."""
    return make_zip(
        {
            "1_cv.pdf": make_pdf(["CV of Testperson 001", "person1@example.org"]),
            "1_statement.docx": make_docx(["statement of one"]),
            "2_statement.docx": make_docx(["statement of two"]),
            "99_cv.pdf": make_pdf(["nobody"]),
        }
    )


def test_the_coordinator_uploads_a_zip_and_sees_what_matched(db: Store) -> None:
    at = app_as(db, "coordinator").switch_page("app_pages/upload.py").run()
    no_exceptions(at)
    at.file_uploader(key="attachments_file").set_value(
        ("files.zip", files_zip(), "application/zip")
    ).run()
    at.button(key="import_attachments").click().run()
    no_exceptions(at)
    shown = texts(at)
    assert "3 file(s) matched" in shown
    assert "1 file(s) matched no applicant: 99" in shown
    assert "10 active applicant(s) have no file" in shown
    system = db.system_user()
    assert db.attachment_counts(system, "2026") == {"A001": 2, "A002": 1}


def test_a_reviewer_reads_their_assigned_applicants_files_and_no_one_elses(db: Store) -> None:
    system = db.system_user()
    mine = sorted(a for a, r in db.assignments(system, "2026") if r == "r1@example.org")
    other = next(a for a, _ in db.assignments(system, "2026") if a not in mine)
    files = {
        f"{int(mine[0][1:])}_cv.pdf": make_pdf(["a CV"]),
        f"{int(mine[0][1:])}_statement.docx": make_docx(["statement of mine"]),
        f"{int(other[1:])}_statement.docx": make_docx(["statement of another"]),
    }
    db.import_attachments(system, "2026", read_archive(make_zip(files), "files.zip"))
    at = app_as(db, "r1")
    at.session_state["queue"] = mine[0]
    at.switch_page("app_pages/my_reviews.py").run()
    no_exceptions(at)
    shown = texts(at)
    assert "Attachments (2)" in [h.value for h in at.subheader]
    assert "statement of mine" in shown and "statement of another" not in shown
    assert len(at.get("image")) == 1  # the CV's one page, as an image
    assert len(at.get("download_button")) == 2
    assert not any(other in str(o) for o in at.radio(key="queue").options)
    r1 = db.user("r1@example.org")
    assert r1 is not None
    with pytest.raises(PermissionDenied):
        db.applicant_files(r1, "2026", other)


def test_a_blind_reviewer_reads_a_redacted_cv_and_is_told_why_an_image_is_withheld(
    db: Store,
) -> None:
    system = db.system_user()
    db.create_cycle(system, "blind", CONFIG, blind=True)
    db.import_applications(system, "blind", read_applications(export_csv(2), filename="x.csv"))
    db.set_assignments(system, "blind", [("A001", "r1@example.org")])
    files = {
        "1_cv.pdf": make_pdf(["CV of Testperson 001", "mail person1@example.org"]),
        "1_photo.png": make_png(),
    }
    db.import_attachments(system, "blind", read_archive(make_zip(files), "files.zip"))
    at = AppTest.from_file(str(APP), default_timeout=60)
    email, _, _, password, _ = PEOPLE["r1"]
    at.session_state[state.USER] = db.authenticate(email, password)
    at.session_state[state.LAST_SEEN] = time.time()
    at.session_state[state.CYCLE] = "blind"
    at.run().switch_page("app_pages/my_reviews.py").run()
    no_exceptions(at)
    shown = texts(at).replace("\\", "")  # markdown escapes
    assert "Redacted for blind review: 2 place(s)" in shown
    assert "Withheld in blind review: an image cannot be checked" in shown
    assert "1_cv.pdf" not in shown and "attachment-1.pdf" in shown
    assert len(at.get("image")) == 1  # the redacted page; not the photo
    assert at.get("download_button") == []  # never the original in blind review


def test_the_coordinator_sees_every_version_of_a_file_in_the_application(db: Store) -> None:
    system = db.system_user()
    old, new = make_pdf(["first CV"]), make_pdf(["second CV", "longer"])
    db.import_attachments(system, "2026", read_archive(make_zip({"1_cv.pdf": old}), "a.zip"))
    db.import_attachments(system, "2026", read_archive(make_zip({"1_cv.pdf": new}), "b.zip"))
    at = app_as(db, "coordinator").switch_page("app_pages/reviewers.py").run()
    rows = list(next(d.value for d in at.dataframe if "Reviewers" in d.value.columns)["Applicant"])
    at.session_state["assignments_table"] = {
        "selection": {"rows": [rows.index("A001")], "columns": []}
    }
    at.run()
    no_exceptions(at)
    shown = texts(at)
    # Two versions listed (the earlier one marked replaced), then the current one shown.
    assert shown.count("1\\_cv\\.pdf") == 3 and shown.count(", replaced ") == 1
    downloads = [b for b in at.get("download_button") if "application_file_A001" in str(b.proto)]
    assert len(downloads) == 2
    assert len(at.get("image")) == 1  # the current CV's page
