"""Commands of referral, decision, coordinator, start-up, consent and team.
Imperative names; each maps to one Case method (`method`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from commands.base import KE, RUN_CASE, CaseCommand, Command
from ledger.values import (
    CoordinatorKind,
    DecisionOutcome,
    Guardian,
    InfoCategory,
    Person,
    Provision,
    ReferrerKind,
    Role,
    Signer,
    Subject,
    WithdrawalScope,
)

CONSENTERS = frozenset({Role.COORDINATOR, KE, Role.CITIZEN, Role.GUARDIAN})
APPOINTERS = frozenset({Role.UNIT_LEADER, KE})


@dataclass(frozen=True, kw_only=True)
class OpenCase(Command):
    municipality: str
    subject: Subject
    requested: tuple[Provision, ...]
    referrer_kind: ReferrerKind
    referrer_name: str = ""
    guardians: tuple[Guardian, ...] = ()
    received_at: datetime | None = None
    reported_under_hpl_38a: bool = False
    case_id: UUID | None = None


@dataclass(frozen=True, kw_only=True)
class RequestProvision(CaseCommand):
    requested: tuple[Provision, ...]
    note: str = ""
    method = "request_provision"
    roles = RUN_CASE


@dataclass(frozen=True, kw_only=True)
class RecordDecision(CaseCommand):
    outcome: DecisionOutcome
    concerns: tuple[Provision, ...]
    legal_basis: str
    reasons: str
    complaint_deadline_weeks: int | None = None
    complaint_information_given: bool | None = None
    method = "record_decision"
    creates = "decision_id"


@dataclass(frozen=True, kw_only=True)
class RequestCoordinator(CaseCommand):
    unit: str
    unit_leader: Person
    method = "request_coordinator"
    creates = "request_id"


@dataclass(frozen=True, kw_only=True)
class AppointCoordinator(CaseCommand):
    person: Person
    unit: str
    kind: CoordinatorKind
    subject_wish_heard: bool
    request_id: UUID | None = None
    method = "appoint_coordinator"
    roles = APPOINTERS


@dataclass(frozen=True, kw_only=True)
class AssignSubstitute(CaseCommand):
    person: Person
    unit: str
    until: date | None = None
    subject_informed: bool = False
    method = "assign_substitute"
    roles = APPOINTERS


@dataclass(frozen=True, kw_only=True)
class ReplaceCoordinator(CaseCommand):
    person: Person
    unit: str
    reason: str = ""
    subject_informed: bool = False
    method = "replace_coordinator"
    roles = APPOINTERS


@dataclass(frozen=True, kw_only=True)
class ReleaseCoordinator(CaseCommand):
    reason: str = ""
    method = "release_coordinator"
    roles = APPOINTERS


@dataclass(frozen=True, kw_only=True)
class RecordCoordinatorTraining(CaseCommand):
    person_id: str
    course: str
    method = "complete_training"
    roles = RUN_CASE


@dataclass(frozen=True, kw_only=True)
class CloseRelayLog(CaseCommand):
    reason: str = ""
    method = "close_relay_log"
    roles = RUN_CASE


@dataclass(frozen=True, kw_only=True)
class HoldStartupConversation(CaseCommand):
    what_matters: str
    interpreter_needed: bool
    expectations: str = ""
    contact_preferences: str = ""
    interpreter_language: str | None = None
    method = "hold_startup_conversation"
    roles = RUN_CASE


@dataclass(frozen=True, kw_only=True)
class GrantConsent(CaseCommand):
    given_by: Signer
    categories: tuple[InfoCategory, ...]
    also_given_by: tuple[Signer, ...] = ()
    participants: tuple[UUID, ...] = ()
    services: tuple[str, ...] = ()
    valid_until: date | None = None
    signed_how: str = "digital"
    child_view: str | None = None
    method = "grant_consent"
    creates = "consent_id"
    roles = CONSENTERS


@dataclass(frozen=True, kw_only=True)
class SignConsent(CaseCommand):
    consent_id: UUID
    signer: Signer
    method = "sign_consent"
    roles = frozenset({Role.COORDINATOR, KE, Role.GUARDIAN})


@dataclass(frozen=True, kw_only=True)
class WithdrawConsent(CaseCommand):
    consent_id: UUID
    scope: WithdrawalScope
    participants: tuple[UUID, ...] = ()
    categories: tuple[InfoCategory, ...] = ()
    reason: str = ""
    method = "withdraw_consent"
    roles = CONSENTERS


@dataclass(frozen=True, kw_only=True)
class ExpireConsent(CaseCommand):
    consent_id: UUID
    method = "expire_consent"
    roles = RUN_CASE


@dataclass(frozen=True, kw_only=True)
class AddParticipant(CaseCommand):
    person: Person
    service: str
    role: str
    mandatory: bool = True
    method = "add_participant"
    creates = "participant_id"
    roles = RUN_CASE


@dataclass(frozen=True, kw_only=True)
class RemoveParticipant(CaseCommand):
    participant_id: UUID
    reason: str = ""
    method = "remove_participant"
    roles = RUN_CASE
