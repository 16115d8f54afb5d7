"""Issue 10: "never from the applicant's own program" says when it cannot apply (an export
without a program column), and the config names the fields to avoid (program, specialty)."""

from __future__ import annotations

from pathlib import Path

from selector.assignment import Candidate, assign_reviewers
from selector.config import DEFAULT_CONFIG_PATH
from selector.intake import read_applications
from selector.store import Store

SPECS = ["Emergency Medicine", "Surgery", "Psychiatry"]


def test_no_program_column_is_said_not_silently_ignored() -> None:
    apps = [Candidate(f"A{i}", "", SPECS[i % 3]) for i in range(6)]
    revs = [Candidate(f"r{j}@example.org", SPECS[j % 3]) for j in range(3)]
    result = assign_reviewers(apps, revs, 2)
    assert result.warnings == [
        "no applicant has a program, so 'never from the own program' cannot apply"
    ]


def test_no_reviewer_program_is_said() -> None:
    apps = [Candidate(f"A{i}", f"P{i % 2}") for i in range(4)]
    revs = [Candidate(f"r{j}@example.org") for j in range(3)]
    assert assign_reviewers(apps, revs, 2).warnings == [
        "no reviewer has a program, so 'never from the own program' cannot apply"
    ]


def test_avoid_own_specialty_keeps_emergency_medicine_apart() -> None:
    apps = [Candidate(f"A{i}", "", SPECS[i % 3]) for i in range(9)]
    revs = [Candidate(f"r{j}@example.org", SPECS[j % 3]) for j in range(6)]
    result = assign_reviewers(apps, revs, 2, avoid_own=["program", "specialty"])
    spec = {a.key: a.specialty for a in apps}
    own = {r.key: r.program for r in revs}
    assert result.pairs and all(spec[a] != own[r] for a, r in result.pairs)
    assert result.warnings == [
        "no applicant has a program, so 'never from the own program' cannot apply"
    ]
    assert assign_reviewers(apps, revs, 2, avoid_own=["specialty"]).warnings == []


def export(with_program: bool) -> bytes:
    head = "ID,Name,Email,PGY,Specialty" + (",Program" if with_program else "")
    rows = [
        f"{i},Person {i},p{i}@example.org,3,{SPECS[i % 3]}" + (",Site X" if with_program else "")
        for i in range(1, 10)
    ]
    return "\n".join([head, *rows]).encode()


def cycle_with(tmp_path: Path, config_text: str) -> Store:
    store = Store(f"sqlite:///{tmp_path / 'own.db'}")
    system = store.system_user()
    store.create_cycle(system, "2026", config_text)
    for j, spec in enumerate(SPECS * 2):
        store.add_user(system, f"r{j}@example.org", f"R {j}", "reviewer", "pw-long-enough", spec)
    store.import_applications(
        system, "2026", read_applications(export(with_program=False), filename="x.csv")
    )
    return store


def test_the_assignment_report_says_the_own_program_rule_cannot_apply(tmp_path: Path) -> None:
    """Before: Emergency Medicine reviewers got Emergency Medicine applicants, and nothing
    said that 'never from the own program' did nothing."""
    store = cycle_with(tmp_path, DEFAULT_CONFIG_PATH.read_text(encoding="utf-8"))
    report = store.assign(store.system_user(), "2026", k=2)
    assert "no applicant has a program" in " ".join(report.warnings)
    assert report.to_json()["warnings"] == report.warnings
    store.close()


def test_avoid_own_specialty_in_the_config_is_used_by_assign(tmp_path: Path) -> None:
    text = DEFAULT_CONFIG_PATH.read_text(encoding="utf-8").replace(
        "avoid_own_program = true", 'avoid_own_program = true\navoid_own = ["specialty"]', 1
    )
    store = cycle_with(tmp_path, text)
    system = store.system_user()
    report = store.assign(system, "2026", k=2)
    assert report.warnings == []
    spec = {a.applicant_id: a.specialty for a in store.applicants(system, "2026")}
    own = {u.email: u.program for u in store.users(system)}
    assert report.pairs and all(spec[a] != own[r] for a, r in report.pairs)
    store.close()
