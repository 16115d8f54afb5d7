"""The first schema: users, cycles, applicants, assignments, reviews, runs, audit log.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _ts(name: str) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String(320), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("program", sa.String(200), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        _ts("created_at"),
    )
    op.create_table(
        "cycles",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("config_text", sa.Text, nullable=False),
        sa.Column("blind", sa.Boolean, nullable=False),
        sa.Column("avoid_own_program", sa.Boolean, nullable=False),
        _ts("created_at"),
    )
    op.create_table(
        "applicants",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("cycle_id", sa.Integer, sa.ForeignKey("cycles.id"), nullable=False, index=True),
        sa.Column("applicant_id", sa.String(100), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("pgy", sa.Integer, nullable=False),
        sa.Column("specialty", sa.String(200), nullable=False),
        sa.Column("program", sa.String(200), nullable=False),
        sa.Column("pgy1_approved", sa.Boolean, nullable=False),
        sa.Column("answers", sa.JSON, nullable=False),
        sa.Column("source_row", sa.Integer, nullable=True),
        sa.Column("withdrawn", sa.Boolean, nullable=False),
        _ts("created_at"),
        _ts("updated_at"),
        sa.UniqueConstraint("cycle_id", "applicant_id"),
    )
    op.create_table(
        "assignments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "applicant_pk", sa.Integer, sa.ForeignKey("applicants.id"), nullable=False, index=True
        ),
        sa.Column("reviewer_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True),
        sa.Column("kind", sa.String(10), nullable=False),
        _ts("created_at"),
        sa.UniqueConstraint("applicant_pk", "reviewer_id"),
    )
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "applicant_pk", sa.Integer, sa.ForeignKey("applicants.id"), nullable=False, index=True
        ),
        sa.Column("reviewer_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True),
        sa.Column("scores", sa.JSON, nullable=False),
        sa.Column("comment", sa.Text, nullable=False),
        sa.Column("conflict", sa.Boolean, nullable=False),
        _ts("created_at"),
        _ts("updated_at"),
        sa.UniqueConstraint("applicant_pk", "reviewer_id"),
    )
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("cycle_id", sa.Integer, sa.ForeignKey("cycles.id"), nullable=False, index=True),
        sa.Column("actor", sa.String(320), nullable=False),
        _ts("created_at"),
        sa.Column("config_text", sa.Text, nullable=False),
        sa.Column("input_hash", sa.String(64), nullable=False),
        sa.Column("decision", sa.JSON, nullable=False),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True),
        _ts("at"),
        sa.Column("actor", sa.String(320), nullable=False),
        sa.Column("cycle_id", sa.Integer, sa.ForeignKey("cycles.id"), nullable=True),
        sa.Column("action", sa.String(50), nullable=False),
        sa.Column("target", sa.String(400), nullable=False),
        sa.Column("old", sa.JSON, nullable=True),
        sa.Column("new", sa.JSON, nullable=True),
    )


def downgrade() -> None:
    for table in ("audit_log", "runs", "reviews", "assignments", "applicants", "cycles", "users"):
        op.drop_table(table)
