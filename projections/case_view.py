"""The case as people read it: a pure fold over the case's events.

The same fold serves the view now, `as_of` (events that occurred by T) and
`known_at` (events recorded by T2), so a past view is computed by the same
code as the present one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from ledger import events as E
from ledger import events_plan as P
from ledger.event_base import CaseEvent
from ledger.event_data import jsonable

# Parts of the view and the consent category each needs (INV-05). A reader
# whose consent covers none of a goal's categories does not see the goal.
LIFE_AREA_CATEGORIES = {
    "health": {"health"},
    "education_work": {"school", "kindergarten", "work"},
    "economy": {"economy"},
    "housing": {"housing"},
    "leisure": {"leisure"},
    "network": {"network"},
    "society": {"general"},
}


def fold(events: Iterable[Any], *, as_of: datetime | None = None, known_at: datetime | None = None) -> dict[str, Any]:
    view: dict[str, Any] = {}
    for e in events:
        if as_of is not None and e.occurred_at > as_of:
            continue
        if known_at is not None and e.timestamp > known_at:
            continue
        apply_event(view, e)
    return view


def apply_event(view: dict[str, Any], e: Any) -> None:
    """One step of the fold; the case-view projection takes the same steps."""
    handler = HANDLERS.get(type(e))
    if handler is not None:
        handler(view, e)
    view["version"] = e.originator_version
    view["updated_at"] = e.occurred_at.isoformat()


def _opened(v: dict[str, Any], e: Any) -> None:
    v.update(
        {
            "case_id": str(e.originator_id),
            "municipality": e.municipality,
            "status": "open",
            "opened_at": e.occurred_at.isoformat(),
            "requested": jsonable(e.requested),
            "subject": jsonable(e.subject),
            "guardians": jsonable(e.guardians),
            "referred_by": {"kind": e.referrer_kind.value, "name": jsonable(e.referrer_name)},
            "decisions": [],
            "coordinator_requests": [],
            "coordinator": None,
            "substitute": None,
            "coordinator_history": [],
            "startup_conversation": None,
            "consents": {},
            "team": None,
            "participants": {},
            "plan": None,
            "life_areas": {},
            "goals": {},
            "meetings": {},
            "reviews": [],
            "status_reports": [],
            "transitions": {},
            "closure": None,
            "exports": [],
            "complaints": {},
            "archive": {},
            "erased": False,
            "relay_log_closed_at": None,
        }
    )


def _set(path: str, *fields: str, when: str = "at") -> Any:
    def handler(v: dict[str, Any], e: Any) -> None:
        item = {f: jsonable(getattr(e, f)) for f in fields}
        item[when] = e.occurred_at.isoformat()
        target = v
        *parents, last = path.split(".")
        for p in parents:
            target = target[p]
        if isinstance(target.get(last), list):
            target[last].append(item)
        else:
            target[last] = item

    return handler


def _appointed(v: dict[str, Any], e: Any) -> None:
    # A replacement carries no kind: the new person takes over the kind held
    # (as the aggregate does in `ledger.case._replaced`).
    previous = v.get("coordinator") or {}
    kind = e.kind.value if isinstance(e, E.CoordinatorAppointed) else previous.get("kind", "coordinator")
    v["coordinator"] = {
        "person_id": e.person_id,
        "name": jsonable(e.person_name),
        "unit": e.unit,
        "kind": kind,
        "since": e.occurred_at.isoformat(),
    }
    v["coordinator_history"].append({**v["coordinator"], "event": type(e).__name__})
    if isinstance(e, E.CoordinatorReplaced):
        v["substitute"] = None


def _released(v: dict[str, Any], e: Any) -> None:
    v["coordinator"] = None
    v["substitute"] = None
    v["coordinator_history"].append({"event": type(e).__name__, "at": e.occurred_at.isoformat()})


def _consent(v: dict[str, Any], e: Any) -> None:
    in_force = set(e.required_refs) <= set(e.signer_refs)
    v.setdefault("consents", {})[str(e.consent_id)] = {
        "consent_id": str(e.consent_id),
        "given_by_role": e.giver_role.value,
        "signers": jsonable(e.signers),
        "participants": jsonable(e.participants),
        "services": list(e.services),
        "categories": jsonable(e.categories),
        "valid_until": jsonable(e.valid_until),
        "granted_at": e.occurred_at.isoformat(),
        "status": "in_force" if in_force else "awaiting_signature",
        "in_force_from": e.occurred_at.isoformat() if in_force else None,
        "withdrawals": [],
    }


def _item(v: dict[str, Any], collection: str, key: Any) -> Any:
    """The item an event changes, if this view has it. Times of events are given by people, so a
    change may be dated before the item it changes: a view `as_of` between the two has the change
    and not the item, and the change then has nothing to change."""
    return v.get(collection, {}).get(str(key))


def _signed(v: dict[str, Any], e: Any) -> None:
    c = _item(v, "consents", e.consent_id)
    if c is None:
        return
    # After erasure the consent's signers read as erased (None): keep the
    # count of signatures, never fail the fold.
    c["signers"] = [*(c["signers"] or []), jsonable(e.signer)]
    if c["status"] == "awaiting_signature":
        c["status"], c["in_force_from"] = "in_force", e.occurred_at.isoformat()


def _withdrawn(v: dict[str, Any], e: Any) -> None:
    c = _item(v, "consents", e.consent_id)
    if c is None:
        return
    c["withdrawals"].append(
        {
            "scope": e.scope.value,
            "participants": jsonable(e.participants),
            "categories": jsonable(e.categories),
            "at": e.occurred_at.isoformat(),
        }
    )
    if e.scope.value == "all":
        c["status"] = "withdrawn"


def _expired(v: dict[str, Any], e: Any) -> None:
    if (c := _item(v, "consents", e.consent_id)) is not None:
        c["status"] = "expired"


def _participant(v: dict[str, Any], e: Any) -> None:
    v.setdefault("participants", {})[str(e.participant_id)] = {
        "participant_id": str(e.participant_id),
        "person_id": e.person_id,
        "name": jsonable(e.person_name),
        "service": e.service,
        "role": e.role,
        "mandatory": e.mandatory,
        "added_at": e.occurred_at.isoformat(),
        "removed_at": None,
    }


def _participant_removed(v: dict[str, Any], e: Any) -> None:
    if (p := _item(v, "participants", e.participant_id)) is not None:
        p["removed_at"] = e.occurred_at.isoformat()


def _goal(v: dict[str, Any], e: Any) -> None:
    v.setdefault("goals", {})[str(e.goal_id)] = {
        "goal_id": str(e.goal_id),
        "text": jsonable(e.text),
        "life_area": e.life_area.value,
        "responsible_service": e.responsible_service,
        "evaluate_by": e.evaluate_by.isoformat(),
        "set_at": e.occurred_at.isoformat(),
        "closed": False,
        "evaluations": [],
        "activities": {},
        "comments": [],
    }


def _goal_revised(v: dict[str, Any], e: Any) -> None:
    if (g := _item(v, "goals", e.goal_id)) is not None:
        g["text"], g["evaluate_by"] = jsonable(e.text), e.evaluate_by.isoformat()


def _goal_closed(v: dict[str, Any], e: Any) -> None:
    if (g := _item(v, "goals", e.goal_id)) is not None:
        g["closed"] = True


def _activity(v: dict[str, Any], e: Any) -> None:
    g = _item(v, "goals", e.goal_id)
    if g is None:
        return
    g["activities"][str(e.activity_id)] = {
        "activity_id": str(e.activity_id),
        "what": jsonable(e.what),
        "responsible_service": e.responsible_service,
        "due": jsonable(e.due),
        "completed_at": None,
    }


def _activity_done(v: dict[str, Any], e: Any) -> None:
    for g in v.get("goals", {}).values():
        if str(e.activity_id) in g["activities"]:
            g["activities"][str(e.activity_id)]["completed_at"] = e.occurred_at.isoformat()


def _comment(v: dict[str, Any], e: Any) -> None:
    if e.goal_id is not None and (g := _item(v, "goals", e.goal_id)) is not None:
        g["comments"].append({"text": jsonable(e.text), "at": e.occurred_at.isoformat()})


def _evaluated(v: dict[str, Any], e: Any) -> None:
    g = _item(v, "goals", e.goal_id)
    if g is None:
        return
    g["evaluations"].append(
        {
            "status": e.status.value,
            "note": jsonable(e.note),
            "by": e.recorded_by.service or e.recorded_by.role.value,
            "at": e.occurred_at.isoformat(),
        }
    )


def _meeting(v: dict[str, Any], e: Any) -> None:
    v.setdefault("meetings", {})[str(e.meeting_id)] = {
        "meeting_id": str(e.meeting_id),
        "scheduled_for": e.scheduled_for.isoformat(),
        "invitees": jsonable(e.invitees),
        "interpreter_booked": e.interpreter_booked,
        "agenda": None,
        "held": None,
        "minutes": None,
        "cancelled": None,
    }


def _meeting_part(part: str, *fields: str) -> Any:
    def handler(v: dict[str, Any], e: Any) -> None:
        meeting = _item(v, "meetings", e.meeting_id)
        if meeting is None:
            return
        meeting[part] = {
            **{f: jsonable(getattr(e, f)) for f in fields},
            "at": e.occurred_at.isoformat(),
        }

    return handler


def _closed(v: dict[str, Any], e: Any) -> None:
    v["status"] = "closed"
    v["closure"] = {
        "reason": jsonable(e.reason),
        "assessment": jsonable(e.assessment),
        "agreed_by_subject": e.agreed_by_subject,
        "termination_letter_sent": e.termination_letter_sent,
        "at": e.occurred_at.isoformat(),
    }


def _reopened(v: dict[str, Any], e: Any) -> None:
    v["status"] = "open"


def _erased(v: dict[str, Any], e: Any) -> None:
    v["erased"] = True


def _transferred(v: dict[str, Any], e: Any) -> None:
    v["status"] = "transferred_out"
    v["transferred_to"] = e.to_municipality


def _complaint(v: dict[str, Any], e: Any) -> None:
    v.setdefault("complaints", {})[str(e.complaint_id)] = {
        "complaint_id": str(e.complaint_id),
        "concerns": jsonable(e.concerns),
        "received_at": e.received_at.isoformat(),
        "forwarded_at": None,
        "report_sha256": None,
        "decisions": [],
    }


def _complaint_forwarded(v: dict[str, Any], e: Any) -> None:
    complaint = _item(v, "complaints", e.complaint_id)
    if complaint is None:
        return
    complaint["forwarded_at"], complaint["report_sha256"] = e.occurred_at.isoformat(), e.report_sha256


def _complaint_decided(v: dict[str, Any], e: Any) -> None:
    complaint = _item(v, "complaints", e.complaint_id)
    if complaint is None:
        return
    complaint["decisions"].append(
        {"decided_by": e.decided_by.value, "outcome": e.outcome.value, "at": e.occurred_at.isoformat()}
    )


def _archive_receipt(v: dict[str, Any], e: Any) -> None:
    """Where in the municipality's archive a step is filed (the archive's ids), or why it was refused.
    A refusal after a filing leaves the filing shown: the record stays where the archive put it."""
    filed = v.setdefault("archive", {})  # views folded before the archive existed have no such part
    earlier = filed.get(e.step)
    if earlier is not None and earlier["accepted"] and not e.accepted:
        return
    filed[e.step] = {
        "step": e.step,
        "title": e.title,
        "message_id": str(e.message_id),
        "accepted": e.accepted,
        "case_number": f"{e.case_year}/{e.case_sequence}" if e.case_year and e.case_sequence else None,
        "folder_system_id": e.folder_system_id,
        "record_system_id": e.record_system_id,
        "record_year": e.record_year,
        "record_sequence": e.record_sequence,
        "record_number": e.record_number,
        "error_id": e.error_id,
        "at": e.occurred_at.isoformat(),
    }


def _life_area(v: dict[str, Any], e: Any) -> None:
    v.setdefault("life_areas", {})[e.life_area.value] = {
        "situation": jsonable(e.situation),
        "at": e.occurred_at.isoformat(),
    }


def _transition(v: dict[str, Any], e: Any) -> None:
    v.setdefault("transitions", {})[str(e.transition_id)] = {
        "kind": e.kind.value,
        "from": e.from_service,
        "to": e.to_service,
        "responsible": e.responsible,
        "due": jsonable(e.due),
        "planned_at": e.occurred_at.isoformat(),
        "completed_at": None,
    }


def _transition_done(v: dict[str, Any], e: Any) -> None:
    if (t := _item(v, "transitions", e.transition_id)) is not None:
        t["completed_at"] = e.occurred_at.isoformat()


def _relay_closed(v: dict[str, Any], e: Any) -> None:
    v["relay_log_closed_at"] = e.occurred_at.isoformat()


HANDLERS: dict[type[CaseEvent], Callable[[dict[str, Any], Any], None]] = {
    E.CaseOpened: _opened,
    E.ProvisionRequested: lambda v, e: v["requested"].extend(
        p.value for p in e.requested if p.value not in v["requested"]
    ),
    E.DecisionRecorded: _set(
        "decisions",
        "decision_id",
        "outcome",
        "concerns",
        "legal_basis",
        "reasons",
        "complaint_deadline_weeks",
        "complaint_information_given",
        when="decided_at",
    ),
    E.CoordinatorRequested: _set("coordinator_requests", "request_id", "unit", "unit_leader_id", when="requested_at"),
    E.CoordinatorAppointed: _appointed,
    E.CoordinatorReplaced: _appointed,
    E.SubstituteAssigned: _set("substitute", "person_id", "person_name", "unit", "until", when="since"),
    E.CoordinatorReleased: _released,
    E.RelayLogClosed: _relay_closed,
    E.StartupConversationHeld: _set(
        "startup_conversation",
        "what_matters",
        "expectations",
        "contact_preferences",
        "interpreter_needed",
        "interpreter_language",
    ),
    E.ConsentGranted: _consent,
    E.ConsentSigned: _signed,
    E.ConsentWithdrawn: _withdrawn,
    E.ConsentExpired: _expired,
    E.TeamEstablished: _set("team", "local_name", when="established_at"),
    E.ParticipantAdded: _participant,
    E.ParticipantRemoved: _participant_removed,
    P.PlanEstablished: _set("plan", "tool", "informed_of_right_to_ip", "ip_declined", when="established_at"),
    P.LifeAreaAssessed: _life_area,
    P.GoalSet: _goal,
    P.GoalRevised: _goal_revised,
    P.GoalClosed: _goal_closed,
    P.ActivityPlanned: _activity,
    P.ActivityCompleted: _activity_done,
    P.CommentAdded: _comment,
    P.GoalEvaluated: _evaluated,
    P.MeetingScheduled: _meeting,
    P.AgendaSent: _meeting_part("agenda", "items", "agreed_with_subject"),
    P.MeetingHeld: _meeting_part(
        "held", "attendees", "absences", "subject_voice", "decisions", "next_meeting", "informed_of_right_to_ip"
    ),
    P.MinutesDistributed: _meeting_part("minutes", "recipients"),
    P.MeetingCancelled: _meeting_part("cancelled", "reason"),
    P.TeamReviewed: _set("reviews", "continued_need", "composition_ok", "note"),
    P.StatusReportedToKE: _set("status_reports", "still_active", "coordinator_id"),
    P.TransitionPlanned: _transition,
    P.TransitionCompleted: _transition_done,
    P.CaseClosed: _closed,
    P.CaseReopened: _reopened,
    P.PlanExported: _set("exports", "export_id", "format", "sha256", "filed_in"),
    P.KeyDestroyed: _erased,
    P.TransferredOut: _transferred,
    P.ComplaintReceived: _complaint,
    P.ComplaintForwarded: _complaint_forwarded,
    P.ComplaintDecided: _complaint_decided,
    P.ArchiveReceiptRecorded: _archive_receipt,
}

# Events that change nothing a reader of the case sees (they still advance
# its version). A new event class must be put in one of the two.
IGNORED: frozenset[type[CaseEvent]] = frozenset({E.CoordinatorTrainingCompleted, P.ClosureNotified, P.TransferredIn})
