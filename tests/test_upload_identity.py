"""The Upload page and applicant identity (issue 10): the preview by name with each changed
field, a restarted numbering reported as new people, the typed confirmation of a mass
withdrawal, and merging two records of one person."""

from __future__ import annotations

from selector.intake import email_id
from selector.store import Store
from tests.test_app_pages import app_as, db, export_csv, no_exceptions, tab_labels, template, upload

__all__ = ["db", "template"]  # the fixtures, imported so pytest finds them here


def test_the_preview_names_people_and_shows_each_change(db: Store) -> None:
    changed = export_csv().replace(
        b"3,Testperson 003,person3@example.org,2", b"3,Testperson 003,person3@example.org,4"
    )
    at = upload(app_as(db, "coordinator"), changed)
    no_exceptions(at)
    assert tab_labels(at)[:2] == ["New (0)", "Changed (1)"]
    frames = [d.value for d in at.dataframe]
    change = next(f for f in frames if "Field" in f.columns)
    assert change.to_dict("records") == [
        {"Applicant": "A003", "Name": "Testperson 003", "Field": "pgy", "Old": "2", "New": "4"}
    ]


def test_a_restarted_numbering_is_new_people_not_overwritten_ones(db: Store) -> None:
    system = db.system_user()
    before = {a.applicant_id: a.email for a in db.applicants(system, "2026")}
    lines = export_csv().decode().splitlines()
    newcomer = "1,Kwame Newcomer,kwame@example.org,3,Neurology,Program 9,essay"
    renumbered = [f"{i + 2},{line.split(',', 1)[1]}" for i, line in enumerate(lines[1:])]
    data = "\n".join([lines[0], newcomer, *renumbered]) + "\n"
    at = upload(app_as(db, "coordinator"), data.encode())
    no_exceptions(at)
    assert tab_labels(at)[:3] == ["New (1)", "Changed (0)", "Withdrawn (not in this export) (0)"]
    assert any("belong to other people" in w.value for w in at.warning)
    new = next(d.value for d in at.dataframe if "Field" in d.value.columns)
    kwame = email_id("kwame@example.org")
    assert new.to_dict("records") == [  # the newcomer by name, and whose id it took
        {
            "Applicant": kwame,
            "Name": "Kwame Newcomer",
            "Field": "response id",
            "Old": "A001",
            "New": f"{kwame} (another person has A001)",
        }
    ]
    at.button(key="confirm_import").click().run()
    no_exceptions(at)
    after = {a.applicant_id: a.email for a in db.applicants(system, "2026")}
    assert after == before | {email_id("kwame@example.org"): "kwame@example.org"}


def test_a_mass_withdrawal_needs_the_typed_count(db: Store) -> None:
    at = upload(app_as(db, "coordinator"), export_csv(3))
    no_exceptions(at)
    assert any("withdraw **9 of 12**" in e.value for e in at.error)
    assert at.button(key="confirm_import").disabled
    at.text_input(key="confirm_mass_withdrawal").input("8").run()
    assert at.button(key="confirm_import").disabled
    at.text_input(key="confirm_mass_withdrawal").input("9").run()
    assert not at.button(key="confirm_import").disabled
    at.button(key="confirm_import").click().run()
    no_exceptions(at)
    assert any("9 withdrawn" in s.value for s in at.success)
    assert len(db.withdrawn(db.system_user(), "2026")) == 9


def test_a_roster_upload_is_named_as_such(db: Store) -> None:
    roster = (
        b"applicant_id,name,email,pgy,specialty,score,status,margin,replacement,reason\n"
        b"A001,Testperson 001,person1@example.org,3,Psychiatry,4.5,selected,0.2,,\n"
    )
    at = upload(app_as(db, "coordinator"), roster, name="roster.csv")
    no_exceptions(at)
    assert any("this is a roster written by selector" in e.value for e in at.error)


def test_merge_two_records_from_the_upload_page(db: Store) -> None:
    system = db.system_user()
    at = upload(app_as(db, "coordinator"), export_csv())
    at.selectbox(key="merge_keep").set_value("A001")
    at.selectbox(key="merge_other").set_value("A002")
    at.button(key="merge_applicants").click().run()
    no_exceptions(at)
    assert any("Merged A002 into A001" in s.value for s in at.success)
    ids = [a.applicant_id for a in db.applicants(system, "2026", include_withdrawn=True)]
    assert "A002" not in ids and "A001" in ids
    assert [e.target for e in db.audit_log(system, "2026") if e.action == "applicant.merge"] == [
        "A001"
    ]


def test_a_preview_row_of_a_stored_applicant_opens_its_application(db: Store) -> None:
    """The preview's tables of stored people open the application (issue 10: "from any table
    row ... preview")."""
    changed = export_csv().replace(
        b"3,Testperson 003,person3@example.org,2", b"3,Testperson 003,person3@example.org,4"
    )
    at = upload(app_as(db, "coordinator"), changed)
    at.session_state["preview_1"] = {"selection": {"rows": [0], "columns": []}}  # Changed
    at.run()
    no_exceptions(at)
    assert any(h.value.startswith("A003") for h in at.subheader)  # the dialog's heading
