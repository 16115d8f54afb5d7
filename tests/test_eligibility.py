"""Eligibility: PGY level and the program director's approval for PGY1s."""

from __future__ import annotations

import pytest

from selector.eligibility import ineligibility_reason
from tests.factories import make_applicants, make_config


@pytest.mark.parametrize(
    ("pgy", "approved", "eligibility", "reason"),
    [
        (2, False, {"min_pgy": 2}, None),
        (1, True, {"min_pgy": 2}, None),
        (1, False, {"min_pgy": 2}, "PGY1 without program director approval"),
        (1, True, {"min_pgy": 2, "pgy1_by_approval": False}, "PGY1, below the minimum of PGY2"),
        (2, False, {"min_pgy": 3}, "PGY2, below the minimum of PGY3"),
        (1, False, {"min_pgy": 1, "pgy1_by_approval": False}, None),
    ],
)
def test_reasons(pgy: int, approved: bool, eligibility: dict, reason: str | None) -> None:
    (a,) = make_applicants(1, pgy=pgy, pgy1_approved=approved)
    config = make_config(eligibility=eligibility)
    assert ineligibility_reason(a, config) == reason
