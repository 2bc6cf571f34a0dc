"""The archive outbox (issue #12): from the events, every archivable step of
every case (the decision, the plan at the end of each half-year and at
closing, the minutes of each meeting, the closing letter) becomes one Fiks
Arkiv message to send, decided exactly once.

Per batch, each case the batch touched is looked at again (`prepare`, before
the runner's write transaction) and its steps are written as outbox rows in
the transaction that advances the projection's position (`finish`): a crash
loses no step and decides none twice (a row per case and step; a step
decided again keeps its first row). The same pass writes the outcome of
every receipt the case has recorded (`ArchiveReceiptRecorded`), guarded by
the receipt's version, so a rebuild or a replay lands on the same state.

A half-year snapshot falls due by time alone, with no event to notice it:
each open case with a plan is scheduled for its next half-year end, and
`refresh` (run by the runner after every catch-up, as the compliance
projection's is) looks at the due cases again.

A rebuild forgets only the schedule: the messages stay, with what was sent
and answered, and every case is decided again into the same rows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from archive import ids
from archive.steps import Archivable, half_year_ends
from ledger.events_plan import ArchiveReceiptRecorded
from store import archive_rows as rows
from store.projection_rows import ProjectionStore
from store.tables import Dialect

REFRESH_BATCH = 200
# A refused message is offered again after a while (the archive's side is usually a setting to fix),
# longer after each refusal: 15 minutes, 1 hour, 4 hours, 16 hours, then daily.
FIRST_RETRY = timedelta(minutes=15)
LONGEST_RETRY = timedelta(days=1)


def retry_delay(refusals: int) -> timedelta:
    """How long after its `refusals`-th refusal a message is offered again."""
    return min(FIRST_RETRY * 4 ** max(refusals - 1, 0), LONGEST_RETRY)


@dataclass(frozen=True)
class Decision:
    """One case looked at once: the outbox rows `finish` writes."""

    case_id: str
    municipality: str
    version: int
    steps: list[rows.DecidedStep]
    answers: list[tuple[rows.Answer, datetime]]
    due_at: datetime | None


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

    def prepare(self, events: Sequence[Any]) -> list[Decision]:
        now = self._clock()
        decided = (self._decide(case_id, now) for case_id in dict.fromkeys(e.originator_id for e in events))
        return [d for d in decided if d is not None]

    def finish(self, c: Any, d: Dialect, prepared: list[Decision]) -> None:
        now = self._clock()
        for decision in prepared:
            _write(c, d, decision, now)

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
        view, steps = self._archivable.of(events, now)
        municipality = events[0].municipality
        answers = _answers(events)
        if view.get("erased"):
            # Erasure waited for every step to be filed; nothing new can be rendered now.
            return Decision(str(case_id), municipality, len(events), [], answers, None)
        decided = [rows.DecidedStep(ids.message(case_id, s.id), s.id, s.made_at) for s in steps]
        due_at = None
        if view.get("status") == "open" and view.get("plan"):
            due_at = half_year_ends(now, now + timedelta(days=200))[0]
        return Decision(str(case_id), municipality, len(events), decided, answers, due_at)


def _answers(events: Sequence[Any]) -> list[tuple[rows.Answer, datetime]]:
    refusals: Counter[UUID] = Counter()
    out = []
    for e in events:
        if not isinstance(e, ArchiveReceiptRecorded):
            continue
        retry_at = None
        if not e.accepted:
            refusals[e.message_id] += 1
            retry_at = e.timestamp + retry_delay(refusals[e.message_id])
        # The row keeps the archive's error id only: its message may quote the case and stays sealed in the event.
        error = None if e.accepted else f"feilId {e.error_id}" if e.error_id else "avvist uten feilId"
        out.append((rows.Answer(e.message_id, e.accepted, e.originator_version, retry_at, error), e.timestamp))
    return out


def _write(c: Any, d: Dialect, decision: Decision, now: datetime) -> None:
    rows.add_steps(c, d, decision.case_id, decision.municipality, decision.version, decision.steps, now)
    for answer, at in decision.answers:
        rows.answer(c, d, answer, at)
    rows.schedule(c, d, decision.case_id, decision.municipality, decision.due_at)
