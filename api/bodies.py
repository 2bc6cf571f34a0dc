"""Command bodies, one per intention (CONTRACT: Commands, plus extensions)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from api.schemas import (
    NO_NUL,
    PRINTABLE,
    CommandBody,
    GuardianIn,
    Line,
    PersonIn,
    Prose,
    Short,
    SignerIn,
    SubjectIn,
    Text,
)
from ledger.values import (
    MUNICIPALITY_PATTERN,
    ComplaintDecider,
    ComplaintOutcome,
    CoordinatorKind,
    DecisionOutcome,
    EvaluationStatus,
    InfoCategory,
    LifeArea,
    PlanTool,
    Provision,
    ReferrerKind,
    TransitionKind,
    WithdrawalScope,
)

Ids = Annotated[list[UUID], Field(max_length=200)]
Provisions = Annotated[list[Provision], Field(min_length=1, max_length=4)]


class Referrer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: ReferrerKind
    name: Line = ""


class CaseCreate(CommandBody):
    """A referral: opens a case (ke_caseworker)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "subject": {"national_id": "02047900185"},
                    "requested": ["coordinator", "individual_plan"],
                    "referred_by": {"kind": "gp", "name": "Dr. Hansen"},
                }
            ]
        },
    )
    subject: SubjectIn
    guardians: Annotated[list[GuardianIn], Field(max_length=4)] = []
    requested: Provisions
    referred_by: Referrer
    received_at: AwareDatetime | None = None
    reported_under_hpl_38a: bool = Field(False, description="Reported by health personnel (helsepersonelloven § 38 a)")

    def to_command_fields(self) -> dict[str, Any]:
        out = super().to_command_fields()
        referrer = out.pop("referred_by")
        out["referrer_kind"], out["referrer_name"] = referrer.kind, referrer.name
        return out


class ProvisionRequest(CommandBody):
    requested: Provisions
    note: Text = ""


class DecisionCreate(CommandBody):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "outcome": "granted",
                    "concerns": ["coordinator", "individual_plan"],
                    "legal_basis": "hol. §§ 7-1, 7-2",
                    "reasons": "Behov for langvarige og koordinerte tjenester.",
                }
            ]
        },
    )
    outcome: DecisionOutcome
    concerns: Provisions
    legal_basis: Short
    reasons: Text
    complaint_deadline_weeks: Annotated[int, Field(ge=1, le=12)] | None = None
    complaint_information_given: bool | None = None


class CoordinatorRequestCreate(CommandBody):
    unit: Short
    unit_leader: PersonIn


class CoordinatorCreate(CommandBody):
    person: PersonIn
    unit: Short
    kind: CoordinatorKind
    subject_wish_heard: bool
    request_id: UUID | None = None


class SubstituteCreate(CommandBody):
    person: PersonIn
    unit: Short
    until: date | None = None
    subject_informed: bool = False


class ReplacementCreate(CommandBody):
    person: PersonIn
    unit: Short
    reason: Text = ""
    subject_informed: bool = False


class ReasonBody(CommandBody):
    reason: Text = ""


class TrainingCreate(CommandBody):
    person_id: Short
    course: Short


class StartupConversationCreate(CommandBody):
    what_matters: Text
    interpreter_needed: bool
    expectations: Text = ""
    contact_preferences: Text = ""
    interpreter_language: Annotated[str, Field(max_length=100, pattern=PRINTABLE)] | None = None


class ConsentCreate(CommandBody):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "given_by": {"role": "subject", "name": "Ola Nordmann", "national_id": "02047900185"},
                    "participants": ["6f1c2b6e-3f0e-4f57-9b0e-2d3c6b9a1e10"],
                    "categories": ["health", "work"],
                    "valid_until": "2027-12-31",
                }
            ]
        },
    )
    given_by: SignerIn
    also_given_by: Annotated[list[SignerIn], Field(max_length=3)] = []
    participants: Ids = []
    services: Annotated[list[Short], Field(max_length=50)] = []
    categories: Annotated[list[InfoCategory], Field(min_length=1, max_length=20)]
    valid_until: date | None = None
    signed_how: Annotated[str, Field(max_length=50, pattern=PRINTABLE)] = "digital"
    child_view: Text | None = None


class SignatureCreate(CommandBody):
    signer: SignerIn


class WithdrawalCreate(CommandBody):
    scope: WithdrawalScope
    participants: Ids = []
    categories: Annotated[list[InfoCategory], Field(max_length=20)] = []
    reason: Text = ""


class ParticipantCreate(CommandBody):
    person: PersonIn
    service: Short
    role: Short
    mandatory: bool = True


class PlanCreate(CommandBody):
    tool: PlanTool
    informed_of_right_to_ip: bool = False
    ip_declined: bool = False


class LifeAreaAssessment(CommandBody):
    life_area: LifeArea
    situation: Text


class GoalCreate(CommandBody):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "text": "Jeg vil ha en fast jobb innen ett år",
                    "life_area": "education_work",
                    "responsible_service": "NAV",
                    "evaluate_by": "2026-09-01",
                }
            ]
        },
    )
    text: Prose
    life_area: LifeArea
    responsible_service: Short
    evaluate_by: date


class GoalRevision(CommandBody):
    text: Prose
    evaluate_by: date


class EvaluationCreate(CommandBody):
    status: EvaluationStatus
    note: Text = ""


class ActivityCreate(CommandBody):
    what: Prose
    responsible_service: Short
    due: date | None = None


class CommentCreate(CommandBody):
    text: Prose
    goal_id: UUID | None = None


class MeetingCreate(CommandBody):
    scheduled_for: AwareDatetime
    invitees: Ids = []
    interpreter_booked: bool = False


class AgendaCreate(CommandBody):
    items: Annotated[
        list[Annotated[str, Field(min_length=1, max_length=1000, pattern=NO_NUL)]], Field(min_length=1, max_length=100)
    ]
    agreed_with_subject: bool


class MeetingHeldCreate(CommandBody):
    attendees: Ids
    subject_voice: Text
    absences: Ids = []
    minute_taker: Line = ""
    decisions: Annotated[list[Annotated[str, Field(max_length=1000, pattern=NO_NUL)]], Field(max_length=100)] = []
    next_meeting: date | None = None
    informed_of_right_to_ip: bool = False


class MinutesCreate(CommandBody):
    recipients: Ids
    states_status: bool = True
    states_evaluation: bool = True
    states_new_activities: bool = True
    states_responsibilities: bool = True
    states_next_meeting: bool = True


class ReviewCreate(CommandBody):
    continued_need: bool
    note: Text = ""
    composition_ok: bool = True


class StatusReportCreate(CommandBody):
    still_active: bool


class TransitionCreate(CommandBody):
    kind: TransitionKind
    from_service: Short
    to_service: Short
    responsible: Short
    due: date | None = None


class ClosureCreate(CommandBody):
    reason: Text
    assessment: Prose
    agreed_by_subject: bool
    termination_letter_sent: bool = False


class ClosureNoticeCreate(CommandBody):
    ke_notified: bool
    participants: Ids = []


class ExportCreate(CommandBody):
    format: Annotated[str, Field(pattern="^(json|pdf)$")] = "json"
    filed_in: Line = ""


class TransferCreate(CommandBody):
    to_municipality: Annotated[str, Field(pattern=MUNICIPALITY_PATTERN)]
    transferred: Annotated[list[Short], Field(max_length=50)]
    consent_id: UUID | None = None


class ComplaintCreate(CommandBody):
    concerns: Provisions
    text: Text = ""
    received_at: AwareDatetime | None = None


class ComplaintForward(CommandBody):
    report_sha256: Annotated[
        str,
        Field(
            pattern="^[0-9a-f]{64}$",
            description=(
                "sha256 (hex) of the report sent to Statsforvalteren: the `Digest` header of "
                "`GET /v1/cases/{case_id}/report` (or what `ledger report` printed). It must be a report the ledger "
                "issued for this case (its access log records each with its digest); any other answers 422"
            ),
        ),
    ]


class ComplaintDecision(CommandBody):
    decided_by: ComplaintDecider
    outcome: ComplaintOutcome
    note: Text = ""


class EmptyBody(CommandBody):
    pass
