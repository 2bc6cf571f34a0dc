"""Commands of plan, meetings, evaluation, closing, erasure, moving and
complaints. Imperative names; each names the Case method that carries it out
(`case_method`), or is carried out by a handler in commands/handlers.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from commands.base import RUN_CASE, CaseCommand
from commands.constraints import NO_NUL, Constraint, Entry, Ids, Line, Prose, Provisions, Short, Text
from ledger.case import Case
from ledger.values import (
    MUNICIPALITY_PATTERN,
    ComplaintDecider,
    ComplaintOutcome,
    EvaluationStatus,
    LifeArea,
    PlanTool,
    Role,
    TransitionKind,
)


@dataclass(frozen=True, kw_only=True)
class EstablishPlan(CaseCommand):
    tool: PlanTool
    informed_of_right_to_ip: bool = False
    ip_declined: bool = False
    case_method = Case.establish_plan
    roles = RUN_CASE


@dataclass(frozen=True, kw_only=True)
class AssessLifeArea(CaseCommand):
    life_area: LifeArea
    situation: Text
    case_method = Case.assess_life_area
    roles = RUN_CASE


@dataclass(frozen=True, kw_only=True)
class SetGoal(CaseCommand):
    text: Prose
    life_area: LifeArea
    responsible_service: Short
    evaluate_by: date
    case_method = Case.set_goal
    creates = "goal_id"
    roles = RUN_CASE


@dataclass(frozen=True, kw_only=True)
class ReviseGoal(CaseCommand):
    goal_id: UUID
    text: Prose
    evaluate_by: date
    case_method = Case.revise_goal
    roles = RUN_CASE


@dataclass(frozen=True, kw_only=True)
class CloseGoal(CaseCommand):
    goal_id: UUID
    reason: Text = ""
    case_method = Case.close_goal
    roles = RUN_CASE


@dataclass(frozen=True, kw_only=True)
class PlanActivity(CaseCommand):
    goal_id: UUID
    what: Prose
    responsible_service: Short
    due: date | None = None
    case_method = Case.plan_activity
    creates = "activity_id"
    roles = RUN_CASE


@dataclass(frozen=True, kw_only=True)
class CompleteActivity(CaseCommand):
    activity_id: UUID
    case_method = Case.complete_activity
    roles = RUN_CASE


@dataclass(frozen=True, kw_only=True)
class AddComment(CaseCommand):
    text: Prose
    goal_id: UUID | None = None
    case_method = Case.add_comment
    creates = "comment_id"
    roles = RUN_CASE


@dataclass(frozen=True, kw_only=True)
class EvaluateGoal(CaseCommand):
    goal_id: UUID
    status: EvaluationStatus
    note: Text = ""
    case_method = Case.evaluate_goal
    roles = RUN_CASE | {Role.SERVICE_PROVIDER}


@dataclass(frozen=True, kw_only=True)
class ScheduleMeeting(CaseCommand):
    scheduled_for: datetime
    invitees: Ids = ()
    interpreter_booked: bool = False
    case_method = Case.schedule_meeting
    creates = "meeting_id"
    roles = RUN_CASE


@dataclass(frozen=True, kw_only=True)
class SendAgenda(CaseCommand):
    meeting_id: UUID
    items: Annotated[
        tuple[Annotated[str, Constraint(min_length=1, max_length=1000, pattern=NO_NUL)], ...],
        Constraint(min_length=1, max_length=100),
    ]
    agreed_with_subject: bool
    case_method = Case.send_agenda
    roles = RUN_CASE


@dataclass(frozen=True, kw_only=True)
class HoldMeeting(CaseCommand):
    meeting_id: UUID
    attendees: Ids
    subject_voice: Text
    absences: Ids = ()
    minute_taker: Line = ""
    decisions: Annotated[tuple[Entry, ...], Constraint(max_length=100)] = ()
    next_meeting: date | None = None
    informed_of_right_to_ip: bool = False
    case_method = Case.hold_meeting
    roles = RUN_CASE


@dataclass(frozen=True, kw_only=True)
class DistributeMinutes(CaseCommand):
    meeting_id: UUID
    recipients: Ids
    states_status: bool = True
    states_evaluation: bool = True
    states_new_activities: bool = True
    states_responsibilities: bool = True
    states_next_meeting: bool = True
    case_method = Case.distribute_minutes
    roles = RUN_CASE


@dataclass(frozen=True, kw_only=True)
class CancelMeeting(CaseCommand):
    meeting_id: UUID
    reason: Text = ""
    case_method = Case.cancel_meeting
    roles = RUN_CASE


@dataclass(frozen=True, kw_only=True)
class ReviewTeam(CaseCommand):
    continued_need: bool
    note: Text = ""
    composition_ok: bool = True
    case_method = Case.review_team
    roles = RUN_CASE


@dataclass(frozen=True, kw_only=True)
class ReportStatus(CaseCommand):
    still_active: bool
    case_method = Case.report_status
    roles = RUN_CASE


@dataclass(frozen=True, kw_only=True)
class PlanTransition(CaseCommand):
    kind: TransitionKind
    from_service: Short
    to_service: Short
    responsible: Short
    due: date | None = None
    case_method = Case.plan_transition
    creates = "transition_id"
    roles = RUN_CASE


@dataclass(frozen=True, kw_only=True)
class CompleteTransition(CaseCommand):
    transition_id: UUID
    case_method = Case.complete_transition
    roles = RUN_CASE


@dataclass(frozen=True, kw_only=True)
class CloseCase(CaseCommand):
    reason: Text
    assessment: Prose
    agreed_by_subject: bool
    termination_letter_sent: bool = False
    case_method = Case.close
    roles = RUN_CASE


@dataclass(frozen=True, kw_only=True)
class NotifyClosure(CaseCommand):
    ke_notified: bool
    participants: Ids = ()
    case_method = Case.notify_closure
    roles = RUN_CASE
    on_closed_case = True


@dataclass(frozen=True, kw_only=True)
class ReopenCase(CaseCommand):
    reason: Text = ""
    case_method = Case.reopen
    on_closed_case = True


@dataclass(frozen=True, kw_only=True)
class ExportPlan(CaseCommand):
    format: Annotated[str, Constraint(pattern="^(json|pdf)$")] = "json"
    filed_in: Line = ""
    creates = "export_id"
    roles = RUN_CASE
    on_closed_case = True


@dataclass(frozen=True, kw_only=True)
class EraseCase(CaseCommand):
    on_closed_case = True


@dataclass(frozen=True, kw_only=True)
class TransferOut(CaseCommand):
    to_municipality: Annotated[str, Constraint(pattern=MUNICIPALITY_PATTERN)]
    transferred: Annotated[tuple[Short, ...], Constraint(max_length=50)]
    consent_id: UUID | None = None
    case_method = Case.transfer_out


@dataclass(frozen=True, kw_only=True)
class ReceiveComplaint(CaseCommand):
    concerns: Provisions
    text: Text = ""
    received_at: datetime | None = None
    case_method = Case.receive_complaint
    creates = "complaint_id"
    on_closed_case = True


@dataclass(frozen=True, kw_only=True)
class ForwardComplaint(CaseCommand):
    complaint_id: UUID
    report_sha256: Annotated[
        str,
        Constraint(
            pattern="^[0-9a-f]{64}$",
            description=(
                "sha256 (hex) of the report sent to Statsforvalteren: the `Digest` header of "
                "`GET /v1/cases/{case_id}/report` (or what `ledger report` printed). It must be a report the ledger "
                "issued for this case (its access log records each with its digest); any other answers 422"
            ),
        ),
    ]
    case_method = Case.forward_complaint
    on_closed_case = True


@dataclass(frozen=True, kw_only=True)
class DecideComplaint(CaseCommand):
    complaint_id: UUID
    decided_by: ComplaintDecider
    outcome: ComplaintOutcome
    note: Text = ""
    case_method = Case.decide_complaint
    on_closed_case = True
