"""Compliance of one case with every check of DOMAIN §5."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter

from api.deps import PROBLEMS, CurrentActor, LedgerDep
from api.reading import read_case
from api.views import Compliance
from audit.compliance import evaluate

router = APIRouter(prefix="/v1/cases", tags=["compliance"], responses=PROBLEMS)


@router.get("/{case_id}/compliance", response_model=Compliance)
def get_compliance(case_id: UUID, actor: CurrentActor, ledger: LedgerDep) -> dict[str, Any]:
    """Each check (CHK-01..CHK-20): status, a Norwegian explanation, the deadline and the evidence
    (ke_caseworker, the case's coordinator, Statsforvalteren once a complaint is recorded)."""
    events, case, _ = read_case(ledger, actor, case_id, "compliance")
    profile = ledger.app.profile(case.municipality)
    now = ledger.clock()
    results = evaluate(events, profile, now)
    return {
        "case_id": case_id,
        "municipality": case.municipality,
        "profile": profile.key,
        "evaluated_at": now.isoformat(),
        "version": case.version,
        "checks": [
            {
                "rule": r.rule,
                "status": r.status.value,
                "detail": r.detail,
                "deadline": r.deadline.isoformat() if r.deadline else None,
                "evidence": list(r.evidence),
            }
            for r in results
        ],
    }
