"""Benchmarks: `python -m bench.<name> --help` for each.

Each store a benchmark measures is fresh: a SQLite file in a temporary
folder, or a database `ledger_bench_<random>` created on the server of
LEDGER_BENCH_PG (default postgresql://postgres@127.0.0.1:5432/postgres) and
dropped afterwards. Keys are random per run; nothing is read from or written
to the working directory.
"""

from __future__ import annotations

import secrets
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from os import environ

import psycopg

from app.settings import Settings

PG_SERVER = environ.get("LEDGER_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
STORE_CHOICES = ("sqlite", "postgres", "both")


def bench_settings(url: str) -> Settings:
    """Settings for a benchmark's store, with fresh random keys."""
    return Settings.from_env(
        {
            "LEDGER_DATABASE_URL": url,
            "LEDGER_MASTER_KEY": secrets.token_hex(32),
            "LEDGER_SIGNING_KEY": secrets.token_hex(32),
            "LEDGER_JWT_SECRET": secrets.token_urlsafe(48),
            # The archive schemas (the extract bench copies them into its package).
            **({"LEDGER_SCHEMA_DIR": environ["LEDGER_SCHEMA_DIR"]} if environ.get("LEDGER_SCHEMA_DIR") else {}),
        }
    )


@contextmanager
def fresh_sqlite() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="ledger-bench-") as folder:
        yield f"sqlite:///{folder}/ledger.db"


@contextmanager
def fresh_postgres() -> Iterator[str]:
    name = f"ledger_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_SERVER, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{PG_SERVER.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(PG_SERVER, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def stores(choice: str = "both") -> list[tuple[str, Callable[[], AbstractContextManager[str]]]]:
    """The stores `--store` chose, each with a context giving a fresh URL."""
    return [
        (store, fresh)
        for store, fresh in (("sqlite", fresh_sqlite), ("postgres", fresh_postgres))
        if choice in (store, "both")
    ]
