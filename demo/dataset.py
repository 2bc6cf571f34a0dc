"""`ledger demo`: fills a store with a realistic, deterministic data set.

The four source municipalities, their staff, about 200 cases spread over every
stage of DOMAIN §6 (some deadlines deliberately breached), and the three worked
cases of SCENARIOS.md. Every event is written through the application's
command surface, so the data obeys every invariant and verifies like any
other. Dates run from 2024 up to the ledger's clock.

The generator: `people` (who), `cases` (stages, the writer),
`stages` (referral to consent), `team` (meetings and the team's
work), `drive` (one case to its target, closing, erasure) and
`scenarios` (the worked cases).
"""

from __future__ import annotations

import random
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from rich import box
from rich.console import Console
from rich.table import Table

from demo.archive import SimulatedArchive
from demo.cases import EARLIEST, CaseRun, Stage, Writer
from demo.drive import drive
from demo.people import DemoPerson, People, Staff, make_staff
from demo.scenarios import SCENARIOS, write_scenarios
from ledger.profiles import MUNICIPALITY_NAMES
from ledger.values import Actor

DEFAULT_SEED = 2026
DEFAULT_CASES = 200

MUNICIPALITY_WEIGHTS = {"3447": 20, "4647": 35, "5032": 15, "3443": 30}
STAGE_WEIGHTS = {
    Stage.REFERRED: 4,
    Stage.REFUSED: 5,
    Stage.DECIDED: 4,
    Stage.REQUESTED: 7,
    Stage.RELAY: 3,
    Stage.APPOINTED: 5,
    Stage.STARTUP: 4,
    Stage.CONSENT: 7,
    Stage.PLAN: 8,
    Stage.ACTIVE: 33,
    Stage.CLOSED: 12,
    Stage.ERASED: 8,
}
# How long ago (days before the ledger's now) a case with that target was
# opened: long enough for its stages to fit, short enough to be plausible.
DAYS_AGO = {
    Stage.REFERRED: (1, 12),
    Stage.REFUSED: (30, 900),
    Stage.DECIDED: (16, 30),
    Stage.REQUESTED: (18, 110),
    Stage.RELAY: (20, 400),
    Stage.APPOINTED: (40, 90),
    Stage.STARTUP: (50, 130),
    Stage.CONSENT: (60, 160),
    Stage.PLAN: (110, 220),
    Stage.ACTIVE: (240, 1000),
    Stage.CLOSED: (560, 1050),
    Stage.ERASED: (600, 1050),
}
KIND_WEIGHTS = {"adult": 55, "child": 30, "youth": 5, "noid": 4, "verge": 3, "dnumber": 3}
EXPECTED_ALLOWED = (Stage.REFERRED, Stage.DECIDED, Stage.REQUESTED, Stage.APPOINTED, Stage.STARTUP, Stage.CONSENT)


@dataclass(frozen=True)
class CaseSpec:
    municipality: str
    target: Stage
    kind: str
    days_ago: tuple[float, float] | None = None


# Written first, so that even a small data set has every kind of case the
# tests and the compliance checks look for.
GUARANTEED = (
    CaseSpec("3447", Stage.REQUESTED, "adult", (40, 100)),  # the unit leader's 14 days have run out
    CaseSpec("5032", Stage.REFUSED, "adult", (200, 400)),  # refused, then complained about
    CaseSpec("3443", Stage.RELAY, "child-relay"),
    CaseSpec("3443", Stage.CONSENT, "child"),  # awaiting the second parent
    CaseSpec("4647", Stage.ERASED, "adult"),
    CaseSpec("5032", Stage.CLOSED, "adult"),
    CaseSpec("3447", Stage.CLOSED, "adult"),
    CaseSpec("3447", Stage.ACTIVE, "adult"),
    CaseSpec("5032", Stage.ACTIVE, "child"),
    CaseSpec("3443", Stage.ACTIVE, "child-relay"),
    CaseSpec("4647", Stage.ACTIVE, "adult"),
    CaseSpec("4647", Stage.APPOINTED, "expected"),
    CaseSpec("3447", Stage.CONSENT, "noid"),
    CaseSpec("4647", Stage.PLAN, "verge"),
    CaseSpec("5032", Stage.REFERRED, "adult"),
    CaseSpec("3443", Stage.DECIDED, "youth"),
    CaseSpec("3447", Stage.STARTUP, "dnumber"),
    CaseSpec("3443", Stage.ERASED, "child"),
)


@dataclass(frozen=True)
class DemoCase:
    case_id: UUID
    municipality: str
    stage: Stage
    events: int
    scenario: str | None = None


@dataclass
class DemoReport:
    """What `run_demo` wrote."""

    cases: list[DemoCase]
    seconds: float
    seconds_by_municipality: dict[str, float]
    breaches: Counter[str] = field(default_factory=Counter)

    @property
    def events(self) -> int:
        return sum(c.events for c in self.cases)

    @property
    def scenarios(self) -> dict[str, UUID]:
        return {c.scenario: c.case_id for c in self.cases if c.scenario}

    def stage_counts(self) -> dict[str, Counter[Stage]]:
        counts: dict[str, Counter[Stage]] = {m: Counter() for m in MUNICIPALITY_NAMES}
        for c in self.cases:
            counts[c.municipality][c.stage] += 1
        return counts

    def events_by_municipality(self) -> Counter[str]:
        totals: Counter[str] = Counter()
        for c in self.cases:
            totals[c.municipality] += c.events
        return totals


def run_demo(ledger: Any, cases: int = DEFAULT_CASES, seed: int = DEFAULT_SEED) -> DemoReport:
    """Write `cases` cases (the three scenarios included) into `ledger`'s store."""
    if cases < len(SCENARIOS):
        raise ValueError(f"the demo needs at least {len(SCENARIOS)} cases (the worked scenarios)")
    rng, people, staff = _start(seed)
    now = ledger.clock()
    archive = SimulatedArchive(ledger.reads.archive)
    writer = Writer(
        ledger.app,
        rng,
        now,
        issue_report=lambda actor, case_id: ledger.reads.cases.issue_report(actor, case_id, "pdf").sha256,
        file_in_archive=archive.file_case,
    )
    seconds: Counter[str] = Counter()
    written: list[DemoCase] = []
    started = time.perf_counter()

    scenario_ids = [_case_id(rng) for _ in SCENARIOS]
    tick = time.perf_counter()
    for run, scenario in zip(write_scenarios(writer, staff, people, scenario_ids), SCENARIOS, strict=True):
        if run.stage is not None:
            written.append(DemoCase(run.case_id, run.municipality, run.stage, run.version, scenario.title))
    seconds["scenarios"] += time.perf_counter() - tick

    for spec in plan_cases(rng, cases - len(SCENARIOS)):
        run = _new_run(writer, rng, people, staff[spec.municipality], spec, now)
        tick = time.perf_counter()
        drive(writer, run, spec.target)
        seconds[spec.municipality] += time.perf_counter() - tick
        if run.stage is not None:
            written.append(DemoCase(run.case_id, run.municipality, run.stage, run.version))
    # The scenarios' time is shared out by their municipalities.
    for c in written:
        if c.scenario:
            seconds[c.municipality] += seconds["scenarios"] / len(SCENARIOS)
    del seconds["scenarios"]
    return DemoReport(written, time.perf_counter() - started, dict(seconds), writer.breaches)


def _start(seed: int) -> tuple[random.Random, People, dict[str, Staff]]:
    """The generator, its people and each municipality's staff: drawn first, so that
    `demo_staff` names the same people as the data set written with the same seed."""
    rng = random.Random(seed)
    people = People(rng)
    return rng, people, {m: make_staff(m, rng, people) for m in MUNICIPALITY_NAMES}


def demo_staff(seed: int = DEFAULT_SEED) -> list[Actor]:
    """Everyone who works on the data set's cases (KE, unit leaders, coordinators,
    service providers), as they act: for signing in as one of them in development."""
    _, _, staff = _start(seed)
    actors: list[Actor] = []
    for team in staff.values():
        actors.extend(team.ke)
        for unit in team.units:
            actors.extend((unit.leader, *unit.coordinators))
        for providers in team.providers.values():
            actors.extend(providers)
    return actors


def plan_cases(rng: random.Random, n: int) -> list[CaseSpec]:
    """The guaranteed cases first, then a weighted draw for the rest."""
    specs = list(GUARANTEED[:n])
    munis, m_weights = list(MUNICIPALITY_WEIGHTS), list(MUNICIPALITY_WEIGHTS.values())
    stages, s_weights = list(STAGE_WEIGHTS), list(STAGE_WEIGHTS.values())
    kinds, k_weights = list(KIND_WEIGHTS), list(KIND_WEIGHTS.values())
    while len(specs) < n:
        municipality = rng.choices(munis, m_weights)[0]
        target = rng.choices(stages, s_weights)[0]
        kind = rng.choices(kinds, k_weights)[0]
        if target is Stage.RELAY:
            municipality, kind = "3443", "child-relay"
        elif municipality == "3443" and kind == "child" and target is not Stage.REFERRED and rng.random() < 0.5:
            kind = "child-relay"
        elif kind == "child" and target in EXPECTED_ALLOWED and rng.random() < 0.05:
            kind = "expected"
        specs.append(CaseSpec(municipality, target, kind))
    return specs


def _case_id(rng: random.Random) -> UUID:
    return UUID(int=rng.getrandbits(128), version=4)


def _new_run(w: Writer, rng: random.Random, people: People, staff: Staff, spec: CaseSpec, now: datetime) -> CaseRun:
    lo, hi = spec.days_ago or DAYS_AGO[spec.target]
    if spec.kind == "child-relay" and spec.target is not Stage.RELAY:
        lo, hi = lo + 150, hi + 150  # the relay log ran for months first
    opened = w.office_time(max(now - timedelta(days=rng.uniform(lo, hi)), EARLIEST))
    on = opened.date()
    verge = None
    person: DemoPerson
    if spec.kind == "child":
        person = people.child(on, parents=1 if rng.random() < 0.2 else 2)
    elif spec.kind == "child-relay":
        person = people.child(on, 1, 5)
    elif spec.kind == "expected":
        person = people.child(on, expected=True)
    elif spec.kind == "youth":
        person = people.adult(on, 16, 17)
    elif spec.kind == "noid":
        person = people.adult(on, with_id=False)
    elif spec.kind == "dnumber":
        person = people.adult(on, 20, 55, d_number=True)
    else:
        person = people.adult(on)
        if spec.kind == "verge":
            verge = people.verge(on)
    return CaseRun(
        case_id=_case_id(rng), staff=staff, person=person, t=opened, relay=spec.kind == "child-relay", verge=verge
    )


# ------------------------------------------------------------------ output
def render(report: DemoReport, console: Console) -> None:
    """A small table: cases per stage and municipality, events and speed."""
    counts = report.stage_counts()
    events = report.events_by_municipality()
    table = Table(title="Demo data written", title_justify="left", box=box.SIMPLE_HEAD, show_edge=False)
    table.add_column("stage")
    for m in MUNICIPALITY_NAMES:
        table.add_column(f"{MUNICIPALITY_NAMES[m]}\n{m}", justify="right")
    table.add_column("total", justify="right", style="bold")
    for stage in Stage:
        row = [counts[m][stage] for m in MUNICIPALITY_NAMES]
        table.add_row(stage.value, *map(str, row), str(sum(row)))
    table.add_section()
    table.add_row("cases", *(str(sum(counts[m].values())) for m in MUNICIPALITY_NAMES), str(len(report.cases)))
    table.add_row("events", *(str(events[m]) for m in MUNICIPALITY_NAMES), str(report.events))
    table.add_row(
        "seconds",
        *(f"{report.seconds_by_municipality.get(m, 0.0):.1f}" for m in MUNICIPALITY_NAMES),
        f"{report.seconds:.1f}",
    )
    table.add_row(
        "events/second",
        *(_rate(events[m], report.seconds_by_municipality.get(m, 0.0)) for m in MUNICIPALITY_NAMES),
        _rate(report.events, report.seconds),
    )
    console.print(table)
    if report.breaches:
        console.print(
            "Deadlines and duties deliberately breached: "
            + ", ".join(f"{rule} ×{n}" for rule, n in sorted(report.breaches.items()))
        )
    for name, case_id in report.scenarios.items():
        console.print(f"Scenario {name}: case {case_id}")


def _rate(events: int, seconds: float) -> str:
    return f"{events / seconds:.0f}" if seconds else "-"
