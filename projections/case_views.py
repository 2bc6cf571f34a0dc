"""The case as people read it now, kept as a row per case.

Each row is exactly `fold(events)` (the same steps as the read with `as_of`),
advanced one event at a time, and sealed with the case's own key: the row
holds personal data, so it is encrypted at rest like the events and erasure
reaches it by the same key. On erasure the row is folded again from the
stored events, which now read as erased, and kept in clear (nothing personal
is left in it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

import orjson

from ledger.events import CaseOpened
from ledger.events_plan import KeyDestroyed
from projections.case_view import apply_event, fold
from store import case_view_rows as rows
from store.keyring import Keyring
from store.tables import Dialect


class CaseViewProjection:
    name = "case_view"

    def __init__(self, events_of: Callable[[UUID], list[Any]], keyring: Keyring) -> None:
        self._events_of = events_of
        self._keyring = keyring

    def create_statements(self, d: Dialect) -> list[str]:
        return rows.create_statements(d)

    def reset(self, c: Any, d: Dialect) -> None:
        rows.delete_all(c, d)

    def apply(self, c: Any, d: Dialect, e: Any) -> None:
        case_id = str(e.originator_id)
        if isinstance(e, CaseOpened):
            view: dict[str, Any] = {}
            apply_event(view, e)
            rows.insert(c, d, case_id, e.municipality, e.originator_version, self._seal(e.originator_id, view))
            return
        if isinstance(e, KeyDestroyed):
            # Everything before now reads as erased: fold it all again.
            view = fold(ev for ev in self._events_of(e.originator_id) if ev.originator_version <= e.originator_version)
        else:
            sealed = rows.sealed_view(c, d, case_id)
            if sealed is None:
                # Every case starts with CaseOpened, which makes the row: fail loudly, never skip.
                raise LookupError(f"no case view row for case {case_id} at event {e.originator_version}")
            stored = open_view(self._keyring, e.originator_id, sealed)
            if stored is None:
                # Sealed with a key destroyed since: fold again from the events.
                view = fold(
                    ev for ev in self._events_of(e.originator_id) if ev.originator_version <= e.originator_version
                )
            else:
                view = stored
                apply_event(view, e)
        rows.update(c, d, case_id, e.originator_version, self._seal(e.originator_id, view))

    def _seal(self, case_id: UUID, view: dict[str, Any]) -> bytes:
        return self._keyring.seal_blob(case_id, orjson.dumps(view), PURPOSE)


PURPOSE = b"case-view"


def open_view(keyring: Keyring, case_id: UUID, blob: bytes) -> dict[str, Any] | None:
    data = keyring.open_blob(case_id, blob, PURPOSE)
    return None if data is None else orjson.loads(data)
