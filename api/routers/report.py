"""The compliance report of one case for Statsforvalteren (DOMAIN §7)."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Response

from api.deps import PROBLEMS, CurrentActor, ReadsDep

router = APIRouter(prefix="/v1/cases", tags=["compliance"], responses=PROBLEMS)

_DIGEST = {
    "description": "`sha-256=<hex>` of the body, recorded in the case's access log with this read: send it "
    "as `report_sha256` when forwarding a complaint",
    "schema": {"type": "string"},
}
_DISPOSITION = {"description": '`inline; filename="samsvarsrapport-<case id>.<format>"`', "schema": {"type": "string"}}
_DOCUMENTS = {
    200: {
        "description": "The report: JSON for systems, HTML (bokmål, prints on A4) or PDF (embedded font) for people",
        "headers": {"Content-Disposition": _DISPOSITION, "Digest": _DIGEST},
        "content": {
            "application/json": {"schema": {"type": "object"}},
            "text/html": {"schema": {"type": "string"}},
            "application/pdf": {"schema": {"type": "string", "format": "binary"}},
        },
    },
}


@router.get("/{case_id}/report", response_class=Response, responses=_DOCUMENTS)
def get_report(
    case_id: UUID,
    actor: CurrentActor,
    reads: ReadsDep,
    format: Annotated[
        Literal["json", "html", "pdf"],
        Query(description="json (default), html or pdf"),
    ] = "json",
) -> Response:
    """The compliance report for Statsforvalteren: the case, every check CHK-01..CHK-20, decisions with complaint
    deadlines, coordinator, consent, team, meetings, goals, complaints, the access log and the integrity proof, and
    the full timeline (ke_caseworker; Statsforvalteren once a complaint is recorded)."""
    issued = reads.cases.issue_report(actor, case_id, format)
    return Response(
        issued.document,
        media_type=issued.media_type,
        headers={"Content-Disposition": f'inline; filename="{issued.filename}"', "Digest": f"sha-256={issued.sha256}"},
    )
