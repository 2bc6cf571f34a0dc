"""The case page (issue #9, screen 2, and 7: reports and exports): `/saker/{case_id}`.

Everything comes from one read of the read service (`reads.cases.page`), which decides what the
signed-in person may see and writes the read to the case's access log; this module translates
the query (`as_of`, `known_at`), lays the answer out through `web.case_model` and the templates
in `templates/case/`, and hands out the report and the plan's exports as downloads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Annotated, Any
from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request, Response

from audit.compliance.timeline import NORWAY
from audit.report.labels import moment_text, words
from ledger import vocabulary as V
from ledger.errors import DomainError
from ledger.values import Actor
from reads.errors import NotComputed
from reads.policy import AccessEnded
from reads.service import ReadService
from web import case_model as M
from web.actions import actions_for
from web.page import CONTENT_SECURITY_POLICY, PageError, PageRoute, SignedIn, csrf_protect, render, web_of

REPORT_FORMATS = {"pdf": "PDF", "html": "HTML", "json": "JSON"}
STATUS = {"forbidden": 403, "not_found": 404, "gone": 410}


class DownloadRoute(PageRoute):
    """A file handed out from a page: the page headers, and a sandbox in its Content-Security-Policy,
    so an HTML document opened from this address runs nothing and reaches nothing of the app."""

    def get_route_handler(self) -> Any:
        handler = super().get_route_handler()

        async def download(request: Request) -> Response:
            response: Response = await handler(request)
            if "content-disposition" in response.headers:
                response.headers["Content-Security-Policy"] = f"{CONTENT_SECURITY_POLICY}; sandbox"
            return response

        return download


router = APIRouter(route_class=PageRoute, dependencies=[Depends(csrf_protect)], include_in_schema=False)
downloads = APIRouter(route_class=DownloadRoute, include_in_schema=False)


@dataclass(frozen=True)
class Moments:
    """The moments asked for in the query, and the Norwegian message for each that is no date."""

    as_of: datetime | None
    known_at: datetime | None
    errors: dict[str, str]
    raw: dict[str, str]


def moment_of(raw: str) -> datetime:
    """A date means the end of that day in Norway (the case as it stood that evening); a date and time
    without a zone is Norwegian time. ValueError when it is neither."""
    text = raw.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            end = datetime.combine(day, time.max).replace(tzinfo=NORWAY)
            return end.astimezone(UTC)
        moment = datetime.fromisoformat(text)
        return (moment if moment.tzinfo else moment.replace(tzinfo=NORWAY)).astimezone(UTC)
    except (ValueError, OverflowError):
        raise ValueError(text) from None


def moments(as_of: str | None, known_at: str | None) -> Moments:
    given = {"as_of": as_of or "", "known_at": known_at or ""}
    parsed: dict[str, datetime | None] = {}
    errors = {}
    for name, raw in given.items():
        parsed[name] = None
        if raw.strip():
            try:
                parsed[name] = moment_of(raw)
            except ValueError:
                errors[name] = (
                    "Skriv en gyldig dato: velg den i datovelgeren, eller skriv år-måned-dag, for eksempel 2026-05-01."
                )
    return Moments(parsed["as_of"], parsed["known_at"], errors, given)


def _reads(request: Request) -> ReadService:
    reads = web_of(request).reads
    if reads is None:
        raise RuntimeError("the web app was installed without the read service")
    return reads


def refused(e: DomainError | NotComputed) -> PageError:
    """A refusal of the read service as a page, in its own words; an ended access says so."""
    if isinstance(e, AccessEnded):
        return PageError(403, "Tilgangen din til saken er avsluttet", e.message)
    if isinstance(e, NotComputed):
        return PageError(500, "Saken kan ikke vises", e.message)
    return PageError(STATUS.get(e.kind, 404), "Saken kan ikke vises", e.message)


@router.get("/saker/{case_id}")
def case_page(
    request: Request,
    case_id: UUID,
    session: SignedIn,
    as_of: Annotated[str | None, Query(max_length=40)] = None,
    known_at: Annotated[str | None, Query(max_length=40)] = None,
    tidslinje: Annotated[int | None, Query(ge=1, le=100_000)] = None,
) -> Response:
    asked = moments(as_of, known_at)
    actor: Actor = session.actor  # type: ignore[assignment]
    try:
        read = _reads(request).cases.page(
            actor,
            case_id,
            as_of=None if asked.errors else asked.as_of,
            known_at=None if asked.errors else asked.known_at,
        )
    except (DomainError, NotComputed) as e:
        raise refused(e) from None
    context = page_context(actor, str(case_id), read.data, asked, tidslinje)
    return render(request, "case/page.html", context, status_code=400 if asked.errors else 200)


def page_context(
    actor: Actor, case_id: str, data: dict[str, Any], asked: Moments, timeline_page: int | None = None
) -> dict[str, Any]:
    case = data["case"]
    past = not asked.errors and (asked.as_of is not None or asked.known_at is not None)
    kept = {k: v for k, v in asked.raw.items() if v and not asked.errors}
    pages = M.timeline_pages(data, timeline_page, urlencode(kept))
    return {
        "case_id": case_id,
        "case": case,
        "data": data,
        "title": M.title(case),
        "summary": M.summary(case),
        "past": past,
        "past_text": _past_text(asked) if past else "",
        "asked": asked,
        "now_url": f"/saker/{case_id}",
        "events": M.timeline(data, pages),
        "pages": pages,
        "event_count": len((data.get("timeline") or {}).get("events", [])),
        "late": M.late_count(data),
        "coordinators": M.coordinators(case),
        "decisions": M.decisions(case),
        "team": M.team(case),
        "team_name": (case.get("team") or {}).get("local_name") or "",
        "consents": M.consents(case),
        "plan": M.plan(case),
        "areas": M.goals_by_area(case),
        "meetings": M.meetings(case),
        "checks": M.checks(data, pages),
        "check_counts": M.check_counts(data),
        "access": M.access_log(data.get("access_log") or ()),
        "notifications": M.notifications(data.get("notifications") or ()),
        "archive": M.archive(data),
        "categories": words(V.INFO_CATEGORIES, case.get("readable_categories")),
        "complaints": M.complaints(case),
        "exports": M.exports(case, case_id) if data["may"]["exports"] else [],
        "reports": [(f"/saker/{case_id}/rapport.{fmt}", name) for fmt, name in REPORT_FORMATS.items()]
        if data["may"]["report"]
        else [],
        # Forms act on the case as it is now: none on a past view.
        "actions": [] if past else actions_for(actor, case, reports=M.issued_reports(data.get("access_log") or ())),
    }


def _past_text(asked: Moments) -> str:
    parts = []
    if asked.as_of is not None:
        parts.append(f"slik den sto {moment_text(asked.as_of.isoformat())}")
    if asked.known_at is not None:
        parts.append(f"slik den var kjent {moment_text(asked.known_at.isoformat())}")
    return "Du ser saken " + " og ".join(parts) + "."


# -------------------------------------------------------------- downloads
@downloads.get("/saker/{case_id}/rapport.{fmt}")
def report(request: Request, case_id: UUID, fmt: str, session: SignedIn) -> Response:
    """The compliance report for Statsforvalteren, issued (and logged with its sha256) by the read service."""
    if fmt not in REPORT_FORMATS:
        raise PageError(404, "Siden finnes ikke", "Rapporten finnes som PDF, HTML og JSON.")
    try:
        issued = _reads(request).cases.issue_report(session.actor, case_id, fmt)  # type: ignore[arg-type]
    except (DomainError, NotComputed) as e:
        raise refused(e) from None
    return _file(issued.document, issued.media_type, issued.filename, issued.sha256)


@downloads.get("/saker/{case_id}/eksporter/{export_id}")
def export(request: Request, case_id: UUID, export_id: UUID, session: SignedIn) -> Response:
    """A plan exported from the case, rendered again from its events, byte for byte as recorded."""
    try:
        exported = _reads(request).cases.export(session.actor, case_id, export_id)  # type: ignore[arg-type]
    except (DomainError, NotComputed) as e:
        raise refused(e) from None
    name = f"plan-{case_id}-{export_id}.{exported.format}"
    return _file(exported.document, exported.media_type, name, exported.sha256)


def _file(document: bytes, media_type: str, filename: str, sha256: str) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="{filename}"', "Digest": f"sha-256={sha256}"}
    return Response(document, media_type=media_type, headers=headers)
