"""Fixtures shared by the database tests: each runs on SQLite, and on PostgreSQL too when
``SELECTOR_TEST_PG_URL`` names a database the tests may wipe (see docs/store.md), e.g.
postgresql+psycopg://selector:selector@localhost/selector_test."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from selector.auth import User
from selector.store import Store

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


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file with cycle 2026 and four accounts (hashing passwords is slow)."""
    from tests.test_store import fill  # the store tests' data, shared with the regression tests

    path = tmp_path_factory.mktemp("template") / "selector.db"
    fill(Store(f"sqlite:///{path}")).close()
    return path


@pytest.fixture
def store(backend: str, empty_url: str, template: Path, tmp_path: Path) -> Iterator[Store]:
    from tests.test_store import fill

    if backend == "postgresql":
        s = fill(Store(empty_url))
    else:
        shutil.copy(template, tmp_path / "selector.db")
        s = Store(f"sqlite:///{tmp_path / 'selector.db'}")
    yield s
    s.close()


@pytest.fixture
def people(store: Store) -> dict[str, User]:
    from tests.test_store import PEOPLE

    found = {key: store.user(spec[0]) for key, spec in PEOPLE.items()}
    return {key: user for key, user in found.items() if user is not None}


@pytest.fixture(autouse=True)
def _fresh_login_throttle() -> Iterator[None]:
    """Failed logins of one test never lock out an account in the next (one process)."""
    from selector.throttle import LOGINS

    LOGINS.reset()
    yield
    LOGINS.reset()
