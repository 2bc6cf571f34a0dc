"""Shared fixtures. Every storage test runs on both backends: SQLite (a file
per test) and PostgreSQL (a database per test run, a schema per test).

PostgreSQL is required: if it cannot be reached the tests fail, they never
skip. `LEDGER_TEST_PG` overrides the server URL (default the local one).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import structlog

from app.bootstrap import Ledger, build
from app.settings import Settings
from tests.support import FakeClock

PG_SERVER = os.environ.get("LEDGER_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
BACKENDS = ["sqlite", "postgres"]


@pytest.fixture(autouse=True)
def _reset_structlog() -> Iterator[None]:
    yield
    structlog.reset_defaults()


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A database of its own for this test run, dropped at the end."""
    name = f"ledger_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    try:
        admin = psycopg.connect(PG_SERVER, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as e:
        pytest.fail(f"PostgreSQL is required for the test suite and is not reachable at {PG_SERVER}: {e}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = PG_SERVER.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    with psycopg.connect(PG_SERVER, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def database_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path}/ledger.db"
    db = request.getfixturevalue("pg_database")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(db, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    return f"{db}?schema={schema}"


# The archive schemas (data, never copied into the repository): LEDGER_SCHEMA_DIR, else ../shared/schemas.
SCHEMA_DIR = Path(
    os.environ.get("LEDGER_SCHEMA_DIR") or Path(__file__).resolve().parent.parent.parent / "shared/schemas"
)


def settings_for(url: str, secrets_dir: Path, **extra: str) -> Settings:
    secrets_dir.mkdir(parents=True, exist_ok=True)
    env = {
        "LEDGER_DATABASE_URL": url,
        "LEDGER_MASTER_KEY": "11" * 32,
        "LEDGER_SIGNING_KEY": "22" * 32,
        "LEDGER_JWT_SECRET": "test-secret-" + "x" * 40,
        "LEDGER_SCHEMA_DIR": str(SCHEMA_DIR),
        **extra,
    }
    return Settings.from_env(env)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def db_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    return database_url(backend, tmp_path, request)


@pytest.fixture
def ledger(db_url: str, tmp_path: Path, clock: FakeClock) -> Iterator[Ledger]:
    built = build(settings_for(db_url, tmp_path / "secrets"), clock=clock)
    yield built
    built.close()
