"""Tracks: the cycles of one program, year after year.

A ``tracks`` table, and each cycle's track. Existing cycles all go to one track, named from
the ``[track] name`` of the newest cycle's config (else "Track").

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29
"""

from __future__ import annotations

import datetime as dt
import tomllib

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

#: The track's name when no config names one.
FALLBACK_NAME = "Track"


def _track_name(config_text: str | None) -> str:
    """The ``[track] name`` of a config TOML, or :data:`FALLBACK_NAME`."""
    try:
        data = tomllib.loads(config_text or "")
    except tomllib.TOMLDecodeError:
        return FALLBACK_NAME
    track = data.get("track")
    name = track.get("name") if isinstance(track, dict) else None
    return name.strip()[:200] if isinstance(name, str) and name.strip() else FALLBACK_NAME


def upgrade() -> None:
    op.create_table(
        "tracks",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        # A plain ADD COLUMN with its reference (SQLite has it; Alembic cannot add the
        # constraint alone): a batch copy of `cycles` would trip the foreign keys of
        # applicants, runs and the audit log.
        op.execute("ALTER TABLE cycles ADD COLUMN track_id INTEGER REFERENCES tracks (id)")
    else:
        op.add_column("cycles", sa.Column("track_id", sa.Integer, nullable=True))
        op.create_foreign_key("fk_cycles_track_id", "cycles", "tracks", ["track_id"], ["id"])
    op.create_index("ix_cycles_track_id", "cycles", ["track_id"])
    newest = conn.execute(
        sa.text("SELECT config_text FROM cycles ORDER BY created_at DESC, id DESC LIMIT 1")
    ).first()
    if newest is None:
        return
    conn.execute(
        sa.text("INSERT INTO tracks (name, created_at) VALUES (:name, :at)"),
        {"name": _track_name(newest[0]), "at": dt.datetime.now(dt.UTC)},
    )
    track_id = conn.execute(sa.text("SELECT id FROM tracks")).scalar_one()
    conn.execute(sa.text("UPDATE cycles SET track_id = :t"), {"t": track_id})


def downgrade() -> None:
    op.drop_index("ix_cycles_track_id", "cycles")
    op.drop_column("cycles", "track_id")
    op.drop_table("tracks")
