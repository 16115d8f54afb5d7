"""Who may be selected at all, and in plain words why not.

Eligibility depends on the application alone (PGY level and the program director's approval);
the quality floor (``min_score``) needs the aggregate score and is applied by
:mod:`selector.selection`.
"""

from __future__ import annotations

from selector.config import TrackConfig
from selector.models import Applicant


def ineligibility_reason(applicant: Applicant, config: TrackConfig) -> str | None:
    """The reason an applicant cannot be selected, or None when it is eligible.

    A PGY1 with ``pgy1_by_approval`` is eligible exactly when ``pgy1_approved`` is true;
    anyone else must be at least ``min_pgy``.
    """
    rules = config.eligibility
    if applicant.pgy == 1 and rules.pgy1_by_approval:
        return None if applicant.pgy1_approved else "PGY1 without program director approval"
    if applicant.pgy < rules.min_pgy:
        return f"PGY{applicant.pgy}, below the minimum of PGY{rules.min_pgy}"
    return None


def ineligibility_rule(applicant: Applicant, config: TrackConfig) -> str | None:
    """The id of the eligibility rule that makes an applicant ineligible (``pgy1_approval``
    or ``min_pgy``, see :meth:`TrackConfig.rule_labels`), or None when it is eligible."""
    rules = config.eligibility
    if applicant.pgy == 1 and rules.pgy1_by_approval:
        return None if applicant.pgy1_approved else "pgy1_approval"
    return "min_pgy" if applicant.pgy < rules.min_pgy else None
