"""The worklist (`/mine-saker`): the signed-in person's duties, grouped per case, soonest first.

- A coordinator sees the cases they coordinate (their register entries: unit, team, breached
  rules) with each one's next deadline and what is overdue, and then any duty of a case they no
  longer coordinate in the register (a case closed since, say).
- A unit leader sees the cases their unit is asked to name a coordinator for (their duties), with
  the deadline of each; the case itself shows them who coordinates, nothing more (reads.policy).
- A service provider has no duties in the ledger (reads.policy.own_tasks): the page says so and
  that they reach a case through the link the coordinator gives them, where they see what a
  consent in force covers. The ledger keeps no index of the cases a consent names a provider in.
- Anyone else sees their own duties the same way (KE: complaints to forward).

Everything comes from the read service (`tasks.mine`, `mine.coordinated`), as `/v1/me/tasks` does.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response

from ledger.values import Role
from web.overview_page import reads_of, refused
from web.page import PageRoute, SignedIn, csrf_protect, render

router = APIRouter(route_class=PageRoute, dependencies=[Depends(csrf_protect)], include_in_schema=False)


@router.get("/mine-saker")
def worklist(request: Request, session: SignedIn) -> Response:
    actor = session.actor
    assert actor is not None  # SignedIn
    reads = reads_of(request)
    tasks = refused(lambda: reads.tasks.mine(actor))
    coordinated = refused(lambda: reads.mine.coordinated(actor)) if actor.role is Role.COORDINATOR else None
    per_case = group(tasks["items"])
    cases = []
    if coordinated is not None:
        for entry in coordinated["items"]:
            cases.append({**entry, **per_case.pop(entry["case_id"], empty())})
        # Their own cases with something overdue first, then by the next deadline, then the rest.
        cases.sort(key=lambda c: (not c["overdue"], c["next"] is None, c["next"]["due_at"] if c["next"] else ""))
    others = sorted(per_case.items(), key=lambda item: item[1]["next"]["due_at"])
    return render(
        request,
        "worklist.html",
        {
            "tasks": tasks,
            "cases": cases,
            "coordinated": coordinated,
            "others": [{"case_id": case_id, **group_} for case_id, group_ in others],
            "provider": actor.role is Role.SERVICE_PROVIDER,
            "heading": "Mine oppgaver" if actor.role is Role.UNIT_LEADER else "Mine saker",
        },
    )


def empty() -> dict[str, Any]:
    return {"tasks": [], "next": None, "overdue": 0}


def group(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Tasks (soonest first) per case: the case's tasks, its next deadline and how many are overdue."""
    per_case: dict[str, dict[str, Any]] = {}
    for task in items:
        entry = per_case.setdefault(task["case_id"], empty())
        entry["tasks"].append(task)
        entry["next"] = entry["next"] or task
        entry["overdue"] += task["status"] == "overdue"
    return per_case
