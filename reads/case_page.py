"""One case as a page shows it: everything its reader may see, read once.

A person opening a case in the web app reads the case and, as their role
allows, its timeline, its compliance checks, its access log, its
notifications and where its steps are filed in the archive. `CaseReads.page`
asks the read policy which of these parts the reader may read
(`reads.policy.readable_parts`), writes one access-log entry naming each part
read, and hands the events to `assemble` here, which is pure.

A past view (`as_of`: what had happened by then; `known_at`: what had been
recorded by then) folds only those events, and judges the checks and the
archive's steps at that moment, so the page shows the case as it stood or as
it was known, not today's verdicts on yesterday's case. The access log and
the notifications are the present's (who has read the case, what was sent).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from audit.compliance import evaluate
from audit.report import sections
from audit.report.labels import word
from audit.report.model import LATE_RECORDING, check_results
from ledger import vocabulary as V
from ledger.event_data import jsonable
from ledger.profiles import MunicipalProfile
from ledger.values import is_erased
from projections.case_view import fold
from reads.policy import ReadScope, filter_view

# The parts a case page reads beyond the case itself (each logged when read).
PAGE_PARTS = ("history", "compliance", "access_log", "notifications", "archive_steps")
# Parts the page only links to (a download is its own read, logged when fetched).
LINKED_PARTS = ("report", "exports")


def page_parts(parts: Sequence[str]) -> list[str]:
    """The parts a page shows a reader who may read `parts` (besides the case): what its read logs."""
    return ["case", *(p for p in PAGE_PARTS if p in parts)]


def shown_events(events: Sequence[Any], as_of: datetime | None, known_at: datetime | None) -> list[Any]:
    """The events a view as of `as_of` and as known at `known_at` is folded from."""
    return [
        e for e in events if (as_of is None or e.occurred_at <= as_of) and (known_at is None or e.timestamp <= known_at)
    ]


def timeline(events: Sequence[Any]) -> dict[str, Any]:
    """Every event: when it happened and was recorded, by whom, late recordings flagged as the report
    flags them (`LATE_RECORDING`). As the report's timeline, without turning each event's data into
    JSON: the page shows none of it, and a case of a thousand events should not pay for it."""
    items = []
    # A case's thousand events are recorded by a handful of people: each described once.
    recorders: dict[tuple[Any, ...], dict[str, Any]] = {}
    for e in events:
        by, name, delay = e.recorded_by, e.recorded_by_name, e.timestamp - e.occurred_at
        key = (by.id, by.role, by.service, name) if isinstance(name, str) or name is None else None
        recorder = recorders.get(key) if key is not None else None
        if recorder is None:
            recorder = {
                "id": by.id,
                "role": by.role.value,
                "role_text": word(V.ROLE_NAMES, by.role.value),
                "service": by.service,
                "name": sections.personal(jsonable(name), is_erased(name)),
            }
            if key is not None:
                recorders[key] = recorder
        kind = type(e)
        items.append(
            {
                "version": e.originator_version,
                "type": kind.__name__,
                "type_text": V.EVENT_TYPES.get(kind, kind.__name__),
                "occurred_at": e.occurred_at.isoformat(),
                "recorded_at": e.timestamp.isoformat(),
                "recorded_by": recorder,
                "late": delay > LATE_RECORDING,
                "days_late": max(delay.days, 0),
            }
        )
    late = [i["version"] for i in items if i["late"]]
    return {"late_after_days": LATE_RECORDING.days, "late_versions": late, "events": items}


def assemble(
    events: Sequence[Any],
    view: dict[str, Any] | None,
    scope: ReadScope,
    parts: Sequence[str],
    *,
    profile: MunicipalProfile,
    moment: datetime,
    as_of: datetime | None,
    known_at: datetime | None,
    access: Callable[[], list[dict[str, Any]]],
    notifications: Callable[[], list[dict[str, Any]]],
    reminders: Callable[[], Mapping[str, Sequence[dict[str, Any]]]],
    archive_steps: Callable[..., list[dict[str, Any]]],
) -> dict[str, Any]:
    """The page's data. `events` are the case's events up to the view (`shown_events`); `view` is the
    projected present (None: fold `events`); `parts` the parts the reader may read; the callables read
    the parts kept beside the events, called only for a reader who may read them."""
    folded = view if view is not None else fold(events)
    case = (
        filter_view(folded, scope)
        if folded
        else {"case_id": None, "version": 0, "status": "not_yet_recorded"}  # nothing had happened yet
    )
    data: dict[str, Any] = {
        "case": case,
        "viewed": {
            "as_of": as_of.isoformat() if as_of else None,
            "known_at": known_at.isoformat() if known_at else None,
            "moment": moment.isoformat(),
        },
        "full": scope.full,
        "parts": page_parts(parts),
        "may": {p: p in parts for p in (*PAGE_PARTS, *LINKED_PARTS)},
    }
    if "history" in parts:
        data["timeline"] = timeline(events)
    if "compliance" in parts:
        judged = evaluate(events, profile, moment)
        data["compliance"] = {
            "profile": profile.key,
            "profile_name": profile.name,
            **check_results(judged, reminders()),
        }
    if "access_log" in parts:
        data["access_log"] = access()
    if "notifications" in parts:
        data["notifications"] = notifications()
    if "archive_steps" in parts:
        data["archive"] = sections.archive(folded, archive_steps(events, moment, view=folded))
    return data
