"""Reads of a case: the plan now or as it stood, its history, its access log."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Response
from fastapi import Response as FastAPIResponse

from api.commanding import ETAG_HEADER
from api.deps import PROBLEMS, CurrentActor, ReadsDep
from api.query_types import Moment
from api.views import AccessLog, CaseHistory, CaseView

router = APIRouter(prefix="/v1/cases", tags=["reads"], responses=PROBLEMS)


@router.get("/{case_id}", response_model=CaseView, responses={200: {"headers": ETAG_HEADER}})
def get_case(
    case_id: UUID,
    actor: CurrentActor,
    reads: ReadsDep,
    response: Response,
    as_of: Annotated[Moment | None, Query(description="As it stood at T (events that occurred by T)")] = None,
    known_at: Annotated[Moment | None, Query(description="Only what had been recorded by T2")] = None,
) -> dict[str, Any]:
    """The case (plan, team, consents, goals, meetings), filtered by the reader's consent."""
    read = reads.cases.case(actor, case_id, as_of=as_of, known_at=known_at)
    response.headers["ETag"] = f'"{read.version}"'
    return read.data


@router.get("/{case_id}/history", response_model=CaseHistory, responses={200: {"headers": ETAG_HEADER}})
def get_history(case_id: UUID, actor: CurrentActor, reads: ReadsDep, response: Response) -> dict[str, Any]:
    """Every event: version, log index, type, when it happened and was recorded, by whom, data and hash."""
    read = reads.cases.history(actor, case_id)
    response.headers["ETag"] = f'"{read.version}"'
    return read.data


@router.get("/{case_id}/access-log", response_model=AccessLog)
def get_access_log(case_id: UUID, actor: CurrentActor, reads: ReadsDep) -> dict[str, Any]:
    """Who read this case, when and which parts (this read is logged too)."""
    return {"case_id": str(case_id), "entries": reads.cases.access_log(actor, case_id)}


@router.get(
    "/{case_id}/exports/{export_id}",
    response_class=FastAPIResponse,
    responses={
        200: {
            "description": "The exported document, byte for byte as when its sha256 was recorded",
            "content": {
                "application/json": {"schema": {"type": "object"}},
                "application/pdf": {"schema": {"type": "string", "format": "binary"}},
            },
        },
        410: {
            "description": "The case was erased (rule INV-12), or this version of the ledger "
            "renders the document differently; the export cannot be reproduced",
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
        },
    },
)
def get_export(case_id: UUID, export_id: UUID, actor: CurrentActor, reads: ReadsDep) -> FastAPIResponse:
    """An exported document (coordinator, ke_caseworker), rendered again from the events before it."""
    exported = reads.cases.export(actor, case_id, export_id)
    return FastAPIResponse(
        exported.document, media_type=exported.media_type, headers={"Digest": f"sha-256={exported.sha256}"}
    )
