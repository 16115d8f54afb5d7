"""Reasons for declared conflicts of interest; final (chair-approved) selection runs.

Existing reviews get an empty reason and existing runs are marked not final.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reviews") as batch:
        batch.add_column(sa.Column("conflict_reason", sa.Text, nullable=False, server_default=""))
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("final", sa.Boolean, nullable=False, server_default=sa.false()))
    op.create_index("ix_audit_log_cycle_id", "audit_log", ["cycle_id"])


def downgrade() -> None:
    op.drop_index("ix_audit_log_cycle_id", "audit_log")
    with op.batch_alter_table("runs") as batch:
        batch.drop_column("final")
    with op.batch_alter_table("reviews") as batch:
        batch.drop_column("conflict_reason")
