"""Events of referral, decision, coordinator, start-up, consent and team
(DOMAIN §6 steps 1-6). Past tense; data only."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from ledger.event_base import CaseEvent
from ledger.values import (
    ConsentGiverRole,
    CoordinatorKind,
    DecisionOutcome,
    Guardian,
    InfoCategory,
    Provision,
    ReferrerKind,
    Signer,
    Subject,
    WithdrawalScope,
)


class CaseOpened(CaseEvent, Aggregate.Created):
    municipality: str
    subject: Subject
    guardians: tuple[Guardian, ...]
    requested: tuple[Provision, ...]
    referrer_kind: ReferrerKind
    referrer_name: str
    received_at: datetime
    reported_under_hpl_38a: bool

    PUBLIC = frozenset({"municipality", "requested", "referrer_kind", "received_at", "reported_under_hpl_38a"})


class ProvisionRequested(CaseEvent):
    """The subject or family asks for more (e.g. parents ask for a child coordinator)."""

    requested: tuple[Provision, ...]
    note: str

    PUBLIC = frozenset({"requested"})


class DecisionRecorded(CaseEvent):
    decision_id: UUID
    outcome: DecisionOutcome
    concerns: tuple[Provision, ...]
    legal_basis: str
    reasons: str
    complaint_deadline_weeks: int | None
    complaint_information_given: bool

    PUBLIC = frozenset(
        {"decision_id", "outcome", "concerns", "legal_basis", "complaint_deadline_weeks", "complaint_information_given"}
    )


class CoordinatorRequested(CaseEvent):
    request_id: UUID
    unit: str
    unit_leader_id: str
    unit_leader_name: str

    PUBLIC = frozenset({"request_id", "unit", "unit_leader_id"})


class CoordinatorAppointed(CaseEvent):
    person_id: str
    person_name: str
    unit: str
    kind: CoordinatorKind
    subject_wish_heard: bool
    request_id: UUID | None

    PUBLIC = frozenset({"person_id", "unit", "kind", "subject_wish_heard", "request_id"})


class SubstituteAssigned(CaseEvent):
    person_id: str
    person_name: str
    unit: str
    until: date | None
    subject_informed: bool

    PUBLIC = frozenset({"person_id", "unit", "until", "subject_informed"})


class CoordinatorReplaced(CaseEvent):
    person_id: str
    person_name: str
    unit: str
    reason: str
    subject_informed: bool

    PUBLIC = frozenset({"person_id", "unit", "subject_informed"})


class CoordinatorReleased(CaseEvent):
    reason: str

    PUBLIC: ClassVar[frozenset[str]] = frozenset()


class CoordinatorTrainingCompleted(CaseEvent):
    person_id: str
    course: str

    PUBLIC = frozenset({"person_id", "course"})


class RelayLogClosed(CaseEvent):
    reason: str


class StartupConversationHeld(CaseEvent):
    what_matters: str
    expectations: str
    contact_preferences: str
    interpreter_needed: bool
    interpreter_language: str | None

    PUBLIC = frozenset({"interpreter_needed"})

    # v1 (before 2026-11) had no interpreter language; an interpreter need
    # recorded then simply did not say which language.
    class_version: ClassVar[int] = 2

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        state.setdefault("interpreter_language", None)


class ConsentGranted(CaseEvent):
    consent_id: UUID
    giver_role: ConsentGiverRole
    signers: tuple[Signer, ...]
    signer_refs: tuple[int, ...]
    required_refs: tuple[int, ...]
    participants: tuple[UUID, ...]
    services: tuple[str, ...]
    categories: tuple[InfoCategory, ...]
    valid_until: date | None
    signed_how: str
    child_view: str | None

    PUBLIC = frozenset(
        {
            "consent_id",
            "giver_role",
            "signer_refs",
            "required_refs",
            "participants",
            "services",
            "categories",
            "valid_until",
            "signed_how",
        }
    )


class ConsentSigned(CaseEvent):
    """Another guardian signed a consent that awaited them."""

    consent_id: UUID
    signer: Signer
    signer_ref: int

    PUBLIC = frozenset({"consent_id", "signer_ref"})


class ConsentWithdrawn(CaseEvent):
    consent_id: UUID
    scope: WithdrawalScope
    participants: tuple[UUID, ...]
    categories: tuple[InfoCategory, ...]
    reason: str

    PUBLIC = frozenset({"consent_id", "scope", "participants", "categories"})


class ConsentExpired(CaseEvent):
    consent_id: UUID

    PUBLIC = frozenset({"consent_id"})


class TeamEstablished(CaseEvent):
    local_name: str

    PUBLIC = frozenset({"local_name"})


class ParticipantAdded(CaseEvent):
    participant_id: UUID
    person_id: str
    person_name: str
    service: str
    role: str
    mandatory: bool

    PUBLIC = frozenset({"participant_id", "person_id", "service", "role", "mandatory"})


class ParticipantRemoved(CaseEvent):
    participant_id: UUID
    reason: str

    PUBLIC = frozenset({"participant_id"})
