"""Reads of a case: the plan now or as it stood, its history, its access log."""

from __future__ import annotations

import hashlib
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Response
from fastapi import Response as FastAPIResponse
from pydantic import AwareDatetime

from api.commanding import ETAG_HEADER
from api.deps import PROBLEMS, CurrentActor, LedgerDep
from api.reading import read_case
from api.views import AccessLog, CaseHistory, CaseView
from audit.report.exports import MEDIA_TYPES, reproduce
from ledger.event_data import event_to_dict
from projections.access import filter_view
from projections.case_view import fold
from projections.case_views import current_view

router = APIRouter(prefix="/v1/cases", tags=["reads"], responses=PROBLEMS)


@router.get("/{case_id}", response_model=CaseView, responses={200: {"headers": ETAG_HEADER}})
def get_case(
    case_id: UUID,
    actor: CurrentActor,
    ledger: LedgerDep,
    response: Response,
    as_of: Annotated[AwareDatetime | None, Query(description="As it stood at T (events that occurred by T)")] = None,
    known_at: Annotated[AwareDatetime | None, Query(description="Only what had been recorded by T2")] = None,
) -> dict[str, Any]:
    """The case (plan, team, consents, goals, meetings), filtered by the reader's consent."""
    events, case, scope = read_case(ledger, actor, case_id, "case")
    projected = current_view(ledger, case_id) if as_of is None and known_at is None else None
    # The projection serves the present; a past view (or a row whose key was
    # destroyed a moment ago) is the same fold over the events.
    view = projected if projected is not None else fold(events, as_of=as_of, known_at=known_at)
    response.headers["ETag"] = f'"{view.get("version", case.version)}"'
    if not view:
        return {"case_id": str(case_id), "version": 0, "status": "not_yet_recorded"}
    return filter_view(view, scope)


@router.get("/{case_id}/history", response_model=CaseHistory, responses={200: {"headers": ETAG_HEADER}})
def get_history(case_id: UUID, actor: CurrentActor, ledger: LedgerDep, response: Response) -> dict[str, Any]:
    """Every event: version, log index, type, when it happened and was recorded, by whom, data and hash."""
    events, case, _ = read_case(ledger, actor, case_id, "history")
    hashes = ledger.app.recorder.fetch_event_hashes(case_id)  # type: ignore[attr-defined]
    ledger.integrity.sync()  # leaves are built off the write path; catch up before naming indexes
    log_index = ledger.integrity.log_index_of([nid for nid, _ in hashes.values()])
    items = []
    for event in events:
        nid, digest = hashes.get(event.originator_version, (None, b""))
        items.append(
            {**event_to_dict(event), "log_index": log_index.get(nid) if nid is not None else None, "hash": digest.hex()}
        )
    response.headers["ETag"] = f'"{case.version}"'
    return {"case_id": str(case_id), "events": items}


@router.get("/{case_id}/access-log", response_model=AccessLog)
def get_access_log(case_id: UUID, actor: CurrentActor, ledger: LedgerDep) -> dict[str, Any]:
    """Who read this case, when and which parts (this read is logged too)."""
    read_case(ledger, actor, case_id, "access_log")
    return {"case_id": str(case_id), "entries": ledger.access_log.entries(case_id)}


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
def get_export(case_id: UUID, export_id: UUID, actor: CurrentActor, ledger: LedgerDep) -> FastAPIResponse:
    """An exported document (coordinator, ke_caseworker), rendered again from the events before it."""
    events, case, _ = read_case(ledger, actor, case_id, "exports")
    document, fmt = reproduce(ledger.app.exporters, case.municipality, events, export_id)
    return FastAPIResponse(
        document,
        media_type=MEDIA_TYPES.get(fmt, "application/octet-stream"),
        headers={"Digest": f"sha-256={hashlib.sha256(document).hexdigest()}"},
    )
