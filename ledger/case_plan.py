"""The plan, goals (INV-09), meetings, evaluations and transitions."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID, uuid4

from ledger.case_state import CaseState
from ledger.context import Context
from ledger.errors import InvalidInput, InvariantViolation, NotFound
from ledger.event_base import applies
from ledger.events_plan import (
    ActivityCompleted,
    ActivityPlanned,
    AgendaSent,
    CommentAdded,
    GoalClosed,
    GoalEvaluated,
    GoalRevised,
    GoalSet,
    LifeAreaAssessed,
    MeetingCancelled,
    MeetingHeld,
    MeetingScheduled,
    MinutesDistributed,
    PlanEstablished,
    StatusReportedToKE,
    TeamReviewed,
    TransitionCompleted,
    TransitionPlanned,
)
from ledger.state import Activity, Goal, Meeting
from ledger.values import EvaluationStatus, LifeArea, PlanTool, TransitionKind


class PlanMixin(CaseState):
    def _init_plan_state(self) -> None:
        self.plan_tool = None
        self.goals = {}
        self.activities = {}
        self.meetings = {}
        self.transitions = {}
        self.last_review_at = None

    # --------------------------------------------------------------- plan
    def establish_plan(
        self, ctx: Context, *, tool: PlanTool, informed_of_right_to_ip: bool = False, ip_declined: bool = False
    ) -> None:
        self._check_open(ctx)
        if self.plan_tool is tool:
            raise InvariantViolation(None, "Saken har allerede dette koordineringsverktøyet.")
        if ip_declined and tool is PlanTool.INDIVIDUAL_PLAN:
            raise InvalidInput(None, "En person som takker nei til IP får referat som verktøy, ikke IP.")
        self._emit(
            PlanEstablished, ctx, tool=tool, informed_of_right_to_ip=informed_of_right_to_ip, ip_declined=ip_declined
        )

    def assess_life_area(self, ctx: Context, *, life_area: LifeArea, situation: str) -> None:
        self._check_open(ctx)
        self._require_plan()
        self._emit(LifeAreaAssessed, ctx, life_area=life_area, situation=situation)

    def set_goal(
        self, ctx: Context, *, text: str, life_area: LifeArea, responsible_service: str, evaluate_by: date
    ) -> UUID:
        self._check_open(ctx)
        self._require_plan()
        if not text.strip():
            raise InvalidInput("INV-09", "Målet må ha en tekst.")
        if not isinstance(life_area, LifeArea):
            raise InvalidInput("INV-09", "Målet må høre til et livsområde.")
        if not responsible_service.strip():
            raise InvalidInput("INV-09", "Målet må ha en ansvarlig tjeneste.")
        goal_id = uuid4()
        self._emit(
            GoalSet,
            ctx,
            goal_id=goal_id,
            text=text,
            life_area=life_area,
            responsible_service=responsible_service.strip(),
            evaluate_by=evaluate_by,
        )
        return goal_id

    def revise_goal(self, ctx: Context, *, goal_id: UUID, text: str, evaluate_by: date) -> None:
        self._check_open(ctx)
        self._require_open_goal(goal_id)
        self._emit(GoalRevised, ctx, goal_id=goal_id, text=text, evaluate_by=evaluate_by)

    def close_goal(self, ctx: Context, *, goal_id: UUID, reason: str = "") -> None:
        self._check_open(ctx)
        self._require_open_goal(goal_id)
        self._emit(GoalClosed, ctx, goal_id=goal_id, reason=reason)

    def plan_activity(
        self, ctx: Context, *, goal_id: UUID, what: str, responsible_service: str, due: date | None = None
    ) -> UUID:
        self._check_open(ctx)
        self._require_open_goal(goal_id)
        activity_id = uuid4()
        self._emit(
            ActivityPlanned,
            ctx,
            activity_id=activity_id,
            goal_id=goal_id,
            what=what,
            responsible_service=responsible_service,
            due=due,
        )
        return activity_id

    def complete_activity(self, ctx: Context, *, activity_id: UUID) -> None:
        self._check_open(ctx)
        activity = self.activities.get(activity_id)
        if activity is None:
            raise NotFound("INV-09", "Ingen slik aktivitet i planen.")
        self._require_open_goal(activity.goal_id)
        self._emit(ActivityCompleted, ctx, activity_id=activity_id)

    def add_comment(self, ctx: Context, *, text: str, goal_id: UUID | None = None) -> UUID:
        self._check_open(ctx)
        self._require_plan()
        if goal_id is not None:
            self._require_open_goal(goal_id)
        comment_id = uuid4()
        self._emit(CommentAdded, ctx, comment_id=comment_id, goal_id=goal_id, text=text)
        return comment_id

    def evaluate_goal(self, ctx: Context, *, goal_id: UUID, status: EvaluationStatus, note: str = "") -> None:
        self._check_open(ctx)
        self._require_open_goal(goal_id)
        self._emit(GoalEvaluated, ctx, goal_id=goal_id, status=status, note=note)

    # ----------------------------------------------------------- meetings
    def schedule_meeting(
        self,
        ctx: Context,
        *,
        scheduled_for: datetime,
        invitees: tuple[UUID, ...] = (),
        interpreter_booked: bool = False,
    ) -> UUID:
        self._check_open(ctx)
        for pid in invitees:
            self._require_participant(pid)
        meeting_id = uuid4()
        self._emit(
            MeetingScheduled,
            ctx,
            meeting_id=meeting_id,
            scheduled_for=scheduled_for,
            invitees=tuple(invitees),
            interpreter_booked=interpreter_booked,
        )
        return meeting_id

    def send_agenda(self, ctx: Context, *, meeting_id: UUID, items: tuple[str, ...], agreed_with_subject: bool) -> None:
        self._check_open(ctx)
        meeting = self._require_meeting(meeting_id)
        if meeting.held_at is not None or meeting.cancelled_at is not None:
            raise InvariantViolation(None, "Møtet er allerede holdt eller avlyst.")
        if not items:
            raise InvalidInput(None, "Sakslisten kan ikke være tom.")
        self._emit(AgendaSent, ctx, meeting_id=meeting_id, items=tuple(items), agreed_with_subject=agreed_with_subject)

    def hold_meeting(
        self,
        ctx: Context,
        *,
        meeting_id: UUID,
        attendees: tuple[UUID, ...],
        subject_voice: str,
        absences: tuple[UUID, ...] = (),
        minute_taker: str = "",
        decisions: tuple[str, ...] = (),
        next_meeting: date | None = None,
        informed_of_right_to_ip: bool = False,
    ) -> None:
        self._check_open(ctx)
        meeting = self._require_meeting(meeting_id)
        if meeting.held_at is not None or meeting.cancelled_at is not None:
            raise InvariantViolation(None, "Møtet er allerede holdt eller avlyst.")
        for pid in (*attendees, *absences):
            self._require_participant(pid)
        self._emit(
            MeetingHeld,
            ctx,
            meeting_id=meeting_id,
            attendees=tuple(attendees),
            absences=tuple(absences),
            minute_taker=minute_taker,
            subject_voice=subject_voice,
            decisions=tuple(decisions),
            next_meeting=next_meeting,
            informed_of_right_to_ip=informed_of_right_to_ip,
        )

    def distribute_minutes(
        self,
        ctx: Context,
        *,
        meeting_id: UUID,
        recipients: tuple[UUID, ...],
        states_status: bool = True,
        states_evaluation: bool = True,
        states_new_activities: bool = True,
        states_responsibilities: bool = True,
        states_next_meeting: bool = True,
    ) -> None:
        self._check_open(ctx)
        meeting = self._require_meeting(meeting_id)
        if meeting.held_at is None:
            raise InvariantViolation(None, "Referat kan først sendes når møtet er holdt.")
        for pid in recipients:
            self._require_participant(pid)
        self._emit(
            MinutesDistributed,
            ctx,
            meeting_id=meeting_id,
            recipients=tuple(recipients),
            states_status=states_status,
            states_evaluation=states_evaluation,
            states_new_activities=states_new_activities,
            states_responsibilities=states_responsibilities,
            states_next_meeting=states_next_meeting,
        )

    def cancel_meeting(self, ctx: Context, *, meeting_id: UUID, reason: str = "") -> None:
        self._check_open(ctx)
        meeting = self._require_meeting(meeting_id)
        if meeting.held_at is not None or meeting.cancelled_at is not None:
            raise InvariantViolation(None, "Møtet er allerede holdt eller avlyst.")
        self._emit(MeetingCancelled, ctx, meeting_id=meeting_id, reason=reason)

    # -------------------------------------------------- review and status
    def review_team(self, ctx: Context, *, continued_need: bool, note: str = "", composition_ok: bool = True) -> None:
        self._check_open(ctx)
        self._emit(TeamReviewed, ctx, continued_need=continued_need, composition_ok=composition_ok, note=note)

    def report_status(self, ctx: Context, *, still_active: bool) -> None:
        self._check_open(ctx)
        coordinator_id = self.coordinator.person_id if self.coordinator else None
        self._emit(StatusReportedToKE, ctx, still_active=still_active, coordinator_id=coordinator_id)

    def plan_transition(
        self,
        ctx: Context,
        *,
        kind: TransitionKind,
        from_service: str,
        to_service: str,
        responsible: str,
        due: date | None = None,
    ) -> UUID:
        self._check_open(ctx)
        transition_id = uuid4()
        self._emit(
            TransitionPlanned,
            ctx,
            transition_id=transition_id,
            kind=kind,
            from_service=from_service,
            to_service=to_service,
            responsible=responsible,
            due=due,
        )
        return transition_id

    def complete_transition(self, ctx: Context, *, transition_id: UUID) -> None:
        self._check_open(ctx)
        if transition_id not in self.transitions:
            raise NotFound(None, "Ingen slik overgang i saken.")
        if self.transitions[transition_id]:
            raise InvariantViolation(None, "Overgangen er allerede gjennomført.")
        self._emit(TransitionCompleted, ctx, transition_id=transition_id)

    # ------------------------------------------------------------ helpers
    def _require_plan(self) -> None:
        if self.plan_tool is None:
            raise InvariantViolation(None, "Saken har ingen plan ennå (opprett IP eller referat først).")

    def _require_open_goal(self, goal_id: UUID) -> Goal:
        goal = self.goals.get(goal_id)
        if goal is None:
            raise NotFound("INV-09", "Målet finnes ikke i planen.")
        if goal.closed:
            raise InvariantViolation("INV-09", "Målet er avsluttet.")
        return goal

    def _require_meeting(self, meeting_id: UUID) -> Meeting:
        try:
            return self.meetings[meeting_id]
        except KeyError:
            raise NotFound(None, "Ikke noe slikt møte i saken.") from None


@applies(PlanEstablished)
def _plan(case: CaseState, e: PlanEstablished) -> None:
    case.plan_tool = e.tool


@applies(LifeAreaAssessed)
def _assessed(case: CaseState, e: LifeAreaAssessed) -> None:
    pass  # read by projections


@applies(GoalSet)
def _goal_set(case: CaseState, e: GoalSet) -> None:
    case.goals[e.goal_id] = Goal(e.goal_id, e.life_area, e.responsible_service, e.evaluate_by, e.text, e.occurred_at)


@applies(GoalRevised)
def _goal_revised(case: CaseState, e: GoalRevised) -> None:
    goal = case.goals[e.goal_id]
    goal.text, goal.evaluate_by = e.text, e.evaluate_by


@applies(GoalClosed)
def _goal_closed(case: CaseState, e: GoalClosed) -> None:
    case.goals[e.goal_id].closed = True


@applies(ActivityPlanned)
def _activity(case: CaseState, e: ActivityPlanned) -> None:
    case.activities[e.activity_id] = Activity(e.activity_id, e.goal_id)


@applies(ActivityCompleted)
def _activity_done(case: CaseState, e: ActivityCompleted) -> None:
    case.activities[e.activity_id].completed = True


@applies(CommentAdded)
def _comment(case: CaseState, e: CommentAdded) -> None:
    pass  # read by projections


@applies(GoalEvaluated)
def _evaluated(case: CaseState, e: GoalEvaluated) -> None:
    case.goals[e.goal_id].evaluations.append((e.occurred_at, e.status))


@applies(MeetingScheduled)
def _scheduled(case: CaseState, e: MeetingScheduled) -> None:
    case.meetings[e.meeting_id] = Meeting(e.meeting_id, e.scheduled_for, e.invitees)


@applies(AgendaSent)
def _agenda(case: CaseState, e: AgendaSent) -> None:
    case.meetings[e.meeting_id].agenda_sent_at = e.occurred_at


@applies(MeetingHeld)
def _held(case: CaseState, e: MeetingHeld) -> None:
    case.meetings[e.meeting_id].held_at = e.occurred_at


@applies(MinutesDistributed)
def _minutes(case: CaseState, e: MinutesDistributed) -> None:
    case.meetings[e.meeting_id].minutes_at = e.occurred_at


@applies(MeetingCancelled)
def _cancelled(case: CaseState, e: MeetingCancelled) -> None:
    case.meetings[e.meeting_id].cancelled_at = e.occurred_at


@applies(TeamReviewed)
def _reviewed(case: CaseState, e: TeamReviewed) -> None:
    case.last_review_at = e.occurred_at


@applies(StatusReportedToKE)
def _status(case: CaseState, e: StatusReportedToKE) -> None:
    pass  # read by the compliance projection


@applies(TransitionPlanned)
def _transition(case: CaseState, e: TransitionPlanned) -> None:
    case.transitions[e.transition_id] = False


@applies(TransitionCompleted)
def _transition_done(case: CaseState, e: TransitionCompleted) -> None:
    case.transitions[e.transition_id] = True
