"""Fixtures shared by the database tests: each runs on SQLite, and on PostgreSQL too when
``SELECTOR_TEST_PG_URL`` names a database the tests may wipe (see docs/store.md), e.g.
postgresql+psycopg://selector:selector@localhost/selector_test. Under pytest-xdist each worker
gets a database of its own beside it (``selector_test_gw0``, …), made on first use."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

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


@pytest.fixture(scope="session")
def pg_url() -> str:
    """The PostgreSQL test database of this process: ``SELECTOR_TEST_PG_URL`` itself, or under
    pytest-xdist a sibling database named after the worker (two workers wiping one database
    would wipe each other's tables mid-test)."""
    assert PG_URL is not None
    worker_id = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker_id:
        return PG_URL
    url = make_url(PG_URL)
    name = f"{url.database}_{worker_id}"
    engine = create_engine(PG_URL, isolation_level="AUTOCOMMIT")  # CREATE DATABASE needs it
    with engine.connect() as conn:
        found = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if found.first() is None:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture
def empty_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """An empty database of ``backend``: a new SQLite file, or the PostgreSQL test database
    with every table dropped."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.db'}"
    url: str = request.getfixturevalue("pg_url")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url


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


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashes() -> Iterator[None]:
    """argon2id with its lightest parameters in this process: the suite hashes and checks
    hundreds of passwords (every account made, every login), each 64 MiB and 0.2-0.7 s of CPU
    with the real ones. What a hash is and how it verifies do not change; a hash made here
    still verifies in a dashboard or CLI process, which keeps the real parameters (and upgrades
    the hash on login, as it does for any hash with older parameters)."""
    from argon2 import PasswordHasher

    from selector import auth

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
        yield


@pytest.fixture(autouse=True)
def _fresh_login_throttle() -> Iterator[None]:
    """Failed logins of one test never lock out an account in the next (one process)."""
    from selector.throttle import LOGINS

    LOGINS.reset()
    yield
    LOGINS.reset()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The long files first: the browser tests, then those marked slow, then the rest, each
    file's tests kept together and in order. Under pytest-xdist (``--dist loadfile``, files in
    this order) no worker is then left running one long file while the other sits idle."""

    def rank(item: pytest.Item) -> int:
        if item.get_closest_marker("browser"):
            return 0
        return 1 if item.get_closest_marker("slow") else 2

    first: dict[str, int] = {}
    for item in items:
        path = str(item.path)
        first[path] = min(first.get(path, 2), rank(item))
    items.sort(key=lambda item: first[str(item.path)])
