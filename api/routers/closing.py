"""Closing, export, erasure, moving and complaints."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Request, Response

from api import bodies as b
from api.commanding import COMMAND_DEPENDENCIES, COMMAND_RESPONSES, run
from api.deps import CommandAccepted, CommandsDep, CurrentActor
from commands import plan_commands as p

router = APIRouter(
    prefix="/v1/cases", tags=["closing and complaints"], responses=COMMAND_RESPONSES, dependencies=COMMAND_DEPENDENCIES
)


@router.post("/{case_id}/closure", status_code=201, response_model=CommandAccepted, response_model_exclude_none=True)
def close_case(
    case_id: UUID,
    body: b.ClosureCreate,
    actor: CurrentActor,
    commands: CommandsDep,
    request: Request,
    response: Response,
):
    """Close coordination, with the assessment and the subject's agreement or a termination letter."""
    return run(commands, p.CloseCase, actor, request, response, body, case_id)


@router.post(
    "/{case_id}/closure/notice", status_code=201, response_model=CommandAccepted, response_model_exclude_none=True
)
def notify_closure(
    case_id: UUID,
    body: b.ClosureNoticeCreate,
    actor: CurrentActor,
    commands: CommandsDep,
    request: Request,
    response: Response,
):
    """Record that KE and the team were told coordination ended."""
    return run(commands, p.NotifyClosure, actor, request, response, body, case_id)


@router.post("/{case_id}/reopening", status_code=201, response_model=CommandAccepted, response_model_exclude_none=True)
def reopen_case(
    case_id: UUID, body: b.ReasonBody, actor: CurrentActor, commands: CommandsDep, request: Request, response: Response
):
    """Reopen a closed case (ke_caseworker)."""
    return run(commands, p.ReopenCase, actor, request, response, body, case_id)


@router.post("/{case_id}/exports", status_code=201, response_model=CommandAccepted, response_model_exclude_none=True)
def export_plan(
    case_id: UUID,
    body: b.ExportCreate,
    actor: CurrentActor,
    commands: CommandsDep,
    request: Request,
    response: Response,
):
    """Export the whole plan; its sha256 is recorded in PlanExported."""
    return run(commands, p.ExportPlan, actor, request, response, body, case_id)


@router.post("/{case_id}/erasure", status_code=201, response_model=CommandAccepted, response_model_exclude_none=True)
def erase_case(case_id: UUID, actor: CurrentActor, commands: CommandsDep, request: Request, response: Response):
    """Destroy the case key after closing and export (ke_caseworker; else 409 INV-12)."""
    return run(commands, p.EraseCase, actor, request, response, None, case_id)


@router.post("/{case_id}/transfers", status_code=201, response_model=CommandAccepted, response_model_exclude_none=True)
def transfer_out(
    case_id: UUID,
    body: b.TransferCreate,
    actor: CurrentActor,
    commands: CommandsDep,
    request: Request,
    response: Response,
):
    """Record that the person moved and what was transferred with consent (ke_caseworker)."""
    return run(commands, p.TransferOut, actor, request, response, body, case_id)


@router.post("/{case_id}/complaints", status_code=201, response_model=CommandAccepted, response_model_exclude_none=True)
def receive_complaint(
    case_id: UUID,
    body: b.ComplaintCreate,
    actor: CurrentActor,
    commands: CommandsDep,
    request: Request,
    response: Response,
):
    """Record a complaint (ke_caseworker)."""
    return run(commands, p.ReceiveComplaint, actor, request, response, body, case_id)


@router.post(
    "/{case_id}/complaints/{complaint_id}/forwarding",
    status_code=201,
    response_model=CommandAccepted,
    response_model_exclude_none=True,
)
def forward_complaint(
    case_id: UUID,
    complaint_id: UUID,
    body: b.ComplaintForward,
    actor: CurrentActor,
    commands: CommandsDep,
    request: Request,
    response: Response,
):
    """Record that the complaint was sent to Statsforvalteren with the report's sha256 (ke_caseworker); 422 if
    the ledger never issued a report with that sha256 for this case."""
    return run(commands, p.ForwardComplaint, actor, request, response, body, case_id, complaint_id=complaint_id)


@router.post(
    "/{case_id}/complaints/{complaint_id}/decisions",
    status_code=201,
    response_model=CommandAccepted,
    response_model_exclude_none=True,
)
def decide_complaint(
    case_id: UUID,
    complaint_id: UUID,
    body: b.ComplaintDecision,
    actor: CurrentActor,
    commands: CommandsDep,
    request: Request,
    response: Response,
):
    """Record the outcome of a complaint (by the municipality or Statsforvalteren)."""
    return run(commands, p.DecideComplaint, actor, request, response, body, case_id, complaint_id=complaint_id)
