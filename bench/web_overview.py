"""How fast KE's overview page (`/oversikt`) renders at the server for a municipality of many
cases, against baselines measured in the same run: the same reads through the read service without
rendering (what the page costs beyond its data), and a page of the same layout with no data
(`/logg-inn`, the floor of any page).

    python -m bench.web_overview [--cases 10000] [--runs 40] [--store sqlite|postgres|both] [--analyze]

The cases are bench.breaches's (opened, a unit asked for a coordinator on a day spread over the
last months, so CHK-01 is breached for some and pending for others). Requests go through the whole
ASGI app in process (session cookie, CSRF, templates, headers), not over a socket. Prints median
and p95 per request kind, and the page's p95 as a multiple of the reads' p95.

What the page costs (issue #9; README "Measured"): four reads, each an index range read in its
list's order so a page stops after its rows, and a count per list over an index that holds what it
counts (the register, the checks per rule twice: the chart's and the breaches', the tasks); the
filters' choices are one index seek per unit and coordinator. The counts, a pass over the
municipality's index entries each, are most of what the reads still cost; the template about 4 ms
(the referral form 1–2 ms of it). On PostgreSQL the plans depend on statistics: the test server
runs without autovacuum, so a freshly filled store has none and the planner takes a table of
10,000 rows for a few and sorts it; `--analyze` measures the store as autovacuum would leave it.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime

import psycopg
from fastapi.testclient import TestClient

from app.bootstrap import build
from app.logging import configure_logging
from app.server import create_app
from bench import STORE_CHOICES, bench_settings, stores
from bench.breaches import MUNICIPALITY, UNITS, fill
from ledger.values import Actor, Role
from web.overview_page import FIRST, PAGE_SIZE

KE = Actor(id="ke-bench", role=Role.KE_CASEWORKER, municipality=MUNICIPALITY, name="Kari Bench")


def timed(fn: Callable[[], object], runs: int) -> list[float]:
    fn()  # once first: caches and prepared statements warm
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20, method="inclusive")[-1] if len(samples) > 1 else samples[0]


def measure(store: str, url: str, cases: int, runs: int, analyze: bool = False) -> None:
    ledger = build(bench_settings(url), clock=lambda: datetime(2026, 11, 22, 12, tzinfo=UTC))
    try:
        started = time.perf_counter()
        fill(ledger, cases)
        written = time.perf_counter() - started
        ledger.projections.catch_up()
        if analyze and store == "postgres":
            # What autovacuum does on a default server: without it (the test server runs with
            # autovacuum off) a freshly filled table has no statistics and no visibility map.
            with psycopg.connect(url.split("?", 1)[0], autocommit=True) as admin:
                admin.execute("VACUUM ANALYZE")
        client = TestClient(create_app(ledger, run_projections=False), follow_redirects=False)
        web = client.app.state.web  # type: ignore[attr-defined]
        client.cookies.set(web.config.cookie_name, web.sessions.start(actor=KE).token)
        last_page = max(1, -(-cases // PAGE_SIZE))

        def page(**params: object) -> Callable[[], object]:
            def get() -> object:
                answer = client.get("/oversikt", params=params)
                assert answer.status_code == 200, answer.text[:300]
                return answer

            return get

        reads = ledger.reads

        def data_only() -> None:
            reads.overviews.register(KE, limit=PAGE_SIZE)
            reads.overviews.per_rule(KE)
            reads.overviews.breaches(KE, limit=FIRST)
            reads.tasks.everyone(KE, limit=FIRST)

        results = {
            "GET /oversikt (first page)": timed(page(), runs),
            f"GET /oversikt?side={last_page} (last page)": timed(page(side=last_page), runs),
            "GET /oversikt?enhet=…&regel=CHK-01": timed(page(enhet=UNITS[1], regel="CHK-01"), runs),
            "htmx: register results only": timed(
                lambda: client.get(
                    "/oversikt", params={"side": 2}, headers={"HX-Request": "true", "HX-Target": "register-resultat"}
                ),
                runs,
            ),
            "baseline: the page's reads, no HTML": timed(data_only, runs),
            "baseline: GET /logg-inn (layout only)": timed(lambda: client.get("/logg-inn"), runs),
        }
        total = reads.overviews.register(KE, limit=1)["total"]
    finally:
        ledger.close()
    print(f"\n{store}: {cases} cases written in {written:.1f} s; the register holds {total} ({PAGE_SIZE} a page)")
    for name, samples in results.items():
        print(f"  {name:<42} median {statistics.median(samples):7.1f} ms  p95 {p95(samples):7.1f} ms")
    page_p95 = p95(results["GET /oversikt (first page)"])
    reads_p95 = p95(results["baseline: the page's reads, no HTML"])
    print(f"  the page's p95 is {page_p95 / reads_p95:.2f}× its reads' p95 (target: page p95 < 100 ms)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.web_overview", description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--store", choices=STORE_CHOICES, default="both")
    parser.add_argument("--analyze", action="store_true", help="PostgreSQL: VACUUM ANALYZE after filling")
    args = parser.parse_args(argv)
    configure_logging(level="warning")
    for store, fresh in stores(args.store):
        with fresh() as url:
            measure(store, url, args.cases, args.runs, args.analyze)


if __name__ == "__main__":
    main()
