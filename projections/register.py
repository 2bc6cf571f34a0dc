"""The coordinating unit's register: every case with its coordinator, unit
and team, so KE sees coordinators with their cases and units, active teams,
cases without a coordinator, and the load per unit (DOMAIN §7)."""

from __future__ import annotations

from typing import Any

from ledger.values import is_erased
from store.tables import Dialect

COLUMNS = (
    "case_id",
    "municipality",
    "status",
    "opened_at",
    "coordinator_id",
    "coordinator_name",
    "coordinator_unit",
    "coordinator_kind",
    "requested_unit",
    "team_name",
    "participants",
    "version",
)


class RegisterProjection:
    name = "register"

    def create_statements(self, d: Dialect) -> list[str]:
        return [
            d.sql(
                "CREATE TABLE IF NOT EXISTS {register_cases} (case_id TEXT PRIMARY KEY, municipality TEXT NOT NULL, "
                "status TEXT NOT NULL, opened_at TEXT NOT NULL, coordinator_id TEXT, coordinator_name TEXT, "
                "coordinator_unit TEXT, coordinator_kind TEXT, requested_unit TEXT, team_name TEXT, "
                "participants INTEGER NOT NULL DEFAULT 0, version BIGINT NOT NULL)"
            ),
            d.sql("CREATE INDEX IF NOT EXISTS register_cases_municipality ON {register_cases} (municipality, status)"),
        ]

    def reset(self, c: Any, d: Dialect) -> None:
        c.execute(d.sql("DELETE FROM {register_cases}"))

    def apply(self, c: Any, d: Dialect, e: Any) -> None:
        kind = type(e).__name__
        case_id = str(e.originator_id)
        if kind == "CaseOpened":
            c.execute(
                d.sql(
                    "INSERT INTO {register_cases} (case_id, municipality, status, opened_at, participants, "
                    "version) VALUES (?, ?, 'open', ?, 0, ?)"
                ),
                (case_id, e.municipality, e.occurred_at.isoformat(), e.originator_version),
            )
            return
        updates: dict[str, Any] = {"version": e.originator_version}
        if kind in ("CoordinatorAppointed", "CoordinatorReplaced"):
            updates.update(coordinator_id=e.person_id, coordinator_name=e.person_name, coordinator_unit=e.unit)
            if kind == "CoordinatorAppointed":
                updates["coordinator_kind"] = e.kind.value
        elif kind == "CoordinatorReleased":
            updates.update(coordinator_id=None, coordinator_name=None, coordinator_unit=None, coordinator_kind=None)
        elif kind == "CoordinatorRequested":
            updates["requested_unit"] = e.unit
        elif kind == "TeamEstablished":
            updates["team_name"] = e.local_name
        elif kind in ("ParticipantAdded", "ParticipantRemoved"):
            delta = 1 if kind == "ParticipantAdded" else -1
            c.execute(
                d.sql("UPDATE {register_cases} SET participants = participants + ? WHERE case_id = ?"), (delta, case_id)
            )
        elif kind in ("CaseClosed", "CaseReopened", "TransferredOut"):
            updates["status"] = {"CaseClosed": "closed", "CaseReopened": "open", "TransferredOut": "transferred_out"}[
                kind
            ]
        elif kind == "KeyDestroyed":
            updates["coordinator_name"] = None  # erasure: the projection keeps no plaintext of the case
        assignments = ", ".join(f"{k} = ?" for k in updates)
        c.execute(
            d.sql(f"UPDATE {{register_cases}} SET {assignments} WHERE case_id = ?"),
            (*(column(v) for v in updates.values()), case_id),
        )


def column(value: Any) -> Any:
    """A value as a column holds it. Applying an event must never fail: text
    columns of PostgreSQL refuse NUL, which an event's text may carry (the
    HTTP edge refuses it, other writers need not), so it is shown as U+FFFD.
    An erased field is no value."""
    if is_erased(value):
        return None
    return value.replace("\x00", "\ufffd") if isinstance(value, str) else value
