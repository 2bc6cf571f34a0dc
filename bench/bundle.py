"""How long a provable JSON bundle takes to make, render again and verify
offline, for one case of about EVENTS events, on SQLite and PostgreSQL.

    python -m bench.bundle [--events 1000]

The case is written in batches of comments (one load and save per batch,
so writing it does not dominate); the export is the real command. Fresh
stores as in bench/__init__.py; nothing is written to the working directory.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from app.bootstrap import Ledger, build
from app.logging import configure_logging
from audit.integrity.bundle_verify import verify_bundle
from audit.report.exports import reproduce
from bench import STORE_CHOICES, bench_settings, stores
from commands.case_commands import AppointCoordinator, OpenCase
from commands.plan_commands import EstablishPlan, ExportPlan
from ledger.context import Context
from ledger.national_id import synthesize
from ledger.values import Actor, CoordinatorKind, Person, PlanTool, Provision, ReferrerKind, Role, Subject

BATCH = 100
KE = Actor(id="ke-1", role=Role.KE_CASEWORKER, municipality="3447", name="Kari Saksbehandler")
COORDINATOR = Actor(
    id="koord-1", role=Role.COORDINATOR, municipality="3447", name="Kåre Koordinator", service="psykisk helse"
)


@dataclass(frozen=True)
class Timing:
    store: str
    events: int
    size: int
    export_ms: float
    render_ms: float
    verify_ms: float


def open_case(ledger: Ledger) -> UUID:
    """An individual plan with its coordinator."""
    app = ledger.app
    case_id = app.handle(
        OpenCase(
            actor=KE,
            municipality="3447",
            requested=(Provision.INDIVIDUAL_PLAN,),
            subject=Subject(name="Ola Nordmann", national_id=synthesize(date(1979, 4, 2), 0)),
            referrer_kind=ReferrerKind.GP,
        )
    ).case_id
    app.handle(
        AppointCoordinator(
            actor=KE,
            case_id=case_id,
            person=Person("koord-1", "Kåre Koordinator"),
            unit="Psykisk helse og rus",
            kind=CoordinatorKind.COORDINATOR,
            subject_wish_heard=True,
        )
    )
    app.handle(EstablishPlan(actor=COORDINATOR, case_id=case_id, tool=PlanTool.INDIVIDUAL_PLAN))
    return case_id


def grow(ledger: Ledger, case_id: UUID, events: int) -> None:
    """Append comments until the case has `events` events."""
    app = ledger.app
    while (have := len(app.case_events(case_id))) < events:
        with app.keyring.scope([case_id]):
            case = app.load_case(case_id)
            now = ledger.clock()
            for i in range(min(BATCH, events - have)):
                case.add_comment(Context(COORDINATOR, now, now), text=f"Notat {have + i}: samtale med NAV")
            new_key = app.keyring.prepare_write(case_id)
            try:
                if new_key is not None:  # the case was opened with its key; a new one would need storing
                    raise RuntimeError("the case has no data key")
                app.save(case)
            finally:
                app.keyring.finish_write(case_id)


def measure(store: str, url: str, events: int) -> Timing:
    ledger = build(bench_settings(url))
    try:
        case_id = open_case(ledger)
        grow(ledger, case_id, events)
        started = time.perf_counter()
        result = ledger.app.handle(ExportPlan(actor=KE, case_id=case_id, format="json"))
        exported = time.perf_counter()
        document, _ = reproduce(
            ledger.app.exporters, "3447", ledger.app.case_events(case_id), result.created["export_id"]
        )
        rendered = time.perf_counter()
        report = verify_bundle(
            document, ledger.integrity.signer.public_key_raw, decode=ledger.app.mapper.transcoder.decode
        )
        verified = time.perf_counter()
        if not report.ok:
            raise SystemExit(f"{store}: {report.summary()}")
    finally:
        ledger.close()
    return Timing(
        store,
        len(report.bundle.events),
        len(document),
        (exported - started) * 1000,
        (rendered - exported) * 1000,
        (verified - rendered) * 1000,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.bundle", description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--store", choices=STORE_CHOICES, default="both")
    args = parser.parse_args(argv)
    configure_logging(level="warning")
    timings = []
    for store, fresh in stores(args.store):
        with fresh() as url:
            timings.append(measure(store, url, args.events))
    print(f"{'store':<10}{'events':>7}{'bytes':>11}{'export ms':>11}{'render ms':>11}{'verify ms':>11}")
    for t in timings:
        print(f"{t.store:<10}{t.events:>7}{t.size:>11,}{t.export_ms:>11.1f}{t.render_ms:>11.1f}{t.verify_ms:>11.1f}")
    print(
        "export: ExportPlan (sync leaves, seal, render, record); render: GET …/exports/{id} again; "
        "verify: offline, key pinned"
    )


if __name__ == "__main__":
    main()
