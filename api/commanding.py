"""Turns an HTTP request into a command and its result into a response:
one place for If-Match (412), Idempotency-Key (200 on replay) and ETag."""

from __future__ import annotations

import re
from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends, Header, Request, Response
from pydantic import BaseModel

from api.deps import PROBLEMS, CommandAccepted, CurrentActor
from api.errors import Problem
from commands.application import LedgerApplication
from commands.base import Command
from ledger.values import Actor

_ETAG = re.compile(r'^(?:W/)?"([0-9]{1,12})"$')
MAX_IDEMPOTENCY_KEY = 200


def expected_version(request: Request) -> int | None:
    header = request.headers.get("if-match")
    if header is None:
        return None
    match = _ETAG.match(header.strip())
    if match is None:
        raise Problem(412, 'If-Match må være en versjon i anførselstegn, f.eks. "3".')
    return int(match.group(1))


def idempotency_key(request: Request) -> str | None:
    key = request.headers.get("idempotency-key")
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > MAX_IDEMPOTENCY_KEY or not key.isprintable():
        raise Problem(422, f"Idempotency-Key må være 1-{MAX_IDEMPOTENCY_KEY} skrivbare tegn.")
    return key


def command_headers(
    request: Request,
    _: CurrentActor,  # authenticate first: no header check answers a caller without a token
    if_match: Annotated[
        str | None,
        Header(
            alias="If-Match",
            description="Optimistic concurrency: the version the command expects, as the case's "
            'ETag gave it (`"3"`). If the case has moved on, or the value is not a quoted version: 412, nothing written.',
            examples=['"3"'],
        ),
    ] = None,
    idempotency_key_header: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            description="The same key again (same caller, same request) answers 200 with the "
            f"first answer and writes nothing; 1-{MAX_IDEMPOTENCY_KEY} printable characters, else 422.",
            examples=["henvisning-2026-0142"],
        ),
    ] = None,
) -> None:
    """Declares the command headers (so the schema names them) and refuses malformed ones early."""
    expected_version(request)
    idempotency_key(request)


# Given to every command router: the headers above, and every answer a command may give.
COMMAND_DEPENDENCIES = [Depends(command_headers)]
ETAG_HEADER = {"ETag": {"description": 'The case\'s version, `"<version>"`', "schema": {"type": "string"}}}
COMMAND_RESPONSES: dict[int | str, dict[str, Any]] = {
    **PROBLEMS,
    201: {"headers": ETAG_HEADER},
    200: {
        "model": CommandAccepted,
        "headers": ETAG_HEADER,
        "description": "A replay for an Idempotency-Key already used: the first answer; nothing written",
    },
}


def run(
    commands: LedgerApplication,
    command_class: type[Command],
    actor: Actor,
    request: Request,
    response: Response,
    body: BaseModel | None = None,
    case_id: UUID | None = None,
    **fields: Any,
) -> dict[str, Any]:
    values = body.to_command_fields() if body is not None else {}  # type: ignore[attr-defined]
    values.update(fields)
    if case_id is not None:
        values["case_id"] = case_id
    command = command_class(
        actor=actor, expected_version=expected_version(request), idempotency_key=idempotency_key(request), **values
    )
    result = commands.handle(command)
    response.status_code = 200 if result.replayed else 201
    response.headers["ETag"] = f'"{result.version}"'
    return result.to_json()
