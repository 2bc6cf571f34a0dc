"""Team meetings: scheduled, agenda, held, minutes, cancelled."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Request, Response

from api import bodies as b
from api.commanding import COMMAND_DEPENDENCIES, COMMAND_RESPONSES, run
from api.deps import CommandAccepted, CommandsDep, CurrentActor
from commands import plan_commands as p

router = APIRouter(
    prefix="/v1/cases", tags=["meetings"], responses=COMMAND_RESPONSES, dependencies=COMMAND_DEPENDENCIES
)


@router.post("/{case_id}/meetings", status_code=201, response_model=CommandAccepted, response_model_exclude_none=True)
def schedule_meeting(
    case_id: UUID,
    body: b.MeetingCreate,
    actor: CurrentActor,
    commands: CommandsDep,
    request: Request,
    response: Response,
):
    """Schedule a team meeting (coordinator)."""
    return run(commands, p.ScheduleMeeting, actor, request, response, body, case_id)


@router.post(
    "/{case_id}/meetings/{meeting_id}/agenda",
    status_code=201,
    response_model=CommandAccepted,
    response_model_exclude_none=True,
)
def send_agenda(
    case_id: UUID,
    meeting_id: UUID,
    body: b.AgendaCreate,
    actor: CurrentActor,
    commands: CommandsDep,
    request: Request,
    response: Response,
):
    """Send the agenda (saksliste), agreed with the subject (coordinator)."""
    return run(commands, p.SendAgenda, actor, request, response, body, case_id, meeting_id=meeting_id)


@router.post(
    "/{case_id}/meetings/{meeting_id}/held",
    status_code=201,
    response_model=CommandAccepted,
    response_model_exclude_none=True,
)
def hold_meeting(
    case_id: UUID,
    meeting_id: UUID,
    body: b.MeetingHeldCreate,
    actor: CurrentActor,
    commands: CommandsDep,
    request: Request,
    response: Response,
):
    """Record that the meeting was held, with the subject's own voice (coordinator)."""
    return run(commands, p.HoldMeeting, actor, request, response, body, case_id, meeting_id=meeting_id)


@router.post(
    "/{case_id}/meetings/{meeting_id}/minutes",
    status_code=201,
    response_model=CommandAccepted,
    response_model_exclude_none=True,
)
def distribute_minutes(
    case_id: UUID,
    meeting_id: UUID,
    body: b.MinutesCreate,
    actor: CurrentActor,
    commands: CommandsDep,
    request: Request,
    response: Response,
):
    """Record that the minutes (referat) were distributed (coordinator)."""
    return run(commands, p.DistributeMinutes, actor, request, response, body, case_id, meeting_id=meeting_id)


@router.post(
    "/{case_id}/meetings/{meeting_id}/cancellation",
    status_code=201,
    response_model=CommandAccepted,
    response_model_exclude_none=True,
)
def cancel_meeting(
    case_id: UUID,
    meeting_id: UUID,
    body: b.ReasonBody,
    actor: CurrentActor,
    commands: CommandsDep,
    request: Request,
    response: Response,
):
    """Cancel a meeting."""
    return run(commands, p.CancelMeeting, actor, request, response, body, case_id, meeting_id=meeting_id)
