"""How long a Noark 5 archive extract of closed cases takes, against the
baseline of rendering the same cases' JSON compliance reports.

    python -m bench.archive_extract [--cases 50] [--runs 1] [--store sqlite|postgres|both]

Writes `--cases` closed cases of one municipality through the real command
path (a decision, a team, a plan with a goal, a meeting with agenda and
minutes, closing: 16 events and 5 archivable documents each), then times,
as `ledger archive-extract` and `GET …/report?format=json` do them through
the read service: the JSON report of every case (the baseline: reading,
judging and rendering each case once), and the extract of all of them
(reading each case, rendering its five PDF/A documents, the three XML files
with their checksums, and the signed statement). Prints seconds and cases
per second. Needs the archive schemas (LEDGER_SCHEMA_DIR or ../shared/schemas).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from uuid import UUID

from app.bootstrap import Ledger, build
from app.logging import configure_logging
from bench import STORE_CHOICES, bench_settings, stores
from commands import case_commands as c
from commands import plan_commands as p
from ledger import values as v
from ledger.national_id import synthesize

MUNICIPALITY = "5032"
KE = v.Actor(id="ke-bench", role=v.Role.KE_CASEWORKER, municipality=MUNICIPALITY, name="Kari Saksbehandler")
NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)
OPENED = datetime(2026, 1, 6, 10, tzinfo=UTC)


def closed_case(ledger: Ledger, n: int) -> UUID:
    """One case from referral to closing, every step dated by the day it happened."""
    handle = ledger.app.handle
    nid = synthesize(date(1960, 1, 1) + timedelta(days=37 * n), 3)
    name = f"Åse Ødegård {n}"
    case_id = handle(
        c.OpenCase(
            actor=KE,
            municipality=MUNICIPALITY,
            occurred_at=OPENED,
            subject=v.Subject(name=name, national_id=nid),
            requested=(v.Provision.COORDINATOR, v.Provision.INDIVIDUAL_PLAN),
            referrer_kind=v.ReferrerKind.GP,
            referrer_name="Fastlegen",
        )
    ).case_id

    def do(command: type, day: int, **fields: object) -> dict:
        return handle(command(actor=KE, case_id=case_id, occurred_at=OPENED + timedelta(days=day), **fields)).created

    do(
        c.RecordDecision,
        6,
        outcome=v.DecisionOutcome.GRANTED,
        concerns=(v.Provision.COORDINATOR, v.Provision.INDIVIDUAL_PLAN),
        legal_basis="hol. §§ 7-1, 7-2",
        reasons="Behov for langvarige og koordinerte tjenester.",
    )
    do(
        c.AppointCoordinator,
        14,
        person=v.Person("koord-1", "Kåre Koordinator"),
        unit="Psykisk helse og rus",
        kind=v.CoordinatorKind.COORDINATOR,
        subject_wish_heard=True,
    )
    do(c.HoldStartupConversation, 14, what_matters="Å bo i egen leilighet", interpreter_needed=False)
    team = tuple(
        do(c.AddParticipant, 14, person=v.Person(f"{s}-1", f"{s} Ansatt"), service=s, role="kontaktperson")[
            "participant_id"
        ]
        for s in ("NAV", "fastlege", "skole")
    )
    do(
        c.GrantConsent,
        14,
        given_by=v.Signer(v.ConsentGiverRole.SUBJECT, name, nid),
        participants=team,
        categories=(v.InfoCategory.HEALTH, v.InfoCategory.WORK),
    )
    do(p.EstablishPlan, 15, tool=v.PlanTool.INDIVIDUAL_PLAN, informed_of_right_to_ip=True)
    do(
        p.SetGoal,
        15,
        text="Jeg vil ha en fast jobb",
        life_area=v.LifeArea.EDUCATION_WORK,
        responsible_service="NAV",
        evaluate_by=date(2026, 6, 1),
    )
    meeting = do(p.ScheduleMeeting, 26, scheduled_for=OPENED + timedelta(days=35), invitees=team)["meeting_id"]
    do(p.SendAgenda, 27, meeting_id=meeting, items=("Hvordan går det?", "Økonomi"), agreed_with_subject=True)
    do(
        p.HoldMeeting,
        35,
        meeting_id=meeting,
        attendees=team[:2],
        absences=team[2:],
        subject_voice="Åse fortalte først om uka.",
        minute_taker="Kåre Koordinator",
        decisions=("Ny plan for økonomi før jul",),
    )
    do(p.DistributeMinutes, 37, meeting_id=meeting, recipients=team)
    do(p.CloseCase, 238, reason="Målene er nådd.", assessment="Behovet er dekket.", agreed_by_subject=True)
    return case_id


def measure(store: str, url: str, cases: int) -> None:
    ledger = build(bench_settings(url), clock=lambda: NOW)
    try:
        started = time.perf_counter()
        ids = [closed_case(ledger, n) for n in range(cases)]
        written = time.perf_counter() - started
        ledger.projections.catch_up()
        started = time.perf_counter()
        size = sum(len(ledger.reads.cases.issue_report(KE, case_id, "json").document) for case_id in ids)
        baseline = time.perf_counter() - started
        with tempfile.TemporaryDirectory(prefix="ledger-extract-") as folder:
            started = time.perf_counter()
            made = ledger.reads.archive.extract(KE, date(2026, 1, 1), date(2026, 12, 31), Path(folder))
            extract = time.perf_counter() - started
            package = sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file())
    finally:
        ledger.close()
    counts = made.manifest.counts
    print(f"{store:<9} {'what':<26} {'cases':>6} {'seconds':>9} {'cases/s':>9}  output")
    rate = cases / baseline
    print(f"{store:<9} {'json reports (baseline)':<26} {cases:>6} {baseline:>9.2f} {rate:>9.1f}  {size:,} bytes")
    print(
        f"{store:<9} {'archive extract':<26} {made.cases:>6} {extract:>9.2f} {made.cases / extract:>9.1f}  "
        f"{counts['dokumentfiler']} documents, {counts['endring']} changes, {package:,} bytes"
    )
    print(f"{store:<9} (the {cases} cases were written through the command path in {written:.1f} s)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.archive_extract", description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=50)
    parser.add_argument("--store", choices=STORE_CHOICES, default="both")
    args = parser.parse_args(argv)
    configure_logging(level="warning")
    for store, fresh in stores(args.store):
        with fresh() as url:
            measure(store, url, args.cases)


if __name__ == "__main__":
    main()
