"""Consent and team (commands on a case)."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Request, Response

from api import bodies as b
from api.commanding import COMMAND_DEPENDENCIES, COMMAND_RESPONSES, run
from api.deps import CommandAccepted, CommandsDep, CurrentActor
from commands import case_commands as c

router = APIRouter(
    prefix="/v1/cases", tags=["consent and team"], responses=COMMAND_RESPONSES, dependencies=COMMAND_DEPENDENCIES
)


@router.post("/{case_id}/consents", status_code=201, response_model=CommandAccepted, response_model_exclude_none=True)
def grant_consent(
    case_id: UUID,
    body: b.ConsentCreate,
    actor: CurrentActor,
    commands: CommandsDep,
    request: Request,
    response: Response,
):
    """Record a consent; for a child with two recorded parents it awaits the other's signature (INV-04)."""
    return run(commands, c.GrantConsent, actor, request, response, body, case_id)


@router.post(
    "/{case_id}/consents/{consent_id}/signatures",
    status_code=201,
    response_model=CommandAccepted,
    response_model_exclude_none=True,
)
def sign_consent(
    case_id: UUID,
    consent_id: UUID,
    body: b.SignatureCreate,
    actor: CurrentActor,
    commands: CommandsDep,
    request: Request,
    response: Response,
):
    """Add the second parent's signature; the consent is in force from then."""
    return run(commands, c.SignConsent, actor, request, response, body, case_id, consent_id=consent_id)


@router.post(
    "/{case_id}/consents/{consent_id}/withdrawals",
    status_code=201,
    response_model=CommandAccepted,
    response_model_exclude_none=True,
)
def withdraw_consent(
    case_id: UUID,
    consent_id: UUID,
    body: b.WithdrawalCreate,
    actor: CurrentActor,
    commands: CommandsDep,
    request: Request,
    response: Response,
):
    """Withdraw a consent, wholly or for participants or categories; effective when recorded (INV-05)."""
    return run(commands, c.WithdrawConsent, actor, request, response, body, case_id, consent_id=consent_id)


@router.post(
    "/{case_id}/consents/{consent_id}/expiry",
    status_code=201,
    response_model=CommandAccepted,
    response_model_exclude_none=True,
)
def expire_consent(
    case_id: UUID,
    consent_id: UUID,
    body: b.EmptyBody,
    actor: CurrentActor,
    commands: CommandsDep,
    request: Request,
    response: Response,
):
    """Record that a consent's period ended."""
    return run(commands, c.ExpireConsent, actor, request, response, body, case_id, consent_id=consent_id)


@router.post(
    "/{case_id}/participants", status_code=201, response_model=CommandAccepted, response_model_exclude_none=True
)
def add_participant(
    case_id: UUID,
    body: b.ParticipantCreate,
    actor: CurrentActor,
    commands: CommandsDep,
    request: Request,
    response: Response,
):
    """Add a participant to the team (establishes the team on first use) (coordinator)."""
    return run(commands, c.AddParticipant, actor, request, response, body, case_id)


@router.delete(
    "/{case_id}/participants/{participant_id}",
    status_code=201,
    response_model=CommandAccepted,
    response_model_exclude_none=True,
)
def remove_participant(
    case_id: UUID,
    participant_id: UUID,
    actor: CurrentActor,
    commands: CommandsDep,
    request: Request,
    response: Response,
):
    """Remove a participant from the team (coordinator)."""
    return run(commands, c.RemoveParticipant, actor, request, response, None, case_id, participant_id=participant_id)
