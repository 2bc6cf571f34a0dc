"""The compliance report for Statsforvalteren (DOMAIN §7) as JSON-ready data.

`build_report` is pure: it is given the case's view (the case-view fold of
its events, `projections.case_view.fold`), the events, the compliance
results, the case's access-log entries and the integrity proof, and returns
one dict. Codes stay as they are for systems; beside each stands the
Norwegian text a person reads (`…_text`). The renderers (HTML, PDF) only lay
this dict out, so all three formats say the same.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from audit.compliance.result import RULE_TITLES, CheckResult
from audit.report import labels as L
from audit.report import sections as S
from audit.report.origins import created_versions
from ledger import vocabulary as V
from ledger.event_data import event_to_dict
from ledger.profiles import MUNICIPALITY_NAMES, MunicipalProfile

REPORT_FORMAT = "ledger-report-v1"
# An event recorded more than this long after it happened is flagged: INV-10
# allows late recording, and the reader should see where it happened.
LATE_RECORDING = timedelta(days=7)

# The report's sections in reading order, with their Norwegian headings: the
# case and its checks first (what Statsforvalteren asks), the full timeline
# last, as an appendix.
HEADINGS = {
    "case": "Saken",
    "checks": "Kontroller (CHK-01 til CHK-20)",
    "decisions": "Vedtak",
    "coordinators": "Koordinator",
    "consents": "Samtykker",
    "team": "Team og deltakere",
    "meetings": "Møter",
    "goals": "Mål og evalueringer",
    "complaints": "Klager",
    "archive": "Arkivering: hvor i kommunens arkiv",
    "access_log": "Tilgangslogg",
    "integrity": "Bevis for at ingenting er endret",
    "timeline": "Vedlegg: tidslinje",
}


def build_report(
    view: dict[str, Any],
    events: Sequence[Any],
    checks: Sequence[CheckResult],
    access: Sequence[dict[str, Any]],
    integrity: dict[str, Any],
    *,
    profile: MunicipalProfile,
    now: datetime,
    archive_steps: Sequence[Mapping[str, Any]] = (),
    reminders: Mapping[str, Sequence[dict[str, Any]]] | None = None,
) -> dict[str, Any]:
    """`archive_steps`: the case's archivable steps (step, title, made_at), as the archive's rules list
    them. `reminders`: the case's recorded reminders by rule (each: `stage`, `decided_at` and its
    `deliveries` with `channel`, `state`, `delivered_at`), so each check says whether and when whoever
    was responsible was reminded: a supervisor asks whether the routine worked, not only whether a
    deadline passed."""
    erased = bool(view.get("erased"))
    versions = created_versions(events)
    return {
        "format": REPORT_FORMAT,
        "title": L.REPORT_TITLE,
        "headings": HEADINGS,
        "case_id": view.get("case_id"),
        "generated_at": now.isoformat(),
        "case": case_summary(view, profile, erased),
        "checks": check_results(checks, reminders or {}),
        "decisions": S.decisions(view, versions, erased),
        "coordinators": S.coordinators(view, events, versions, erased),
        "consents": S.consents(view, versions, erased),
        "team": S.team(view, profile.team_name, versions, erased),
        "meetings": S.meetings(view, versions, erased),
        "goals": {
            "goals": S.goals(view, versions, erased),
            "life_areas": S.life_areas(view, erased),
            **S.team_reviews(view, erased),
        },
        "complaints": S.complaints(view, versions),
        "archive": S.archive(view, archive_steps),
        "access_log": access_summary(access),
        "integrity": integrity,
        "timeline": timeline(events),
    }


def case_summary(view: dict[str, Any], profile: MunicipalProfile, erased: bool) -> dict[str, Any]:
    municipality = view.get("municipality", "")
    status = view.get("status", "")
    return {
        "case_id": view.get("case_id"),
        "version": view.get("version"),
        "municipality": municipality,
        "municipality_name": MUNICIPALITY_NAMES.get(municipality, municipality),
        "profile": profile.key,
        "profile_name": profile.name,
        "status": status,
        "status_text": L.word(V.CASE_STATUSES, status),
        "opened_at": view.get("opened_at"),
        "requested_text": L.words(V.PROVISIONS, view.get("requested")),
        "referred_by_text": L.word(V.REFERRER_KINDS, (view.get("referred_by") or {}).get("kind")),
        "subject": S.subject(view, erased),
        "erased": erased,
        **S.closing(view, erased),
    }


def timeline(events: Sequence[Any]) -> dict[str, Any]:
    """Every event: when it happened and when it was recorded, late recording flagged."""
    items = []
    for event in events:
        item = event_to_dict(event)
        delay = event.timestamp - event.occurred_at
        by = item["recorded_by"]
        items.append(
            {
                "version": item["version"],
                "type": item["type"],
                "type_text": V.EVENT_TYPES.get(type(event), item["type"]),
                "occurred_at": item["occurred_at"],
                "recorded_at": item["recorded_at"],
                "recorded_by": {
                    **by,
                    "role_text": L.word(V.ROLE_NAMES, by["role"]),
                    "name": S.personal(by["name"], "recorded_by_name" in item.get("erased", ())),
                },
                "late": delay > LATE_RECORDING,
                "days_late": max(delay.days, 0),
                "erased_fields": item.get("erased", []),
            }
        )
    late = [i["version"] for i in items if i["late"]]
    return {"late_after_days": LATE_RECORDING.days, "late_versions": late, "events": items}


def check_results(
    checks: Sequence[CheckResult], reminders: Mapping[str, Sequence[dict[str, Any]]] | None = None
) -> dict[str, Any]:
    items = [
        {
            "rule": r.rule,
            "title": RULE_TITLES.get(r.rule, r.rule),
            **r.to_dict(),
            "status_text": L.word(L.CHECK_STATUS, r.status.value),
            "reminders": list((reminders or {}).get(r.rule, ())),
            "reminded_text": reminded_text((reminders or {}).get(r.rule, ())),
        }
        for r in checks
    ]
    counts = Counter(i["status"] for i in items)
    return {"counts": {status: counts.get(status, 0) for status in L.CHECK_STATUS}, "items": items}


def reminded_text(reminders: Sequence[dict[str, Any]]) -> str:
    """Whether and when the responsible person was reminded, as a person reads it."""
    if not reminders:
        return "Ingen påminnelse er registrert."
    return "; ".join(
        f"{L.moment_text(r['decided_at'])} ({L.reminder_stage_text(r['stage'])}: {L.deliveries_text(r['deliveries'])})"
        for r in reminders
    )


def access_summary(entries: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Who read the case: how often, by role, first and last read, which parts."""
    by_role: dict[str, dict[str, Any]] = {}
    for e in entries:
        role = by_role.setdefault(
            e["role"], {"role": e["role"], "role_text": L.word(V.ROLE_NAMES, e["role"]), "reads": 0, "readers": set()}
        )
        role["reads"] += 1
        role["readers"].add(e["who"])
    parts = Counter(p for e in entries for p in e["parts"])
    moments = sorted((e["at"] for e in entries), key=datetime.fromisoformat)
    return {
        "reads": len(entries),
        "by_role": [{**r, "readers": len(r["readers"])} for r in sorted(by_role.values(), key=lambda r: -r["reads"])],
        "first_read": moments[0] if moments else None,
        "last_read": moments[-1] if moments else None,
        "parts": [{"part": p, "part_text": L.word(L.PARTS, p), "reads": n} for p, n in parts.most_common()],
        "chain_head": entries[-1]["hash"] if entries else None,
    }
