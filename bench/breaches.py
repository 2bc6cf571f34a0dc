"""How fast KE's breach overview answers for a municipality of many cases,
against the baseline of judging every case from its events on demand.

    python -m bench.breaches [--cases 10000] [--store sqlite|postgres]

Each case is opened and KE asks a unit for a coordinator on a day spread over
the last months, so CHK-01 is breached for some cases and pending for others.
Prints: the time to write the cases, to bring the compliance projection up to
date, the overview's latency over HTTP (median and worst of the runs, with
and without filters), and the time to judge every case from its events, the
work the projection saves each read.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import UTC, date, datetime, timedelta

from fastapi.testclient import TestClient

from api.auth import issue_token
from app.bootstrap import build
from app.logging import configure_logging
from app.server import create_app
from audit.compliance import evaluate
from bench import STORE_CHOICES, bench_settings, stores
from commands.case_commands import OpenCase, RequestCoordinator
from ledger.national_id import synthesize
from ledger.values import Actor, Person, Provision, ReferrerKind, Role, Subject

MUNICIPALITY = "3447"
UNITS = ("Psykisk helse og rus", "Barn og familie", "Helse og omsorg", "NAV")


def fill(ledger, cases: int) -> list:
    ke = Actor(id="ke-bench", role=Role.KE_CASEWORKER, municipality=MUNICIPALITY, name="KE")
    now = ledger.clock()
    ids = []
    for n in range(cases):
        birth = date(1950, 1, 1) + timedelta(days=n * 2)
        opened = now - timedelta(days=20 + n % 120)
        case_id = ledger.app.handle(
            OpenCase(
                actor=ke,
                municipality=MUNICIPALITY,
                subject=Subject(name=f"Person {n}", national_id=synthesize(birth, 3)),
                guardians=(),
                requested=(Provision.COORDINATOR,),
                referrer_kind=ReferrerKind.GP,
                referrer_name="Fastlegen",
                occurred_at=opened,
            )
        ).case_id
        ledger.app.handle(
            RequestCoordinator(
                actor=ke,
                case_id=case_id,
                occurred_at=now - timedelta(days=n % 30),
                unit=UNITS[n % len(UNITS)],
                unit_leader=Person("leder", "Leder"),
            )
        )
        ids.append(case_id)
    return ids


def timed(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


def measure(store: str, url: str, cases: int, runs: int) -> None:
    settings = bench_settings(url)
    ledger = build(settings, clock=lambda: datetime(2026, 11, 22, 12, tzinfo=UTC))
    try:
        started = time.perf_counter()
        ids = fill(ledger, cases)
        written = time.perf_counter() - started
        started = time.perf_counter()
        ledger.projections.catch_up()
        projected = time.perf_counter() - started
        client = TestClient(create_app(ledger, run_projections=False))
        token = issue_token(settings.jwt_secret, role=Role.KE_CASEWORKER, sub="ke-1", municipality=MUNICIPALITY)
        headers = {"Authorization": f"Bearer {token}"}
        body = client.get("/v1/compliance/breaches", headers=headers).json()
        everything = timed(lambda: client.get("/v1/compliance/breaches", headers=headers), runs)
        one_unit = timed(
            lambda: client.get("/v1/compliance/breaches", params={"unit": UNITS[1], "rule": "CHK-01"}, headers=headers),
            runs,
        )
        profile = ledger.app.profile(MUNICIPALITY)
        started = time.perf_counter()
        for case_id in ids:
            evaluate(ledger.app.case_events(case_id), profile, ledger.clock())
        on_demand = (time.perf_counter() - started) * 1000
    finally:
        ledger.close()
    breaches = sum(1 for i in body["items"] if i["status"] == "breach")
    print(f"\n{store}: {cases} cases written in {written:.1f} s; compliance projection caught up in {projected:.1f} s")
    print(f"  overview lists {len(body['items'])} items ({breaches} breaches)")
    print(
        f"  GET /v1/compliance/breaches            median {statistics.median(everything):8.1f} ms  "
        f"worst {max(everything):8.1f} ms"
    )
    print(
        f"  ... ?unit=…&rule=CHK-01                 median {statistics.median(one_unit):8.1f} ms  "
        f"worst {max(one_unit):8.1f} ms"
    )
    print(
        f"  baseline: judge every case on demand          {on_demand:8.1f} ms  "
        f"({on_demand / statistics.median(everything):.0f}× the overview's median)"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.breaches", description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--store", choices=STORE_CHOICES, default="both")
    args = parser.parse_args(argv)
    configure_logging(level="warning")
    for store, fresh in stores(args.store):
        with fresh() as url:
            measure(store, url, args.cases, args.runs)


if __name__ == "__main__":
    main()
