"""Response and request models of the worklists and the notifications (issue #11): what the OpenAPI
schema promises for them and FastAPI checks on the way out."""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

AssigneeKindName = Literal["unit_leader", "coordinator", "ke", "subject", "guardian"]
ContactKind = Literal["person", "unit", "ke"]


class TaskAssignee(BaseModel):
    kind: AssigneeKindName = Field(description="Who must act: unit_leader, coordinator, ke, subject or guardian")
    id: str | None = Field(None, description="The person's id where the events name one (a unit leader, a coordinator)")
    unit: str | None = Field(None, description="The unit they act for")
    guardian: int | None = Field(None, description="A guardian's place among the case's guardians (0, 1)")


class Task(BaseModel):
    """One duty of one case: what must be done, by whom, by when, and the check it protects."""

    case_id: UUID
    municipality: str
    rule: str = Field(description="The check the duty protects (CHK-xx)", examples=["CHK-04"])
    title: str = Field(description="The check's Norwegian name")
    task: str = Field(description="The kind of duty", examples=["send_agenda"])
    label: str = Field(description="The kind of duty in Norwegian", examples=["Sende saksliste før møte"])
    item: str | None = Field(None, description="What it is about: a request, meeting, goal, complaint or consent id")
    deadline: str = Field(description="The Norwegian calendar day the deadline falls on", examples=["2026-12-04"])
    due_at: str = Field(description="The moment the deadline passes (UTC)")
    status: Literal["upcoming", "overdue"]
    assignee: TaskAssignee
    what: str = Field(description="What to do, in Norwegian, without personal data")
    evidence: list[int] = Field(description="Versions of the case's events the duty follows from")


class TaskList(BaseModel):
    municipality: str
    evaluated_at: str
    due_before: str | None = Field(None, description="Only duties due by this moment (and every overdue one)")
    total: int = Field(description="Duties matched, over all pages")
    overdue: int = Field(description="Overdue duties matched, over all pages")
    items: list[Task] = Field(description="Soonest deadline first")


class DeliveryAttempt(BaseModel):
    number: int
    started_at: str
    finished_at: str | None = None
    outcome: Literal["delivered", "failed", "in_progress", "interrupted"] = Field(
        description="interrupted: begun and never finished (the dispatcher stopped; the delivery is sent again "
        "under the same id)"
    )
    status_code: int | None = Field(None, description="The receiver's HTTP status, or the SMTP reply code")
    error: str | None = Field(None, description="The kind of failure (never a receiver's text or a person's data)")


class Delivery(BaseModel):
    id: int = Field(description="The delivery's id (a dead letter is replayed by it)")
    channel: Literal["email", "webhook"]
    target: str = Field(description="The e-mail address, or the webhook subscription's id")
    state: Literal["pending", "delivered", "dead"]
    due_at: str = Field(description="When it is (or was) next due")
    leased_until: str | None = Field(None, description="Held by a dispatcher until then")
    attempts: list[DeliveryAttempt]


class Notification(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: str = Field(description="The stable id every delivery of it carries (`webhook-id`, `Message-ID`)")
    type: Literal["duty.reminder", "duty.digest"]
    rule: str | None = None
    stage: str | None = Field(None, description="before:<days>, overdue, or the digest's ISO week")
    assignee_kind: str | None = None
    decided_at: str
    content: dict[str, Any] = Field(description="What every delivery says (no personal data)")
    deliveries: list[Delivery]


class CaseNotifications(BaseModel):
    case_id: UUID
    items: list[Notification] = Field(description="Oldest first")


class DeadLetterNotification(BaseModel):
    id: str
    case_id: UUID | None = None
    type: str
    rule: str | None = None
    stage: str | None = None
    decided_at: str


class DeadLetter(Delivery):
    notification: DeadLetterNotification


class DeadLetters(BaseModel):
    municipality: str
    total: int
    items: list[DeadLetter] = Field(description="Most recent first")


class Replayed(BaseModel):
    id: int
    state: Literal["pending"]


class ContactBody(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"email": "koordinator@kommune.no"}]})
    email: str = Field(min_length=3, max_length=254, description="Where e-mail notifications go")


class Contact(BaseModel):
    kind: ContactKind = Field(description="person (by the id the events name them by), unit (by name), ke (a mailbox)")
    key: str
    email: str
    updated_at: str
    updated_by: str


class Contacts(BaseModel):
    municipality: str
    items: list[Contact]


class WebhookBody(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"url": "https://fagsystem.kommune.no/hooks/ledger"}]}
    )
    url: str = Field(min_length=8, max_length=2000, description="https (http only to this machine)")


class Webhook(BaseModel):
    id: UUID
    url: str
    created_at: str
    created_by: str


class WebhookCreated(BaseModel):
    id: UUID
    url: str
    created_at: str
    secret: str = Field(
        description="The signing secret (`whsec_…`, Standard Webhooks): shown this once, never again; "
        "verify `webhook-signature` with it"
    )


class Webhooks(BaseModel):
    municipality: str
    items: list[Webhook]
