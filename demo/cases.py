"""The machinery of `ledger demo`: the stages a case can reach, what the
generator knows about a case while writing it, and the `Writer` that turns
every step into a real command through `LedgerApplication.handle`.

Times are explicit `occurred_at` values behind the ledger's clock; a step
whose time would lie in the future ends the case where it stands
(`StopCase`), so the data set is valid whatever the clock says.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from uuid import UUID

from commands.base import CaseCommand, Command, CommandResult
from demo.people import DemoPerson, Staff, Unit
from ledger.profiles import MunicipalProfile, profile_for
from ledger.values import Actor, Provision

UTC = UTC
EARLIEST = datetime(2024, 1, 2, 8, 0, tzinfo=UTC)


class Stage(StrEnum):
    """How far a demo case got; the label is what the summary table shows."""

    REFERRED = "referral"
    REFUSED = "refused"
    DECIDED = "decided"
    REQUESTED = "awaiting coordinator"
    RELAY = "relay log"
    APPOINTED = "coordinator named"
    STARTUP = "start-up held"
    CONSENT = "consent and team"
    PLAN = "plan and goals"
    ACTIVE = "team at work"
    CLOSED = "closed"
    ERASED = "erased"


class StopCase(Exception):
    """The next step of the case would lie after the ledger's now."""


@dataclass
class GoalInfo:
    service: str
    evaluate_by: date
    text: str
    closed: bool = False


@dataclass
class CaseRun:
    """What the generator knows about one case while it writes it."""

    case_id: UUID
    staff: Staff
    person: DemoPerson
    t: datetime
    requested: tuple[Provision, ...] = ()
    relay: bool = False
    stage: Stage | None = None
    version: int = 0
    unit: Unit | None = None
    coordinator: Actor | None = None
    team: dict[UUID, Actor] = field(default_factory=dict)
    consents: dict[UUID, tuple[UUID, ...]] = field(default_factory=dict)  # consent id -> participants named
    goals: dict[UUID, GoalInfo] = field(default_factory=dict)
    activities: list[tuple[UUID, UUID, date]] = field(default_factory=list)  # activity, goal, due
    verge: Any = None
    relay_open: bool = False

    @property
    def municipality(self) -> str:
        return self.staff.municipality

    @property
    def profile(self) -> MunicipalProfile:
        return profile_for(self.municipality)

    @property
    def child(self) -> bool:
        return self.person.expected or self.person.age(self.t.date()) < 18

    def under_16(self, on: datetime) -> bool:
        return self.person.expected or self.person.age(on.date()) < 16


class Writer:
    """Issues the commands of every demo case and keeps the tallies."""

    def __init__(
        self,
        app: Any,
        rng: random.Random,
        now: datetime,
        issue_report: Callable[[Actor, UUID], str],
        file_in_archive: Callable[[UUID, str, datetime], int] = lambda case_id, municipality, when: 0,
    ) -> None:
        self.app = app
        # Renders and logs a case's compliance report for a reader; returns its sha256.
        self.issue_report = issue_report
        # The municipality's archive answers every archive message of a case (before it is erased).
        self._file_in_archive = file_in_archive
        self.rng = rng
        self.limit = now - timedelta(minutes=1)
        self.breaches: Counter[str] = Counter()
        self._seen: set[str] = set()

    # --------------------------------------------------------- plumbing
    def handle(self, run: CaseRun, command: type[Command], when: datetime, **fields: Any) -> CommandResult:
        if when > self.limit:
            raise StopCase
        if issubclass(command, CaseCommand):
            fields["case_id"] = run.case_id
        result = self.app.handle(command(occurred_at=when, **fields))
        # OpenCase's `case_id` is a wish the application may not honour: the
        # case is whatever id the result names.
        run.case_id = result.case_id
        run.version = result.version
        run.t = max(run.t, when)
        return result

    def file_in_archive(self, run: CaseRun, when: datetime) -> None:
        """The archive's receipts for every archivable step of the case, received at `when` (INV-12: erasure
        waits for them)."""
        if when > self.limit:
            raise StopCase
        self._file_in_archive(run.case_id, run.municipality, when)
        run.t = max(run.t, when)

    def later(self, run: CaseRun, lo: float, hi: float) -> datetime:
        """An office-hours time `lo`..`hi` days after the case's cursor."""
        return self.office_time(run.t + timedelta(days=self.rng.uniform(lo, hi)), after=run.t)

    def office_time(self, moment: datetime, after: datetime | None = None) -> datetime:
        at = datetime.combine(
            moment.date(), time(self.rng.randint(7, 14), self.rng.choice((0, 15, 30, 45))), tzinfo=UTC
        )
        if after is not None and at <= after:
            at = after + timedelta(minutes=self.rng.randint(10, 90))
        return at

    def want(self, feature: str, p: float) -> bool:
        """True for the first case that can have `feature`, then with chance p,
        so even a small data set shows every kind of case."""
        if feature not in self._seen:
            self._seen.add(feature)
            return True
        return self.rng.random() < p

    def pick(self, feature: str, options: dict[str, float]) -> str:
        """Each option once, in order, the first times `feature` comes up; then
        by weight."""
        for option in options:
            if f"{feature}:{option}" not in self._seen:
                self._seen.add(f"{feature}:{option}")
                return option
        return self.rng.choices(list(options), weights=list(options.values()))[0]

    def breach(self, rule: str, applies: bool = True) -> None:
        if applies:
            self.breaches[rule] += 1

    def ke(self, run: CaseRun) -> Actor:
        return self.rng.choice(run.staff.ke)
