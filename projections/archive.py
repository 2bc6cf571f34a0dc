"""The archive outbox (issue #12): from the events, every archivable step of
every case (the decision, the plan at the end of each half-year and at
closing, the minutes of each meeting, the closing letter) becomes one Fiks
Arkiv message to send, decided exactly once.

Per batch, each case with an event is looked at again (`judge`, before the
runner's write transaction) and its steps are written as outbox rows in the
transaction that advances the projection's position (`write`): a crash loses
no step and decides none twice (a row per case and step; a step decided
again keeps its first row). The same transaction writes the outcome of each
of the case's receipts (`ArchiveReceiptRecorded`), guarded by the receipt's
version, so a rebuild or a replay lands on the same state.

A half-year snapshot falls due by time alone, with no event to notice it:
each open case with a plan is scheduled for its next half-year end, and the
runner looks at the `lapsed` cases again after every catch-up, as it does
for the compliance projection.

A rebuild forgets only the schedule: the messages stay, with what was sent
and answered, and every case is decided again into the same rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from archive import ids
from archive.steps import Archivable, half_year_ends
from ledger.events_plan import ArchiveReceiptRecorded, KeyDestroyed
from store import archive_rows as rows
from store.projection_rows import ProjectionStore
from store.tables import Dialect

REFRESH_BATCH = 200


def retry_delay(handed_out: int) -> timedelta:
    """How long a refused message waits before it is offered again, after it was handed out `handed_out` times:
    15 minutes, 1 hour, 4 hours, 16 hours, then daily (the archive's side is usually a setting to fix)."""
    return min(timedelta(minutes=15) * 4 ** max(handed_out - 1, 0), timedelta(days=1))


@dataclass(frozen=True)
class Decision:
    """One case looked at once: the outbox rows `write` keeps for it, and the outcome of each of its receipts."""

    case_id: str
    municipality: str
    version: int
    steps: list[rows.DecidedStep]
    due_at: datetime | None
    answers: list[rows.Answer] = field(default_factory=list)


class ArchiveProjection:
    """A per-case projection (the runner's `CaseJudge`): each case with events in a batch is looked at
    again (`judge`, before the runner's write transaction) and its steps written in the transaction
    that advances the position (`write`); cases whose half-year snapshot fell due are `lapsed`."""

    name = "archive"

    def __init__(
        self, events_of: Callable[[UUID], list[Any]], archivable: Archivable, clock: Callable[[], datetime]
    ) -> None:
        self._events_of = events_of
        self._archivable = archivable
        self._clock = clock

    def create_statements(self, d: Dialect) -> list[str]:
        return rows.create_statements(d)

    def reset(self, c: Any, d: Dialect) -> None:
        rows.forget_schedule(c, d)

    def apply(self, c: Any, d: Dialect, e: Any) -> None:
        """Deciding is per case, not per event: the runner calls `judge` and `write`."""

    def judge(self, case_id: UUID) -> Decision | None:
        return self._decide(case_id, self._clock())

    def write(self, c: Any, d: Dialect, decision: Decision, *, unless_newer: bool = False) -> None:
        # A step decided again keeps its first row, and an answer never turns back a later one,
        # so a decision older than the rows (`unless_newer`) changes nothing that stands.
        _write(c, d, decision, self._clock())
        # After the steps: on a rebuild from nothing, a receipt finds the row its step just made.
        for answer in decision.answers:
            rows.answer(c, d, answer, retry_delay)

    def discard(self, c: Any, d: Dialect, case_id: str) -> None:
        """A case that cannot be looked at keeps the messages already decided (they may be sent and
        answered); it is only no longer scheduled, until a later event looks at it again."""
        rows.schedule(c, d, case_id, "", None)

    def lapsed(self, store: ProjectionStore) -> list[UUID]:
        """Cases whose next half-year snapshot has fallen due (a batch of them); the runner looks again."""
        return store.read(rows.due, self._clock(), REFRESH_BATCH)

    def _decide(self, case_id: UUID, now: datetime) -> Decision | None:
        events = self._events_of(case_id)
        if not events:
            return None
        municipality = events[0].municipality
        answers = [
            rows.Answer(e.message_id, e.accepted, e.originator_version, e.timestamp, _error(e))
            for e in events
            if isinstance(e, ArchiveReceiptRecorded)
        ]
        if any(isinstance(e, KeyDestroyed) for e in events):
            # Erasure waited for every step to be filed; nothing new can be rendered now.
            return Decision(str(case_id), municipality, len(events), [], None, answers)
        view, steps = self._archivable.of(events, now)
        decided = [rows.DecidedStep(ids.message(case_id, s.id), s.id, s.made_at) for s in steps]
        due_at = None
        if view.get("status") == "open" and view.get("plan"):
            due_at = half_year_ends(now, now + timedelta(days=200))[0]
        return Decision(str(case_id), municipality, len(events), decided, due_at, answers)


def _error(e: ArchiveReceiptRecorded) -> str | None:
    """The row keeps the archive's error id only: its message may quote the case and stays sealed in the event."""
    if e.accepted:
        return None
    return f"feilId {e.error_id}" if e.error_id else "avvist uten feilId"


def _write(c: Any, d: Dialect, decision: Decision, now: datetime) -> None:
    rows.add_steps(c, d, decision.case_id, decision.municipality, decision.version, decision.steps, now)
    rows.schedule(c, d, decision.case_id, decision.municipality, decision.due_at)
