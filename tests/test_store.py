"""The store: import and re-import, role checks, reviews, conflicts, runs and the audit log."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from selector.auth import User
from selector.config import DEFAULT_CONFIG_PATH
from selector.errors import ConfigError, InputError, PermissionDenied
from selector.intake import IntakeResult, read_applications
from selector.models import Review
from selector.store import DEFAULT_PATH, Store, default_url, input_hash

CONFIG = DEFAULT_CONFIG_PATH.read_text(encoding="utf-8")
HEADER = "ID,Name,Email,PGY,Specialty,Program,Why DEI"
SPECIALTIES = ["Pediatrics", "Family Medicine", "Psychiatry", "Emergency Medicine"]


def make_rows(n: int = 6, **overrides: dict[str, str]) -> list[dict[str, str]]:
    """n synthetic applicants; ``overrides={"A002": {"PGY": "4"}}`` changes cells by id."""
    rows = []
    for i in range(1, n + 1):
        aid = f"A{i:03d}"
        row = {
            "ID": str(i),
            "Name": f"Testperson {chr(64 + i)}",
            "Email": f"person{i}@example.org",
            "PGY": str(2 + i % 3),
            "Specialty": SPECIALTIES[i % len(SPECIALTIES)],
            "Program": f"Program {i % 3}",
            "Why DEI": f"essay {i}",
        }
        row.update(overrides.get(aid, {}))
        rows.append(row)
    return rows


def intake(rows: list[dict[str, str]]) -> IntakeResult:
    lines = [HEADER] + [",".join(r[h] for h in HEADER.split(",")) for r in rows]
    return read_applications(("\n".join(lines) + "\n").encode(), filename="export.csv")


def full_scores(value: float = 3) -> dict[str, float]:
    return {
        c: value
        for c in ("awareness", "reflection", "empowerment", "action", "leadership", "project")
    } | {"commitment": value}


PEOPLE = {
    "coordinator": ("coord@example.org", "Coord", "coordinator", "pw-coord-1", ""),
    "chair": ("chair@example.org", "Chair", "chair", "pw-chair-1", ""),
    "r1": ("R1@example.org", "Rev One", "reviewer", "pw-rev1-11", "Program 1"),
    "r2": ("r2@example.org", "Rev Two", "reviewer", "pw-rev2-22", "Program 2"),
}


def fill(s: Store) -> Store:
    """Cycle 2026 and the four accounts of PEOPLE."""
    system = s.system_user()
    s.create_cycle(system, "2026", CONFIG)
    for email, name, role, password, program in PEOPLE.values():
        s.add_user(system, email, name, role, password, program)
    return s


def ids(items: list[Any]) -> list[str]:
    return [a.applicant_id for a in items]


# ------------------------------------------------------------------ opening


def test_default_url_is_documented_sqlite_file_or_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SELECTOR_DB", raising=False)
    assert default_url() == f"sqlite:///{DEFAULT_PATH}"
    monkeypatch.setenv("SELECTOR_DB", "sqlite:///elsewhere.db")
    assert default_url() == "sqlite:///elsewhere.db"


def test_sqlite_connections_use_wal_foreign_keys_and_busy_timeout(tmp_path: Path) -> None:
    with Store(f"sqlite:///{tmp_path / 'pragmas.db'}") as store, store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 1000


def test_reopening_keeps_data(store: Store) -> None:
    store.import_applications(store.system_user(), None, intake(make_rows(3)))
    with Store(store.url) as again:
        assert ids(again.applicants(again.system_user(), "2026")) == ["A001", "A002", "A003"]


# ------------------------------------------------------------------ cycles


def test_cycles_newest_first_and_none_means_newest(store: Store) -> None:
    store.create_cycle(store.system_user(), "2027", CONFIG, blind=True)
    assert [c.name for c in store.cycles()] == ["2027", "2026"]
    assert store.cycle().name == "2027" and store.cycle().blind
    assert store.cycle("2026").config.cohort.size == 10
    with pytest.raises(InputError, match="already exists"):
        store.create_cycle(store.system_user(), "2027", CONFIG)
    with pytest.raises(InputError) as info:
        store.cycle("1999")
    assert info.value.code == "cycle_unknown"


def test_cycle_config_is_validated_and_audited(store: Store, people: dict[str, User]) -> None:
    with pytest.raises(ConfigError):
        store.update_cycle_config(people["chair"], "2026", "[cohort]\nsise = 3\n")
    new = CONFIG.replace("size = 10", "size = 8")
    assert store.update_cycle_config(people["chair"], "2026", new).config.cohort.size == 8
    with pytest.raises(PermissionDenied):
        store.update_cycle_config(people["r1"], "2026", CONFIG)
    entry = store.audit_log(people["chair"], "2026")[-1]
    assert entry.action == "cycle.config" and entry.old == CONFIG and entry.new == new


def test_no_cycle_yet_is_a_clear_error(empty_url: str) -> None:
    with Store(empty_url) as s, pytest.raises(InputError) as info:
        s.applicants(s.system_user(), None)
    assert info.value.code == "cycle_missing"


# ------------------------------------------------------------------ import


def test_import_then_reimport_reports_each_outcome_and_keeps_reviews(store: Store) -> None:
    system = store.system_user()
    first = store.import_applications(system, "2026", intake(make_rows(6)))
    assert first.to_json() == {
        "added": 6,
        "updated": 0,
        "unchanged": 0,
        "withdrawn": 0,
        "rejected": [],
    }
    store.add_user(system, "rev@example.org", "Rev", "reviewer", None)
    for aid in ("A001", "A002", "A006"):
        store.save_review(system, "2026", Review(aid, "rev@example.org", full_scores(4)))

    # A007 new, A002 changed, A006 missing (withdrawn), the rest unchanged.
    rows = [r for r in make_rows(7, A002={"PGY": "5"}) if r["ID"] != "6"]
    report = store.import_applications(system, "2026", intake(rows))
    assert report.to_json() == {
        "added": 1,
        "updated": 1,
        "unchanged": 4,
        "withdrawn": 1,
        "rejected": [],
    }
    assert (report.added, report.updated, report.withdrawn) == (["A007"], ["A002"], ["A006"])

    assert "A006" not in ids(store.applicants(system, "2026"))
    assert "A006" in ids(store.applicants(system, "2026", include_withdrawn=True))
    assert store.withdrawn(system, "2026") == ["A006"]
    applicants, reviews = store.selection_inputs(system, "2026")
    assert "A006" not in ids(applicants) and "A006" not in ids(reviews)
    assert sorted(ids(store.reviews(system, "2026"))) == ["A001", "A002", "A006"]
    assert store.applicant(system, "2026", "A002").pgy == 5

    store.restore_applicant(system, "2026", "A006")
    applicants, reviews = store.selection_inputs(system, "2026")
    assert "A006" in ids(applicants) and "A006" in ids(reviews)


def test_withdrawn_applicant_back_in_the_export_is_restored_and_counted_updated(
    store: Store,
) -> None:
    system = store.system_user()
    store.import_applications(system, "2026", intake(make_rows(3)))
    store.import_applications(system, "2026", intake(make_rows(2)))
    report = store.import_applications(system, "2026", intake(make_rows(3)))
    assert report.to_json()["updated"] == 1 and report.updated == ["A003"]
    assert store.withdrawn(system, "2026") == []


def test_a_row_turned_invalid_keeps_its_applicant_rather_than_withdrawing_it(
    store: Store,
) -> None:
    system = store.system_user()
    store.import_applications(system, "2026", intake(make_rows(3)))
    report = store.import_applications(
        system, "2026", intake(make_rows(3, A003={"Email": "broken"}))
    )
    assert report.to_json()["withdrawn"] == 0 and len(report.rejected) == 1
    assert report.rejected[0]["row"] == 4 and report.rejected[0]["errors"]
    assert store.withdrawn(system, "2026") == []


def test_preview_writes_nothing_and_empty_import_is_refused(store: Store) -> None:
    system = store.system_user()
    preview = store.preview_import(system, "2026", intake(make_rows(4)))
    assert preview.to_json()["added"] == 4
    assert store.applicants(system, "2026") == []
    store.import_applications(system, "2026", intake(make_rows(4)))
    empty = intake(make_rows(2, A001={"Email": "x"}, A002={"Email": "y"}))
    with pytest.raises(InputError) as info:
        store.import_applications(system, "2026", empty)
    assert info.value.code == "import_empty"
    assert len(store.applicants(system, "2026")) == 4


def test_import_keeps_answers_and_audits_changes(store: Store) -> None:
    system = store.system_user()
    store.import_applications(system, "2026", intake(make_rows(2)))
    store.import_applications(system, "2026", intake(make_rows(2, A001={"Why DEI": "new essay"})))
    assert store.applicant(system, "2026", "A001").answers == {"Why DEI": "new essay"}
    update = [e for e in store.audit_log(system, "2026") if e.action == "applicant.update"]
    assert update[0].old == {"answers": {"Why DEI": "essay 1"}}
    assert update[0].new == {"answers": {"Why DEI": "new essay"}}


# ------------------------------------------------------------------ authorisation


def test_only_a_coordinator_imports(store: Store, people: dict[str, User]) -> None:
    data = intake(make_rows(2))
    for who in ("chair", "r1"):
        with pytest.raises(PermissionDenied):
            store.import_applications(people[who], "2026", data)
        with pytest.raises(PermissionDenied):
            store.preview_import(people[who], "2026", data)
    assert store.import_applications(people["coordinator"], "2026", data).to_json()["added"] == 2


def test_reviewer_reads_only_assigned_non_conflicted_chair_reads_all(
    store: Store, people: dict[str, User]
) -> None:
    store.import_applications(people["coordinator"], "2026", intake(make_rows(5)))
    coord, r1, r2 = people["coordinator"], people["r1"], people["r2"]
    for aid in ("A001", "A002", "A003"):
        store.set_assignment(coord, "2026", aid, r1.email, True)
    store.set_assignment(coord, "2026", "A004", r2.email, True)

    assert ids(store.applicants(r1, "2026")) == ["A001", "A002", "A003"]
    assert ids(store.applicants(people["chair"], "2026")) == [
        "A001",
        "A002",
        "A003",
        "A004",
        "A005",
    ]
    assert store.assignments(r1, "2026") == [(a, r1.email) for a in ("A001", "A002", "A003")]
    with pytest.raises(PermissionDenied):
        store.applicant(r1, "2026", "A004")

    store.declare_conflict(r1, "2026", "A002", "was their co-resident")
    assert ids(store.applicants(r1, "2026")) == ["A001", "A003"]
    with pytest.raises(PermissionDenied):
        store.applicant(r1, "2026", "A002")
    assert store.conflicts(r1, "2026")[0].reason == "was their co-resident"
    assert store.conflicts(r2, "2026") == []

    store.withdraw_applicant(coord, "2026", "A003")
    assert ids(store.applicants(r1, "2026")) == ["A001"]


def test_reviewer_writes_only_their_own_reviews_of_assigned_applicants(
    store: Store, people: dict[str, User]
) -> None:
    store.import_applications(people["coordinator"], "2026", intake(make_rows(3)))
    r1, r2 = people["r1"], people["r2"]
    store.set_assignment(people["coordinator"], "2026", "A001", r1.email, True)
    store.set_assignment(people["coordinator"], "2026", "A001", r2.email, True)

    store.save_review(r1, "2026", Review("A001", r1.email, full_scores(4), "solid"))
    with pytest.raises(PermissionDenied):  # someone else's review
        store.save_review(r1, "2026", Review("A001", r2.email, full_scores(1)))
    with pytest.raises(PermissionDenied):  # not assigned
        store.save_review(r1, "2026", Review("A002", r1.email, full_scores(4)))
    store.declare_conflict(r1, "2026", "A001")
    with pytest.raises(PermissionDenied):  # conflicted now
        store.save_review(r1, "2026", Review("A001", r1.email, full_scores(5)))

    store.save_review(r2, "2026", Review("A001", r2.email, full_scores(2)))
    assert [r.reviewer for r in store.reviews(r2, "2026")] == [r2.email]
    assert {r.reviewer for r in store.reviews(people["chair"], "2026")} == {r1.email, r2.email}
    assert store.review(r1, "2026", "A001").comment == "solid"  # type: ignore[union-attr]
    with pytest.raises(PermissionDenied):
        store.review(r1, "2026", "A001", r2.email)


def test_role_rules_for_users_assignments_runs_and_audit(
    store: Store, people: dict[str, User]
) -> None:
    r1, chair = people["r1"], people["chair"]
    with pytest.raises(PermissionDenied):
        store.add_user(chair, "new@example.org", "New", "reviewer", "password-1")
    with pytest.raises(PermissionDenied):
        store.users(r1)
    with pytest.raises(PermissionDenied):
        store.assign(chair, "2026")
    with pytest.raises(PermissionDenied):
        store.audit_log(r1)
    with pytest.raises(PermissionDenied):
        store.selection_inputs(r1, "2026")
    with pytest.raises(PermissionDenied):
        store.record_run(people["coordinator"], "2026", config_text=CONFIG, decision={}, final=True)
    assert [u.email for u in store.users(chair, role="reviewer")] == [
        "r1@example.org",
        "r2@example.org",
    ]


def test_blind_cycle_hides_identity_from_reviewers_only(
    store: Store, people: dict[str, User]
) -> None:
    coord = people["coordinator"]
    store.create_cycle(coord, "blind", CONFIG, blind=True)
    store.import_applications(coord, "blind", intake(make_rows(2)))
    store.set_assignment(coord, "blind", "A001", people["r1"].email, True)
    seen = store.applicants(people["r1"], "blind")[0]
    assert seen.applicant_id != "A001"  # a pseudonym, not the applicant id
    assert (seen.name, seen.email, seen.program) == (f"Applicant {seen.applicant_id}", "", "")
    assert seen.answers == {"Why DEI": "essay 1"}
    assert store.applicants(people["chair"], "blind")[0].name == "Testperson A"


# ------------------------------------------------------------------ users and reviews


def test_users_passwords_and_authentication(store: Store, people: dict[str, User]) -> None:
    assert store.authenticate("r1@EXAMPLE.org ", "pw-rev1-11") == people["r1"]
    assert store.authenticate("r1@example.org", "wrong-password") is None
    assert store.authenticate("nobody@example.org", "pw-rev1-11") is None
    with pytest.raises(InputError, match="already exists"):
        store.add_user(store.system_user(), "r1@example.org", "Again", "reviewer", "password-x")
    with pytest.raises(InputError) as info:
        store.add_user(store.system_user(), "x@example.org", "X", "reviewer", "short")
    assert info.value.code == "password_short"
    no_login = store.add_user(store.system_user(), "np@example.org", "NP", "reviewer", None)
    assert store.authenticate(no_login.email, "") is None
    store.set_password(people["r1"], "r1@example.org", "a-new-password")
    assert store.authenticate("r1@example.org", "a-new-password") is not None
    with pytest.raises(PermissionDenied):
        store.set_password(people["r1"], "r2@example.org", "their-password")


def test_reviews_are_validated_and_audited_with_old_and_new_scores(
    store: Store, people: dict[str, User]
) -> None:
    system = store.system_user()
    store.import_applications(system, "2026", intake(make_rows(2)))
    with pytest.raises(InputError) as info:
        store.save_review(system, "2026", Review("A001", "r1@example.org", {"awareness": 9}))
    assert info.value.code == "score_off_scale"  # one code for one problem (issue 9)
    with pytest.raises(InputError) as info:
        store.save_review(system, "2026", Review("A001", "r1@example.org", {"charm": 3}))
    assert info.value.code == "score_unknown_criterion"
    with pytest.raises(InputError) as info:
        store.save_review(system, "2026", Review("A001", "ghost@example.org", {"awareness": 3}))
    assert info.value.code == "user_unknown"

    store.save_review(system, "2026", Review("A001", "r1@example.org", {"awareness": 2}))
    store.save_review(system, "2026", Review("A001", "r1@example.org", {"awareness": 5}))
    entries = [e for e in store.audit_log(system, "2026") if e.action == "review.save"]
    assert [e.actor for e in entries] == ["system", "system"]
    assert entries[1].old["scores"] == {"awareness": 2}
    assert entries[1].new["scores"] == {"awareness": 5}


def test_save_reviews_is_all_or_nothing(store: Store, people: dict[str, User]) -> None:
    system = store.system_user()
    store.import_applications(system, "2026", intake(make_rows(2)))
    batch = [
        Review("A001", "r1@example.org", full_scores(3)),
        Review("A002", "r1@example.org", {"awareness": 0}),
    ]
    with pytest.raises(InputError):
        store.save_reviews(system, "2026", batch)
    assert store.reviews(system, "2026") == []


def test_record_run_stores_decision_config_and_input_hash(
    store: Store, people: dict[str, User]
) -> None:
    chair = people["chair"]
    store.import_applications(people["coordinator"], "2026", intake(make_rows(2)))
    decision = {"status": "optimal", "selected": ["A001"]}
    first = store.record_run(chair, "2026", config_text=CONFIG, decision=decision)
    again = store.record_run(chair, "2026", config_text=CONFIG, decision=decision, final=True)
    store.save_review(store.system_user(), "2026", Review("A002", "r1@example.org", full_scores()))
    later = store.record_run(chair, "2026", config_text=CONFIG, decision=decision)
    runs = store.runs(chair, "2026")
    assert [r.id for r in runs] == [later, again, first]
    assert runs[2].decision == decision and runs[2].config_text == CONFIG
    assert runs[1].final and not runs[2].final
    assert runs[2].input_hash == runs[1].input_hash != runs[0].input_hash


def test_record_run_hashes_the_inputs_it_is_given_instead_of_reading_them_again(
    store: Store, people: dict[str, User]
) -> None:
    chair = people["chair"]
    store.import_applications(people["coordinator"], "2026", intake(make_rows(3)))
    decided_on = store.selection_inputs(chair, "2026")
    decision = {"status": "optimal", "selected": ["A001"]}
    read = store.record_run(chair, "2026", config_text=CONFIG, decision=decision)
    given = store.record_run(
        chair, "2026", config_text=CONFIG, decision=decision, inputs=decided_on
    )
    by_id = {r.id: r for r in store.runs(chair, "2026")}
    assert by_id[given].input_hash == by_id[read].input_hash == input_hash(*decided_on, CONFIG)
    store.withdraw_applicant(people["coordinator"], "2026", "A003")
    with pytest.raises(InputError) as info:
        store.record_run(
            chair,
            "2026",
            config_text=CONFIG,
            decision=decision,
            input_hash=input_hash(*decided_on, CONFIG),
            inputs=store.selection_inputs(chair, "2026"),
        )
    assert info.value.code == "run_inputs_changed"


def test_save_reviews_in_one_batch_saves_a_pair_twice_as_two_saves_would(
    store: Store, people: dict[str, User]
) -> None:
    system = store.system_user()
    store.import_applications(system, "2026", intake(make_rows(2)))
    store.save_review(system, "2026", Review("A002", "r2@example.org", full_scores(2)))
    batch = [
        Review("A001", "r1@example.org", full_scores(3)),
        Review("A001", "r1@example.org", full_scores(4), "again"),
        Review("A002", "r2@example.org", full_scores(2)),  # unchanged: not logged
        Review("A002", "r2@example.org", full_scores(5)),
    ]
    assert store.save_reviews(system, "2026", batch) == 4
    saved = {(r.applicant_id, r.reviewer): r for r in store.reviews(system, "2026")}
    assert saved["A001", "r1@example.org"].scores == full_scores(4)
    assert saved["A001", "r1@example.org"].comment == "again"
    assert saved["A002", "r2@example.org"].scores == full_scores(5)
    log = [(e.target, e.old, e.new) for e in store.audit_log(system, "2026")][-3:]
    assert [(target, old and old["scores"], new["scores"]) for target, old, new in log] == [
        ("A001 r1@example.org", None, full_scores(3)),
        ("A001 r1@example.org", full_scores(3), full_scores(4)),
        ("A002 r2@example.org", full_scores(2), full_scores(5)),
    ]


def test_a_reviewers_batch_stops_at_the_first_applicant_not_theirs(
    store: Store, people: dict[str, User]
) -> None:
    system, r1 = store.system_user(), people["r1"]
    store.import_applications(system, "2026", intake(make_rows(3)))
    store.set_assignments(system, "2026", [("A001", r1.email), ("A002", r1.email)])
    store.declare_conflict(r1, "2026", "A002", "a colleague")
    for other in ("A002", "A003", "A999"):  # conflicted, unassigned, unknown: one answer
        with pytest.raises(PermissionDenied) as info:
            batch = [Review("A001", r1.email, full_scores(3)), Review(other, r1.email, {})]
            store.save_reviews(r1, "2026", batch)
        assert info.value.code == "not_assigned"
    assert [r.applicant_id for r in store.reviews(r1, "2026") if r.scores] == []
    store.save_reviews(r1, "2026", [Review("A001", r1.email, full_scores(3))])
    assert [r.applicant_id for r in store.reviews(r1, "2026") if r.scores] == ["A001"]


# ------------------------------------------------------------------ assignment


def test_assign_respects_conflicts_exclusions_pins_and_started_reviews(
    store: Store, people: dict[str, User]
) -> None:
    coord = people["coordinator"]
    system = store.system_user()
    for j in range(3, 7):
        store.add_user(system, f"r{j}@example.org", f"Rev {j}", "reviewer", None, f"Program {j}")
    store.import_applications(coord, "2026", intake(make_rows(9)))
    store.declare_conflict(coord, "2026", "A001", "mentor", reviewer_email="r3@example.org")
    store.set_assignment(coord, "2026", "A002", "r4@example.org", False)  # excluded
    store.set_assignment(coord, "2026", "A003", "r5@example.org", True)  # pinned

    first = store.assign(coord, "2026", k=2)
    pairs = set(first.pairs)
    assert ("A001", "r3@example.org") not in pairs
    assert ("A002", "r4@example.org") not in pairs
    assert ("A003", "r5@example.org") in pairs
    assert first.short == {} and first.to_json()["load_spread"] <= 1
    program = {u.email: u.program for u in store.users(coord)}
    app_program = {a.applicant_id: a.program for a in store.applicants(coord, "2026")}
    assert all(
        program[r] != app_program[a] for a, r in pairs if (a, r) != ("A003", "r5@example.org")
    )
    assert set(store.assignments(coord, "2026")) == pairs

    # A started review stays assigned even when a new reviewer joins; nothing else moves
    # more than balance needs.
    a, r = next(p for p in first.pairs if p[0] == "A004")
    reviewer = store.user(r)
    assert reviewer is not None
    store.save_review(reviewer, "2026", Review(a, r, {"awareness": 4}))
    store.add_user(system, "r7@example.org", "Rev 7", "reviewer", None, "Program 7")
    second = store.assign(coord, "2026", k=2)
    assert (a, r) in second.pairs and second.to_json()["load_spread"] <= 1
    assert store.assign(coord, "2026", k=2).to_json()["added"] == 0

    with pytest.raises(InputError) as info:
        store.set_assignment(coord, "2026", "A001", "r3@example.org", True)
    assert info.value.code == "assignment_conflict"
