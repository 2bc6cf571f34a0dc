"""The shared fixtures, registered once here; helpers live in `tests/support/`.

Every storage test runs on both stores: `ledger` (and `api`, built on it) is
parametrised over SQLite and PostgreSQL (see tests/support/stores.py).
`memory` stands in for the application without a store, for the pure rules.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import structlog
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings

from app.bootstrap import Ledger, build
from app.server import create_app
from tests.support.clock import FakeClock
from tests.support.http import Api
from tests.support.memory import MemoryApp
from tests.support.stores import BACKENDS, database_url, run_database, settings_for

# Property tests judge what comes out, never how fast: speed is measured in bench/. On a busy
# machine drawing a case's events can take over a second, which is no failure of the code.
settings.register_profile("ledger", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ledger")

# The browser fixtures (one Playwright and one Chromium for the run, a fresh page per test).
pytest_plugins = ["tests.support.browser"]


@pytest.fixture(autouse=True)
def _reset_structlog() -> Iterator[None]:
    yield
    structlog.reset_defaults()


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A database of its own for this test run (this worker's, under xdist), dropped at the end."""
    with run_database() as url:
        yield url


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


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


@pytest.fixture
def api(ledger: Ledger) -> Iterator[Api]:
    """A test client with the ledger behind it (so on both stores) and tokens signed by its secret."""
    # Projections are caught up by the reads that need them; no background thread in tests.
    with TestClient(create_app(ledger, run_projections=False)) as client:
        yield Api(client, ledger)


@pytest.fixture
def memory(clock: FakeClock) -> MemoryApp:
    """The application's command surface over cases held in memory: no store, no keys, no log."""
    return MemoryApp(clock)
