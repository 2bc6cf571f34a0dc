"""The coordinating unit's overview of its municipality (ke_caseworker)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.deps import PROBLEMS, CurrentActor, ReadsDep

router = APIRouter(prefix="/v1/register", tags=["register"], responses=PROBLEMS)


@router.get("/coordinators")
def coordinators(actor: CurrentActor, reads: ReadsDep) -> dict[str, Any]:
    """Coordinators with their cases and units, load per unit, and open cases without a coordinator."""
    return reads.overviews.coordinators(actor)


@router.get("/teams")
def teams(actor: CurrentActor, reads: ReadsDep) -> dict[str, Any]:
    """Every active team (ansvarsgruppe/oppfølgingsteam) with its coordinator and size."""
    return reads.overviews.teams(actor)
