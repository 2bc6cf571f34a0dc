"""KE's overview of breached and soon-due checks across the municipality."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.deps import PROBLEMS, CurrentActor, ReadsDep
from api.query_types import DayOrMoment
from api.views import BreachOverview
from commands.constraints import PRINTABLE

router = APIRouter(prefix="/v1/compliance", tags=["compliance"], responses=PROBLEMS)

RULE_PATTERN = r"^CHK-(0[1-9]|1[0-9]|20)$"


@router.get("/breaches", response_model=BreachOverview)
def breaches(
    actor: CurrentActor,
    reads: ReadsDep,
    rule: Annotated[str | None, Query(pattern=RULE_PATTERN, description="Only this check, e.g. CHK-04")] = None,
    unit: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=200,
            pattern=PRINTABLE,
            description="Only cases of this unit (the coordinator's, or the unit asked to appoint one)",
        ),
    ] = None,
    due_before: Annotated[
        DayOrMoment | None,
        Query(
            description="Pending checks due before this date (end of day, Norway) or moment (as given) are listed "
            "with the breaches; default 14 days from now"
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=5000, description="Items per page")] = 500,
    offset: Annotated[int, Query(ge=0, le=10_000_000, description="Items to skip")] = 0,
) -> dict[str, Any]:
    """Every breached check in the caller's municipality, and every pending check due before
    `due_before` (ke_caseworker), soonest deadline first, a page at a time (`total` counts all;
    `breaches_per_rule` counts every breach matched, not only the page's). Rows name the rule,
    deadline, unit and evidence, nothing of the person; the case's `/compliance` read
    (access-logged) explains each one."""
    return reads.overviews.breaches(actor, rule=rule, unit=unit, due_before=due_before, limit=limit, offset=offset)
