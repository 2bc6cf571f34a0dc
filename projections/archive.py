"""The archive outbox (issue #12): from the events, every archivable step of
every case (the decision, the plan at the end of each half-year and at
closing, the minutes of each meeting, the closing letter) becomes one Fiks
Arkiv message to send, decided exactly once.

Per batch, each case with an event that can make a step (`archive.steps.
STEP_EVENTS`) is looked at again (`prepare`, before the runner's write
transaction) and its steps are written as outbox rows in the transaction
that advances the projection's position (`finish`): a crash loses no step
and decides none twice (a row per case and step; a step decided again keeps
its first row). The same transaction writes the outcome of each receipt in
the batch (`ArchiveReceiptRecorded`), guarded by the receipt's version, so
a rebuild or a replay lands on the same state.

A half-year snapshot falls due by time alone, with no event to notice it:
each open case with a plan is scheduled for its next half-year end, and
`refresh` (run by the runner after every catch-up, as the compliance
projection's is) looks at the due cases again.

A rebuild forgets only the schedule: the messages stay, with what was sent
and answered, and every case is decided again into the same rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from archive import ids
from archive.steps import STEP_EVENTS, Archivable, half_year_ends
from ledger.events_plan import ArchiveReceiptRecorded, KeyDestroyed, TransferredOut
from store import archive_rows as rows
from store.projection_rows import ProjectionStore
from store.tables import Dialect

REFRESH_BATCH = 200
# Besides the steps' own events, these change whether a case waits for a half-year's end.
SCHEDULE_EVENTS: frozenset[type[Any]] = frozenset({KeyDestroyed, TransferredOut})
LOOK_AGAIN = STEP_EVENTS | SCHEDULE_EVENTS


def retry_delay(handed_out: int) -> timedelta:
    """How long a refused message waits before it is offered again, after it was handed out `handed_out` times:
    15 minutes, 1 hour, 4 hours, 16 hours, then daily (the archive's side is usually a setting to fix)."""
    return min(timedelta(minutes=15) * 4 ** max(handed_out - 1, 0), timedelta(days=1))


@dataclass(frozen=True)
class Decision:
    """One case looked at once: the outbox rows `finish` writes for it."""

    case_id: str
    municipality: str
    version: int
    steps: list[rows.DecidedStep]
    due_at: datetime | None


@dataclass
class Batch:
    decisions: list[Decision] = field(default_factory=list)
    answers: list[rows.Answer] = field(default_factory=list)


class ArchiveProjection:
    name = "archive"

    def __init__(
        self,
        events_of: Callable[[UUID], list[Any]],
        archivable: Archivable,
        clock: Callable[[], datetime],
        case_keys: Callable[[list[UUID]], Any],
    ) -> None:
        self._events_of = events_of
        self._archivable = archivable
        self._clock = clock
        self._case_keys = case_keys

    def create_statements(self, d: Dialect) -> list[str]:
        return rows.create_statements(d)

    def reset(self, c: Any, d: Dialect) -> None:
        rows.forget_schedule(c, d)

    def apply(self, c: Any, d: Dialect, e: Any) -> None:
        """Deciding is per case, not per event: see `prepare` and `finish`."""

    def prepare(self, events: Sequence[Any]) -> Batch:
        now = self._clock()
        touched = dict.fromkeys(e.originator_id for e in events if type(e) in LOOK_AGAIN)
        decided = (self._decide(case_id, now) for case_id in touched)
        return Batch(
            [d for d in decided if d is not None],
            [
                rows.Answer(e.message_id, e.accepted, e.originator_version, e.timestamp, _error(e))
                for e in events
                if isinstance(e, ArchiveReceiptRecorded)
            ],
        )

    def finish(self, c: Any, d: Dialect, prepared: Batch) -> None:
        now = self._clock()
        for decision in prepared.decisions:
            _write(c, d, decision, now)
        # After the steps: on a rebuild from nothing, a receipt finds the row its step just made.
        for answer in prepared.answers:
            rows.answer(c, d, answer, retry_delay)

    def refresh(self, store: ProjectionStore) -> int:
        """Look again at every case whose next half-year snapshot has fallen due; returns how many."""
        now = self._clock()
        done = 0
        while True:
            due = store.read(rows.due, now, REFRESH_BATCH)
            if not due:
                return done
            with self._case_keys(due):
                decided = [x for x in (self._decide(case_id, now) for case_id in due) if x is not None]
            try:
                with store.writing() as c:
                    for decision in decided:
                        _write(c, store.d, decision, now)
            except IntegrityError:
                return done  # another process decided these cases at the same moment: its rows stand
            done += len(due)

    def _decide(self, case_id: UUID, now: datetime) -> Decision | None:
        events = self._events_of(case_id)
        if not events:
            return None
        municipality = events[0].municipality
        if any(isinstance(e, KeyDestroyed) for e in events):
            # Erasure waited for every step to be filed; nothing new can be rendered now.
            return Decision(str(case_id), municipality, len(events), [], None)
        view, steps = self._archivable.of(events, now)
        decided = [rows.DecidedStep(ids.message(case_id, s.id), s.id, s.made_at) for s in steps]
        due_at = None
        if view.get("status") == "open" and view.get("plan"):
            due_at = half_year_ends(now, now + timedelta(days=200))[0]
        return Decision(str(case_id), municipality, len(events), decided, due_at)


def _error(e: ArchiveReceiptRecorded) -> str | None:
    """The row keeps the archive's error id only: its message may quote the case and stays sealed in the event."""
    if e.accepted:
        return None
    return f"feilId {e.error_id}" if e.error_id else "avvist uten feilId"


def _write(c: Any, d: Dialect, decision: Decision, now: datetime) -> None:
    rows.add_steps(c, d, decision.case_id, decision.municipality, decision.version, decision.steps, now)
    rows.schedule(c, d, decision.case_id, decision.municipality, decision.due_at)
