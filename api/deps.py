"""Annotated dependencies: the command service, the read service, KE's
notification directory and the verified acting user. The services are built by the composition root and
handed to `api.main.build_api`, which keeps them on `app.state`."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict

from commands.application import LedgerApplication
from commands.directory import NotificationDirectory
from ledger.values import Actor
from reads.service import ReadService

_bearer = HTTPBearer(auto_error=False, description="JWT from `ledger token` (development) or the OIDC provider")


def get_commands(request: Request) -> LedgerApplication:
    return request.app.state.commands


def get_reads(request: Request) -> ReadService:
    return request.app.state.reads


def get_directory(request: Request) -> NotificationDirectory:
    return request.app.state.directory


def current_actor(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Actor:
    header = f"Bearer {credentials.credentials}" if credentials else None
    return request.app.state.verifier.actor(header)


CommandsDep = Annotated[LedgerApplication, Depends(get_commands)]
ReadsDep = Annotated[ReadService, Depends(get_reads)]
DirectoryDep = Annotated[NotificationDirectory, Depends(get_directory)]
CurrentActor = Annotated[Actor, Depends(current_actor)]


class CommandAccepted(BaseModel):
    """A command was recorded (201) or replayed for its Idempotency-Key (200)."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"case_id": "0b8e7c7e-4d1e-4c1a-9a53-6e3d6f1f2a10", "version": 4}]}
    )
    case_id: UUID
    version: int
    decision_id: UUID | None = None
    request_id: UUID | None = None
    participant_id: UUID | None = None
    consent_id: UUID | None = None
    goal_id: UUID | None = None
    activity_id: UUID | None = None
    comment_id: UUID | None = None
    meeting_id: UUID | None = None
    transition_id: UUID | None = None
    export_id: UUID | None = None
    sha256: str | None = None
    complaint_id: UUID | None = None


PROBLEMS: dict[int | str, dict[str, Any]] = {
    code: {
        "description": text,
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
    for code, text in {
        401: "No or bad token",
        403: "Role or consent does not allow it (rule INV-05/INV-07)",
        404: "No such case in the caller's municipality (or no such item in the case)",
        409: "An invariant or the case's state refuses it",
        412: "If-Match no longer matches the case's version",
        422: "Malformed input (INV-11 for national ids)",
    }.items()
}


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str
    rule: str | None = None
