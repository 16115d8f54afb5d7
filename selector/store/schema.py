"""The store's tables (SQLAlchemy ORM rows). A change here needs a new Alembic revision in
``selector/migrations/versions`` (``test_models_match_the_migrated_schema`` fails until then).

Rows never leave the store: methods hand out plain records (:class:`~selector.models.Applicant`,
:class:`~selector.store.Cycle`, ...) built from them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> dt.datetime:
    """The current time, timezone-aware (UTC): every timestamp the store writes."""
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    """Declarative base of the store's tables."""


class UserRow(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(20))
    program: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(200), default="")  # "" → cannot log in
    # Disabled by a coordinator (or the demo's end): no login of any kind, never assigned.
    # An account merely without a password (single sign-on, not yet set) is not disabled.
    login_disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class TrackRow(Base):
    """A track: the cycles of one program, year after year (revision 0008)."""

    __tablename__ = "tracks"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CycleRow(Base):
    __tablename__ = "cycles"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    # The track the cycle belongs to (revision 0008); the store always sets it.
    track_id: Mapped[int | None] = mapped_column(ForeignKey("tracks.id"), nullable=True, index=True)
    track: Mapped[TrackRow | None] = relationship(lazy="joined")
    config_text: Mapped[str] = mapped_column(Text)
    blind: Mapped[bool] = mapped_column(Boolean, default=False)
    avoid_own_program: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ApplicantRow(Base):
    __tablename__ = "applicants"
    __table_args__ = (UniqueConstraint("cycle_id", "applicant_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"), index=True)
    applicant_id: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(300))
    email: Mapped[str] = mapped_column(String(320))
    pgy: Mapped[int] = mapped_column(Integer)
    specialty: Mapped[str] = mapped_column(String(200))
    program: Mapped[str] = mapped_column(String(200), default="")
    pgy1_approved: Mapped[bool] = mapped_column(Boolean, default=False)
    answers: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    source_row: Mapped[int | None] = mapped_column(Integer, nullable=True)
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AssignmentRow(Base):
    __tablename__ = "assignments"
    __table_args__ = (UniqueConstraint("applicant_pk", "reviewer_id", "stage"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    applicant_pk: Mapped[int] = mapped_column(ForeignKey("applicants.id"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # "auto", "manual" or "excluded"
    # The stage (revision 0010): "" the first (or only), else its name (TrackConfig.stage_key).
    stage: Mapped[str] = mapped_column(String(50), default="", server_default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ReviewRow(Base):
    """A review, or a declared conflict of interest (kept in the first stage's row: it
    holds for every stage)."""

    __tablename__ = "reviews"
    __table_args__ = (UniqueConstraint("applicant_pk", "reviewer_id", "stage"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    applicant_pk: Mapped[int] = mapped_column(ForeignKey("applicants.id"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    scores: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    comment: Mapped[str] = mapped_column(Text, default="")
    conflict: Mapped[bool] = mapped_column(Boolean, default=False)
    conflict_reason: Mapped[str] = mapped_column(Text, default="")  # revision 0002
    # The stage (revision 0010): "" the first (or only), else its name (TrackConfig.stage_key).
    stage: Mapped[str] = mapped_column(String(50), default="", server_default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class DraftRow(Base):
    """A reviewer's part-scored review of one stage, kept until the review is saved
    (revisions 0005, 0011).

    Not a review: nothing that reads reviews (calibration, selection, progress) reads it."""

    __tablename__ = "review_drafts"
    __table_args__ = (UniqueConstraint("applicant_pk", "reviewer_id", "stage"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    applicant_pk: Mapped[int] = mapped_column(ForeignKey("applicants.id"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # The stage's stored key: "" the first (revision 0011; every older draft).
    stage: Mapped[str] = mapped_column(String(50), default="", server_default="")
    scores: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    comment: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class RunRow(Base):
    __tablename__ = "runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"), index=True)
    actor: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    config_text: Mapped[str] = mapped_column(Text)
    input_hash: Mapped[str] = mapped_column(String(64))
    decision: Mapped[dict[str, Any]] = mapped_column(JSON)
    final: Mapped[bool] = mapped_column(Boolean, default=False)  # revision 0002
    # The stage whose shortlist the run decided (revision 0010); "" for a cohort.
    stage: Mapped[str] = mapped_column(String(50), default="", server_default="")


class OfferRow(Base):
    """An offer of a seat to one applicant of a cycle, and its answer (revision 0006).

    Made from a final run (``run_id``), or from the run that recorded a fill of declined
    seats; ``replaces`` is the applicant whose seat it fills. One offer per applicant and cycle.
    """

    __tablename__ = "offers"
    __table_args__ = (UniqueConstraint("cycle_id", "applicant_pk"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"), index=True)
    applicant_pk: Mapped[int] = mapped_column(ForeignKey("applicants.id"), index=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"))
    status: Mapped[str] = mapped_column(String(20))  # offered, accepted, declined, withdrawn
    no_answer: Mapped[bool] = mapped_column(Boolean, default=False)  # declined by the deadline
    replaces: Mapped[str | None] = mapped_column(String(100), nullable=True)
    deadline: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    actor: Mapped[str] = mapped_column(String(320))
    offered_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    answered_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class SecretRow(Base):
    """Secrets made once per database (revision 0003): the key of blind review's pseudonyms."""

    __tablename__ = "store_secrets"
    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[bytes] = mapped_column(LargeBinary)


class AuditRow(Base):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor: Mapped[str] = mapped_column(String(320))
    cycle_id: Mapped[int | None] = mapped_column(ForeignKey("cycles.id"), nullable=True, index=True)
    action: Mapped[str] = mapped_column(String(50))
    target: Mapped[str] = mapped_column(String(400), default="")
    old: Mapped[Any] = mapped_column(JSON, nullable=True)
    new: Mapped[Any] = mapped_column(JSON, nullable=True)


class AttachmentRow(Base):
    """One file an applicant attached (a CV, a statement, a letter), kept in the database with
    its cycle (revision 0009). A re-import that brings a different file for the same slot
    sets ``replaced_at`` on the old row and adds a new one: the history stays."""

    __tablename__ = "attachments"
    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"), index=True)
    applicant_pk: Mapped[int] = mapped_column(ForeignKey("applicants.id"), index=True)
    slot: Mapped[str] = mapped_column(String(300))  # the form's question (folder) or file label
    filename: Mapped[str] = mapped_column(String(300))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    replaced_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class LetterTemplateRow(Base):
    """A cycle's letter template as the coordinator edited it, one per outcome, and its
    signature (outcome "signature") (revision 0007). Missing: the shipped default."""

    __tablename__ = "letter_templates"
    __table_args__ = (UniqueConstraint("cycle_id", "outcome"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    updated_by: Mapped[str] = mapped_column(String(320))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class LetterSentRow(Base):
    """One letter per recipient and outcome (revision 0007): claimed ("sending") before it goes
    to the mail server, "sent" once the server took it; a refused one is deleted again. The
    unique key makes each letter go out at most once, also from two sessions at a time."""

    __tablename__ = "letters_sent"
    __table_args__ = (UniqueConstraint("cycle_id", "applicant_id", "outcome"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"), index=True)
    applicant_id: Mapped[str] = mapped_column(String(100))
    outcome: Mapped[str] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(320))
    status: Mapped[str] = mapped_column(String(10))  # "sending" or "sent"
    message_id: Mapped[str] = mapped_column(String(300), default="")
    actor: Mapped[str] = mapped_column(String(320))
    sent_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
