"""A stand-in for the case screen (`/saker/{case_id}`), so the forms can be
used and tested before it lands: it shows the screen's heading and includes
its actions. It is installed only where no other page answers the same path,
so the real screen replaces it. (The overview and "Min plan" have their own
screens: web/overview_page.py, web/min_plan_page.py.)
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Depends, FastAPI, Request, Response

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


@router.get("/saker/{case_id}")
def case_page(request: Request, case_id: UUID, session: SignedIn) -> Response:
    case = _case(request, session, case_id)
    return render(request, "standins/case.html", {"case": case})


def install_missing(app: FastAPI) -> None:
    """Adds each stand-in whose path no route of `app` serves yet."""
    taken = {getattr(route, "path", None) for route in app.router.routes}
    for route in router.routes:
        if getattr(route, "path", None) not in taken:
            app.router.routes.append(route)
