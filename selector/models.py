"""Domain types and the glossary.

Glossary (the same words in code, UI and docs):

applicant
    A resident who applied; identified by ``applicant_id`` (from the form's ID column, else
    derived from the e-mail).
application
    What the applicant submitted: the canonical fields plus every other answer.
cycle
    One admission year. Two cohorts overlap in a two-year track.
rubric / criterion
    The scoring sheet: criteria, each with a weight, a scale and anchor texts.
reviewer / review
    A committee member; one reviewer's scores for one applicant.
aggregate score
    The applicant's score over its complete reviews (see :mod:`selector.scoring`).
eligibility / rule
    Who may be selected, and the cohort rules (size, diversity, locks, quality floor).
cohort
    The applicants selected.
replacement
    Who takes a selected member's seat if they decline, everyone else kept.
margin
    How far an applicant's score can move before its decision flips.
diagnosis
    Why no cohort fits the rules, and the smallest relaxation that would.
roster
    The downloadable result (xlsx, csv).
stage
    One round of a staged cycle (screening, interview), with its own rubric: the first
    picks a shortlist, the last decides the cohort among the shortlisted on the combined
    score (see :mod:`selector.stages`).
track
    The cycles of one program, year after year.
second-year trainees
    Last cycle's accepted members, listed beside the new cohort (:class:`SecondYears`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from selector.blind import Identity, asks_identity

#: The canonical application fields, in display order.
CANONICAL_FIELDS: tuple[str, ...] = (
    "applicant_id",
    "name",
    "email",
    "pgy",
    "specialty",
    "program",
    "pgy1_approved",
)

#: Columns that form tools add about the submission, not the applicant (Qualtrics, REDCap,
#: Microsoft Forms, Google Forms, SurveyMonkey). Kept with the application, not shown to
#: reviewers: they are noise to a reviewer, and IP addresses and locations are personal data.
FORM_METADATA: frozenset[str] = frozenset(
    {
        "start time", "completion time", "last modified time", "startdate", "start date",
        "enddate", "end date", "status", "ipaddress", "ip address", "progress",
        "duration (in seconds)", "duration", "finished", "recordeddate", "recorded date",
        "responseid", "response id", "recipientlastname", "recipientfirstname",
        "recipientemail", "externalreference", "external data reference",
        "locationlatitude", "locationlongitude", "distributionchannel", "userlanguage",
        "respondent id", "collector id", "custom data 1", "timestamp", "id", "record id",
        "complete?", "survey timestamp", "survey identifier", "q_recaptchascore",
        "q_relevantidduplicate", "q_relevantidduplicatescore", "q_relevantidfraudscore",
        "q_relevantidlaststartdate",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Applicant:
    """A validated application: canonical fields plus the other answers, kept verbatim."""

    applicant_id: str
    name: str
    email: str
    pgy: int
    specialty: str
    program: str = ""
    pgy1_approved: bool = False
    answers: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)
    row: int | None = field(default=None, compare=False)  # sheet row it came from

    def value(self, name: str) -> Any:
        """A field by name: a canonical attribute, else an answer (for diversity rules)."""
        if name in CANONICAL_FIELDS:
            return getattr(self, name)
        return self.answers.get(name)

    def reviewer_answers(self, *, blind: bool = False) -> dict[str, str]:
        """The answers a reviewer reads: without form metadata, and in blind review without
        identity questions or answers that may identify the applicant (see :mod:`.blind`)."""
        identity = Identity.of(self.name, self.email, self.program) if blind else None
        shown: dict[str, str] = {}
        for question, answer in self.answers.items():
            if " ".join(question.split()).lower() in FORM_METADATA:
                continue
            if answer.strip().lower() == "anonymous":  # the form tool's own identity columns
                continue
            if identity is not None:
                if asks_identity(question):
                    continue
                seen = identity.view(answer)
                if seen is None:
                    continue
                answer = seen
            shown[question] = answer
        return shown

    def canonical(self) -> dict[str, Any]:
        """The canonical fields as a plain dict (JSON-ready)."""
        return {name: getattr(self, name) for name in CANONICAL_FIELDS}


@dataclass(frozen=True)
class Review:
    """One reviewer's scores for one applicant, by criterion id."""

    applicant_id: str
    reviewer: str
    scores: Mapping[str, float]
    comment: str = ""
    conflict: bool = False  # a declared conflict of interest: the review does not count
    # The stage it scores: "" for the first (the application; the only one of a cycle
    # without stages), else the stage's name ("interview"); see TrackConfig.stage_key.
    stage: str = ""


@dataclass(frozen=True)
class SecondYears:
    """A cycle's second-year trainees: the cycle whose cohort they were (None for a track's
    first cycle) and who they are, by applicant id of that cycle."""

    cycle: str | None
    members: tuple[Applicant, ...] = ()
