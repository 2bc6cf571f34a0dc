"""Referral, decisions, coordinator and start-up (commands on a case)."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Request, Response

from api import bodies as b
from api.commanding import COMMAND_DEPENDENCIES, COMMAND_RESPONSES, run
from api.deps import CommandAccepted, CommandsDep, CurrentActor
from commands import case_commands as c

router = APIRouter(prefix="/v1/cases", tags=["cases"], responses=COMMAND_RESPONSES, dependencies=COMMAND_DEPENDENCIES)


@router.post("", status_code=201, response_model=CommandAccepted, response_model_exclude_none=True)
def open_case(body: b.CaseCreate, actor: CurrentActor, commands: CommandsDep, request: Request, response: Response):
    """Open a case from a referral (ke_caseworker)."""
    return run(commands, c.OpenCase, actor, request, response, body, municipality=actor.municipality)


@router.post("/{case_id}/requests", status_code=201, response_model=CommandAccepted, response_model_exclude_none=True)
def request_provision(
    case_id: UUID,
    body: b.ProvisionRequest,
    actor: CurrentActor,
    commands: CommandsDep,
    request: Request,
    response: Response,
):
    """Record that the subject or family asks for more (e.g. a child coordinator)."""
    return run(commands, c.RequestProvision, actor, request, response, body, case_id)


@router.post("/{case_id}/decisions", status_code=201, response_model=CommandAccepted, response_model_exclude_none=True)
def record_decision(
    case_id: UUID,
    body: b.DecisionCreate,
    actor: CurrentActor,
    commands: CommandsDep,
    request: Request,
    response: Response,
):
    """Record a decision (vedtak) granting or refusing IP or coordinator (ke_caseworker)."""
    return run(commands, c.RecordDecision, actor, request, response, body, case_id)


@router.post(
    "/{case_id}/coordinator-requests", status_code=201, response_model=CommandAccepted, response_model_exclude_none=True
)
def request_coordinator(
    case_id: UUID,
    body: b.CoordinatorRequestCreate,
    actor: CurrentActor,
    commands: CommandsDep,
    request: Request,
    response: Response,
):
    """Ask a unit leader to name a coordinator; the profile's deadline starts (ke_caseworker)."""
    return run(commands, c.RequestCoordinator, actor, request, response, body, case_id)


@router.post(
    "/{case_id}/coordinators", status_code=201, response_model=CommandAccepted, response_model_exclude_none=True
)
def appoint_coordinator(
    case_id: UUID,
    body: b.CoordinatorCreate,
    actor: CurrentActor,
    commands: CommandsDep,
    request: Request,
    response: Response,
):
    """Name the coordinator, child coordinator or relay holder (unit_leader, ke_caseworker)."""
    return run(commands, c.AppointCoordinator, actor, request, response, body, case_id)


@router.post(
    "/{case_id}/coordinators/substitute",
    status_code=201,
    response_model=CommandAccepted,
    response_model_exclude_none=True,
)
def assign_substitute(
    case_id: UUID,
    body: b.SubstituteCreate,
    actor: CurrentActor,
    commands: CommandsDep,
    request: Request,
    response: Response,
):
    """Name a substitute (vikar) while the coordinator is absent (unit_leader, ke_caseworker)."""
    return run(commands, c.AssignSubstitute, actor, request, response, body, case_id)


@router.post(
    "/{case_id}/coordinators/replacement",
    status_code=201,
    response_model=CommandAccepted,
    response_model_exclude_none=True,
)
def replace_coordinator(
    case_id: UUID,
    body: b.ReplacementCreate,
    actor: CurrentActor,
    commands: CommandsDep,
    request: Request,
    response: Response,
):
    """Replace the coordinator (unit_leader, ke_caseworker)."""
    return run(commands, c.ReplaceCoordinator, actor, request, response, body, case_id)


@router.post(
    "/{case_id}/coordinators/release", status_code=201, response_model=CommandAccepted, response_model_exclude_none=True
)
def release_coordinator(
    case_id: UUID, body: b.ReasonBody, actor: CurrentActor, commands: CommandsDep, request: Request, response: Response
):
    """Release the coordinator (unit_leader, ke_caseworker)."""
    return run(commands, c.ReleaseCoordinator, actor, request, response, body, case_id)


@router.post(
    "/{case_id}/coordinator-training", status_code=201, response_model=CommandAccepted, response_model_exclude_none=True
)
def record_training(
    case_id: UUID,
    body: b.TrainingCreate,
    actor: CurrentActor,
    commands: CommandsDep,
    request: Request,
    response: Response,
):
    """Record that the coordinator completed the introductory course."""
    return run(commands, c.RecordCoordinatorTraining, actor, request, response, body, case_id)


@router.post(
    "/{case_id}/relay-log/closure", status_code=201, response_model=CommandAccepted, response_model_exclude_none=True
)
def close_relay_log(
    case_id: UUID, body: b.ReasonBody, actor: CurrentActor, commands: CommandsDep, request: Request, response: Response
):
    """Close the relay log (stafettlogg) when a coordinator or IP takes over."""
    return run(commands, c.CloseRelayLog, actor, request, response, body, case_id)


@router.post(
    "/{case_id}/startup-conversations",
    status_code=201,
    response_model=CommandAccepted,
    response_model_exclude_none=True,
)
def hold_startup_conversation(
    case_id: UUID,
    body: b.StartupConversationCreate,
    actor: CurrentActor,
    commands: CommandsDep,
    request: Request,
    response: Response,
):
    """Record the start-up conversation ("hva er viktig for deg?") (coordinator)."""
    return run(commands, c.HoldStartupConversation, actor, request, response, body, case_id)
