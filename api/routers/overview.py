"""KE's overview of breached and soon-due checks across the municipality."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.deps import PROBLEMS, CurrentActor, LedgerDep
from api.views import BreachOverview
from audit.compliance import RULE_TITLES
from ledger.errors import Forbidden
from ledger.values import Role
from projections.compliance import due_instant, overview

router = APIRouter(prefix="/v1/compliance", tags=["compliance"], responses=PROBLEMS)

SOON = timedelta(days=14)
RULE_PATTERN = r"^CHK-(0[1-9]|1[0-9]|20)$"


@router.get("/breaches", response_model=BreachOverview)
def breaches(
    actor: CurrentActor,
    ledger: LedgerDep,
    rule: Annotated[str | None, Query(pattern=RULE_PATTERN, description="Only this check, e.g. CHK-04")] = None,
    unit: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=200,
            description="Only cases of this unit (the coordinator's, or the unit asked to appoint one)",
        ),
    ] = None,
    due_before: Annotated[
        date | datetime | None,
        Query(
            description="Pending checks due before this date (end of day, Norway) or moment are listed "
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
    if actor.role is not Role.KE_CASEWORKER:
        raise Forbidden("INV-07", "Oversikten er for koordinerende enhet.")
    now = ledger.clock()
    until = now + SOON if due_before is None else _instant(due_before)
    # Catch up first, so the overview includes what was just recorded and
    # judgements that lapsed with time are made again.
    ledger.projections.catch_up(["compliance"])
    d = ledger.app.recorder.dialect
    with ledger.app.recorder.datastore.transaction(commit=False) as c:
        found = overview(
            c, d, actor.municipality, now, due_before=until, rule=rule, unit=unit, limit=limit, offset=offset
        )
    for item in found.items:
        item["title"] = RULE_TITLES[item["rule"]]
    return {
        "municipality": actor.municipality,
        "evaluated_at": now.isoformat(),
        "due_before": until.isoformat(),
        "total": found.total,
        "breaches_per_rule": found.breaches_per_rule,
        "items": found.items,
    }


def _instant(value: date | datetime) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return due_instant(value)
