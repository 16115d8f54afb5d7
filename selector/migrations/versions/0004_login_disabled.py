"""Disabled accounts: a flag, apart from "no password".

An account without a password may still log in by single sign-on and be assigned; a disabled
one (by a coordinator, or a demo login retired) may do neither. Existing accounts whose login
was disabled (the audit log says so) and that still have no password are marked disabled.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN (SQLite has it): a batch copy of `users` would trip the foreign keys
    # of assignments and reviews.
    op.add_column(
        "users", sa.Column("login_disabled", sa.Boolean, nullable=False, server_default=sa.false())
    )
    op.execute(
        sa.text(
            "UPDATE users SET login_disabled = :yes WHERE password_hash = '' AND email IN "
            "(SELECT target FROM audit_log WHERE action = 'user.disable_login')"
        ).bindparams(yes=True)
    )


def downgrade() -> None:
    op.drop_column("users", "login_disabled")  # SQLite 3.35+ drops a column in place
