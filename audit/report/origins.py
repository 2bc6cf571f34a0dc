"""Which event created each item of a case (a decision, a consent, a goal,
a meeting, …): the report and the plan name that event's version beside the
item, so a reader finds it in the timeline."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ledger import events as E
from ledger import events_plan as P
from ledger.event_base import CaseEvent

# The event that creates each kind of item, and the id it creates: the
# report names that event's version, so a reader finds it in the timeline.
CREATES: dict[type[CaseEvent], str] = {
    E.DecisionRecorded: "decision_id",
    E.CoordinatorRequested: "request_id",
    E.ConsentGranted: "consent_id",
    E.ParticipantAdded: "participant_id",
    P.GoalSet: "goal_id",
    P.MeetingScheduled: "meeting_id",
    P.ComplaintReceived: "complaint_id",
}
# Events that create no item the report points back to. A new event class
# must be put here or in CREATES.
CREATES_NOTHING: frozenset[type[CaseEvent]] = frozenset(
    {
        E.CaseOpened,
        E.ProvisionRequested,
        E.CoordinatorAppointed,
        E.SubstituteAssigned,
        E.CoordinatorReplaced,
        E.CoordinatorReleased,
        E.CoordinatorTrainingCompleted,
        E.RelayLogClosed,
        E.StartupConversationHeld,
        E.ConsentSigned,
        E.ConsentWithdrawn,
        E.ConsentExpired,
        E.TeamEstablished,
        E.ParticipantRemoved,
        P.PlanEstablished,
        P.LifeAreaAssessed,
        P.GoalRevised,
        P.GoalClosed,
        P.ActivityPlanned,
        P.ActivityCompleted,
        P.CommentAdded,
        P.AgendaSent,
        P.MeetingHeld,
        P.MinutesDistributed,
        P.MeetingCancelled,
        P.GoalEvaluated,
        P.TeamReviewed,
        P.StatusReportedToKE,
        P.TransitionPlanned,
        P.TransitionCompleted,
        P.CaseClosed,
        P.ClosureNotified,
        P.CaseReopened,
        P.PlanExported,
        P.KeyDestroyed,
        P.TransferredOut,
        P.TransferredIn,
        P.ComplaintForwarded,
        P.ComplaintDecided,
        P.ArchiveReceiptRecorded,
    }
)


def created_versions(events: Sequence[Any]) -> dict[str, int]:
    """id of an item -> version of the event that created it."""
    found: dict[str, int] = {}
    for e in events:
        attr = CREATES.get(type(e))
        if attr is not None:
            found[str(getattr(e, attr))] = e.originator_version
    return found
