"""The decoded events of the cases read most recently, kept in memory for the reads.

Every read of a case (the JSON case, the case page) decodes and decrypts all its events; for a
case of a thousand events that is most of the read. Events are never changed once stored, and
what they decode to depends only on them and on the case's keys that are not destroyed. So the
events decoded once are kept, with the ids of the keys they were decoded under, and a later
read fetches only the events stored since (by any process), as the command path's case cache
does (`LEDGER_CASE_CACHE`). When the case's keys are not the same any more (erasure destroyed
one, or a write after erasure made a new one) everything is decoded again, so no plaintext
outlives its key: an erased case is read as erased at once, as without the cache.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from uuid import UUID


@dataclass(frozen=True)
class _Held:
    keys: frozenset[str]
    events: tuple[Any, ...]


class DecodedEvents:
    """At most `size` cases' decoded events (the least recently read dropped first)."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._cases: OrderedDict[UUID, _Held] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, case_id: UUID, keys: frozenset[str], read: Callable[[int | None], Iterable[Any]]) -> list[Any]:
        """The case's events. `keys`: the ids of its live keys now; `read(v)`: its events decoded,
        those after version `v` (all for None). Called inside the keyring's scope of the case."""
        with self._lock:
            held = self._cases.get(case_id)
        events: tuple[Any, ...] | None = None
        if held is not None and held.keys == keys and held.events:
            last = held.events[-1].originator_version
            newer = tuple(read(last))
            # Versions are contiguous; anything else (never seen) is read again from the start.
            if not newer or newer[0].originator_version == last + 1:
                events = held.events + newer
        if events is None:
            events = tuple(read(None))
        with self._lock:
            if events:
                self._cases[case_id] = _Held(keys, events)
                self._cases.move_to_end(case_id)
                while len(self._cases) > self._size:
                    self._cases.popitem(last=False)
            else:
                self._cases.pop(case_id, None)
        return list(events)

    def forget(self, case_id: UUID) -> None:
        with self._lock:
            self._cases.pop(case_id, None)
