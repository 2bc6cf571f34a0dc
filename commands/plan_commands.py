"""Commands of plan, meetings, evaluation, closing, erasure, moving and
complaints. Imperative names; each maps to one Case method (`method`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from commands.base import RUN_CASE, CaseCommand
from ledger.values import (
    ComplaintDecider,
    ComplaintOutcome,
    EvaluationStatus,
    LifeArea,
    PlanTool,
    Provision,
    Role,
    TransitionKind,
)


@dataclass(frozen=True, kw_only=True)
class EstablishPlan(CaseCommand):
    tool: PlanTool
    informed_of_right_to_ip: bool = False
    ip_declined: bool = False
    method = "establish_plan"
    roles = RUN_CASE


@dataclass(frozen=True, kw_only=True)
class AssessLifeArea(CaseCommand):
    life_area: LifeArea
    situation: str
    method = "assess_life_area"
    roles = RUN_CASE


@dataclass(frozen=True, kw_only=True)
class SetGoal(CaseCommand):
    text: str
    life_area: LifeArea
    responsible_service: str
    evaluate_by: date
    method = "set_goal"
    creates = "goal_id"
    roles = RUN_CASE


@dataclass(frozen=True, kw_only=True)
class ReviseGoal(CaseCommand):
    goal_id: UUID
    text: str
    evaluate_by: date
    method = "revise_goal"
    roles = RUN_CASE


@dataclass(frozen=True, kw_only=True)
class CloseGoal(CaseCommand):
    goal_id: UUID
    reason: str = ""
    method = "close_goal"
    roles = RUN_CASE


@dataclass(frozen=True, kw_only=True)
class PlanActivity(CaseCommand):
    goal_id: UUID
    what: str
    responsible_service: str
    due: date | None = None
    method = "plan_activity"
    creates = "activity_id"
    roles = RUN_CASE


@dataclass(frozen=True, kw_only=True)
class CompleteActivity(CaseCommand):
    activity_id: UUID
    method = "complete_activity"
    roles = RUN_CASE


@dataclass(frozen=True, kw_only=True)
class AddComment(CaseCommand):
    text: str
    goal_id: UUID | None = None
    method = "add_comment"
    creates = "comment_id"
    roles = RUN_CASE


@dataclass(frozen=True, kw_only=True)
class EvaluateGoal(CaseCommand):
    goal_id: UUID
    status: EvaluationStatus
    note: str = ""
    method = "evaluate_goal"
    roles = RUN_CASE | {Role.SERVICE_PROVIDER}


@dataclass(frozen=True, kw_only=True)
class ScheduleMeeting(CaseCommand):
    scheduled_for: datetime
    invitees: tuple[UUID, ...] = ()
    interpreter_booked: bool = False
    method = "schedule_meeting"
    creates = "meeting_id"
    roles = RUN_CASE


@dataclass(frozen=True, kw_only=True)
class SendAgenda(CaseCommand):
    meeting_id: UUID
    items: tuple[str, ...]
    agreed_with_subject: bool
    method = "send_agenda"
    roles = RUN_CASE


@dataclass(frozen=True, kw_only=True)
class HoldMeeting(CaseCommand):
    meeting_id: UUID
    attendees: tuple[UUID, ...]
    subject_voice: str
    absences: tuple[UUID, ...] = ()
    minute_taker: str = ""
    decisions: tuple[str, ...] = ()
    next_meeting: date | None = None
    informed_of_right_to_ip: bool = False
    method = "hold_meeting"
    roles = RUN_CASE


@dataclass(frozen=True, kw_only=True)
class DistributeMinutes(CaseCommand):
    meeting_id: UUID
    recipients: tuple[UUID, ...]
    states_status: bool = True
    states_evaluation: bool = True
    states_new_activities: bool = True
    states_responsibilities: bool = True
    states_next_meeting: bool = True
    method = "distribute_minutes"
    roles = RUN_CASE


@dataclass(frozen=True, kw_only=True)
class CancelMeeting(CaseCommand):
    meeting_id: UUID
    reason: str = ""
    method = "cancel_meeting"
    roles = RUN_CASE


@dataclass(frozen=True, kw_only=True)
class ReviewTeam(CaseCommand):
    continued_need: bool
    note: str = ""
    composition_ok: bool = True
    method = "review_team"
    roles = RUN_CASE


@dataclass(frozen=True, kw_only=True)
class ReportStatus(CaseCommand):
    still_active: bool
    method = "report_status"
    roles = RUN_CASE


@dataclass(frozen=True, kw_only=True)
class PlanTransition(CaseCommand):
    kind: TransitionKind
    from_service: str
    to_service: str
    responsible: str
    due: date | None = None
    method = "plan_transition"
    creates = "transition_id"
    roles = RUN_CASE


@dataclass(frozen=True, kw_only=True)
class CompleteTransition(CaseCommand):
    transition_id: UUID
    method = "complete_transition"
    roles = RUN_CASE


@dataclass(frozen=True, kw_only=True)
class CloseCase(CaseCommand):
    reason: str
    assessment: str
    agreed_by_subject: bool
    termination_letter_sent: bool = False
    method = "close"
    roles = RUN_CASE


@dataclass(frozen=True, kw_only=True)
class NotifyClosure(CaseCommand):
    ke_notified: bool
    participants: tuple[UUID, ...] = ()
    method = "notify_closure"
    roles = RUN_CASE
    on_closed_case = True


@dataclass(frozen=True, kw_only=True)
class ReopenCase(CaseCommand):
    reason: str
    method = "reopen"
    on_closed_case = True


@dataclass(frozen=True, kw_only=True)
class ExportPlan(CaseCommand):
    format: str = "json"
    filed_in: str = ""
    creates = "export_id"
    roles = RUN_CASE
    on_closed_case = True


@dataclass(frozen=True, kw_only=True)
class EraseCase(CaseCommand):
    on_closed_case = True


@dataclass(frozen=True, kw_only=True)
class TransferOut(CaseCommand):
    to_municipality: str
    transferred: tuple[str, ...]
    consent_id: UUID | None = None
    method = "transfer_out"


@dataclass(frozen=True, kw_only=True)
class ReceiveComplaint(CaseCommand):
    concerns: tuple[Provision, ...]
    text: str = ""
    received_at: datetime | None = None
    method = "receive_complaint"
    creates = "complaint_id"
    on_closed_case = True


@dataclass(frozen=True, kw_only=True)
class ForwardComplaint(CaseCommand):
    complaint_id: UUID
    report_sha256: str
    method = "forward_complaint"
    on_closed_case = True


@dataclass(frozen=True, kw_only=True)
class DecideComplaint(CaseCommand):
    complaint_id: UUID
    decided_by: ComplaintDecider
    outcome: ComplaintOutcome
    note: str = ""
    method = "decide_complaint"
    on_closed_case = True
