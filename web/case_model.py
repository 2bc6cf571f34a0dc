"""What the case page shows, from what the read service answers (`reads.cases.page`): pure
functions from its JSON-ready dicts to the rows the templates lay out, with the Norwegian words
and dates. Nothing here decides who sees what: a part the reader may not read is absent from
the answer, and so from the page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from audit.compliance.result import RULE_TITLES
from audit.compliance.timeline import fmt, local_date
from audit.duties import TASK_LABELS
from audit.report.labels import CHECK_STATUS, CONSENT_STATUS, PARTS, date_text, moment_text, parse, word, words
from ledger import vocabulary as V
from web.actions import anchor_id

Row = dict[str, Any]
View = Mapping[str, Any]

CHANNELS = {"email": "e-post", "webhook": "webhook"}
DELIVERY_STATES = {"pending": "venter på sending", "delivered": "levert", "dead": "ikke levert (gitt opp)"}


def event_anchor(version: int | str) -> str:
    """The element id of an event in the timeline, which a check links its evidence to."""
    return f"hendelse-{version}"


def title(case: View) -> str:
    name = (case.get("subject") or {}).get("name")
    return f"Sak for {name}" if name else "Sak"


def summary(case: View) -> list[tuple[str, str]]:
    """Label and value, for what the reader's view holds (a team member's has less)."""
    subject = case.get("subject") or {}
    coordinator = case.get("coordinator") or {}
    rows = [
        ("Navn", subject.get("name") or ""),
        ("Fødselsnummer", subject.get("national_id") or ""),
        ("Fødselsdato", date_text(subject.get("birth_date"))),
        ("Status", word(V.CASE_STATUSES, case.get("status"))),
        ("Ønsket", words(V.PROVISIONS, case.get("requested"))),
        ("Koordinator", _coordinator_text(coordinator)),
        ("Enhet", coordinator.get("unit") or ""),
        ("Opprettet", date_text(case.get("opened_at"))),
        ("Sist endret", moment_text(case.get("updated_at"))),
        ("Avsluttet", date_text((case.get("closure") or {}).get("at"))),
        ("Foresatte", ", ".join(g.get("name") or "" for g in case.get("guardians") or ())),
        ("Versjon", str(case.get("version") or "")),
    ]
    return [(label, value) for label, value in rows if value]


def _coordinator_text(c: View) -> str:
    if not c:
        return ""
    kind = word(V.COORDINATOR_KINDS, c.get("kind")) if c.get("kind") else ""
    return f"{c.get('name') or c.get('person_id')}" + (f" ({kind})" if kind else "")


TIMELINE_PAGE = 100  # events per page of the timeline: a case of a thousand events is ten pages


@dataclass(frozen=True)
class Pages:
    """Which page of the timeline is shown, of how many, and the query that keeps the rest of the view."""

    page: int
    count: int
    query: str  # the page's other parameters (as_of, known_at), urlencoded, without `tidslinje`

    def href(self, page: int, anchor: str = "tidslinje") -> str:
        return f"?{self.query + '&' if self.query else ''}tidslinje={page}#{anchor}"

    def page_of(self, version: int) -> int:
        return (version - 1) // TIMELINE_PAGE + 1


def timeline_pages(data: View, asked: int | None, query: str) -> Pages:
    """The page asked for (the latest, holding the newest events, when none or one out of range)."""
    total = len((data.get("timeline") or {}).get("events", []))
    count = max(1, -(-total // TIMELINE_PAGE))
    page = asked if asked is not None and 1 <= asked <= count else count
    return Pages(page, count, query)


def timeline(data: View, pages: Pages | None = None) -> list[Row]:
    """The events of the page shown (all, without `pages`), oldest first."""
    items = (data.get("timeline") or {}).get("events", [])
    if pages is not None:
        items = items[(pages.page - 1) * TIMELINE_PAGE : pages.page * TIMELINE_PAGE]
    return [
        {
            "anchor": event_anchor(e["version"]),
            "version": e["version"],
            "what": e["type_text"],
            "occurred": moment_text(e["occurred_at"]),
            "recorded": moment_text(e["recorded_at"]),
            "who": _who(e["recorded_by"]),
            "late": e["late"],
            "days_late": e["days_late"],
        }
        for e in items
    ]


def late_count(data: View) -> int:
    return len((data.get("timeline") or {}).get("late_versions", []))


def _who(by: View) -> str:
    role = by.get("role_text") or word(V.ROLE_NAMES, by.get("role"))
    name = by.get("name") or by.get("id") or ""
    service = by.get("service")
    return ", ".join(x for x in (name, role, service) if x)


def coordinators(case: View) -> list[Row]:
    rows = []
    for c in case.get("coordinator_history") or ():
        if c.get("event") == "CoordinatorReleased":
            rows.append({"who": "Koordinator fritatt", "unit": "", "kind": "", "since": date_text(c.get("at"))})
            continue
        replaced = c.get("event") == "CoordinatorReplaced"
        rows.append(
            {
                "who": c.get("name") or c.get("person_id") or "",
                "unit": c.get("unit") or "",
                "kind": word(V.COORDINATOR_KINDS, c.get("kind")) + (", byttet inn" if replaced else ""),
                "since": date_text(c.get("since")),
            }
        )
    return rows


def team(case: View) -> list[Row]:
    return [
        {
            "anchor": anchor_id("participant_id", p["participant_id"]),
            "name": p.get("name") or "",
            "service": p.get("service") or "",
            "role": p.get("role") or "",
            "added": date_text(p.get("added_at")),
            "removed": date_text(p.get("removed_at")),
        }
        for p in (case.get("participants") or {}).values()
    ]


def consents(case: View) -> list[Row]:
    names = {pid: p.get("name") or p.get("service") or "" for pid, p in (case.get("participants") or {}).items()}
    rows = []
    for c in (case.get("consents") or {}).values():
        withdrawals = [
            f"{date_text(w['at'])}: {word(V.WITHDRAWAL_SCOPES, w['scope'])}"
            + (f" ({', '.join(names.get(p, '') for p in w['participants'] or ())})" if w.get("participants") else "")
            + (f" ({words(V.INFO_CATEGORIES, w['categories'])})" if w.get("categories") else "")
            for w in c.get("withdrawals") or ()
        ]
        rows.append(
            {
                "anchor": anchor_id("consent_id", c["consent_id"]),
                "status": c["status"],
                "status_text": word(CONSENT_STATUS, c["status"]),
                "given_by": word(V.CONSENT_GIVERS, c.get("given_by_role")),
                "signers": ", ".join(s.get("name") or "" for s in c.get("signers") or () if s),
                "covers": ", ".join([*(names.get(p, "") for p in c.get("participants") or ()), *c.get("services", ())]),
                "categories": words(V.INFO_CATEGORIES, c.get("categories")),
                "granted": date_text(c.get("granted_at")),
                "valid_until": date_text(c.get("valid_until")),
                "withdrawals": withdrawals,
            }
        )
    return rows


def goals_by_area(case: View) -> list[Row]:
    """The plan's goals under their life areas, in the order the vocabulary lists the areas."""
    goals = list((case.get("goals") or {}).values())
    areas = []
    for area, area_text in V.LIFE_AREAS.items():
        mine = [g for g in goals if g["life_area"] == area.value]
        situation = ((case.get("life_areas") or {}).get(area.value) or {}).get("situation")
        if mine or situation:
            areas.append({"area": area_text, "situation": situation or "", "goals": [_goal(g) for g in mine]})
    return areas


def _goal(g: View) -> Row:
    return {
        "anchor": anchor_id("goal_id", g["goal_id"]),
        "text": g.get("text") or "",
        "responsible": g.get("responsible_service") or "",
        "evaluate_by": date_text(g.get("evaluate_by")),
        "closed": g.get("closed", False),
        "evaluations": [
            {"at": date_text(e["at"]), "status": word(V.EVALUATION_STATUSES, e["status"]), "note": e.get("note") or ""}
            for e in g.get("evaluations") or ()
        ],
        "activities": [
            {
                "what": a.get("what") or "",
                "responsible": a.get("responsible_service") or "",
                "due": date_text(a.get("due")),
                "done": date_text(a.get("completed_at")),
            }
            for a in (g.get("activities") or {}).values()
        ],
    }


def plan(case: View) -> Row | None:
    p = case.get("plan")
    if not p:
        return None
    return {"tool": word(V.PLAN_TOOLS, p.get("tool")), "established": date_text(p.get("established_at"))}


def meetings(case: View) -> list[Row]:
    """Each meeting with when its agenda went out (days before) and its minutes (days after)."""
    rows = []
    for m in sorted((case.get("meetings") or {}).values(), key=lambda m: m["scheduled_for"]):
        held = m.get("held")
        agenda, minutes = m.get("agenda"), m.get("minutes")
        rows.append(
            {
                "anchor": anchor_id("meeting_id", m["meeting_id"]),
                "when": moment_text(m["scheduled_for"]),
                "held": moment_text(held["at"]) if isinstance(held, dict) else ("ja" if held else ""),
                "cancelled": date_text((m.get("cancelled") or {}).get("at")),
                "agenda": _timing(agenda, m["scheduled_for"], before=True),
                "agenda_items": (agenda or {}).get("items") or [],
                "minutes": _timing(minutes, held["at"], before=False) if isinstance(held, dict) else "",
                "voice": held.get("subject_voice") or "" if isinstance(held, dict) else "",
            }
        )
    return rows


def _timing(part: View | None, reference: str, *, before: bool) -> str:
    if not part:
        return "ikke sendt"
    sent = _day(part["at"])
    days = abs((sent - _day(reference)).days)
    when = f"{days} {'dag' if days == 1 else 'dager'} {'før møtet' if before else 'etter møtet'}"
    return f"sendt {fmt(sent)} ({when})"  # fmt of its day: date_text(part["at"]), read once


def _day(moment: str) -> date:
    parsed = parse(moment)
    return local_date(parsed) if isinstance(parsed, datetime) else cast(date, parsed)


def stage_text(stage: str | None) -> str:
    """A reminder's stage: "before:<days>" (days before the deadline) or "overdue"."""
    if stage == "overdue":
        return "fristen er passert"
    if stage and stage.startswith("before:") and stage[7:].isdigit():
        days = int(stage[7:])
        return f"{days} {'dag' if days == 1 else 'dager'} før fristen"
    return stage or ""


def checks(data: View, pages: Pages | None = None) -> list[Row]:
    """Every check with its status, explanation, deadline and links to its evidence in the timeline
    (on the timeline's page that holds it, when the timeline is paged)."""
    what = {e["version"]: e["type_text"] for e in (data.get("timeline") or {}).get("events", [])}

    def href(v: int) -> str:
        if pages is None or pages.page_of(v) == pages.page:
            return f"#{event_anchor(v)}"
        return pages.href(pages.page_of(v), event_anchor(v))

    return [
        {
            "rule": c["rule"],
            "anchor": f"kontroll-{c['rule'].lower()}",
            "title": c.get("title") or RULE_TITLES.get(c["rule"], c["rule"]),
            "status": c["status"],
            "status_text": word(CHECK_STATUS, c["status"]),
            "detail": c.get("detail") or "",
            "deadline": date_text(c.get("deadline")),
            "reminded": (c.get("reminded_text") or "") if c.get("reminders") else "",
            "evidence": [
                {"href": href(v), "text": f"Hendelse {v}" + (f": {what[v]}" if v in what else "")}
                for v in c.get("evidence") or ()
            ],
        }
        for c in (data.get("compliance") or {}).get("items", [])
    ]


def check_counts(data: View) -> list[tuple[str, int]]:
    counts = (data.get("compliance") or {}).get("counts", {})
    return [(text, counts.get(status, 0)) for status, text in CHECK_STATUS.items()]


def access_log(entries: Sequence[View]) -> list[Row]:
    """Newest first: who read the case, in which role, when and what."""
    return [
        {
            "at": moment_text(e.get("at")),
            "who": e.get("name") or word(V.ROLE_NAMES, e.get("role")),
            "role": word(V.ROLE_NAMES, e.get("role")),
            "service": e.get("service") or "",
            "parts": ", ".join(word(PARTS, p) for p in e.get("parts") or ()),
            "issued": (e.get("issued") or {}).get("format", "").upper(),
        }
        for e in reversed(list(entries))
    ]


def notifications(items: Sequence[View]) -> list[Row]:
    rows = []
    for n in items:
        content = n.get("content") or {}
        task = content.get("task")
        rows.append(
            {
                "decided": moment_text(n.get("decided_at")),
                "rule": n.get("rule") or "",
                "what": next((text for t, text in TASK_LABELS.items() if t.value == task), task or n.get("type")),
                "deadline": date_text(content.get("deadline")),
                "stage": stage_text(n.get("stage")),
                "deliveries": ", ".join(
                    f"{word(CHANNELS, d['channel'])}: {word(DELIVERY_STATES, d['state'])}"
                    for d in n.get("deliveries") or ()
                ),
            }
        )
    return rows


def complaints(case: View) -> list[Row]:
    return [
        {
            "anchor": anchor_id("complaint_id", c["complaint_id"]),
            "concerns": words(V.PROVISIONS, c.get("concerns")),
            "received": date_text(c.get("received_at")),
            "forwarded": date_text(c.get("forwarded_at")),
            "decisions": [
                f"{date_text(d['at'])}: {word(V.COMPLAINT_OUTCOMES, d['outcome'])} "
                f"({word(V.COMPLAINT_DECIDERS, d['decided_by'])})"
                for d in c.get("decisions") or ()
            ],
        }
        for c in (case.get("complaints") or {}).values()
    ]


def decisions(case: View) -> list[Row]:
    return [
        {
            "anchor": anchor_id("decision_id", d["decision_id"]),
            "at": date_text(d.get("decided_at")),
            "outcome": word(V.DECISION_OUTCOMES, d.get("outcome")),
            "concerns": words(V.PROVISIONS, d.get("concerns")),
            "legal_basis": d.get("legal_basis") or "",
        }
        for d in case.get("decisions") or ()
    ]


def exports(case: View, case_id: str) -> list[Row]:
    return [
        {
            "href": f"/saker/{case_id}/eksporter/{x['export_id']}",
            "format": (x.get("format") or "").upper(),
            "at": date_text(x.get("at")),
        }
        for x in case.get("exports") or ()
    ]


def issued_reports(entries: Sequence[View]) -> list[Row]:
    """The compliance reports the ledger handed out for the case, newest first (from its access log):
    what forwarding a complaint may name."""
    issued = [
        {"sha256": e["issued"]["sha256"], "format": e["issued"].get("format", ""), "at": e.get("at")}
        for e in entries
        if isinstance(e.get("issued"), dict) and e["issued"].get("sha256")
    ]
    return list({r["sha256"]: r for r in reversed(issued)}.values())


def archive(data: View) -> list[Row]:
    """Each archivable step: filed (with the archive's numbers), refused, or waiting for the archive."""
    return [{**a, "answered": moment_text(a.get("answered_at"))} for a in (data.get("archive") or {}).get("items", [])]
