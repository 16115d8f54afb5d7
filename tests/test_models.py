"""Domain types: what a reviewer reads of an application."""

from __future__ import annotations

from selector.models import Applicant


def _applicant(**answers: str) -> Applicant:
    return Applicant(
        applicant_id="A001",
        name="Wren Fictional",
        email="wren.fictional@example.org",
        pgy=3,
        specialty="Neurology",
        program="Lantern Bay Health",
        answers=answers,
    )


def test_form_metadata_is_not_shown_to_reviewers() -> None:
    a = _applicant(
        **{
            "Start time": "2026-01-05 12:44:58",
            "IPAddress": "203.0.113.7",
            "LocationLatitude": "41.7",
            "Duration (in seconds)": "812",
            "Email": "anonymous",
            "Personal statement": "I care about access to care.",
        }
    )
    assert a.reviewer_answers() == {"Personal statement": "I care about access to care."}
    assert "IPAddress" in a.answers  # kept with the application, nothing lost


def test_blind_review_hides_identity_questions_and_self_naming_answers() -> None:
    a = _applicant(
        **{
            "Preferred name": "Wren",
            "Home hospital / site": "Lantern Bay Health",
            "Statement": "My name is Wren Fictional and I lead a clinic.",
            "Project": "A curriculum on disability-inclusive care.",
        }
    )
    assert set(a.reviewer_answers(blind=False)) == {
        "Preferred name", "Home hospital / site", "Statement", "Project",
    }  # fmt: skip
    assert a.reviewer_answers(blind=True) == {
        "Project": "A curriculum on disability-inclusive care."
    }


def test_value_reads_canonical_fields_and_answers() -> None:
    a = _applicant(Track="Clinical")
    assert a.value("specialty") == "Neurology"
    assert a.value("Track") == "Clinical"
    assert a.value("missing") is None
