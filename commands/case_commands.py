"""Commands of referral, decision, coordinator, start-up, consent and team.
Imperative names; each names the Case method that carries it out (`case_method`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from commands.base import KE, RUN_CASE, CaseCommand, Command
from commands.constraints import PRINTABLE, Constraint, Ids, Line, Provisions, Short, Text, described
from ledger.case import Case
from ledger.values import (
    CoordinatorKind,
    DecisionOutcome,
    Guardian,
    InfoCategory,
    Person,
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
    guardians: Annotated[tuple[Guardian, ...], Constraint(max_length=4)] = ()
    requested: Provisions
    referrer_kind: ReferrerKind
    referrer_name: Line = ""
    received_at: datetime | None = None
    reported_under_hpl_38a: Annotated[bool, described("Reported by health personnel (helsepersonelloven § 38 a)")] = (
        False
    )
    case_id: UUID | None = None
    case_method = Case.open


@dataclass(frozen=True, kw_only=True)
class RequestProvision(CaseCommand):
    requested: Provisions
    note: Text = ""
    case_method = Case.request_provision
    roles = RUN_CASE


@dataclass(frozen=True, kw_only=True)
class RecordDecision(CaseCommand):
    outcome: DecisionOutcome
    concerns: Provisions
    legal_basis: Short
    reasons: Text
    complaint_deadline_weeks: Annotated[int, Constraint(ge=1, le=12)] | None = None
    complaint_information_given: bool | None = None
    case_method = Case.record_decision
    creates = "decision_id"


@dataclass(frozen=True, kw_only=True)
class RequestCoordinator(CaseCommand):
    unit: Short
    unit_leader: Person
    case_method = Case.request_coordinator
    creates = "request_id"


@dataclass(frozen=True, kw_only=True)
class AppointCoordinator(CaseCommand):
    person: Person
    unit: Short
    kind: CoordinatorKind
    subject_wish_heard: bool
    request_id: UUID | None = None
    case_method = Case.appoint_coordinator
    roles = APPOINTERS


@dataclass(frozen=True, kw_only=True)
class AssignSubstitute(CaseCommand):
    person: Person
    unit: Short
    until: date | None = None
    subject_informed: bool = False
    case_method = Case.assign_substitute
    roles = APPOINTERS


@dataclass(frozen=True, kw_only=True)
class ReplaceCoordinator(CaseCommand):
    person: Person
    unit: Short
    reason: Text = ""
    subject_informed: bool = False
    case_method = Case.replace_coordinator
    roles = APPOINTERS


@dataclass(frozen=True, kw_only=True)
class ReleaseCoordinator(CaseCommand):
    reason: Text = ""
    case_method = Case.release_coordinator
    roles = APPOINTERS


@dataclass(frozen=True, kw_only=True)
class RecordCoordinatorTraining(CaseCommand):
    person_id: Short
    course: Short
    case_method = Case.complete_training
    roles = RUN_CASE


@dataclass(frozen=True, kw_only=True)
class CloseRelayLog(CaseCommand):
    reason: Text = ""
    case_method = Case.close_relay_log
    roles = RUN_CASE


@dataclass(frozen=True, kw_only=True)
class HoldStartupConversation(CaseCommand):
    what_matters: Text
    interpreter_needed: bool
    expectations: Text = ""
    contact_preferences: Text = ""
    interpreter_language: Annotated[str, Constraint(max_length=100, pattern=PRINTABLE)] | None = None
    case_method = Case.hold_startup_conversation
    roles = RUN_CASE


@dataclass(frozen=True, kw_only=True)
class GrantConsent(CaseCommand):
    given_by: Signer
    also_given_by: Annotated[tuple[Signer, ...], Constraint(max_length=3)] = ()
    participants: Ids = ()
    services: Annotated[tuple[Short, ...], Constraint(max_length=50)] = ()
    categories: Annotated[tuple[InfoCategory, ...], Constraint(min_length=1, max_length=20)]
    valid_until: date | None = None
    signed_how: Annotated[str, Constraint(max_length=50, pattern=PRINTABLE)] = "digital"
    child_view: Text | None = None
    case_method = Case.grant_consent
    creates = "consent_id"
    roles = CONSENTERS


@dataclass(frozen=True, kw_only=True)
class SignConsent(CaseCommand):
    consent_id: UUID
    signer: Signer
    case_method = Case.sign_consent
    roles = frozenset({Role.COORDINATOR, KE, Role.GUARDIAN})


@dataclass(frozen=True, kw_only=True)
class WithdrawConsent(CaseCommand):
    consent_id: UUID
    scope: WithdrawalScope
    participants: Ids = ()
    categories: Annotated[tuple[InfoCategory, ...], Constraint(max_length=20)] = ()
    reason: Text = ""
    case_method = Case.withdraw_consent
    roles = CONSENTERS


@dataclass(frozen=True, kw_only=True)
class ExpireConsent(CaseCommand):
    consent_id: UUID
    case_method = Case.expire_consent
    roles = RUN_CASE


@dataclass(frozen=True, kw_only=True)
class AddParticipant(CaseCommand):
    person: Person
    service: Short
    role: Short
    mandatory: bool = True
    case_method = Case.add_participant
    creates = "participant_id"
    roles = RUN_CASE


@dataclass(frozen=True, kw_only=True)
class RemoveParticipant(CaseCommand):
    participant_id: UUID
    reason: Text = ""
    case_method = Case.remove_participant
    roles = RUN_CASE
