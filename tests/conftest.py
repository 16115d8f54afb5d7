"""Fixtures shared by the database tests: each runs on SQLite, and on PostgreSQL too when
``SELECTOR_TEST_PG_URL`` names a database the tests may wipe (see docs/store.md), e.g.
postgresql+psycopg://selector:selector@localhost/selector_test."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

PG_URL = os.environ.get("SELECTOR_TEST_PG_URL")


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param(
            "postgresql",
            marks=pytest.mark.skipif(not PG_URL, reason="SELECTOR_TEST_PG_URL is not set"),
        ),
    ]
)
def backend(request: pytest.FixtureRequest) -> str:
    """The database backend a test runs on: "sqlite" or "postgresql"."""
    name: str = request.param
    return name


@pytest.fixture
def empty_url(backend: str, tmp_path: Path) -> str:
    """An empty database of ``backend``: a new SQLite file, or the PostgreSQL test database
    with every table dropped."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.db'}"
    assert PG_URL is not None
    engine = create_engine(PG_URL)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return PG_URL
