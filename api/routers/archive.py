"""The archive seam (issue #12): the municipality's archive integration collects
the Fiks Arkiv messages with their documents and posts the archive's receipts;
the coordinating unit follows the outbox. Who may do what is the read
service's (reads/policy.py); this router only carries it over HTTP."""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Header, Query, Request, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from api.commanding import ETAG_HEADER, idempotency_key
from api.deps import PROBLEMS, CurrentActor, ReadsDep
from api.errors import Problem
from api.views import ArchiveClaim, ArchiveMessageOut, ArchiveOutbox, ArchiveReceiptAnswer
from reads.archive import MAX_RECEIPT_BYTES, OutgoingMessage

router = APIRouter(prefix="/v1/archive", tags=["archive"], responses=PROBLEMS)


class ClaimRequest(BaseModel):
    """How many messages to take, and for how long no other worker gets them."""

    limit: int = Field(10, ge=1, le=50, description="At most this many messages")
    lease_seconds: int = Field(300, ge=30, le=3600, description="How long the messages are this worker's")
    case_id: UUID | None = Field(None, description="Only this case's messages")


def _out(message: OutgoingMessage) -> dict[str, Any]:
    return {
        **message.to_dict(),
        "arkivmelding": base64.b64encode(message.arkivmelding).decode(),
        "documents": [
            {
                "file_name": d.file_name,
                "media_type": "application/pdf",
                "sha256": d.sha256,
                "size": d.size,
                "content": base64.b64encode(d.content).decode(),
            }
            for d in message.documents
        ],
    }


@router.post("/messages/claims", response_model=ArchiveClaim)
def claim_messages(actor: CurrentActor, reads: ReadsDep, body: ClaimRequest | None = None) -> dict[str, Any]:
    """Take the next messages to send (archive_integration): oldest first, each with its
    `arkivmelding.opprett` XML and its PDF/A document, leased to this worker until `lease_until`
    (a POST: taking messages changes the outbox, so it is never a GET a proxy may repeat). Send each
    on Fiks IO and post the archive's receipt; a message without a receipt is offered again after
    its lease, one the archive refused after a wait."""
    wanted = body or ClaimRequest()
    claimed = reads.archive.claim(
        actor, limit=wanted.limit, lease=timedelta(seconds=wanted.lease_seconds), case_id=wanted.case_id
    )
    return {"lease_until": claimed.lease_until.isoformat(), "messages": [_out(m) for m in claimed.messages]}


@router.get("/messages", response_model=ArchiveOutbox)
def list_messages(
    actor: CurrentActor,
    reads: ReadsDep,
    status: Annotated[Literal["pending", "rejected", "archived"] | None, Query(description="Only this state")] = None,
    case_id: Annotated[UUID | None, Query(description="Only this case's messages")] = None,
    after: Annotated[int, Query(ge=0, le=2**62, description="The cursor: messages after this one")] = 0,
    limit: Annotated[int, Query(ge=1, le=500, description="Messages per page")] = 100,
) -> dict[str, Any]:
    """The municipality's outbox of archive messages in order, a page at a time (archive_integration,
    ke_caseworker): what each files, its state, attempts and the archive's error; no case content."""
    return reads.archive.messages(actor, status=status, case_id=case_id, after=after, limit=limit)


@router.get(
    "/messages/{message_id}",
    response_model=ArchiveMessageOut,
    responses={
        410: {
            "description": "The case was erased (rule INV-12): the message can no longer be made; the archive "
            "holds it (its receipt is on the case)",
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
    },
)
def get_message(message_id: UUID, actor: CurrentActor, reads: ReadsDep) -> dict[str, Any]:
    """One message with its documents again, whatever its state (archive_integration); the same bytes
    as when it was claimed. 410 once the case is erased."""
    return _out(reads.archive.message(actor, message_id))


RECEIPT_BODY: dict[str, Any] = {
    "required": True,
    "description": "The archive's receipt, `no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett.kvittering`, "
    "exactly as Fiks IO delivered it; it is validated against the KS schema. A receipt with "
    "`mappeFeilet` or `registreringFeilet` records the refusal.",
    "content": {"application/xml": {"schema": {"type": "string", "title": "arkivmeldingKvittering"}}},
}


async def _receipt_bytes(request: Request) -> bytes:
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_RECEIPT_BYTES:
            raise Problem(413, f"Kvitteringen er større enn {MAX_RECEIPT_BYTES // 1024} kB.")
    return bytes(body)


@router.post(
    "/messages/{message_id}/receipt",
    response_model=ArchiveReceiptAnswer,
    status_code=201,
    openapi_extra={"requestBody": RECEIPT_BODY},
    responses={
        200: {
            "model": ArchiveReceiptAnswer,
            "headers": ETAG_HEADER,
            "description": "This receipt was recorded already (or the Idempotency-Key was used): nothing written",
        },
        201: {"headers": ETAG_HEADER},
        413: {**PROBLEMS[422], "description": "The receipt is larger than 1 MB"},
        503: {**PROBLEMS[422], "description": "The archive schemas are not installed (LEDGER_SCHEMA_DIR)"},
    },
)
async def post_receipt(
    message_id: UUID,
    actor: CurrentActor,
    reads: ReadsDep,
    request: Request,
    response: Response,
    _: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            description="The same key again (same caller, same receipt) answers 200 with the first answer and "
            "writes nothing; the same receipt posted again is recognised by its sha256 without a key too.",
        ),
    ] = None,
) -> dict[str, Any]:
    """Record the archive's receipt for a message on its case (archive_integration) as
    `ArchiveReceiptRecorded`: the archive's system ids, case year and number, record year, number
    and sequence, or its error. 422 when the receipt is not valid against the schema."""
    document = await _receipt_bytes(request)
    key = idempotency_key(request)
    # The command path blocks (database, locks): off the event loop, as FastAPI runs a sync route.
    recorded = await run_in_threadpool(reads.archive.record_receipt, actor, message_id, document, idempotency_key=key)
    response.status_code = 200 if recorded.replayed else 201
    response.headers["ETag"] = f'"{recorded.version}"'
    return {
        "case_id": recorded.case_id,
        "version": recorded.version,
        "message_id": recorded.message_id,
        "step": recorded.step,
        "status": recorded.status,
    }
