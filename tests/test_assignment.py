"""Reviewer assignment: k per applicant, balanced loads, programs, conflicts, overrides."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from selector.assignment import Candidate, assign_reviewers, same_program


def make_applicants(n: int = 12, programs: int = 3) -> list[Candidate]:
    return [Candidate(f"A{i:03d}", f"Program {i % programs}") for i in range(1, n + 1)]


def make_reviewers(n: int = 5, programs: int = 3) -> list[Candidate]:
    return [Candidate(f"rev{j}@example.org", f"Program {j % programs}") for j in range(n)]


def per_applicant(pairs: list[tuple[str, str]]) -> Counter[str]:
    return Counter(a for a, _ in pairs)


def test_k_each_balanced_and_never_own_program() -> None:
    apps, revs = make_applicants(12), make_reviewers(5)
    result = assign_reviewers(apps, revs, 3)
    assert set(per_applicant(result.pairs).values()) == {3}
    assert result.spread <= 1 and sum(result.loads.values()) == 36
    program = {c.key: c.program for c in [*apps, *revs]}
    assert all(program[a] != program[r] for a, r in result.pairs)
    assert result.short == {}


def test_own_program_allowed_when_the_cycle_says_so() -> None:
    apps, revs = make_applicants(6, programs=1), make_reviewers(3, programs=1)
    assert assign_reviewers(apps, revs, 2).pairs == []
    result = assign_reviewers(apps, revs, 2, avoid_own_program=False)
    assert len(result.pairs) == 12 and result.spread == 0


def test_conflicts_are_never_assigned_and_shortfalls_reported() -> None:
    apps = [Candidate("A001", "X")]
    revs = make_reviewers(3)
    forbidden = [("A001", "rev0@example.org"), ("A001", "rev1@example.org")]
    result = assign_reviewers(apps, revs, 3, forbidden=forbidden)
    assert result.pairs == [("A001", "rev2@example.org")]
    assert result.short == {"A001": 2}


def test_pinned_pairs_stay_even_across_programs_but_never_over_a_conflict() -> None:
    apps, revs = make_applicants(6), make_reviewers(3)
    own = ("A003", "rev0@example.org")  # both Program 0
    result = assign_reviewers(apps, revs, 2, pinned=[own])
    assert own in result.pairs
    result = assign_reviewers(apps, revs, 2, pinned=[own], forbidden=[own])
    assert own not in result.pairs


def test_current_pairs_are_kept_when_balance_allows() -> None:
    apps, revs = make_applicants(9), make_reviewers(6)
    first = assign_reviewers(apps, revs, 2)
    more = [*apps, Candidate("A010", "Program 5"), Candidate("A011", "Program 5")]
    second = assign_reviewers(more, revs, 2, current=first.pairs)
    assert set(first.pairs) <= set(second.pairs)
    assert second.spread <= 1


def test_no_reviewers_means_everyone_short() -> None:
    result = assign_reviewers(make_applicants(2), [], 3)
    assert result.pairs == [] and result.short == {"A001": 3, "A002": 3}


def test_same_program_ignores_case_and_spacing_but_not_blanks() -> None:
    assert same_program("Internal  Medicine", "internal medicine")
    assert not same_program("", "")


@settings(max_examples=25, deadline=None)
@given(
    n_apps=st.integers(1, 25),
    n_revs=st.integers(1, 8),
    k=st.integers(1, 4),
    n_conflicts=st.integers(0, 10),
)
def test_balance_property(n_apps: int, n_revs: int, k: int, n_conflicts: int) -> None:
    """Without program limits, each applicant gets min(k, allowed) reviewers, no conflict is
    assigned, and when nobody is short the loads differ by at most one."""
    apps = make_applicants(n_apps, programs=1)
    revs = [Candidate(f"rev{j}@example.org") for j in range(n_revs)]
    forbidden = {
        (f"A{1 + i % n_apps:03d}", f"rev{i % n_revs}@example.org") for i in range(n_conflicts)
    }
    result = assign_reviewers(apps, revs, k, forbidden=forbidden)
    counts = per_applicant(result.pairs)
    for a in apps:
        allowed = sum((a.key, r.key) not in forbidden for r in revs)
        assert counts[a.key] == min(k, allowed)
    assert not forbidden & set(result.pairs)
    if not forbidden:
        assert result.spread <= 1


def test_solving_never_redirects_stdout(monkeypatch: pytest.MonkeyPatch) -> None:
    """Once the banner is silenced, a solve leaves file descriptor 1 alone: a redirect of the
    process-wide descriptor would swallow other threads' output in the Streamlit server."""
    import os

    from selector.solver import silence_highs_banner

    silence_highs_banner()
    calls: list[tuple[object, ...]] = []
    with monkeypatch.context() as patch:
        patch.setattr(os, "dup2", lambda *args: calls.append(args))
        result = assign_reviewers(make_applicants(6), make_reviewers(3), 2)
    assert len(result.pairs) == 12
    assert calls == []


def test_first_solve_of_a_process_prints_nothing() -> None:
    """HiGHS's banner (printed by the first solver object of a process) never reaches stdout."""
    code = (
        "from selector.assignment import Candidate, assign_reviewers\n"
        "apps = [Candidate(f'A{i}', 'P1') for i in range(4)]\n"
        "revs = [Candidate(f'r{j}@example.org', 'P2') for j in range(2)]\n"
        "assert len(assign_reviewers(apps, revs, 1).pairs) == 4\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[1],
        check=True,
        capture_output=True,
        text=True,
    )
    assert out.stdout == ""
