"""How long `ledger verify` takes over a ledger of EVENTS events in CASES cases, sealed once,
on SQLite and PostgreSQL, against a baseline in the same run: SHA-256 over the same stored
bytes read in one query (the floor under any verification of them).

    python -m bench.verify [--events 100000] [--cases 1000] [--runs 3] [--store both]

The events are written through the ledger's own recorder (so each is chained as usual), in
batches of one event per case; their state is 600 random bytes, about an encrypted event's size.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import os
import statistics
import time
from collections.abc import Callable
from uuid import uuid4

from eventsourcing.persistence import StoredEvent

from app.bootstrap import Ledger, build
from bench import STORE_CHOICES, bench_settings, stores


def write(ledger: Ledger, count: int, cases: int) -> None:
    """`count` events over `cases` cases, interleaved, written through the ledger's recorder (so each is
    chained as usual) in batches of one event per case; tests/test_integrity.py writes with it too."""
    ids = [uuid4() for _ in range(cases)]
    version = 0
    while count > 0:
        version += 1
        batch = [
            StoredEvent(
                originator_id=i, originator_version=version, topic="ledger.events:NoteRecorded", state=os.urandom(600)
            )
            for i in ids[:count]
        ]
        ledger.app.recorder.insert_events(batch)
        count -= len(batch)


def hash_everything(ledger: Ledger) -> int:
    """The baseline: read every stored event once and hash its bytes."""
    n, position = 0, 0  # notification ids start at 1
    recorder = ledger.app.recorder
    while True:
        batch = recorder.select_notifications(start=position, limit=5000, inclusive_of_start=False)
        if not batch:
            return n
        for item in batch:
            hashlib.sha256(item.state).digest()
        n += len(batch)
        position = batch[-1].id


def median_seconds(run: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.verify", description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--cases", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--store", choices=STORE_CHOICES, default="both")
    args = parser.parse_args(argv)
    print(f"{'store':<9} {'events':>8} {'verify s':>9} {'baseline s':>11} {'ratio':>6}")
    for store, fresh in stores(args.store):
        with fresh() as url:
            ledger = build(bench_settings(url))
            try:
                write(ledger, args.events, args.cases)
                ledger.integrity.seal()
                report = ledger.integrity.verify()  # warm: leaves built, pages cached
                if not report.ok:
                    raise SystemExit(f"bench.verify: the ledger does not verify: {report.summary()}")
                verify = median_seconds(ledger.integrity.verify, args.runs)
                baseline = median_seconds(functools.partial(hash_everything, ledger), args.runs)
            finally:
                ledger.close()
        print(f"{store:<9} {report.events:>8,} {verify:>9.3f} {baseline:>11.3f} {verify / baseline:>6.1f}")


if __name__ == "__main__":
    main()
