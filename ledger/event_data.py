"""An event as JSON-ready data: for the history read, exports and reports.

Personal fields of an erased case read as None and are named in `erased`.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

from ledger.values import is_erased

_META = {
    "originator_id",
    "originator_version",
    "timestamp",
    "occurred_at",
    "recorded_by",
    "recorded_by_name",
    "originator_topic",
}


def jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (UUID, Decimal)):
        return str(value)
    if is_erased(value):
        return None
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in value]
    if isinstance(value, bytes):
        return value.hex()
    raise TypeError(f"cannot render {type(value).__name__} as JSON")


def event_to_dict(event: Any) -> dict[str, Any]:
    state = vars(event)
    data = {k: jsonable(v) for k, v in state.items() if k not in _META}
    erased = sorted(k for k, v in state.items() if is_erased(v))
    by = event.recorded_by
    return {
        "version": event.originator_version,
        "type": type(event).__name__,
        "occurred_at": event.occurred_at.isoformat(),
        "recorded_at": event.timestamp.isoformat(),
        "recorded_by": {
            "id": by.id,
            "role": by.role.value,
            "municipality": by.municipality,
            "service": by.service,
            "name": jsonable(event.recorded_by_name),
        },
        "data": data,
        **({"erased": erased} if erased else {}),
    }
