"""How long the compliance report of one large case takes, per format.

    python -m bench.report_time [--meetings 600] [--evaluations 2570] [--runs 5] [--store sqlite|postgres|both]

Builds one case of about 5,000 events through the real command path (team,
consent, plan, goals, then many meetings with agenda, minutes and goal
evaluations), seals it, then times what `GET /v1/cases/{id}/report` does
for each format: read the case (policy and access log), gather the report
(compliance checks, access log, case-scoped integrity proof) and render it.
Prints the minimum and median of `--runs` runs, with JSON as the baseline.
Fresh stores and random keys per run (see bench/__init__.py).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from uuid import UUID

from api.reading import read_case
from app.bootstrap import Ledger, build
from app.logging import configure_logging
from audit.report import FORMATS, case_report, render
from bench import STORE_CHOICES, bench_settings, stores
from commands import case_commands as c
from commands import plan_commands as p
from ledger import values as v
from ledger.national_id import synthesize
from projections.case_view import fold

MUNICIPALITY = "5032"  # Selbu: a profile that sets agenda and minutes deadlines, so every check has work
KE = v.Actor(id="ke-bench", role=v.Role.KE_CASEWORKER, municipality=MUNICIPALITY, name="Kari Saksbehandler")
GOALS = 20


def build_case(ledger: Ledger, meetings: int, evaluations: int) -> tuple[UUID, int]:
    """One case through `ledger.app.handle`; returns its id and its number of events."""
    handle = ledger.app.handle
    start = datetime.now(UTC) - timedelta(days=4 * meetings + 30)
    nid = synthesize(date(1985, 3, 14), 5)
    case_id = handle(
        c.OpenCase(
            actor=KE,
            municipality=MUNICIPALITY,
            occurred_at=start,
            subject=v.Subject(name="Åse Ødegård", national_id=nid),
            requested=(v.Provision.COORDINATOR, v.Provision.INDIVIDUAL_PLAN),
            referrer_kind=v.ReferrerKind.GP,
            referrer_name="Fastlegen",
        )
    ).case_id

    def do(command: type, day: float, **fields: object) -> dict:
        return handle(command(actor=KE, case_id=case_id, occurred_at=start + timedelta(days=day), **fields)).created

    do(
        c.AppointCoordinator,
        1,
        person=v.Person("koord-1", "Kåre Koordinator"),
        unit="Psykisk helse",
        kind=v.CoordinatorKind.COORDINATOR,
        subject_wish_heard=True,
    )
    team = tuple(
        do(c.AddParticipant, 2, person=v.Person(f"{s}-1", f"{s} Ansatt"), service=s, role="kontaktperson")[
            "participant_id"
        ]
        for s in ("NAV", "fastlege", "skole")
    )
    do(
        c.GrantConsent,
        3,
        given_by=v.Signer(v.ConsentGiverRole.SUBJECT, "Åse Ødegård", nid),
        participants=team,
        categories=(v.InfoCategory.HEALTH, v.InfoCategory.WORK),
    )
    do(p.EstablishPlan, 4, tool=v.PlanTool.INDIVIDUAL_PLAN, informed_of_right_to_ip=True)
    goals = [
        do(
            p.SetGoal,
            5,
            text=f"Mål {n}: jeg vil klare meg selv på område {n}",
            life_area=v.LifeArea.HEALTH,
            responsible_service="NAV",
            evaluate_by=(start + timedelta(days=4 * meetings + 60)).date(),
        )["goal_id"]
        for n in range(GOALS)
    ]
    per_meeting = evaluations / max(meetings, 1)
    done = 0
    for m in range(meetings):
        day = 20 + 4 * m
        meeting = do(p.ScheduleMeeting, day - 10, scheduled_for=start + timedelta(days=day), invitees=team)[
            "meeting_id"
        ]
        do(
            p.SendAgenda,
            day - 8,
            meeting_id=meeting,
            items=("Hvordan går det?", "Mål og tiltak"),
            agreed_with_subject=True,
        )
        do(p.HoldMeeting, day, meeting_id=meeting, attendees=team, subject_voice="Åse fortalte først om uka.")
        do(p.DistributeMinutes, day + 2, meeting_id=meeting, recipients=team)
        while done < per_meeting * (m + 1):
            do(
                p.EvaluateGoal,
                day + 1,
                goal_id=goals[done % GOALS],
                status=v.EvaluationStatus.PARTLY_ACHIEVED,
                note="Går framover.",
            )
            done += 1
    return case_id, len(ledger.app.case_events(case_id))


def timed(run: Callable[[], object], runs: int) -> list[float]:
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        seconds.append(time.perf_counter() - started)
    return seconds


def measure(
    url: str, meetings: int, evaluations: int, runs: int
) -> tuple[int, float, dict[str, list[float]], dict[str, int]]:
    """(events, seconds to write the case, seconds per format, bytes per format)."""
    ledger = build(bench_settings(url))
    try:
        started = time.perf_counter()
        case_id, events = build_case(ledger, meetings, evaluations)
        ledger.integrity.seal()
        written = time.perf_counter() - started

        def report(fmt: str) -> bytes:
            read, case, _ = read_case(ledger, KE, case_id, "report")
            return render(case_report(ledger, read, case, fold(read)), fmt)

        sizes = {fmt: len(report(fmt)) for fmt in FORMATS}  # warm up (tree loaded, template compiled)
        return events, written, {fmt: timed(lambda fmt=fmt: report(fmt), runs) for fmt in FORMATS}, sizes
    finally:
        ledger.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.report_time", description=__doc__.split("\n\n")[0])
    parser.add_argument("--meetings", type=int, default=600)
    parser.add_argument("--evaluations", type=int, default=2570)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--store", choices=STORE_CHOICES, default="both")
    args = parser.parse_args(argv)
    configure_logging(level="warning")  # one line per command would measure the terminal
    print(f"{'store':<10}{'format':<8}{'events':>8}{'min s':>8}{'median s':>10}{'x json':>8}{'bytes':>11}")
    for store, fresh in stores(args.store):
        with fresh() as url:
            events, written, results, sizes = measure(url, args.meetings, args.evaluations, args.runs)
        base = statistics.median(results["json"])
        for fmt, seconds in results.items():
            median = statistics.median(seconds)
            print(
                f"{store:<10}{fmt:<8}{events:>8,}{min(seconds):>8.3f}{median:>10.3f}{median / base:>8.2f}"
                f"{sizes[fmt]:>11,}"
            )
        print(f"{store:<10}(the case's {events:,} events were written through the command path in {written:.1f} s)")


if __name__ == "__main__":
    main()
