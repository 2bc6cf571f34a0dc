"""Notifications (issue #11): a case's notifications with every delivery attempt, and KE's set-up:
the e-mail directory, webhook subscriptions and the dead-letter list."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Path, Query, Response

from api.deps import PROBLEMS, CurrentActor, DirectoryDep, ReadsDep
from api.notification_views import (
    CaseNotifications,
    Contact,
    ContactBody,
    ContactKind,
    Contacts,
    DeadLetters,
    Replayed,
    WebhookBody,
    WebhookCreated,
    Webhooks,
)

router = APIRouter(tags=["notifications"], responses=PROBLEMS)

ContactKey = Annotated[
    str, Path(min_length=1, max_length=200, description="A person's id, a unit's name, or a KE mailbox's label")
]


@router.get("/v1/cases/{case_id}/notifications", response_model=CaseNotifications)
def case_notifications(case_id: UUID, actor: CurrentActor, reads: ReadsDep) -> dict[str, Any]:
    """Every notification decided for the case, oldest first, with each delivery and every attempt and its
    result (ke_caseworker, the case's coordinator; logged as a read of the case)."""
    return reads.cases.notifications(actor, case_id)


@router.get("/v1/contacts", response_model=Contacts)
def contacts(actor: CurrentActor, reads: ReadsDep) -> dict[str, Any]:
    """The municipality's e-mail directory for notifications (ke_caseworker)."""
    return reads.notifications.contacts(actor)


@router.put(
    "/v1/contacts/{kind}/{key}",
    response_model=Contact,
    responses={201: {"model": Contact, "description": "A new contact"}},
)
def put_contact(
    kind: ContactKind,
    key: ContactKey,
    body: ContactBody,
    actor: CurrentActor,
    directory: DirectoryDep,
    response: Response,
) -> dict[str, Any]:
    """Set where e-mail notifications go (ke_caseworker): for a person (a unit leader or coordinator, by the id
    the events name them by), for a unit (when its person has none), or a KE mailbox (KE's reminders and weekly
    digest). 201 when new, 200 when changed."""
    contact, new = directory.put_contact(actor, kind, key, body.email)
    response.status_code = 201 if new else 200
    return contact


@router.delete("/v1/contacts/{kind}/{key}", status_code=204, response_class=Response)
def delete_contact(kind: ContactKind, key: ContactKey, actor: CurrentActor, directory: DirectoryDep) -> Response:
    """Remove an e-mail address from the directory (ke_caseworker)."""
    directory.delete_contact(actor, kind, key)
    return Response(status_code=204)


@router.get("/v1/webhooks", response_model=Webhooks)
def webhooks(actor: CurrentActor, reads: ReadsDep) -> dict[str, Any]:
    """The municipality's webhook subscriptions, without their secrets (ke_caseworker)."""
    return reads.notifications.webhooks(actor)


@router.post("/v1/webhooks", response_model=WebhookCreated, status_code=201)
def add_webhook(body: WebhookBody, actor: CurrentActor, directory: DirectoryDep) -> dict[str, Any]:
    """Subscribe a URL to every notification of the municipality (ke_caseworker). Each is POSTed as JSON
    signed as Standard Webhooks says (`webhook-id`, `webhook-timestamp`, `webhook-signature`); the secret is
    in this answer only."""
    created = directory.add_webhook(actor, body.url)
    return {
        "id": created.id,
        "url": created.url,
        "created_at": created.created_at.isoformat(),
        "secret": created.secret,
    }


@router.delete("/v1/webhooks/{webhook_id}", status_code=204, response_class=Response)
def delete_webhook(webhook_id: UUID, actor: CurrentActor, directory: DirectoryDep) -> Response:
    """End a subscription (ke_caseworker); deliveries to it not yet made end in the dead-letter list."""
    directory.delete_webhook(actor, str(webhook_id))
    return Response(status_code=204)


@router.get("/v1/notifications/dead-letters", response_model=DeadLetters)
def dead_letters(
    actor: CurrentActor,
    reads: ReadsDep,
    limit: Annotated[int, Query(ge=1, le=1000, description="Items per page")] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000, description="Items to skip")] = 0,
) -> dict[str, Any]:
    """Deliveries that stopped after their last attempt, most recent first, each with every attempt
    (ke_caseworker)."""
    return reads.notifications.dead_letters(actor, limit=limit, offset=offset)


@router.post("/v1/notifications/dead-letters/{delivery_id}/replay", response_model=Replayed, status_code=202)
def replay(
    delivery_id: Annotated[int, Path(ge=1, le=2**62)], actor: CurrentActor, directory: DirectoryDep
) -> dict[str, Any]:
    """Send a dead letter again now, under the same notification id (ke_caseworker); the dispatcher
    delivers it (202)."""
    directory.replay(actor, delivery_id)
    return {"id": delivery_id, "state": "pending"}
