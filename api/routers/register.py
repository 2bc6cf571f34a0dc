"""The coordinating unit's overview of its municipality (ke_caseworker)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.deps import PROBLEMS, CurrentActor, LedgerDep
from ledger.errors import Forbidden
from ledger.values import Actor, Role
from projections import register

router = APIRouter(prefix="/v1/register", tags=["register"], responses=PROBLEMS)


def _ke_only(actor: Actor) -> None:
    if actor.role is not Role.KE_CASEWORKER:
        raise Forbidden("INV-07", "Oversikten er for koordinerende enhet.")


def _read(ledger: Any, query: Any, municipality: str) -> dict[str, Any]:
    # Catch up first, so a read after a command's response sees that command
    # even when the background runner (or another process) is behind.
    ledger.projections.catch_up(["register"])
    d = ledger.app.recorder.dialect
    with ledger.app.recorder.datastore.transaction(commit=False) as c:
        return {"municipality": municipality, **query(c, d, municipality)}


@router.get("/coordinators")
def coordinators(actor: CurrentActor, ledger: LedgerDep) -> dict[str, Any]:
    """Coordinators with their cases and units, load per unit, and open cases without a coordinator."""
    _ke_only(actor)
    return _read(ledger, register.coordinators, actor.municipality)


@router.get("/teams")
def teams(actor: CurrentActor, ledger: LedgerDep) -> dict[str, Any]:
    """Every active team (ansvarsgruppe/oppfølgingsteam) with its coordinator and size."""
    _ke_only(actor)
    return _read(ledger, register.teams, actor.municipality)
