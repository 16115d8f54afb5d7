"""Who may be selected at all, and in plain words why not.

Eligibility depends on the application (PGY level and the program director's approval) and,
with ``exclude_current_trainees``, on the track's current trainees (their e-mails, given by the
caller); the quality floor (``min_score``) needs the aggregate score and is applied by
:mod:`selector.selection`.
"""

from __future__ import annotations

from collections.abc import Collection

from selector.config import TrackConfig
from selector.emails import normalize_email
from selector.models import Applicant

#: The reason of an applicant kept out as a current trainee (``exclude_current_trainees``).
CURRENT_TRAINEE = "already a trainee of the track (in its current cohort)"


def is_current_trainee(
    applicant: Applicant, config: TrackConfig, trainees: Collection[str]
) -> bool:
    """Whether the config keeps current trainees out and ``applicant`` is one: its e-mail,
    compared case-insensitively, is among ``trainees`` (normalised e-mails)."""
    return config.eligibility.exclude_current_trainees and (
        normalize_email(applicant.email) in trainees
    )


def ineligibility_reason(
    applicant: Applicant, config: TrackConfig, trainees: Collection[str] = ()
) -> str | None:
    """The reason an applicant cannot be selected, or None when it is eligible.

    A current trainee (``exclude_current_trainees``, e-mail among ``trainees``) is not; a PGY1
    with ``pgy1_by_approval`` is eligible exactly when ``pgy1_approved`` is true; anyone else
    must be at least ``min_pgy``.
    """
    if is_current_trainee(applicant, config, trainees):
        return CURRENT_TRAINEE
    rules = config.eligibility
    if applicant.pgy == 1 and rules.pgy1_by_approval:
        return None if applicant.pgy1_approved else "PGY1 without program director approval"
    if applicant.pgy < rules.min_pgy:
        return f"PGY{applicant.pgy}, below the minimum of PGY{rules.min_pgy}"
    return None


def ineligibility_rule(
    applicant: Applicant, config: TrackConfig, trainees: Collection[str] = ()
) -> str | None:
    """The id of the eligibility rule that makes an applicant ineligible
    (``current_trainee``, ``pgy1_approval`` or ``min_pgy``, see
    :meth:`TrackConfig.rule_labels`), or None when it is eligible."""
    if is_current_trainee(applicant, config, trainees):
        return "current_trainee"
    rules = config.eligibility
    if applicant.pgy == 1 and rules.pgy1_by_approval:
        return None if applicant.pgy1_approved else "pgy1_approval"
    return "min_pgy" if applicant.pgy < rules.min_pgy else None
