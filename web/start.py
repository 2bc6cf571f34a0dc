"""The start page: `/` sends each role to its own screen (web.display.HOMES); a role without one
(Statsforvalteren, the system administrator) gets the start page naming who is signed in."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response

from web.display import home_of
from web.page import PageRoute, SignedIn, csrf_protect, redirect, render

router = APIRouter(route_class=PageRoute, dependencies=[Depends(csrf_protect)], include_in_schema=False)


@router.get("/")
def start(request: Request, session: SignedIn) -> Response:
    assert session.actor is not None  # SignedIn
    home = home_of(session.actor.role)
    return redirect(home) if home else render(request, "start.html")
