"""The coordinating unit's overview (`/oversikt`): the register of cases with filters and pages,
the breaches and soon-due deadlines per rule, everyone's tasks, and the referral form.

Everything is read through the read service, which refuses anyone but KE (a Norwegian 403 page
here). The filters are a GET form, so the page works without JavaScript and a filtered page can be
bookmarked; with htmx the form and the page links replace only the register's results.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request, Response

from audit.compliance import RULE_TITLES
from ledger.errors import DomainError
from ledger.values import CaseStatus
from reads.service import ReadService
from web.page import PageError, PageRoute, SignedIn, csrf_protect, render, web_of

router = APIRouter(route_class=PageRoute, dependencies=[Depends(csrf_protect)], include_in_schema=False)

PAGE_SIZE = 50
# The first items of the breaches and of the tasks shown below the register (the register pages on).
FIRST = 20

T = TypeVar("T")


def reads_of(request: Request) -> ReadService:
    reads = web_of(request).reads
    if reads is None:
        raise RuntimeError("the web app was installed without the read service")
    return reads


def refused(read: Callable[[], T]) -> T:
    """A read; the read service's refusal becomes a Norwegian page with its message."""
    try:
        return read()
    except DomainError as e:
        status = 404 if e.kind == "not_found" else 403
        raise PageError(status, "Du har ikke tilgang til denne siden", e.message) from None


def _filter(value: str | None, allowed: Any, what: str) -> str | None:
    if not value:
        return None
    if value not in allowed:
        raise PageError(400, "Ugyldig filter", f"{what} «{value}» finnes ikke. Velg fra listen og prøv igjen.")
    return value


@router.get("/oversikt")
def overview(
    request: Request,
    session: SignedIn,
    status: Annotated[str | None, Query(max_length=40)] = None,
    enhet: Annotated[str | None, Query(max_length=200)] = None,
    koordinator: Annotated[str | None, Query(max_length=200)] = None,
    regel: Annotated[str | None, Query(max_length=20)] = None,
    side: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    actor = session.actor
    assert actor is not None  # SignedIn
    reads = reads_of(request)
    filters = {
        "status": _filter(status, CaseStatus._value2member_map_, "Statusen"),
        "enhet": enhet or None,
        "koordinator": koordinator or None,
        "regel": _filter(regel, RULE_TITLES, "Regelen"),
    }
    register = refused(
        lambda: reads.overviews.register(
            actor,
            status=filters["status"],
            unit=filters["enhet"],
            coordinator=filters["koordinator"],
            breached_rule=filters["regel"],
            limit=PAGE_SIZE,
            offset=(side - 1) * PAGE_SIZE,
        )
    )
    context = {"register": register, "filters": filters, "paging": paging(filters, side, register["total"])}
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "register-resultat":
        # htmx asked for the register's results only (a filter or another page).
        return render(request, "overview/register.html", context)
    rules = reads.overviews.per_rule(actor)
    largest = max((max(r["breach"], r["soon"]) for r in rules["rules"]), default=0)
    return render(
        request,
        "overview.html",
        {
            **context,
            "rules": rules,
            "largest": largest,
            "breaches": reads.overviews.breaches(actor, limit=FIRST),
            "tasks": reads.tasks.everyone(actor, limit=FIRST),
            "statuses": list(CaseStatus),
            "rule_ids": sorted(RULE_TITLES),
        },
    )


def paging(filters: dict[str, str | None], page: int, total: int) -> dict[str, Any]:
    """Where "Forrige" and "Neste" lead, keeping the filters."""
    pages = max(1, -(-total // PAGE_SIZE))
    kept = {k: v for k, v in filters.items() if v}

    def url(n: int) -> str:
        return "/oversikt?" + urlencode({**kept, "side": n})

    return {
        "page": page,
        "pages": pages,
        "first": min(total, (page - 1) * PAGE_SIZE + 1),
        "last": min(total, page * PAGE_SIZE),
        "previous": url(page - 1) if page > 1 else None,
        "next": url(page + 1) if page < pages else None,
    }
