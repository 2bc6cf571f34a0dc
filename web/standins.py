"""Stand-ins for the pages helper's screens (`/oversikt`, `/min-plan`), so the
forms can be used and tested on this branch: each shows
the screen's heading and includes its actions. They are installed only where
no other page answers the same path, so the real screens replace them.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, FastAPI, Query, Request, Response

from ledger.errors import DomainError
from web.page import PageError, PageRoute, SignedIn, csrf_protect, render, web_of

router = APIRouter(route_class=PageRoute, dependencies=[Depends(csrf_protect)], include_in_schema=False)


def _case(request: Request, session: Any, case_id: UUID) -> dict[str, Any]:
    reads = web_of(request).reads
    if reads is None:
        raise RuntimeError("the web app was installed without the read service")
    try:
        return dict(reads.cases.case(session.actor, case_id).data)
    except DomainError as e:
        raise PageError(404 if e.kind == "not_found" else 403, "Saken kan ikke vises", e.message) from None


@router.get("/oversikt")
def overview_page(request: Request, session: SignedIn) -> Response:
    return render(request, "standins/overview.html")


@router.get("/min-plan")
def min_plan_page(request: Request, session: SignedIn, sak: Annotated[UUID | None, Query()] = None) -> Response:
    case = _case(request, session, sak) if sak is not None else None
    return render(request, "standins/min_plan.html", {"case": case})


def install_missing(app: FastAPI) -> None:
    """Adds each stand-in whose path no route of `app` serves yet."""
    taken = {getattr(route, "path", None) for route in app.router.routes}
    for route in router.routes:
        if getattr(route, "path", None) not in taken:
            app.router.routes.append(route)
