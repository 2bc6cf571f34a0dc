"""Every case's open compliance items, kept as rows, for KE's overview of
breached and soon-due checks across a municipality (DOMAIN §7).

A check's status depends on the events and on the day it is judged: a
pending check becomes a breach when its deadline passes with no event at
all. So each row keeps the moment its judgement stops holding
(`valid_until`: the nearest deadline still ahead, and at most one day, so a
rule whose status turns with the calendar in a way that leaves no deadline
is still judged again daily); `lapsed` names such cases and the runner
judges them again on every catch-up, so the overview a reader gets is never
older than the last catch-up. A case that cannot be judged keeps no rows and
is recorded as failed (projections.runner); the overview names it.

Only what KE acts on is kept: breaches and pending checks. No `detail` sentence is stored: the rows
hold rule, status, dates and event versions, nothing of the person; the
case's own compliance read (which is access-logged) gives the explanation.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from audit.compliance import CheckResult, CheckStatus, evaluate
from audit.compliance.timeline import due_instant
from ledger.events import CoordinatorAppointed, CoordinatorReleased, CoordinatorReplaced, CoordinatorRequested
from ledger.profiles import MunicipalProfile
from store import compliance_rows as rows
from store.projection_rows import ProjectionStore, column
from store.tables import Dialect

JUDGEMENT_LIFETIME = timedelta(days=1)
REFRESH_BATCH = 200


def kept(result: CheckResult) -> bool:
    # An `ok` with a date ahead may be a duty's next due date or a deadline
    # already met early; the row could not tell them apart, so it is not kept
    # (the refresh at that date judges the case again either way).
    return result.status in (CheckStatus.BREACH, CheckStatus.PENDING)


class ComplianceProjection:
    name = "compliance"

    def __init__(
        self,
        events_of: Callable[[UUID], list[Any]],
        profile_of: Callable[[str], MunicipalProfile],
        clock: Callable[[], datetime],
    ) -> None:
        self._events_of = events_of
        self._profile_of = profile_of
        self._clock = clock

    def create_statements(self, d: Dialect) -> list[str]:
        return rows.create_statements(d)

    def reset(self, c: Any, d: Dialect) -> None:
        rows.delete_all(c, d)

    def apply(self, c: Any, d: Dialect, e: Any) -> None:
        """Judging is per case, not per event: the runner calls `judge` and `write`."""

    def judge(self, case_id: UUID) -> Judgement | None:
        """Judge a case now, from all its events. The runner calls it before it
        opens its write transaction: reading a case's events inside it would hold
        the writer (SQLite has one) while waiting for a connection to read with."""
        return self._judgement(case_id, self._clock())

    def write(self, c: Any, d: Dialect, judgement: Judgement, *, unless_newer: bool = False) -> None:
        self._write(c, d, judgement, unless_newer=unless_newer)

    def discard(self, c: Any, d: Dialect, case_id: str) -> None:
        """A case that cannot be judged keeps no rows: old ones would be shown as if they still held."""
        rows.delete_case(c, d, case_id)

    def lapsed(self, store: ProjectionStore) -> list[UUID]:
        """Cases whose judgement has lapsed with time (a batch of them); the runner judges them again."""
        return store.read(rows.lapsed, self._clock(), REFRESH_BATCH)

    def _judgement(self, case_id: UUID, now: datetime) -> Judgement | None:
        events = self._events_of(case_id)
        if not events:
            return None
        municipality = events[0].municipality
        results = evaluate(events, self._profile_of(municipality), now)
        ahead = [due_instant(r.deadline) for r in results if r.deadline is not None and due_instant(r.deadline) > now]
        return Judgement(
            str(case_id),
            municipality,
            events[-1].originator_version,
            now,
            min([now + JUDGEMENT_LIFETIME, *ahead]),
            [r for r in results if kept(r)],
            *responsible(events),
        )

    def _write(self, c: Any, d: Dialect, j: Judgement, *, unless_newer: bool = False) -> None:
        if unless_newer:
            # A refresh read the events before a batch of newer ones was
            # judged (by another process): the newer judgement stands.
            judged = rows.judged_version(c, d, j.case_id)
            if judged is not None and judged > j.version:
                return
        rows.replace(
            c,
            d,
            case_id=j.case_id,
            municipality=j.municipality,
            version=j.version,
            judged_at=j.judged_at,
            valid_until=j.valid_until,
            checks=[
                rows.CheckRow(
                    r.rule,
                    r.status.value,
                    r.deadline.isoformat() if r.deadline is not None else None,
                    due_instant(r.deadline) if r.deadline is not None else None,
                    r.evidence,
                )
                for r in j.results
            ],
            unit=j.unit,
            coordinator_id=j.coordinator_id,
        )


@dataclass(frozen=True)
class Judgement:
    """One case judged at one moment: the rows `_write` keeps."""

    case_id: str
    municipality: str
    version: int
    judged_at: datetime
    valid_until: datetime
    results: list[CheckResult]
    unit: str | None
    coordinator_id: str | None


def responsible(events: Sequence[Any]) -> tuple[str | None, str | None]:
    """The unit a case belongs to (its coordinator's, else the unit asked to
    appoint one) and its coordinator's id, as the events leave them."""
    requested = unit = coordinator = None
    for e in events:
        if isinstance(e, CoordinatorRequested):
            requested = column(e.unit)
        elif isinstance(e, CoordinatorAppointed | CoordinatorReplaced):
            unit, coordinator = column(e.unit), column(e.person_id)
        elif isinstance(e, CoordinatorReleased):
            unit = coordinator = None
    return unit or requested, coordinator
