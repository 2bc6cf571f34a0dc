"""Compliance of one case with every check of DOMAIN §5."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter

from api.deps import PROBLEMS, CurrentActor, ReadsDep
from api.views import Compliance

router = APIRouter(prefix="/v1/cases", tags=["compliance"], responses=PROBLEMS)


@router.get("/{case_id}/compliance", response_model=Compliance)
def get_compliance(case_id: UUID, actor: CurrentActor, reads: ReadsDep) -> dict[str, Any]:
    """Each check (CHK-01..CHK-20): status, a Norwegian explanation, the deadline and the evidence
    (ke_caseworker, the case's coordinator, Statsforvalteren once a complaint is recorded)."""
    return reads.cases.compliance(actor, case_id)
