"""Runs projections over the notification log, exactly once.

Each batch of events is applied and the projection's position advanced in
one transaction, with a compare-and-set on the position: if another runner
(another process) got there first, this batch rolls back and is read again
from the new position. A crash rolls back both rows and position, so no
event is skipped or applied twice.

Writers commit in notification-id order (the library locks the events table
on PostgreSQL; SQLite has one writer), so reading `id > position` never
passes over an event that commits later with a lower id.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol
from uuid import UUID

import structlog
from eventsourcing.persistence import IntegrityError

from ledger.events_plan import KeyDestroyed
from store.projection_rows import ProjectionStore
from store.tables import Dialect

log = structlog.get_logger("ledger.projections")

BATCH = 500


class Projection(Protocol):
    name: str

    def create_statements(self, d: Dialect) -> list[str]: ...

    def reset(self, c: Any, d: Dialect) -> None: ...

    def apply(self, c: Any, d: Dialect, event: Any) -> None: ...


class ProjectionRunner:
    def __init__(self, app: Any, store: ProjectionStore, projections: Sequence[Projection]) -> None:
        self.app = app
        self.store = store
        self.projections = {p.name: p for p in projections}
        self._lock = threading.Lock()
        store.create_tables(
            self.projections, [s for p in self.projections.values() for s in p.create_statements(store.d)]
        )

    # ------------------------------------------------------------ running
    def catch_up(
        self, names: Iterable[str] | None = None, progress: Callable[[str, int, int], None] | None = None
    ) -> int:
        """Apply every recorded event not yet applied; returns how many."""
        done = 0
        with self._lock:
            for name in names or list(self.projections):
                while True:
                    applied = self._step(self.projections[name])
                    if applied is None:
                        continue  # another runner advanced the position: read again
                    if applied == 0:
                        break
                    done += applied
                    if progress:
                        progress(name, self.position(name), self.store.max_notification_id())
                refresh = getattr(self.projections[name], "refresh", None)
                if refresh is not None:  # rows whose judgement lapsed with time, not with an event
                    refresh(self.store)
        return done

    def _step(self, projection: Projection) -> int | None:
        start = self.position(projection.name)
        notifications = self.store.notifications_after(start, BATCH)
        if not notifications:
            return 0
        case_ids = [
            n.originator_id if isinstance(n.originator_id, UUID) else UUID(n.originator_id) for n in notifications
        ]
        # The batch's case keys are fetched once, before the write transaction:
        # reading events and sealing rows must not hold the writer for a look-up each.
        with self.app.keyring.scope(case_ids):
            events = [self.app.mapper.to_domain_event(n) for n in notifications]
            # A projection that works per case reads what it needs here, before
            # the write transaction (which must not wait on other reads).
            prepare = getattr(projection, "prepare", None)
            prepared = prepare(events) if prepare is not None else None
            try:
                return self._apply(projection, start, notifications, events, prepared)
            except (_Lost, IntegrityError):
                return None

    def _apply(
        self, projection: Projection, start: int, notifications: Sequence[Any], events: list[Any], prepared: Any
    ) -> int:
        # Overwritten plaintext leaves no bytes in free pages (scrub).
        with self.store.writing(scrub=True) as c:
            # Claim the batch first, so a second runner waits, then loses.
            if not self.store.claim(c, projection.name, start, notifications[-1].id):
                raise _Lost()
            for event in events:
                projection.apply(c, self.store.d, event)
            finish = getattr(projection, "finish", None)
            if finish is not None:  # writes what `prepare` read, in the same transaction as the position
                finish(c, self.store.d, prepared)
        if any(isinstance(e, KeyDestroyed) for e in events):
            self.store.purge_after_erasure()
        return len(notifications)

    def run_forever(self, stop: threading.Event, interval: float = 0.25) -> None:
        """Poll the log (works on both stores) until `stop` is set. A failure
        is logged loudly and retried from the tracked position, never skipped."""
        while not stop.is_set():
            try:
                self.catch_up()
            except Exception as e:
                log.error("projection.failed", error=type(e).__name__, detail=str(e)[:200])
                stop.wait(2.0)
            stop.wait(interval)

    def start_background(self, interval: float = 0.25) -> threading.Event:
        stop = threading.Event()
        threading.Thread(target=self.run_forever, args=(stop, interval), name="projections", daemon=True).start()
        return stop

    # ------------------------------------------------------------ rebuild
    def rebuild(
        self, names: Iterable[str] | None = None, progress: Callable[[str, int, int], None] | None = None
    ) -> int:
        chosen = list(names or self.projections)
        unknown = [n for n in chosen if n not in self.projections]
        if unknown:
            raise KeyError(f"unknown projection {unknown[0]!r}; known: {', '.join(sorted(self.projections))}")
        with self._lock, self.store.writing() as c:
            for name in chosen:
                self.projections[name].reset(c, self.store.d)
                self.store.rewind(c, name)
        return self.catch_up(chosen, progress)

    def position(self, name: str) -> int:
        return self.store.position(name)


class _Lost(Exception):
    """The position moved under us (another runner)."""
