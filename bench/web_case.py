"""How long the web app's case page of a case of about 1,000 events takes to render at the server.

    python -m bench.web_case [--meetings 200] [--evaluations 172] [--requests 200] [--store sqlite|postgres|both]

Builds one case through the real command path (the report bench's case: team, consent, plan, 20
goals, then meetings with agenda, minutes and goal evaluations; 200 meetings and 172 evaluations
make 1,000 events), then times GET /saker/{id} (signed in as the coordinating unit: every section,
the forms as folds that fetch their form when opened, and its read written to the access log)
through the server's whole application in this process (ASGI, no network), settled as a serving
process is (`app.server.settle`, undone afterwards), with the JSON GET /v1/cases/{id} of the same
case as the baseline in the same run. Prints p50 and p95 of each and the ratio of the p95s.
Fresh stores and random keys per run (see bench/__init__.py).

Measured (`--store both --requests 100`, load average 1.4-2.3 on 2 shared cores): the page p50 / p95
49 / 74 ms on SQLite (JSON 7.4 / 12 ms), 103 / 115 ms on PostgreSQL (JSON 23 / 25 ms); the code
before, alternately in the same conditions, 171 / 302 and 234 / 390 ms (README: Measured).
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from collections.abc import Callable

from fastapi.testclient import TestClient

from api.auth import issue_token
from app.bootstrap import build
from app.logging import configure_logging
from app.server import create_app, settle
from bench import STORE_CHOICES, bench_settings, stores
from bench.report_time import KE, build_case


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(p * len(ordered)) - 1))]


def timed(get: Callable[[], object], n: int) -> list[float]:
    """Milliseconds of each of `n` requests (after two to warm up: templates compiled, caches filled)."""
    for _ in range(2):
        get()
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        get()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def measure(url: str, meetings: int, evaluations: int, n: int) -> tuple[int, int, list[float], list[float]]:
    """(events, page bytes, page ms, JSON ms)."""
    ledger = build(bench_settings(url))
    collector = gc.get_threshold()
    try:
        case_id, events = build_case(ledger, meetings, evaluations)
        app = create_app(ledger, run_projections=False)
        settle()  # as a serving process does once it is built (app.server.create_app); undone below
        with TestClient(app, follow_redirects=False) as client:
            web = app.state.web
            session = web.sessions.start(actor=KE)
            client.cookies.set(web.config.cookie_name, session.token)
            token = issue_token(
                ledger.settings.jwt_secret, role=KE.role, sub=KE.id, municipality=KE.municipality, name=KE.name or ""
            )
            bearer = {"Authorization": f"Bearer {token}"}

            def page() -> object:
                answer = client.get(f"/saker/{case_id}")
                if answer.status_code != 200:
                    raise SystemExit(f"the case page failed: {answer.status_code} {answer.text[:300]}")
                return answer

            def json_case() -> object:
                answer = client.get(f"/v1/cases/{case_id}", headers=bearer)
                if answer.status_code != 200:
                    raise SystemExit(f"the JSON read failed: {answer.status_code} {answer.text[:300]}")
                return answer

            size = len(client.get(f"/saker/{case_id}").content)
            # Interleaved in rounds, so a slow moment of the machine falls on both alike.
            pages: list[float] = []
            reads: list[float] = []
            rounds = max(1, n // 20)
            for r in range(rounds):
                batch = n // rounds + (1 if r < n % rounds else 0)
                reads += timed(json_case, batch)
                pages += timed(page, batch)
        return events, size, pages, reads
    finally:
        gc.unfreeze()
        gc.set_threshold(*collector)
        ledger.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.web_case", description=__doc__.split("\n\n")[0])
    parser.add_argument("--meetings", type=int, default=200)
    parser.add_argument("--evaluations", type=int, default=172)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--store", choices=STORE_CHOICES, default="both")
    args = parser.parse_args(argv)
    configure_logging(level="warning")
    print(f"{'store':<10}{'what':<24}{'events':>8}{'requests':>10}{'p50 ms':>9}{'p95 ms':>9}{'x json':>8}")
    for store, fresh in stores(args.store):
        with fresh() as url:
            events, size, pages, reads = measure(url, args.meetings, args.evaluations, args.requests)
        base = percentile(reads, 0.95)
        for what, samples in (("json case (baseline)", reads), ("case page", pages)):
            p95 = percentile(samples, 0.95)
            print(
                f"{store:<10}{what:<24}{events:>8,}{len(samples):>10}{statistics.median(samples):>9.1f}"
                f"{p95:>9.1f}{p95 / base:>8.2f}"
            )
        print(f"{store:<10}(the page is {size:,} bytes of HTML)")


if __name__ == "__main__":
    main()
