"""Worklists (issue #11): the signed-in person's own duties, and KE's view of everyone's."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.deps import PROBLEMS, CurrentActor, ReadsDep
from api.notification_views import AssigneeKindName, TaskList
from api.query_types import DayOrMoment
from commands.constraints import PRINTABLE

router = APIRouter(prefix="/v1", tags=["tasks"], responses=PROBLEMS)

DueBefore = Annotated[
    DayOrMoment | None,
    Query(description="Only duties due by this date (end of day, Norway) or moment (as given); overdue ones always"),
]
Limit = Annotated[int, Query(ge=1, le=5000, description="Items per page")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="Items to skip")]


@router.get("/me/tasks", response_model=TaskList)
def my_tasks(
    actor: CurrentActor, reads: ReadsDep, due_before: DueBefore = None, limit: Limit = 500, offset: Offset = 0
) -> dict[str, Any]:
    """The signed-in person's duties, soonest deadline first (every role): a coordinator's and a unit
    leader's by their id, KE's (complaints to forward), a citizen's or guardian's consents about to run
    out (by the national id of their token). Each names the case, the check it protects (CHK-xx), the
    deadline and what to do in Norwegian; a role without duties gets an empty list."""
    return reads.tasks.mine(actor, due_before=due_before, limit=limit, offset=offset)


@router.get("/tasks", response_model=TaskList)
def everyones_tasks(
    actor: CurrentActor,
    reads: ReadsDep,
    unit: Annotated[
        str | None, Query(min_length=1, max_length=200, pattern=PRINTABLE, description="Only this unit's duties")
    ] = None,
    assignee: Annotated[
        str | None,
        Query(
            min_length=1, max_length=200, pattern=PRINTABLE, description="Only this person's (the id the events name)"
        ),
    ] = None,
    kind: Annotated[AssigneeKindName | None, Query(description="Only duties of this kind of assignee")] = None,
    due_before: Annotated[
        DayOrMoment | None,
        Query(
            description="Duties due by this date (end of day, Norway) or moment (as given); default 60 days from now"
        ),
    ] = None,
    limit: Limit = 500,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Everyone's duties in the caller's municipality (ke_caseworker), soonest deadline first, a page at a
    time (`total` and `overdue` count every duty matched)."""
    return reads.tasks.everyone(
        actor, unit=unit, assignee=assignee, kind=kind, due_before=due_before, limit=limit, offset=offset
    )
