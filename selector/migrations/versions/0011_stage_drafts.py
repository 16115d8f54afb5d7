"""Drafts per stage: a reviewer's part-scored interview is kept in the database too.

Before, a draft was of the first stage only (one per applicant and reviewer), so a
part-scored interview form lived in the browser session alone. ``review_drafts`` gains
``stage`` ("" for the first stage: every row before this revision) and the unique key
becomes (applicant, reviewer, stage), as for reviews and assignments in 0010.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

#: SQLite's unique constraint of 0005 has no name: batch mode names it by this.
_NAMES = {"uq": "uq_%(table_name)s_%(column_0_name)s"}
_TABLE = "review_drafts"
_OLD = ["applicant_pk", "reviewer_id"]
_NEW = ["applicant_pk", "reviewer_id", "stage"]


def upgrade() -> None:
    stage = sa.Column("stage", sa.String(50), nullable=False, server_default="")
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table(_TABLE, recreate="always", naming_convention=_NAMES) as batch:
            batch.add_column(stage)
            batch.drop_constraint(f"uq_{_TABLE}_applicant_pk", type_="unique")
            batch.create_unique_constraint(f"uq_{_TABLE}_applicant_pk", _NEW)
        return
    op.add_column(_TABLE, stage)
    op.drop_constraint(f"{_TABLE}_{'_'.join(_OLD)}_key", _TABLE, type_="unique")
    op.create_unique_constraint(f"{_TABLE}_{'_'.join(_NEW)}_key", _TABLE, _NEW)


def downgrade() -> None:
    op.execute(sa.text(f"DELETE FROM {_TABLE} WHERE stage <> ''"))  # a later stage's drafts
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table(_TABLE, recreate="always", naming_convention=_NAMES) as batch:
            batch.drop_constraint(f"uq_{_TABLE}_applicant_pk", type_="unique")
            batch.drop_column("stage")
            batch.create_unique_constraint(f"uq_{_TABLE}_applicant_pk", _OLD)
        return
    op.drop_constraint(f"{_TABLE}_{'_'.join(_NEW)}_key", _TABLE, type_="unique")
    op.drop_column(_TABLE, "stage")
    op.create_unique_constraint(f"{_TABLE}_{'_'.join(_OLD)}_key", _TABLE, _OLD)
