"""The forms' own pages and their posts: `POST /saker/ny` opens a case and
`POST /saker/{case_id}/handlinger/{slug}` gives any other command; a GET of
the same address shows the form on a page of its own.

A post is read into the command (web/forms/parse.py), carrying the case
version the form was rendered from (`expected_version`) and the form's
idempotency key, and handed to the command service, which authorises and
decides. On success the person is sent back (303) with a confirmation; on a
refusal the form is shown again with what they typed, each message next to
its field or at the top; if the case changed meanwhile, nothing is written
and the form says so with a link to reload. With htmx (`HX-Request`) the
answer is the form alone, swapped in place, or an `HX-Redirect`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Annotated, Any, cast
from urllib.parse import urlsplit
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from commands.base import Command, CommandResult
from commands.case_commands import OpenCase
from commands.plan_commands import ForwardComplaint
from ledger.errors import DomainError, VersionMismatch
from ledger.values import Actor, Role
from web.actions import ANCHORS, Action, action_for, anchor_id, area_anchor, open_case_action
from web.case_model import issued_reports as reports_issued
from web.forms.bound import Bound, Problem
from web.forms.fields import Form, form_by_slug, form_for
from web.forms.parse import Posted, parse
from web.forms.refusals import field_of
from web.page import PageError, PageRoute, SignedIn, csrf_protect, not_found, redirect, render, web_of

router = APIRouter(route_class=PageRoute, dependencies=[Depends(csrf_protect)], include_in_schema=False)

MAX_KEY = 200
ORIGINS = frozenset({"sak", "min-plan", "oversikt"})
# The answer's status for each kind of refusal (a page shows the form again with it).
# Builds the form shown again after a refusal (it reads the case as it is now).
Again = Callable[[], Bound]
STATUS = {"invalid": 422, "conflict": 409, "forbidden": 403, "not_found": 404, "gone": 410, "version_mismatch": 409}


# ------------------------------------------------------------------ pages
@router.get("/saker/ny")
def new_case_page(request: Request, session: SignedIn) -> Response:
    """The referral form on a page of its own (the overview shows it too)."""
    action = open_case_action(_actor(session))
    if action is None:
        raise _not_offered()
    return _page(request, Bound(action, session.csrf_token, origin="oversikt"), None)


@router.get("/saker/{case_id}/handlinger/{slug}")
def action_page(
    request: Request,
    case_id: UUID,
    slug: str,
    session: SignedIn,
    versjon: Annotated[int | None, Query(ge=1, le=10**12)] = None,
) -> Response:
    """One command's form, on its own page (erasure's confirmation, the choice of a report to forward …).

    Asked by htmx (a fold of the case page opened), the form alone; `versjon` is the case's version
    the page shows, so a case changed since the page was read is refused as changed, not written."""
    form = _case_form(slug)
    actor = _actor(session)
    view = _view(request, actor, case_id)
    action = _action(request, actor, view, form)
    if action is None:
        raise _not_offered()
    origin = "min-plan" if actor.role in (Role.CITIZEN, Role.GUARDIAN) else "sak"
    bound = Bound(action, session.csrf_token, origin=origin, version=versjon)
    if request.headers.get("HX-Request"):
        return render(request, "forms/fragment.html", {"bound": bound, "level": 4})
    return _page(request, bound, view)


# ------------------------------------------------------------------ posts
@router.post("/saker/ny")
async def open_case(request: Request, session: SignedIn) -> Response:
    actor = _actor(session)
    posted = cast(Posted, await request.form())
    form = form_for(OpenCase)

    def again() -> Bound:
        action = open_case_action(actor)
        if action is None:
            raise _not_offered()
        return Bound(action, session.csrf_token, origin="oversikt")

    # A case is opened in the person's own municipality (INV-01), never one typed in.
    return await _give(request, session, form, posted, again, {"municipality": actor.municipality})


@router.post("/saker/{case_id}/handlinger/{slug}")
async def give(request: Request, case_id: UUID, slug: str, session: SignedIn) -> Response:
    actor = _actor(session)
    form = _case_form(slug)
    posted = cast(Posted, await request.form())

    def again() -> Bound:
        view = _view(request, actor, case_id)
        action = _action(request, actor, view, form, offered=False)
        if action is None:
            raise _not_offered()
        return Bound(action, session.csrf_token, about=_about(view))

    return await _give(request, session, form, posted, again, {"case_id": case_id})


async def _give(
    request: Request,
    session: Any,
    form: Form,
    posted: Posted,
    again: Again,
    given: Mapping[str, Any],
) -> Response:
    """Reads, gives and answers one command; `again()` builds the form to show when it is refused."""
    web = web_of(request)
    actor = _actor(session)
    version = _version(posted)
    key = _key(posted)
    origin = _origin(posted, actor)
    parsed = parse(form, posted)
    if not parsed.errors:
        values = dict(parsed.values)
        occurred_at = values.pop("occurred_at", None)
        command = form.command(
            actor=actor,
            occurred_at=occurred_at,
            expected_version=version,
            idempotency_key=key,
            **values,
            **given,
        )
        try:
            result = await run_in_threadpool(_services(web).handle, command)
        except DomainError as refusal:
            return await _refused(request, form, posted, again, refusal, version, key, origin)
        return _done(request, session, command, result, origin)
    bound = await _bound_again(again, posted, version, key, origin)
    bound.errors = parsed.errors
    return _answer(request, bound, 422)


async def _refused(
    request: Request,
    form: Form,
    posted: Posted,
    again: Again,
    refusal: DomainError,
    version: int | None,
    key: str | None,
    origin: str,
) -> Response:
    try:
        bound = await _bound_again(again, posted, version, key, origin)
    except PageError:
        # A form the person is not offered (a forged post): the service's refusal, on a page of its own.
        raise PageError(STATUS.get(refusal.kind, 409), "Handlingen ble ikke utført", _said(refusal)) from None
    if isinstance(refusal, VersionMismatch):
        bound.stale = refusal
        return _answer(request, bound, STATUS[refusal.kind])
    place = field_of(form, refusal, posted)
    if place is not None:
        bound.errors[place] = _said(refusal)
    else:
        bound.problems.append(Problem(refusal.message, refusal.rule))
    return _answer(request, bound, STATUS.get(refusal.kind, 409))


async def _bound_again(again: Again, posted: Posted, version: int | None, key: str | None, origin: str) -> Bound:
    try:
        bound: Bound = await run_in_threadpool(again)
    except DomainError as e:
        raise PageError(STATUS.get(e.kind, 409), "Handlingen ble ikke utført", _said(e)) from None
    # What the person typed, the version they saw and the same key: sending it again is the same request.
    bound.posted = posted
    bound.version = version
    bound.idempotency_key = key or bound.idempotency_key
    bound.origin = origin
    return bound


def _done(request: Request, session: Any, command: Command, result: CommandResult, origin: str) -> Response:
    web = web_of(request)
    form = form_for(type(command))
    web.sessions.set_flash(session, form.text.done)
    url = _back(origin, result.case_id) + "#" + _anchor(command, result)
    if request.headers.get("HX-Request"):
        headers = {"HX-Redirect": url}
        current = urlsplit(request.headers.get("HX-Current-URL", ""))
        if current.path == urlsplit(url).path and current.query == "":
            # Only the #anchor differs from the page the person is on: the browser would not load
            # it again, and the confirmation (and the new state) would not be shown.
            headers["HX-Refresh"] = "true"
        return Response(status_code=200, headers=headers)
    return redirect(url)


def _anchor(command: Command, result: CommandResult) -> str:
    """Where the page shows what the command created or acted on; else its area of the page."""
    for kind in ANCHORS:
        if kind in result.created:
            return anchor_id(kind, result.created[kind])
    for kind in ANCHORS:
        value = getattr(command, kind, None)
        if isinstance(value, UUID):
            return anchor_id(kind, value)
    return area_anchor(form_for(type(command)).text.area)


def _back(origin: str, case_id: UUID) -> str:
    if origin == "min-plan":
        # The case named: a guardian's "Min plan" finds the case by its link, not by an index.
        return f"/min-plan?sak={case_id}"
    return f"/saker/{case_id}"


# -------------------------------------------------------------- rendering
def _answer(request: Request, bound: Bound, status: int) -> Response:
    bound.reload_url = _back(bound.origin, bound.action.case_id) if bound.action.case_id else "/saker/ny"
    if request.headers.get("HX-Request"):
        # htmx swaps only successful answers: the form with its messages comes back as 200.
        return render(request, "forms/fragment.html", {"bound": bound, "level": 3})
    return _page(request, bound, None, status=status)


def _page(request: Request, bound: Bound, view: Mapping[str, Any] | None, *, status: int = 200) -> Response:
    case_id = bound.action.case_id
    if case_id is None:
        back_url, back_text = "/oversikt", "Tilbake til oversikten"
    elif bound.origin == "min-plan":
        back_url, back_text = f"/min-plan?sak={case_id}", "Tilbake til Min plan"
    else:
        back_url, back_text = f"/saker/{case_id}", "Tilbake til saken"
    bound.reload_url = bound.reload_url or back_url
    context = {"bound": bound, "back_url": back_url, "back_text": back_text, "about": bound.about or _about(view)}
    return render(request, "forms/page.html", context, status_code=status)


def _about(view: Mapping[str, Any] | None) -> str | None:
    if not view:
        return None
    name = (view.get("subject") or {}).get("name")
    return f"Saken gjelder {name}." if isinstance(name, str) and name else None


# ---------------------------------------------------------------- helpers
def _services(web: Any) -> Any:
    if web.commands is None or web.reads is None:
        raise RuntimeError("the web app was installed without the command and read services")
    return web.commands


def _actor(session: Any) -> Actor:
    actor: Actor = session.actor
    return actor


def _case_form(slug: str) -> Form:
    form = form_by_slug(slug)
    if form is None or not form.on_case:
        raise not_found()
    return form


def _view(request: Request, actor: Actor, case_id: UUID) -> Mapping[str, Any]:
    web = web_of(request)
    _services(web)
    try:
        data: Mapping[str, Any] = web.reads.cases.case(actor, case_id).data  # type: ignore[union-attr]
    except DomainError as e:
        raise PageError(STATUS.get(e.kind, 404), "Saken kan ikke vises", e.message) from None
    return data


def _action(
    request: Request, actor: Actor, view: Mapping[str, Any], form: Form, *, offered: bool = True
) -> Action | None:
    reports: Sequence[Mapping[str, Any]] = ()
    if form.command is ForwardComplaint and actor.role in ForwardComplaint.roles:
        reports = issued_reports(request, actor, UUID(str(view["case_id"])))
    return action_for(actor, view, form, reports=reports, offered=offered)


def issued_reports(request: Request, actor: Actor, case_id: UUID) -> list[dict[str, Any]]:
    """The compliance reports the ledger handed out for the case, newest first (from its access log)."""
    web = web_of(request)
    try:
        entries = web.reads.cases.access_log(actor, case_id)  # type: ignore[union-attr]
    except DomainError:
        return []
    return reports_issued(entries)


def _version(posted: Posted) -> int | None:
    raw = posted.get("expected_version")
    if not isinstance(raw, str) or not raw:
        return None
    if not raw.isdigit() or len(raw) > 12:
        raise PageError(400, "Skjemaet var ikke fullstendig", "Last inn siden på nytt og prøv igjen.")
    return int(raw)


def _key(posted: Posted) -> str | None:
    raw = posted.get("idempotency_key")
    if not isinstance(raw, str) or not raw:
        return None
    if len(raw) > MAX_KEY or not raw.isprintable():
        raise PageError(400, "Skjemaet var ikke fullstendig", "Last inn siden på nytt og prøv igjen.")
    return raw


def _origin(posted: Posted, actor: Actor) -> str:
    raw = posted.get("fra")
    if isinstance(raw, str) and raw in ORIGINS:
        return raw
    return "min-plan" if actor.role in (Role.CITIZEN, Role.GUARDIAN) else "sak"


def _said(refusal: DomainError) -> str:
    return f"{refusal.message} ({refusal.rule})" if refusal.rule else refusal.message


def _not_offered() -> PageError:
    return PageError(
        403, "Dette kan du ikke gjøre her", "Handlingen er ikke tilgjengelig for deg i denne saken slik den står nå."
    )
