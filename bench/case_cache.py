"""How a command's time grows with the size of its case, with and without the case cache.

    python -m bench.case_cache [--sizes 100,1000,5000] [--commands 20] [--store sqlite|postgres|both]

Grows one case through the real command path (comments, through the cached
application, which is fast) and, at each size, times `--commands` commands
on it through two applications on the same store: one without the cache
(the baseline: every command replays the whole case, decrypting each event)
and one with it (`LEDGER_CASE_CACHE`: the case stays in memory and each load
reads only the events stored since). Both take turns, so each also has to
catch up with the other's writes, as a second process would. Prints medians
and the ratio. Fresh stores and random keys per run (see bench/__init__.py).
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import time
from datetime import UTC, date, datetime, timedelta
from uuid import UUID

from app.bootstrap import Ledger, build
from app.logging import configure_logging
from bench import STORE_CHOICES, bench_settings, stores
from commands import case_commands as c
from commands import plan_commands as p
from ledger import values as v
from ledger.national_id import synthesize

MUNICIPALITY = "3447"
KE = v.Actor(id="ke-bench", role=v.Role.KE_CASEWORKER, municipality=MUNICIPALITY, name="Kari Saksbehandler")


def open_case(ledger: Ledger) -> UUID:
    started = datetime.now(UTC) - timedelta(days=30)
    nid = synthesize(date(1985, 3, 14), 5)
    handle = ledger.app.handle
    case_id = handle(
        c.OpenCase(
            actor=KE,
            municipality=MUNICIPALITY,
            occurred_at=started,
            subject=v.Subject(name="Åse Ødegård", national_id=nid),
            requested=(v.Provision.COORDINATOR, v.Provision.INDIVIDUAL_PLAN),
            referrer_kind=v.ReferrerKind.GP,
            referrer_name="Fastlegen",
        )
    ).case_id
    # Comments need a plan, and a plan needs a coordinator.
    handle(
        c.AppointCoordinator(
            actor=KE,
            case_id=case_id,
            person=v.Person("koord-1", "Kåre Koordinator"),
            unit="Psykisk helse",
            kind=v.CoordinatorKind.COORDINATOR,
            subject_wish_heard=True,
        )
    )
    nav = handle(
        c.AddParticipant(
            actor=KE, case_id=case_id, person=v.Person("nav-1", "Nina Nav"), service="NAV", role="kontaktperson"
        )
    ).created["participant_id"]
    handle(
        c.GrantConsent(
            actor=KE,
            case_id=case_id,
            given_by=v.Signer(v.ConsentGiverRole.SUBJECT, "Åse Ødegård", nid),
            participants=(nav,),
            categories=(v.InfoCategory.HEALTH,),
        )
    )
    handle(p.EstablishPlan(actor=KE, case_id=case_id, tool=v.PlanTool.INDIVIDUAL_PLAN, informed_of_right_to_ip=True))
    return case_id


def comment(ledger: Ledger, case_id: UUID, n: int) -> int:
    return ledger.app.handle(
        p.AddComment(actor=KE, case_id=case_id, text=f"Notat {n}: Åse hadde en god uke og møtte på skolen.")
    ).version


def measure(store: str, url: str, sizes: list[int], commands: int) -> list[tuple[int, float, float]]:
    """(size, median ms uncached, median ms cached) per size."""
    settings = bench_settings(url)
    cached = build(dataclasses.replace(settings, case_cache=max(settings.case_cache, 1)))
    uncached = build(dataclasses.replace(settings, case_cache=0))
    rows = []
    try:
        case_id = open_case(cached)
        version, n = 1, 0
        for size in sizes:
            while version < size:
                n += 1
                version = comment(cached, case_id, n)
            timings: dict[str, list[float]] = {"uncached": [], "cached": []}
            for _ in range(commands):
                for name, ledger in (("uncached", uncached), ("cached", cached)):
                    n += 1
                    started = time.perf_counter()
                    version = comment(ledger, case_id, n)
                    timings[name].append((time.perf_counter() - started) * 1000)
            rows.append((size, statistics.median(timings["uncached"]), statistics.median(timings["cached"])))
    finally:
        cached.close()
        uncached.close()
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.case_cache", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,1000,5000", help="case sizes (events) to measure at")
    parser.add_argument("--commands", type=int, default=20, help="commands timed per size and application")
    parser.add_argument("--store", choices=STORE_CHOICES, default="both")
    args = parser.parse_args(argv)
    sizes = sorted(int(size) for size in args.sizes.split(","))
    configure_logging(level="warning")  # one line per command would measure the terminal
    results = {}
    for store, fresh in stores(args.store):
        with fresh() as url:
            results[store] = measure(store, url, sizes, args.commands)
    print(f"median of {args.commands} commands per size and application; ratio = uncached / cached")
    print(f"{'store':<10}{'events':>8}{'uncached ms':>13}{'cached ms':>11}{'ratio':>8}")
    for store, rows in results.items():
        for size, base, fast in rows:
            print(f"{store:<10}{size:>8,}{base:>13.1f}{fast:>11.1f}{base / fast:>8.1f}")


if __name__ == "__main__":
    main()
