"""The mutable parts of a case, as appliers build them. No validation here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID

from ledger.values import (
    ConsentGiverRole,
    CoordinatorKind,
    DecisionOutcome,
    EvaluationStatus,
    InfoCategory,
    LifeArea,
    Provision,
)


@dataclass
class Decision:
    decision_id: UUID
    outcome: DecisionOutcome
    concerns: tuple[Provision, ...]
    legal_basis: str
    decided_at: datetime


@dataclass
class CoordinatorRequest:
    request_id: UUID
    unit: str
    unit_leader_id: str
    requested_at: datetime
    answered_at: datetime | None = None


@dataclass
class Appointment:
    person_id: str
    name: str
    unit: str
    kind: CoordinatorKind
    appointed_at: datetime


@dataclass
class Participant:
    participant_id: UUID
    person_id: str
    name: str
    service: str
    role: str
    added_at: datetime
    removed_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.removed_at is None


@dataclass
class Consent:
    consent_id: UUID
    giver_role: ConsentGiverRole
    required_refs: frozenset[int]
    signed_refs: set[int]
    participants: set[UUID]
    services: set[str]
    categories: set[InfoCategory]
    valid_until: date | None
    granted_at: datetime
    in_force_from: datetime | None = None
    withdrawn_at: datetime | None = None
    withdrawn_participants: dict[UUID, datetime] = field(default_factory=dict)
    withdrawn_categories: dict[InfoCategory, datetime] = field(default_factory=dict)
    expired_at: datetime | None = None

    def in_force(self, at: datetime) -> bool:
        if self.in_force_from is None or self.in_force_from > at:
            return False
        if self.withdrawn_at is not None and self.withdrawn_at <= at:
            return False
        if self.expired_at is not None and self.expired_at <= at:
            return False
        return self.valid_until is None or at.date() <= self.valid_until

    @property
    def ends_at(self) -> datetime | None:
        """The first moment the consent's period no longer covers (`in_force` reads `valid_until` as
        the last day it holds); None for a consent without an end. From then `ConsentExpired` may
        be recorded, dated at this moment."""
        if self.valid_until is None or self.valid_until == date.max:  # no day after it to end on
            return None
        return datetime.combine(self.valid_until + timedelta(days=1), time.min, tzinfo=UTC)

    def covers(self, participant_id: UUID | None, service: str | None, at: datetime) -> set[InfoCategory]:
        """The categories this consent lets that participant or service read at `at`."""
        if not self.in_force(at):
            return set()
        withdrawn_at = self.withdrawn_participants.get(participant_id) if participant_id else None
        if withdrawn_at is not None and withdrawn_at <= at:
            return set()
        named = participant_id is not None and participant_id in self.participants
        by_service = service is not None and service in self.services
        if not (named or by_service):
            return set()
        return {c for c in self.categories if c not in self.withdrawn_categories or self.withdrawn_categories[c] > at}


@dataclass
class Goal:
    goal_id: UUID
    life_area: LifeArea
    responsible_service: str
    evaluate_by: date
    text: str
    set_at: datetime
    closed: bool = False
    evaluations: list[tuple[datetime, EvaluationStatus]] = field(default_factory=list)


@dataclass
class Activity:
    activity_id: UUID
    goal_id: UUID
    completed: bool = False


@dataclass
class Meeting:
    meeting_id: UUID
    scheduled_for: datetime
    invitees: tuple[UUID, ...]
    agenda_sent_at: datetime | None = None
    held_at: datetime | None = None
    minutes_at: datetime | None = None
    cancelled_at: datetime | None = None


@dataclass
class Complaint:
    complaint_id: UUID
    received_at: datetime
    forwarded_at: datetime | None = None
    decided: list[tuple[str, str]] = field(default_factory=list)
