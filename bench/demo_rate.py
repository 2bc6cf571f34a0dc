"""How fast the demo generator writes through the whole command path, on a
fresh SQLite file and on a fresh PostgreSQL database.

    python -m bench.demo_rate [--cases 200] [--seed 2026]

The PostgreSQL database `ledger_bench_<random>` is created on the server of
LEDGER_BENCH_PG (default postgresql://postgres@127.0.0.1:5432/postgres) and
dropped afterwards. Keys are random per run; nothing is written to the
working directory.
"""

from __future__ import annotations

import argparse
import secrets
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from os import environ

import psycopg

from app.bootstrap import build
from app.demo import DEFAULT_CASES, DEFAULT_SEED, run_demo
from app.logging import configure_logging
from app.settings import Settings

PG_SERVER = environ.get("LEDGER_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


@dataclass(frozen=True)
class Rate:
    store: str
    cases: int
    events: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.events / self.seconds


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


def measure(store: str, url: str, cases: int, seed: int) -> Rate:
    settings = Settings.from_env({"LEDGER_DATABASE_URL": url, "LEDGER_MASTER_KEY": secrets.token_hex(32),
                                  "LEDGER_SIGNING_KEY": secrets.token_hex(32),
                                  "LEDGER_JWT_SECRET": secrets.token_urlsafe(48)})
    ledger = build(settings)
    try:
        report = run_demo(ledger, cases=cases, seed=seed)
        if not ledger.integrity.verify().ok:
            raise SystemExit(f"{store}: the demo ledger does not verify")
    finally:
        ledger.close()
    return Rate(store, len(report.cases), report.events, report.seconds)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.demo_rate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=DEFAULT_CASES)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    configure_logging(level="warning")  # one line per command would measure the terminal
    rates = []
    for store, fresh in (("sqlite", fresh_sqlite), ("postgres", fresh_postgres)):
        with fresh() as url:
            rates.append(measure(store, url, args.cases, args.seed))
    print(f"{'store':<10}{'cases':>7}{'events':>9}{'seconds':>10}{'events/s':>10}")
    for r in rates:
        print(f"{r.store:<10}{r.cases:>7}{r.events:>9}{r.seconds:>10.1f}{r.per_second:>10.1f}")
    sqlite, postgres = rates
    print(f"PostgreSQL/SQLite: {postgres.per_second / sqlite.per_second:.2f}")


if __name__ == "__main__":
    main()
