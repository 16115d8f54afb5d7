"""Applicant identity (issue 10): within a cycle a person is their normalised e-mail, never the
form's response number; merging two records of one person; the import preview by name."""

from __future__ import annotations

import pytest

from selector.errors import InputError
from selector.intake import email_id
from selector.models import Review
from selector.store import Store
from tests.test_store import full_scores, intake, make_rows


def restarted(rows: list[dict[str, str]], newcomers: int = 1) -> list[dict[str, str]]:
    """The same people in a second export of the form whose numbering restarted at 1, with
    ``newcomers`` new people first: ids 1.. go to the newcomers, then to the known people."""
    fresh = [
        {
            "ID": "",
            "Name": f"Newcomer {i}",
            "Email": f"new{i}@example.org",
            "PGY": "3",
            "Specialty": "Neurology",
            "Program": "Program 9",
            "Why DEI": "new essay",
        }
        for i in range(1, newcomers + 1)
    ]
    out = [dict(r) for r in [*fresh, *rows]]
    for number, row in enumerate(out, start=1):
        row["ID"] = str(number)
    return out


def test_a_restarted_response_number_never_makes_one_person_another(store: Store) -> None:
    system = store.system_user()
    store.import_applications(system, "2026", intake(make_rows(6)))
    store.save_review(system, "2026", Review("A006", "r1@example.org", full_scores(4)))
    before = store.applicant(system, "2026", "A006")

    data = intake(restarted(make_rows(6)))  # Newcomer 1 is now ID 1, person6 is ID 7
    preview = store.preview_import(system, "2026", data)
    report = store.import_applications(system, "2026", data)
    assert preview == report
    new_id = email_id("new1@example.org")
    assert report.id_reused == {"A001": new_id}
    assert report.to_json()["id_reused"] == {"A001": new_id}
    assert (report.added, report.updated, report.withdrawn) == ([new_id], [], [])
    assert sorted(report.unchanged) == [f"A00{i}" for i in range(1, 7)]
    assert report.resubmitted == {f"A00{i + 1}": f"A00{i}" for i in range(1, 7)}

    assert store.applicant(system, "2026", "A006") == before  # still person6, same fields
    newcomer = store.applicant(system, "2026", new_id)
    assert (newcomer.name, newcomer.email) == ("Newcomer 1", "new1@example.org")
    reviews = store.reviews(system, "2026")
    assert [(r.applicant_id, r.reviewer) for r in reviews] == [("A006", "r1@example.org")]


def test_a_response_id_held_by_another_email_is_a_new_person_not_an_update(
    store: Store,
) -> None:
    system = store.system_user()
    store.import_applications(system, "2026", intake(make_rows(3)))
    store.save_review(system, "2026", Review("A003", "r1@example.org", full_scores(4)))
    # ID 3 now holds someone else; person3 is gone from the export.
    rows = make_rows(3, A003={"Name": "Other Person", "Email": "other@example.org"})
    report = store.import_applications(system, "2026", intake(rows))
    other = email_id("other@example.org")
    assert report.id_reused == {"A003": other}
    assert (report.added, report.updated, report.withdrawn) == ([other], [], ["A003"])
    assert report.names[other] == "Other Person"
    assert report.names["A003"] == "Testperson C"
    withdrawn = store.applicant(system, "2026", "A003")
    assert (withdrawn.name, withdrawn.email) == ("Testperson C", "person3@example.org")
    assert [r.applicant_id for r in store.reviews(system, "2026")] == ["A003"]


def test_a_fresh_id_never_collides_with_a_stored_or_incoming_one(store: Store) -> None:
    system = store.system_user()
    taken = email_id("other@example.org")
    rows = make_rows(3, A002={"ID": taken})  # a hand-kept sheet already uses that id
    store.import_applications(system, "2026", intake(rows))
    rows = make_rows(3, A002={"ID": taken}, A003={"Name": "Other", "Email": "other@example.org"})
    rows.append({**rows[2], "ID": "4", "Email": "person3@example.org", "Name": "Testperson C"})
    report = store.import_applications(system, "2026", intake(rows))
    assert report.id_reused == {"A003": f"{taken}-2"}
    assert report.resubmitted == {"A004": "A003"}
    ids = [a.applicant_id for a in store.applicants(system, "2026")]
    assert sorted(ids) == sorted(["A001", taken, "A003", f"{taken}-2"])


def test_the_report_names_people_and_each_changed_field(store: Store) -> None:
    system = store.system_user()
    store.import_applications(system, "2026", intake(make_rows(3)))
    store.withdraw_applicant(system, "2026", "A003")
    rows = make_rows(3, A002={"PGY": "5", "Why DEI": "rewritten"})
    report = store.preview_import(system, "2026", intake(rows))
    assert report.names == {"A001": "Testperson A", "A002": "Testperson B", "A003": "Testperson C"}
    assert report.changes == {
        "A002": {"pgy": (4, 5), "Why DEI": ("essay 2", "rewritten")},
        "A003": {"withdrawn": (True, False)},
    }
    assert report.active_before == 2


def test_a_rejected_row_keeps_the_person_with_its_email_not_the_one_with_its_id(
    store: Store,
) -> None:
    system = store.system_user()
    store.import_applications(system, "2026", intake(make_rows(4)))
    # Restarted numbering: person4's row (now ID 1) lost its PGY; person1 is now ID 4.
    rows = make_rows(4, A001={"Email": "person4@example.org", "Name": "Testperson D", "PGY": ""})
    rows[3].update(Email="person1@example.org", Name="Testperson A")
    report = store.preview_import(system, "2026", intake(rows))
    assert report.withdrawn == [] and len(report.rejected) == 1
    assert report.resubmitted == {"A004": "A001"}


# ------------------------------------------------------------------ merging


def test_merge_moves_reviews_takes_the_current_application_and_is_audited(
    store: Store,
) -> None:
    system = store.system_user()
    store.import_applications(system, "2026", intake(make_rows(4)))
    for reviewer in ("r1@example.org", "r2@example.org"):
        store.save_review(system, "2026", Review("A002", reviewer, full_scores(4)))
    # person2's e-mail changed: the next export names them with a new one, as ID 5.
    rows = [r for r in make_rows(4) if r["ID"] != "2"]
    rows.append({**make_rows(2)[1], "ID": "5", "Email": "b.new@example.org", "PGY": "4"})
    report = store.import_applications(system, "2026", intake(rows))
    assert (report.added, report.withdrawn) == (["A005"], ["A002"])

    merged = store.merge_applicants(system, "2026", "A002", "A005")
    assert (merged.moved, merged.dropped) == ([], [])
    kept = store.applicant(system, "2026", "A002")
    assert (kept.email, kept.pgy) == ("b.new@example.org", 4)  # the application in the export
    assert "A002" not in store.withdrawn(system, "2026")
    ids = [a.applicant_id for a in store.applicants(system, "2026", include_withdrawn=True)]
    assert ids == ["A001", "A002", "A003", "A004"]
    assert {r.applicant_id for r in store.reviews(system, "2026")} == {"A002"}
    entry = [e for e in store.audit_log(system, "2026") if e.action == "applicant.merge"]
    assert len(entry) == 1 and entry[0].target == "A002"
    assert entry[0].old["merged"]["applicant_id"] == "A005"

    # The next import of the same export is a no-op: the kept record has the new e-mail.
    again = store.preview_import(system, "2026", intake(rows))
    assert (again.added, again.updated, again.withdrawn) == ([], [], [])


def test_merge_moves_only_reviews_the_kept_record_lacks_and_names_the_clash(
    store: Store,
) -> None:
    system = store.system_user()
    store.import_applications(system, "2026", intake(make_rows(4)))
    store.save_review(system, "2026", Review("A001", "r1@example.org", full_scores(4)))
    store.save_review(system, "2026", Review("A002", "r1@example.org", full_scores(1)))
    store.save_review(system, "2026", Review("A002", "r2@example.org", full_scores(2)))
    merged = store.merge_applicants(system, "2026", "A001", "A002")
    assert merged.moved == ["r2@example.org"]
    assert merged.dropped == ["r1@example.org"]
    by_reviewer = {
        r.reviewer: r.scores["awareness"]
        for r in store.reviews(system, "2026")
        if r.applicant_id == "A001"
    }
    assert by_reviewer == {"r1@example.org": 4, "r2@example.org": 2}  # the kept one's review
    entry = next(e for e in store.audit_log(system, "2026") if e.action == "applicant.merge")
    assert entry.old["dropped_reviews"][0]["reviewer"] == "r1@example.org"
    assert entry.old["dropped_reviews"][0]["scores"]["awareness"] == 1


def test_merge_is_for_coordinators_and_two_different_records(
    store: Store, people: dict[str, object]
) -> None:
    from selector.errors import PermissionDenied

    system = store.system_user()
    store.import_applications(system, "2026", intake(make_rows(2)))
    with pytest.raises(PermissionDenied):
        store.merge_applicants(people["chair"], "2026", "A001", "A002")  # type: ignore[arg-type]
    with pytest.raises(InputError) as caught:
        store.merge_applicants(system, "2026", "A001", "A001")
    assert caught.value.code == "merge_same"
