"""A case bundle received as the raw request body, for `TransferIn`
(`POST /v1/cases/transfers-in`): read byte for byte, never parsed here."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query, Request

from api.errors import Problem

MAX_BUNDLE_BYTES = 64 * 1024 * 1024  # ~30,000 events; far beyond any one person's case

BUNDLE_BODY: dict[str, Any] = {
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


def pinned_public_key(
    public_key: Annotated[
        str | None,
        Query(
            pattern="^[0-9a-f]{64}$",
            description="The source ledger's Ed25519 public key (hex, as its `/v1/ledger/checkpoints` "
            "publishes it). Pin it when you have it: the key inside a bundle only shows the "
            "bundle agrees with itself.",
        ),
    ] = None,
) -> bytes | None:
    return bytes.fromhex(public_key) if public_key is not None else None
