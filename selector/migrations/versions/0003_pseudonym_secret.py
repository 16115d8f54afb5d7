"""A per-database secret for blind review's pseudonyms.

Blind reviewers see each applicant under a keyed hash (HMAC-SHA256) of cycle and applicant
id; the key is made here, once, so nobody without the database can recompute a pseudonym
from a list of e-mails.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        "store_secrets",
        sa.Column("name", sa.String(50), primary_key=True),
        sa.Column("value", sa.LargeBinary, nullable=False),
    )
    op.bulk_insert(table, [{"name": "pseudonym", "value": secrets.token_bytes(32)}])


def downgrade() -> None:
    op.drop_table("store_secrets")
