"""The stores every storage test runs on: SQLite (a file per test) and PostgreSQL (a database
per test run, named by the process id so parallel runs and workers never share one, and a
schema per test), and the settings a ledger is built with over either.

PostgreSQL is required: if it cannot be reached the tests fail, they never skip.
`LEDGER_TEST_PG` overrides the server URL (default the local one).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest

from app.settings import Settings

# The municipalities the tests' deployment serves (LEDGER_MUNICIPALITIES): the demo data set's, and
# two more that cases move to (Oslo, Bergen); a token of any other is refused.
SERVED = "3447,4647,5032,3443,0301,4601"
PG_SERVER = os.environ.get("LEDGER_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
BACKENDS = ["sqlite", "postgres"]


@contextmanager
def run_database() -> Iterator[str]:
    """A PostgreSQL database of this process's own, dropped at the end; yields its URL."""
    name = f"ledger_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    try:
        admin = psycopg.connect(PG_SERVER, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as e:
        pytest.fail(f"PostgreSQL is required for the test suite and is not reachable at {PG_SERVER}: {e}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = PG_SERVER.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(PG_SERVER, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def database_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """A fresh, empty store on `backend`: a SQLite file, or a new schema in the run's database."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path}/ledger.db"
    db = request.getfixturevalue("pg_database")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(db, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    return f"{db}?schema={schema}"


# The archive schemas (data, never copied into the repository): LEDGER_SCHEMA_DIR, else ../shared/schemas.
SCHEMA_DIR = Path(os.environ.get("LEDGER_SCHEMA_DIR") or Path(__file__).resolve().parents[3] / "shared/schemas")


def settings_for(url: str, secrets_dir: Path, **extra: str) -> Settings:
    secrets_dir.mkdir(parents=True, exist_ok=True)
    env = {
        "LEDGER_DATABASE_URL": url,
        "LEDGER_MASTER_KEY": "11" * 32,
        "LEDGER_SIGNING_KEY": "22" * 32,
        "LEDGER_JWT_SECRET": "test-secret-" + "x" * 40,
        "LEDGER_SCHEMA_DIR": str(SCHEMA_DIR),
        "LEDGER_MUNICIPALITIES": SERVED,
        **extra,
    }
    return Settings.from_env(env)
