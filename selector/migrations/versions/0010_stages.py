"""Stages (an interview round): reviews, assignments and runs gain a stage.

A review or an assignment belongs to one stage of its cycle: "" the first (the application,
the only stage of a cycle without stages), else the stage's name ("interview"), so one
reviewer may screen an applicant and interview it too: the unique pair becomes
(applicant, reviewer, stage). A run records the stage whose shortlist it decided ("" for a
cohort). Every existing row lands in the first (or only) stage, and every run is a cohort.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

#: SQLite's unique constraints of 0001 have no name: batch mode names them by this.
_NAMES = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def _stage() -> sa.Column[str]:
    return sa.Column("stage", sa.String(50), nullable=False, server_default="")


def _rekey(table: str, columns: list[str], old: list[str]) -> None:
    """Add ``stage`` to ``table`` and make ``columns`` its unique key instead of ``old``."""
    if op.get_bind().dialect.name == "sqlite":
        # The table is copied (SQLite cannot drop a constraint); nothing refers to it.
        with op.batch_alter_table(table, recreate="always", naming_convention=_NAMES) as batch:
            if "stage" in columns:
                batch.add_column(_stage())
            batch.drop_constraint(f"uq_{table}_{old[0]}", type_="unique")
            batch.create_unique_constraint(f"uq_{table}_{columns[0]}", columns)
        return
    if "stage" in columns:
        op.add_column(table, _stage())
    op.drop_constraint(f"{table}_{'_'.join(old)}_key", table, type_="unique")
    op.create_unique_constraint(f"{table}_{'_'.join(columns)}_key", table, columns)


def upgrade() -> None:
    for table in ("reviews", "assignments"):
        _rekey(table, ["applicant_pk", "reviewer_id", "stage"], ["applicant_pk", "reviewer_id"])
    op.add_column("runs", _stage())


def downgrade() -> None:
    op.drop_column("runs", "stage")
    for table in ("assignments", "reviews"):
        op.execute(sa.text(f"DELETE FROM {table} WHERE stage <> ''"))  # a later stage's rows
        if op.get_bind().dialect.name == "sqlite":
            with op.batch_alter_table(table, recreate="always", naming_convention=_NAMES) as b:
                b.drop_constraint(f"uq_{table}_applicant_pk", type_="unique")
                b.drop_column("stage")
                b.create_unique_constraint(
                    f"uq_{table}_applicant_pk", ["applicant_pk", "reviewer_id"]
                )
        else:
            op.drop_constraint(f"{table}_applicant_pk_reviewer_id_stage_key", table, "unique")
            op.drop_column(table, "stage")
            op.create_unique_constraint(
                f"{table}_applicant_pk_reviewer_id_key", table, ["applicant_pk", "reviewer_id"]
            )
