"""An outbox in memory: the `Outbox` port for tests and for reading what the SQL one must do.

Thread-safe, so several dispatchers (threads) can share it. Each delivery is added once (by its key:
notification id, channel, target); every attempt is kept; dead letters can be listed and replayed.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from datetime import datetime

from notify.dispatch import Attempt, Delivery, DeliveryState


@dataclass
class _Entry:
    delivery: Delivery
    due_at: datetime
    state: DeliveryState = DeliveryState.PENDING
    leased_until: datetime | None = None
    attempts: list[Attempt] = field(default_factory=list)


class MemoryOutbox:
    def __init__(self) -> None:
        self._entries: dict[tuple[str, str, str], _Entry] = {}
        self._lock = threading.Lock()

    def add(self, delivery: Delivery, due_at: datetime) -> bool:
        """Record a decided delivery once; False if it was already there (decided before)."""
        with self._lock:
            if delivery.key in self._entries:
                return False
            self._entries[delivery.key] = _Entry(replace(delivery, attempts=0), due_at)
            return True

    def claim_next_due(self, now: datetime, lease_until: datetime) -> Delivery | None:
        with self._lock:
            due = [
                e
                for e in self._entries.values()
                if e.state is DeliveryState.PENDING
                and e.due_at <= now
                and (e.leased_until is None or e.leased_until <= now)
            ]
            if not due:
                return None
            entry = min(due, key=lambda e: e.due_at)
            entry.leased_until = lease_until
            return replace(entry.delivery, attempts=len(entry.attempts))

    def record_attempt(
        self, delivery: Delivery, attempt: Attempt, state: DeliveryState, next_attempt_at: datetime | None
    ) -> None:
        with self._lock:
            entry = self._entries[delivery.key]
            entry.attempts.append(attempt)
            entry.state = state
            entry.leased_until = None
            if next_attempt_at is not None:
                entry.due_at = next_attempt_at

    # ------------------------------------------------------------- reading
    def state(self, key: tuple[str, str, str]) -> DeliveryState:
        with self._lock:
            return self._entries[key].state

    def attempts(self, key: tuple[str, str, str]) -> list[Attempt]:
        with self._lock:
            return list(self._entries[key].attempts)

    def next_due(self) -> datetime | None:
        """When the soonest pending delivery is due (None: nothing pending)."""
        with self._lock:
            pending = [e.due_at for e in self._entries.values() if e.state is DeliveryState.PENDING]
            return min(pending) if pending else None

    def dead_letters(self) -> list[Delivery]:
        with self._lock:
            return [e.delivery for e in self._entries.values() if e.state is DeliveryState.DEAD]

    def replay(self, key: tuple[str, str, str], now: datetime) -> None:
        """A dead letter goes out again (its attempts so far are kept and counted on)."""
        with self._lock:
            entry = self._entries[key]
            if entry.state is not DeliveryState.DEAD:
                raise ValueError("only a dead-lettered delivery can be replayed")
            entry.state, entry.due_at = DeliveryState.PENDING, now
