"""How fast the demo generator writes through the whole command path, on a
fresh SQLite file and on a fresh PostgreSQL database.

    python -m bench.demo_rate [--cases 200] [--seed 2026] [--store sqlite|postgres|both]

Fresh stores and random keys per run (see bench/__init__.py).
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass

from app.bootstrap import build
from app.logging import configure_logging
from bench import STORE_CHOICES, bench_settings, stores
from demo.dataset import DEFAULT_CASES, DEFAULT_SEED, run_demo


@dataclass(frozen=True)
class Rate:
    store: str
    cases: int
    events: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.events / self.seconds


def measure(store: str, url: str, cases: int, seed: int) -> Rate:
    settings = bench_settings(url)
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
    parser.add_argument("--store", choices=STORE_CHOICES, default="both")
    args = parser.parse_args(argv)
    configure_logging(level="warning")  # one line per command would measure the terminal
    rates = []
    for store, fresh in stores(args.store):
        with fresh() as url:
            rates.append(measure(store, url, args.cases, args.seed))
    print(f"{'store':<10}{'cases':>7}{'events':>9}{'seconds':>10}{'events/s':>10}")
    for r in rates:
        print(f"{r.store:<10}{r.cases:>7}{r.events:>9}{r.seconds:>10.1f}{r.per_second:>10.1f}")
    if len(rates) == 2:
        sqlite, postgres = rates
        print(f"PostgreSQL/SQLite: {postgres.per_second / sqlite.per_second:.2f}")


if __name__ == "__main__":
    main()
