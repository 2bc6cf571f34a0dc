"""The start page: where `/` leads a signed-in person (the role's own screens come with issue #9)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response

from web.page import PageRoute, SignedIn, csrf_protect, render

router = APIRouter(route_class=PageRoute, dependencies=[Depends(csrf_protect)], include_in_schema=False)


@router.get("/")
def start(request: Request, session: SignedIn) -> Response:
    return render(request, "start.html")
