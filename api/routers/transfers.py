"""Receiving a person who moved here: the case bundle of the former municipality opens a case."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from api.commanding import COMMAND_DEPENDENCIES, COMMAND_RESPONSES, run
from api.deps import PROBLEMS, CommandAccepted, CommandsDep, CurrentActor
from api.errors import Problem
from commands.transfer_in import TransferIn

router = APIRouter(
    prefix="/v1/cases", tags=["closing and complaints"], responses=COMMAND_RESPONSES, dependencies=COMMAND_DEPENDENCIES
)

MAX_BUNDLE_BYTES = 64 * 1024 * 1024  # ~30,000 events; far beyond any one person's case

_BUNDLE_BODY = {
    "required": True,
    "description": "The bundle exactly as `GET /v1/cases/{case_id}/exports/{export_id}` served it (format "
    "`json`), sent as the request body byte for byte: its sha256 is what `TransferredIn` records "
    "and what the source's `PlanExported` holds, so it must not be parsed and re-serialised.",
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "title": "Case bundle",
                "required": ["format", "case_id", "municipality", "events", "checkpoint", "public_key"],
            }
        }
    },
}


async def bundle_bytes(request: Request) -> bytes:
    """The raw body, refused past MAX_BUNDLE_BYTES without reading the rest."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BUNDLE_BYTES:
            raise Problem(413, f"Eksportpakken er større enn {MAX_BUNDLE_BYTES // (1024 * 1024)} MB.")
    return bytes(body)


@router.post(
    "/transfers-in",
    status_code=201,
    response_model=CommandAccepted,
    response_model_exclude_none=True,
    openapi_extra={"requestBody": _BUNDLE_BODY},
    responses={413: {**PROBLEMS[422], "description": "The bundle is larger than 64 MB"}},
)
def transfer_in(
    bundle: Annotated[bytes, Depends(bundle_bytes)],
    actor: CurrentActor,
    commands: CommandsDep,
    request: Request,
    response: Response,
    public_key: Annotated[
        str | None,
        Query(
            pattern="^[0-9a-f]{64}$",
            description="The source ledger's Ed25519 public key (hex, as its `/v1/ledger/checkpoints` "
            "publishes it). Pin it when you have it: the key inside a bundle only shows the "
            "bundle agrees with itself.",
        ),
    ] = None,
):
    """Open a case for a person who moved here, from their former municipality's case bundle (ke_caseworker).

    The bundle is verified first (every chain link, every inclusion proof, the checkpoint's signature, and the
    public fields of its readable events against the stored ones); a bundle that does not hold is refused with
    422 naming the failed check, and nothing is written. The source must have recorded the move to this
    municipality (`TransferredOut`). The new case has the same subject, guardians and requested provisions
    (INV-02 applies as for a new referral) and records `TransferredIn` with the source municipality, the source
    case id and the bundle's sha256 (answered as `sha256`). The source's events are not replayed: decisions and
    the plan are this municipality's to make again.
    """
    key = bytes.fromhex(public_key) if public_key is not None else None
    return run(commands, TransferIn, actor, request, response, bundle=bundle, public_key=key)
