"""The coordinating unit's register: every case with its coordinator, unit
and team, so KE sees coordinators with their cases and units, active teams,
cases without a coordinator, and the load per unit (DOMAIN §7)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ledger import events as E
from ledger import events_plan as P
from ledger.event_base import CaseEvent
from store import register_rows as rows
from store.tables import Dialect


class RegisterProjection:
    name = "register"

    def create_statements(self, d: Dialect) -> list[str]:
        return rows.create_statements(d)

    def reset(self, c: Any, d: Dialect) -> None:
        rows.delete_all(c, d)

    def apply(self, c: Any, d: Dialect, e: Any) -> None:
        case_id = str(e.originator_id)
        if isinstance(e, E.CaseOpened):
            rows.insert_opened(c, d, case_id, e.municipality, e.occurred_at.isoformat(), e.originator_version)
            return
        delta = PARTICIPANTS.get(type(e))
        if delta is not None:
            rows.add_participants(c, d, case_id, delta)
        change = COLUMNS.get(type(e))
        rows.update(c, d, case_id, {"version": e.originator_version, **(change(e) if change is not None else {})})


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
        P.ArchiveReceiptRecorded,
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


# The queries on the register's rows, for the readers that import them from here.
coordinators = rows.coordinators
teams = rows.teams
