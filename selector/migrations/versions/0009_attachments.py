"""Attachments: the files applicants attach (CV, statement, letter), stored with the cycle.

One row per file and version: a re-import that brings a different file for the same
(applicant, slot) marks the old row replaced and adds one, so the history stays. The bytes live
in the database (LargeBinary), so an import is one transaction and `selector backup` keeps them.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "attachments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("cycle_id", sa.Integer, sa.ForeignKey("cycles.id"), nullable=False),
        sa.Column("applicant_pk", sa.Integer, sa.ForeignKey("applicants.id"), nullable=False),
        sa.Column("slot", sa.String(300), nullable=False),
        sa.Column("filename", sa.String(300), nullable=False),
        sa.Column("media_type", sa.String(100), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("replaced_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_attachments_cycle_id", "attachments", ["cycle_id"])
    op.create_index("ix_attachments_applicant_pk", "attachments", ["applicant_pk"])


def downgrade() -> None:
    op.drop_index("ix_attachments_applicant_pk", "attachments")
    op.drop_index("ix_attachments_cycle_id", "attachments")
    op.drop_table("attachments")
