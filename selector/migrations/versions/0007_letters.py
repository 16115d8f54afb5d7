"""Letters: each cycle's letter templates as edited, and a record of each letter sent.

``letter_templates`` holds a cycle's edited template per outcome (invitation, waitlist,
not_selected, pd_note) and its signature; an outcome without a row uses the template shipped
in ``selector/letters/templates``. ``letters_sent`` holds one row per (cycle, applicant,
outcome): claimed before the letter goes to the mail server, so each is sent at most once.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "letter_templates",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("cycle_id", sa.Integer, sa.ForeignKey("cycles.id"), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("updated_by", sa.String(320), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("cycle_id", "outcome"),
    )
    op.create_index("ix_letter_templates_cycle_id", "letter_templates", ["cycle_id"])
    op.create_table(
        "letters_sent",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("cycle_id", sa.Integer, sa.ForeignKey("cycles.id"), nullable=False),
        sa.Column("applicant_id", sa.String(100), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("address", sa.String(320), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("message_id", sa.String(300), nullable=False),
        sa.Column("actor", sa.String(320), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("cycle_id", "applicant_id", "outcome"),
    )
    op.create_index("ix_letters_sent_cycle_id", "letters_sent", ["cycle_id"])


def downgrade() -> None:
    op.drop_index("ix_letters_sent_cycle_id", "letters_sent")
    op.drop_table("letters_sent")
    op.drop_index("ix_letter_templates_cycle_id", "letter_templates")
    op.drop_table("letter_templates")
