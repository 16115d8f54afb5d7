"""Review drafts: a reviewer's part-scored review, kept in the database.

Before, a draft lived in the browser session only and was lost on log-out, the idle time-out
or a browser refresh. One row per (applicant, reviewer), removed when the review is saved.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "review_drafts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("applicant_pk", sa.Integer, sa.ForeignKey("applicants.id"), nullable=False),
        sa.Column("reviewer_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("scores", sa.JSON, nullable=False),
        sa.Column("comment", sa.Text, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("applicant_pk", "reviewer_id"),
    )
    op.create_index("ix_review_drafts_applicant_pk", "review_drafts", ["applicant_pk"])
    op.create_index("ix_review_drafts_reviewer_id", "review_drafts", ["reviewer_id"])


def downgrade() -> None:
    op.drop_index("ix_review_drafts_reviewer_id", "review_drafts")
    op.drop_index("ix_review_drafts_applicant_pk", "review_drafts")
    op.drop_table("review_drafts")
