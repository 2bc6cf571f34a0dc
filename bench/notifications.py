"""How fast the ledger decides notifications and delivers them (issue #11), each against a baseline
measured in the same run.

    python -m bench.notifications [--cases 10000] [--base 200] [--store sqlite|postgres|both]

1. The demo data set (`--base` cases through the command path) is scaled to `--cases` cases: each
   demo case's events are written again under new case ids (sealed with keys of their own, chained),
   in large transactions, the erased cases left out. Every municipality subscribes one webhook to a
   receiver on loopback.
2. Deciding: the duties projection caught up from the start without deciding anything (the baseline:
   judging every case and keeping its duties), then rebuilt and caught up again deciding every
   reminder and digest in the same transactions. Prints both times, their ratio, the decisions
   made, decisions per second of the whole catch-up and of the difference between the two (what the
   deciding alone costs).
3. Delivering: the dispatcher delivers every decided webhook to the receiver (claim with a lease,
   sign, POST, record the attempt); the baseline is the same number of plain HTTP POSTs of the same
   bodies to the same receiver with one keep-alive client. Prints deliveries per second for both and
   their ratio.

Fresh stores and random keys per run (see bench/__init__.py).
"""

from __future__ import annotations

import argparse
import threading
import time
import uuid
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import orjson

from app.bootstrap import Ledger, build
from app.logging import configure_logging
from app.notifier import dispatching
from bench import STORE_CHOICES, bench_settings, stores
from demo.dataset import DEFAULT_SEED, run_demo
from ledger.events_plan import KeyDestroyed
from ledger.profiles import MUNICIPALITY_NAMES
from ledger.values import Actor, Role
from notify.content import webhook_body
from projections.duties import DutiesProjection
from store.tables import SideWrites

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)  # a Monday: every municipality's weekly digest is due
BATCH_EVENTS = 2000


class Receiver:
    """A webhook receiver on loopback that answers 204 at once and counts what it got."""

    def __init__(self) -> None:
        self.count = 0
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as a real receiver would offer

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("content-length", "0")))
                with receiver._lock:
                    receiver.count += 1
                self.send_response(204)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def scale(ledger: Ledger, case_ids: list[uuid.UUID], total: int) -> int:
    """Write the demo cases' events again under new ids until there are `total` cases; returns events written."""
    app = ledger.app
    sources = []
    for case_id in case_ids:
        events = app.case_events(case_id)
        if not any(isinstance(e, KeyDestroyed) for e in events):
            sources.append(events)
    written, pending, keys = 0, [], []
    copies = total - len(case_ids)
    for n in range(copies):
        events = sources[n % len(sources)]
        new_id = uuid.uuid4()
        key = app.keyring.prepare_write(new_id)
        if key is not None:
            keys.append(key)
        try:
            for event in events:
                copy = object.__new__(type(event))
                object.__setattr__(copy, "__dict__", {**event.__dict__, "originator_id": new_id})
                pending.append(app.mapper.to_stored_event(copy))
        finally:
            app.keyring.finish_write(new_id)
        if len(pending) >= BATCH_EVENTS or n == copies - 1:
            app.recorder.insert_events(pending, side=SideWrites(new_keys=keys))
            written += len(pending)
            pending, keys = [], []
    return written


def count(ledger: Ledger, table: str) -> int:
    store = ledger.projections.store
    with store.writing() as c:
        c.execute(store.d.sql(f"SELECT COUNT(*) AS n FROM {{{table}}}"))
        return int(c.fetchone()["n"])


def measure(store: str, url: str, cases: int, base: int, seed: int) -> list[str]:
    receiver = Receiver()
    ledger = build(bench_settings(url), clock=lambda: NOW)
    try:
        started = time.perf_counter()
        demo = run_demo(ledger, cases=base, seed=seed)
        written = time.perf_counter() - started
        started = time.perf_counter()
        copied = scale(ledger, [c.case_id for c in demo.cases], cases)
        scaled = time.perf_counter() - started
        for municipality in MUNICIPALITY_NAMES:
            ke = Actor("ke-bench", Role.KE_CASEWORKER, municipality, "KE")
            ledger.directory.add_webhook(ke, receiver.url)

        duties = ledger.projections.projections["duties"]
        if not isinstance(duties, DutiesProjection):
            raise SystemExit("the ledger has no duties projection")
        decider, duties.decider = duties.decider, None
        started = time.perf_counter()
        ledger.projections.catch_up(["duties"])
        without = time.perf_counter() - started
        duties.decider = decider
        started = time.perf_counter()
        ledger.projections.rebuild(["duties"])
        with_decisions = time.perf_counter() - started
        decided, deliveries = count(ledger, "notifications"), count(ledger, "outbox")

        # The wall clock, but never before the moment the notifications were decided at.
        with dispatching(ledger, clock=lambda: max(datetime.now(UTC), NOW)) as dispatcher:
            started = time.perf_counter()
            made = dispatcher.run_once()
            dispatched = time.perf_counter() - started
        bodies = _bodies(ledger, made)
        with httpx.Client(timeout=10) as client:
            started = time.perf_counter()
            for body in bodies:
                client.post(receiver.url, content=body, headers={"content-type": "application/json"})
            raw = time.perf_counter() - started
    finally:
        ledger.close()
        receiver.close()
    return [
        f"{store}: {len(demo.cases)} demo cases written in {written:.1f} s, scaled to {cases} cases "
        f"({copied:,} events copied in {scaled:.1f} s)",
        f"{store}  deciding   {cases:>7} cases  without notifications {without:8.1f} s  "
        f"with {with_decisions:8.1f} s  ratio {with_decisions / without:5.2f}  "
        f"decided {decided:>7} ({deliveries} deliveries)  {decided / with_decisions:9.1f} decisions/s"
        + (f" (the deciding alone: {decided / (with_decisions - without):.0f}/s)" if with_decisions > without else ""),
        f"{store}  delivering {made:>7} webhooks  dispatcher {made / dispatched:9.1f} /s  "
        f"raw POSTs {len(bodies) / raw:9.1f} /s  ratio {(len(bodies) / raw) / (made / dispatched):5.2f}",
    ]


def _bodies(ledger: Ledger, limit: int) -> list[bytes]:
    """The webhook bodies the dispatcher sent, for the raw baseline to post the same bytes."""
    store = ledger.projections.store
    with store.writing() as c:
        c.execute(
            store.d.sql(
                "SELECT n.content FROM {outbox} o JOIN {notifications} n ON n.id = o.notification_id "
                f"WHERE o.channel = 'webhook' ORDER BY o.id LIMIT {int(limit)}"
            )
        )
        rows = [orjson.loads(r["content"]) for r in c.fetchall()]
    return [webhook_body(content, ledger.settings.notify.public_url) for content in rows]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.notifications", description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=10_000, help="cases after scaling (default 10000)")
    parser.add_argument("--base", type=int, default=200, help="demo cases written through the command path")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--store", choices=STORE_CHOICES, default="both")
    args = parser.parse_args(argv)
    if args.cases < args.base:
        parser.error("--cases must be at least --base")
    configure_logging(level="warning")
    for store, fresh in stores(args.store):
        with fresh() as url:
            for line in measure(store, url, args.cases, args.base, args.seed):
                print(line, flush=True)


if __name__ == "__main__":
    main()
