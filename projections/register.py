"""The coordinating unit's register: every case with its coordinator, unit
and team, so KE sees coordinators with their cases and units, active teams,
cases without a coordinator, and the load per unit (DOMAIN §7)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ledger import events as E
from ledger import events_plan as P
from ledger.event_base import CaseEvent
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
        case_id = str(e.originator_id)
        if isinstance(e, E.CaseOpened):
            c.execute(
                d.sql(
                    "INSERT INTO {register_cases} (case_id, municipality, status, opened_at, participants, "
                    "version) VALUES (?, ?, 'open', ?, 0, ?)"
                ),
                (case_id, e.municipality, e.occurred_at.isoformat(), e.originator_version),
            )
            return
        delta = PARTICIPANTS.get(type(e))
        if delta is not None:
            c.execute(
                d.sql("UPDATE {register_cases} SET participants = participants + ? WHERE case_id = ?"), (delta, case_id)
            )
        change = COLUMNS.get(type(e))
        updates: dict[str, Any] = {"version": e.originator_version, **(change(e) if change is not None else {})}
        assignments = ", ".join(f"{k} = ?" for k in updates)
        c.execute(
            d.sql(f"UPDATE {{register_cases}} SET {assignments} WHERE case_id = ?"),
            (*(column(v) for v in updates.values()), case_id),
        )


_NO_COORDINATOR = dict.fromkeys(("coordinator_id", "coordinator_name", "coordinator_unit", "coordinator_kind"))

# The columns each event sets (besides the version, which every event sets).
COLUMNS: dict[type[CaseEvent], Callable[[Any], dict[str, Any]]] = {
    E.CoordinatorAppointed: lambda e: {
        "coordinator_id": e.person_id,
        "coordinator_name": e.person_name,
        "coordinator_unit": e.unit,
        "coordinator_kind": e.kind.value,
    },
    # A replacement keeps the kind held.
    E.CoordinatorReplaced: lambda e: {
        "coordinator_id": e.person_id,
        "coordinator_name": e.person_name,
        "coordinator_unit": e.unit,
    },
    E.CoordinatorReleased: lambda e: _NO_COORDINATOR,
    E.CoordinatorRequested: lambda e: {"requested_unit": e.unit},
    E.TeamEstablished: lambda e: {"team_name": e.local_name},
    P.CaseClosed: lambda e: {"status": "closed"},
    P.CaseReopened: lambda e: {"status": "open"},
    P.TransferredOut: lambda e: {"status": "transferred_out"},
    # Erasure: the projection keeps no plaintext of the case.
    P.KeyDestroyed: lambda e: {"coordinator_name": None},
}
PARTICIPANTS: dict[type[CaseEvent], int] = {E.ParticipantAdded: 1, E.ParticipantRemoved: -1}
HANDLED: frozenset[type[CaseEvent]] = frozenset({E.CaseOpened, *COLUMNS, *PARTICIPANTS})
# Events the register has no column for: they only advance the row's version.
# A new event class must be put here or given its columns above.
VERSION_ONLY: frozenset[type[CaseEvent]] = frozenset(
    {
        E.ProvisionRequested,
        E.DecisionRecorded,
        E.SubstituteAssigned,
        E.CoordinatorTrainingCompleted,
        E.RelayLogClosed,
        E.StartupConversationHeld,
        E.ConsentGranted,
        E.ConsentSigned,
        E.ConsentWithdrawn,
        E.ConsentExpired,
        P.PlanEstablished,
        P.LifeAreaAssessed,
        P.GoalSet,
        P.GoalRevised,
        P.GoalClosed,
        P.ActivityPlanned,
        P.ActivityCompleted,
        P.CommentAdded,
        P.MeetingScheduled,
        P.AgendaSent,
        P.MeetingHeld,
        P.MinutesDistributed,
        P.MeetingCancelled,
        P.GoalEvaluated,
        P.TeamReviewed,
        P.StatusReportedToKE,
        P.TransitionPlanned,
        P.TransitionCompleted,
        P.ClosureNotified,
        P.PlanExported,
        P.TransferredIn,
        P.ComplaintReceived,
        P.ComplaintForwarded,
        P.ComplaintDecided,
    }
)


def column(value: Any) -> Any:
    """A value as a column holds it. Applying an event must never fail: text
    columns of PostgreSQL refuse NUL, which an event's text may carry (the
    HTTP edge refuses it, other writers need not), so it is shown as U+FFFD.
    An erased field is no value."""
    if is_erased(value):
        return None
    return value.replace("\x00", "\ufffd") if isinstance(value, str) else value


def coordinators(c: Any, d: Dialect, municipality: str) -> dict[str, Any]:
    c.execute(
        d.sql(
            "SELECT case_id, coordinator_id, coordinator_name, coordinator_unit, coordinator_kind "
            "FROM {register_cases} WHERE municipality = ? AND status = 'open' AND coordinator_id IS NOT NULL "
            "ORDER BY coordinator_unit, coordinator_id, case_id"
        ),
        (municipality,),
    )
    people: dict[str, dict[str, Any]] = {}
    units: dict[str, int] = {}
    for r in c.fetchall():
        person = people.setdefault(
            r["coordinator_id"],
            {
                "person_id": r["coordinator_id"],
                "name": r["coordinator_name"],
                "unit": r["coordinator_unit"],
                "kinds": [],
                "cases": [],
            },
        )
        person["cases"].append(r["case_id"])
        if r["coordinator_kind"] and r["coordinator_kind"] not in person["kinds"]:
            person["kinds"].append(r["coordinator_kind"])
        units[r["coordinator_unit"]] = units.get(r["coordinator_unit"], 0) + 1
    c.execute(
        d.sql(
            "SELECT case_id, requested_unit, opened_at FROM {register_cases} WHERE municipality = ? "
            "AND status = 'open' AND coordinator_id IS NULL ORDER BY opened_at"
        ),
        (municipality,),
    )
    without = [
        {"case_id": r["case_id"], "requested_unit": r["requested_unit"], "opened_at": r["opened_at"]}
        for r in c.fetchall()
    ]
    return {
        "coordinators": [{**p, "load": len(p["cases"])} for p in people.values()],
        "load_per_unit": [{"unit": u, "cases": n} for u, n in sorted(units.items())],
        "cases_without_coordinator": without,
    }


def teams(c: Any, d: Dialect, municipality: str) -> dict[str, Any]:
    c.execute(
        d.sql(
            "SELECT case_id, team_name, participants, coordinator_id, coordinator_name, coordinator_unit "
            "FROM {register_cases} WHERE municipality = ? AND status = 'open' AND team_name IS NOT NULL "
            "ORDER BY coordinator_unit, case_id"
        ),
        (municipality,),
    )
    return {
        "teams": [
            {
                "case_id": r["case_id"],
                "called": r["team_name"],
                "participants": r["participants"],
                "coordinator": {
                    "person_id": r["coordinator_id"],
                    "name": r["coordinator_name"],
                    "unit": r["coordinator_unit"],
                }
                if r["coordinator_id"]
                else None,
            }
            for r in c.fetchall()
        ]
    }
