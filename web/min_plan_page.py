""" "Min plan" (`/min-plan`): the person's (or a guardian's) own case: the plan, the goals by life
area, the meetings, the consents (in force, awaiting a guardian's signature, withdrawn, expired, and
those about to expire), the forms to give, sign and withdraw consent, and who has read the case
(the access log: Normen factsheet 15, the person's right to see it).

Which case: `?sak=<id>` names it (the link in a letter or a notification); without it, a citizen
signed in with a national id gets the case the subject index finds for them, and the cases their
own tasks name (a consent about to expire). The ledger keeps no index of a guardian's children,
so a guardian without a link is asked for the case number. The read service decides what they may
read, and logs the read, as the API does; someone else's case is "no such case".
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request, Response

from ledger.errors import DomainError
from ledger.values import Actor, Role
from reads.service import ReadService
from web.overview_page import reads_of
from web.page import PageError, PageRoute, SignedIn, csrf_protect, render

router = APIRouter(route_class=PageRoute, dependencies=[Depends(csrf_protect)], include_in_schema=False)

CONSENT_GROUPS = (
    ("in_force", "I kraft"),
    ("awaiting_signature", "Venter på signatur fra foresatt"),
    ("withdrawn", "Trukket tilbake"),
    ("expired", "Utløpt"),
)


@router.get("/min-plan")
def min_plan(request: Request, session: SignedIn, sak: Annotated[str | None, Query(max_length=60)] = None) -> Response:
    actor = session.actor
    assert actor is not None  # SignedIn
    if actor.role not in (Role.CITIZEN, Role.GUARDIAN):
        raise PageError(403, "Du har ikke tilgang til denne siden", "«Min plan» er for personen selv og de foresatte.")
    reads = reads_of(request)
    tasks = reads.tasks.mine(actor)
    found = own_cases(reads, actor, tasks["items"])
    chosen = _case_id(sak) if sak else (found[0] if len(found) == 1 else None)
    context: dict[str, Any] = {"found": found, "chosen": chosen, "asked": sak}
    if chosen is not None:
        try:
            case = reads.cases.case(actor, chosen).data
            log = reads.cases.access_log(actor, chosen)
        except DomainError as e:
            raise PageError(404 if e.kind == "not_found" else 403, "Saken kan ikke vises", e.message) from None
        context.update(
            case=case,
            consents=consent_groups(case),
            expiring=[t for t in tasks["items"] if t["case_id"] == str(chosen) and t["task"] == "renew_consent"],
            goals=goals_by_area(case),
            meetings=sorted(case.get("meetings", {}).values(), key=lambda m: m["scheduled_for"]),
            access_log=sorted(log, key=lambda entry: entry["at"], reverse=True),
        )
    return render(request, "min_plan.html", context)


def own_cases(reads: ReadService, actor: Actor, tasks: list[dict[str, Any]]) -> list[UUID]:
    """The cases the person can be shown without a link: the subject index's, then their tasks'."""
    found: list[UUID] = []
    if actor.role is Role.CITIZEN and actor.pid:
        own = reads.mine.own_case(actor)
        if own is not None:
            found.append(own)
    for task in tasks:
        case_id = UUID(task["case_id"])
        if case_id not in found:
            found.append(case_id)
    return found


def _case_id(text: str) -> UUID:
    try:
        return UUID(text.strip())
    except ValueError:
        raise PageError(
            400, "Ugyldig saksnummer", "Saksnummeret skal se slik ut: 8 tegn, bindestrek, 4, 4, 4 og 12 tegn."
        ) from None


def consent_groups(case: dict[str, Any]) -> list[dict[str, Any]]:
    consents = list((case.get("consents") or {}).values())
    return [
        {"status": status, "title": title, "items": [c for c in consents if c.get("status") == status]}
        for status, title in CONSENT_GROUPS
    ]


def goals_by_area(case: dict[str, Any]) -> list[tuple[str, list[dict[str, Any]]]]:
    areas: dict[str, list[dict[str, Any]]] = {}
    for goal in sorted((case.get("goals") or {}).values(), key=lambda g: g.get("set_at", "")):
        areas.setdefault(goal["life_area"], []).append(goal)
    return sorted(areas.items())
