"""Offers: one seat offered to an applicant of a cycle, its deadline and its answer.

Made from the cycle's final run (or from the run that recorded a fill of declined seats);
answers (accepted, declined, no answer by the deadline, withdrawn) are audited in the audit log.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "offers",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("cycle_id", sa.Integer, sa.ForeignKey("cycles.id"), nullable=False),
        sa.Column("applicant_pk", sa.Integer, sa.ForeignKey("applicants.id"), nullable=False),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("no_answer", sa.Boolean, nullable=False),
        sa.Column("replaces", sa.String(100), nullable=True),
        sa.Column("deadline", sa.Date, nullable=True),
        sa.Column("actor", sa.String(320), nullable=False),
        sa.Column("offered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("cycle_id", "applicant_pk"),
    )
    op.create_index("ix_offers_cycle_id", "offers", ["cycle_id"])
    op.create_index("ix_offers_applicant_pk", "offers", ["applicant_pk"])


def downgrade() -> None:
    op.drop_index("ix_offers_applicant_pk", "offers")
    op.drop_index("ix_offers_cycle_id", "offers")
    op.drop_table("offers")
