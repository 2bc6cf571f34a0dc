"""The parts of a case as a person reads them, from the case-view fold
(`projections.case_view.fold`): the same state the case read shows, with
Norwegian words beside the codes. Shared by the report and the plan export.

After erasure the fold reads every personal field as None; `personal` shows
such a field as "[slettet]", so a reader sees that something was there.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from audit.compliance.checks_closing import complaint_weeks
from audit.compliance.timeline import local_date
from audit.report import labels as L
from ledger import events as E
from ledger import vocabulary as V


def personal(value: Any, erased: bool) -> Any:
    return L.ERASED_TEXT if erased and value is None else value


def subject(view: dict[str, Any], erased: bool) -> dict[str, Any]:
    """Name and birth date: enough to know whom the case is about. The national id stays out of a
    document that is printed and sent on; the case id ties it to the record."""
    person = view.get("subject") or {}
    return {
        "name": personal(person.get("name"), erased),
        "birth_date": personal(person.get("birth_date"), erased),
        "expected_child": bool(person.get("expected")),
    }


def decisions(view: dict[str, Any], versions: dict[str, int], erased: bool) -> list[dict[str, Any]]:
    out = []
    for d in view.get("decisions", []):
        stated, by_law = d["complaint_deadline_weeks"], sorted(complaint_weeks(d["legal_basis"]))
        weeks = stated or (by_law[0] if by_law else None)
        decided = _day(d["decided_at"])
        deadline = decided + timedelta(weeks=weeks) if weeks and decided is not None else None
        out.append(
            {
                "decision_id": d["decision_id"],
                "version": versions.get(d["decision_id"]),
                "outcome": d["outcome"],
                "outcome_text": L.word(V.DECISION_OUTCOMES, d["outcome"]),
                "concerns_text": L.words(V.PROVISIONS, d["concerns"]),
                "legal_basis": d["legal_basis"],
                "reasons": personal(d["reasons"], erased),
                "decided_at": d["decided_at"],
                "complaint_information_given": d["complaint_information_given"],
                "complaint_deadline_weeks": stated,
                "complaint_deadline_weeks_by_law": by_law,
                "complaint_deadline": deadline.isoformat() if deadline else None,
            }
        )
    return out


def coordinators(view: dict[str, Any], events: Sequence[Any], versions: dict[str, int], erased: bool) -> dict[str, Any]:
    history = []
    for h in view.get("coordinator_history", []):
        named = "person_id" in h  # a release names nobody
        history.append(
            {
                "event": h["event"],
                "event_text": L.event_type_text(h["event"]),
                "person_id": h.get("person_id"),
                "name": personal(h.get("name"), erased) if named else None,
                "unit": h.get("unit"),
                "kind_text": L.word(V.COORDINATOR_KINDS, h.get("kind")),
                "at": h.get("since") or h.get("at"),
            }
        )
    substitute = view.get("substitute")
    training = [
        {"person_id": e.person_id, "course": e.course, "at": e.occurred_at.isoformat()}
        for e in events
        if isinstance(e, E.CoordinatorTrainingCompleted)
    ]
    current = view.get("coordinator")
    return {
        "current": None
        if current is None
        else {
            **current,
            "name": personal(current["name"], erased),
            "kind_text": L.word(V.COORDINATOR_KINDS, current["kind"]),
        },
        "requests": [{**r, "version": versions.get(r["request_id"])} for r in view.get("coordinator_requests", [])],
        "history": history,
        "substitute": None
        if substitute is None
        else {**substitute, "person_name": personal(substitute["person_name"], erased)},
        "training": training,
    }


def team(view: dict[str, Any], team_name: str, versions: dict[str, int], erased: bool) -> dict[str, Any]:
    established = view.get("team")
    return {
        "name": (established or {}).get("local_name") or team_name,
        "established_at": (established or {}).get("established_at"),
        "participants": [
            {**p, "name": personal(p["name"], erased), "version": versions.get(p["participant_id"])}
            for p in view.get("participants", {}).values()
        ],
    }


def _services(ids: Sequence[str] | None, participants: dict[str, Any]) -> list[str]:
    return [participants[i]["service"] if i in participants else i for i in ids or ()]


def consents(view: dict[str, Any], versions: dict[str, int], erased: bool) -> list[dict[str, Any]]:
    team_members = view.get("participants", {})
    out = []
    for c in view.get("consents", {}).values():
        out.append(
            {
                "consent_id": c["consent_id"],
                "version": versions.get(c["consent_id"]),
                "given_by_text": L.word(V.CONSENT_GIVERS, c["given_by_role"]),
                "signers": _signers(c["signers"], erased),
                "participants": _services(c["participants"], team_members),
                "services": c["services"],
                "categories_text": L.words(V.INFO_CATEGORIES, c["categories"]),
                "valid_until": c["valid_until"],
                "granted_at": c["granted_at"],
                "in_force_from": c["in_force_from"],
                "status": c["status"],
                "status_text": L.word(L.CONSENT_STATUS, c["status"]),
                "withdrawals": [
                    {
                        "scope": w["scope"],
                        "participants": _services(w["participants"], team_members),
                        "categories_text": L.words(V.INFO_CATEGORIES, w["categories"]),
                        "at": w["at"],
                    }
                    for w in c["withdrawals"]
                ],
            }
        )
    return out


def _signers(signers: list[Any] | None, erased: bool) -> list[Any]:
    """Who signed; after erasure the list reads None, and a later signature adds a None of its own."""
    if not signers:
        return [L.ERASED_TEXT] if erased else []
    return [personal((s or {}).get("name"), erased) for s in signers]


def meetings(view: dict[str, Any], versions: dict[str, int], erased: bool) -> list[dict[str, Any]]:
    out = []
    for m in sorted(view.get("meetings", {}).values(), key=lambda m: datetime.fromisoformat(m["scheduled_for"])):
        agenda, held, minutes, cancelled = m["agenda"], m["held"], m["minutes"], m["cancelled"]
        out.append(
            {
                "meeting_id": m["meeting_id"],
                "version": versions.get(m["meeting_id"]),
                "scheduled_for": m["scheduled_for"],
                "invited": len(m["invitees"] or ()),
                "interpreter_booked": m["interpreter_booked"],
                "status_text": "avlyst" if cancelled else "holdt" if held else "berammet",
                "agenda": None
                if agenda is None
                else {
                    "sent_at": agenda["at"],
                    "days_before": _days(agenda["at"], m["scheduled_for"]),
                    "agreed_with_subject": agenda["agreed_with_subject"],
                    "items": personal(agenda["items"], erased),
                },
                "held": None
                if held is None
                else {
                    "at": held["at"],
                    "attendees": len(held["attendees"] or ()),
                    "absences": len(held["absences"] or ()),
                    "subject_voice": personal(held["subject_voice"], erased),
                    "decisions": personal(held["decisions"], erased),
                    "next_meeting": held["next_meeting"],
                },
                "minutes": None
                if minutes is None
                else {
                    "sent_at": minutes["at"],
                    "recipients": len(minutes["recipients"] or ()),
                    "days_after": _days(held["at"], minutes["at"]) if held else None,
                },
                "cancelled": None
                if cancelled is None
                else {"at": cancelled["at"], "reason": personal(cancelled["reason"], erased)},
            }
        )
    return out


def _day(moment: str | None) -> date | None:
    """The Norwegian calendar day of an ISO moment or date."""
    parsed = L.parse(moment)
    return local_date(parsed) if isinstance(parsed, datetime) else parsed


def _days(start: str | None, end: str | None) -> int | None:
    first, last = _day(start), _day(end)
    return None if first is None or last is None else (last - first).days


def goals(view: dict[str, Any], versions: dict[str, int], erased: bool) -> list[dict[str, Any]]:
    return [
        {
            "goal_id": g["goal_id"],
            "version": versions.get(g["goal_id"]),
            "text": personal(g["text"], erased),
            "life_area_text": L.word(V.LIFE_AREAS, g["life_area"]),
            "responsible_service": g["responsible_service"],
            "evaluate_by": g["evaluate_by"],
            "set_at": g["set_at"],
            "closed": g["closed"],
            "evaluations": [_evaluation(e, g["evaluate_by"], erased) for e in g["evaluations"]],
            "activities": [{**a, "what": personal(a["what"], erased)} for a in g["activities"].values()],
        }
        for g in view.get("goals", {}).values()
    ]


def _evaluation(e: dict[str, Any], deadline: str, erased: bool) -> dict[str, Any]:
    return {
        "status": e["status"],
        "status_text": L.word(V.EVALUATION_STATUSES, e["status"]),
        "note": personal(e["note"], erased),
        "by": e["by"],
        "by_text": L.word(V.ROLE_NAMES, e["by"]),
        "at": e["at"],
        "in_time": (_days(e["at"], deadline) or 0) >= 0,
    }


def life_areas(view: dict[str, Any], erased: bool) -> list[dict[str, Any]]:
    return [
        {"life_area_text": L.word(V.LIFE_AREAS, area), "situation": personal(a["situation"], erased), "at": a["at"]}
        for area, a in view.get("life_areas", {}).items()
    ]


def team_reviews(view: dict[str, Any], erased: bool) -> dict[str, Any]:
    return {
        "reviews": [{**r, "note": personal(r["note"], erased)} for r in view.get("reviews", [])],
        "status_reports": view.get("status_reports", []),
    }


def complaints(view: dict[str, Any], versions: dict[str, int]) -> list[dict[str, Any]]:
    return [
        {
            "complaint_id": c["complaint_id"],
            "version": versions.get(c["complaint_id"]),
            "concerns_text": L.words(V.PROVISIONS, c["concerns"]),
            "received_at": c["received_at"],
            "forwarded_at": c["forwarded_at"],
            "report_sha256": c.get("report_sha256"),
            "decisions": [
                {
                    "decided_by_text": L.word(V.COMPLAINT_DECIDERS, d["decided_by"]),
                    "outcome_text": L.word(V.COMPLAINT_OUTCOMES, d["outcome"]),
                    "at": d["at"],
                }
                for d in c["decisions"]
            ],
        }
        for c in view.get("complaints", {}).values()
    ]


def closing(view: dict[str, Any], erased: bool) -> dict[str, Any]:
    closure = view.get("closure")
    return {
        "closure": None
        if closure is None
        else {
            **closure,
            "reason": personal(closure["reason"], erased),
            "assessment": personal(closure["assessment"], erased),
        },
        "exports": view.get("exports", []),
    }


def archive(view: dict[str, Any], steps: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Where in the municipality's archive each archivable step is filed ("where in the archive is
    this?"): the archive's case and record numbers and ids from its receipts, or that it is not yet.
    `steps` are the case's archivable steps now; a step filed earlier and no longer listed (the
    closing of a case since reopened) is shown from its receipt."""
    filed = view.get("archive") or {}
    items = [_archived(s["step"], s["title"], s.get("made_at"), filed.get(s["step"])) for s in steps]
    listed = {s["step"] for s in steps}
    items += [_archived(step, r["title"], None, r) for step, r in filed.items() if step not in listed]
    return {
        "items": items,
        "archived": sum(i["status"] == "archived" for i in items),
        "total": len(items),
    }


def _archived(step: str, title: str, made_at: str | None, receipt: Mapping[str, Any] | None) -> dict[str, Any]:
    status = "waiting" if receipt is None else "archived" if receipt["accepted"] else "rejected"
    receipt = receipt or {}
    return {
        "step": step,
        "title": title,
        "made_at": made_at,
        "status": status,
        "status_text": L.ARCHIVE_STATUS[status],
        "case_number": receipt.get("case_number"),
        "record_number": receipt.get("record_number"),
        "record_year": receipt.get("record_year"),
        "record_sequence": receipt.get("record_sequence"),
        "record_system_id": receipt.get("record_system_id"),
        "folder_system_id": receipt.get("folder_system_id"),
        "error_id": receipt.get("error_id"),
        "answered_at": receipt.get("at"),
    }
