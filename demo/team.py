"""Meetings and the team's working period of a demo case: meetings with
agenda and minutes, goal evaluations, team reviews, status reports,
transitions, changes of coordinator, participants and consent.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable
from datetime import date, datetime, timedelta
from uuid import UUID

from commands.case_commands import AssignSubstitute, RemoveParticipant, ReplaceCoordinator, WithdrawConsent
from commands.plan_commands import (
    AddComment,
    CancelMeeting,
    CloseGoal,
    CompleteActivity,
    CompleteTransition,
    DistributeMinutes,
    EvaluateGoal,
    HoldMeeting,
    PlanTransition,
    ReportStatus,
    ReviewTeam,
    ReviseGoal,
    ScheduleMeeting,
    SendAgenda,
)
from demo.cases import CaseRun, Writer
from demo.people import AGENDA, MEETING_DECISIONS, voice
from demo.stages import add_participant, consent
from ledger.values import Actor, EvaluationStatus, Person, TransitionKind, WithdrawalScope


# ------------------------------------------------------------- meetings
def hold_first_meeting(w: Writer, run: CaseRun, during: Callable[[datetime], None]) -> None:
    """MeetingScheduled, AgendaSent, MeetingHeld and MinutesDistributed for the
    team's first meeting; `during(when)` records what the meeting decided."""
    held = w.office_time(run.t + timedelta(days=w.rng.uniform(10, 30)))
    meeting_id = schedule_meeting(w, run, w.later(run, 0.5, 3), held)
    send_agenda(w, run, meeting_id, held)
    hold_meeting(w, run, meeting_id, held, first=True)
    during(held)
    distribute_minutes(w, run, meeting_id, held)


def schedule_meeting(w: Writer, run: CaseRun, when: datetime, held: datetime) -> UUID:
    result = w.handle(
        run,
        ScheduleMeeting,
        when,
        actor=run.coordinator,
        scheduled_for=held,
        invitees=tuple(run.team),
        interpreter_booked=w.rng.random() < 0.05,
    )
    meeting_id = result.created["meeting_id"]
    assert isinstance(meeting_id, UUID)
    return meeting_id


def send_agenda(w: Writer, run: CaseRun, meeting_id: UUID, held: datetime) -> None:
    minimum = run.profile.min_days_agenda_before_meeting
    late = minimum is not None and w.want("agenda_late", 0.15)
    when = max(
        held - timedelta(days=w.rng.uniform(1, 4) if late else w.rng.uniform(8, 12)), run.t + timedelta(minutes=30)
    )
    agreed = w.rng.random() < 0.9
    w.handle(
        run, SendAgenda, when, actor=run.coordinator, meeting_id=meeting_id, items=AGENDA, agreed_with_subject=agreed
    )
    w.breach("CHK-04", minimum is not None and (late or not agreed))


def hold_meeting(w: Writer, run: CaseRun, meeting_id: UUID, held: datetime, *, first: bool = False) -> None:
    present = [pid for pid in run.team if w.rng.random() < 0.85] or list(run.team)[:1]
    w.handle(
        run,
        HoldMeeting,
        held,
        actor=run.coordinator,
        meeting_id=meeting_id,
        attendees=tuple(present),
        absences=tuple(pid for pid in run.team if pid not in present),
        subject_voice=voice(run.person, held.date(), w.rng),
        minute_taker=run.coordinator.name,
        decisions=tuple(w.rng.sample(MEETING_DECISIONS, k=2)),
        next_meeting=(held + timedelta(days=w.rng.randint(90, 150))).date(),
        informed_of_right_to_ip=first,
    )


def distribute_minutes(w: Writer, run: CaseRun, meeting_id: UUID, held: datetime) -> None:
    maximum = run.profile.max_days_meeting_to_minutes
    late = maximum is not None and w.want("minutes_late", 0.15)
    when = w.office_time(held + timedelta(days=w.rng.uniform(17, 35) if late else w.rng.uniform(1, 9)), after=run.t)
    w.handle(run, DistributeMinutes, when, actor=run.coordinator, meeting_id=meeting_id, recipients=tuple(run.team))
    w.breach("CHK-05", late)


# ------------------------------------------------------------ team period
class TeamPeriod:
    """Everything that happens while the team works, in time order: a queue
    of timed steps, so meetings, evaluations and reviews interleave as they
    would in a real case."""

    def __init__(self, w: Writer, run: CaseRun, until: datetime) -> None:
        self.w, self.case, self.until = w, run, until
        self.start = run.t
        self._queue: list[tuple[datetime, int, Callable[[datetime], None]]] = []
        self._order = itertools.count()

    def at(self, when: datetime | date, step: Callable[[datetime], None]) -> None:
        moment = (
            when
            if isinstance(when, datetime)
            else self.w.office_time(datetime.combine(when, datetime.min.time(), tzinfo=self.start.tzinfo))
        )
        if moment <= self.until:
            heapq.heappush(self._queue, (moment, next(self._order), step))

    def days(self, lo: float, hi: float, base: datetime | None = None) -> datetime:
        return self.w.office_time((base or self.start) + timedelta(days=self.w.rng.uniform(lo, hi)))

    def run(self) -> None:
        self.plan_meetings()
        self.plan_evaluations()
        self.plan_reviews()
        self.plan_status_reports()
        self.plan_transitions()
        self.plan_changes()
        while self._queue:
            when, _, step = heapq.heappop(self._queue)
            step(max(when, self.case.t + timedelta(minutes=5)))

    # ----------------------------------------------------------- meetings
    def plan_meetings(self) -> None:
        w = self.w
        held = self.days(70, 150)
        upcoming = self.until >= w.limit - timedelta(days=1)
        while held <= self.until + (timedelta(days=40) if upcoming else timedelta(0)):
            self.meeting(held)
            held = self.days(75, 170, base=held)

    def meeting(self, held: datetime) -> None:
        w, run = self.w, self.case
        ids: list[UUID] = []
        cancelled = w.rng.random() < 0.05
        self.at(held - timedelta(days=w.rng.uniform(16, 25)), lambda t: ids.append(schedule_meeting(w, run, t, held)))
        if cancelled:
            self.at(
                held - timedelta(days=2),
                lambda t: (
                    ids
                    and w.handle(
                        run, CancelMeeting, t, actor=run.coordinator, meeting_id=ids[0], reason="Koordinator er syk."
                    )
                ),
            )
            return
        self.at(held - timedelta(days=13), lambda t: ids and send_agenda(w, run, ids[0], held))
        if held <= self.until:
            self.at(held, lambda t: ids and self._held(ids[0], held))

    def _held(self, meeting_id: UUID, held: datetime) -> None:
        hold_meeting(self.w, self.case, meeting_id, held)
        self.at(held + timedelta(hours=2), lambda t: distribute_minutes(self.w, self.case, meeting_id, held))

    # -------------------------------------------------------- evaluations
    def plan_evaluations(self) -> None:
        w, run = self.w, self.case
        for goal_id, goal in run.goals.items():
            if goal.evaluate_by < self.until.date() and w.want("goal_not_evaluated", 0.15):
                w.breach("CHK-09")
                continue
            self.at(goal.evaluate_by - timedelta(days=w.rng.randint(0, 20)), lambda t, g=goal_id: self.evaluate(g, t))
        for activity_id, goal_id, due in run.activities:
            if w.rng.random() < 0.6:
                self.at(
                    due,
                    lambda t, a=activity_id, g=goal_id: (
                        not run.goals[g].closed
                        and w.handle(run, CompleteActivity, t, actor=run.coordinator, activity_id=a)
                    ),
                )

    def evaluate(self, goal_id: UUID, when: datetime) -> None:
        w, run = self.w, self.case
        goal = run.goals[goal_id]
        if goal.closed:
            return
        provider = next((a for a in run.team.values() if a.service == goal.service), None)
        status = w.rng.choices(list(EvaluationStatus), weights=(30, 35, 15, 20))[0]
        w.handle(
            run,
            EvaluateGoal,
            when,
            actor=provider or run.coordinator,
            goal_id=goal_id,
            status=status,
            note=_EVALUATION_NOTES[status],
        )
        if status is EvaluationStatus.ACHIEVED:
            if w.rng.random() < 0.7:
                w.handle(
                    run,
                    CloseGoal,
                    when + timedelta(minutes=20),
                    actor=run.coordinator,
                    goal_id=goal_id,
                    reason="Målet er nådd.",
                )
                goal.closed = True
            return
        goal.evaluate_by = goal.evaluate_by + timedelta(days=w.rng.randint(120, 240))
        w.handle(
            run,
            ReviseGoal,
            when + timedelta(minutes=20),
            actor=run.coordinator,
            goal_id=goal_id,
            text=goal.text,
            evaluate_by=goal.evaluate_by,
        )
        self.at(goal.evaluate_by - timedelta(days=w.rng.randint(0, 20)), lambda t: self.evaluate(goal_id, t))

    # ------------------------------------------------- reviews and status
    def plan_reviews(self) -> None:
        w, run = self.w, self.case
        months = run.profile.max_months_between_team_reviews
        if months is None and w.rng.random() < 0.5:
            return
        interval = (months or 12) * 30.4
        if months is not None and w.want("team_review_overdue", 0.25):
            if (self.until - self.start).days > interval:
                w.breach("CHK-08")
            return
        when = self.days(interval - 40, interval - 5)
        while when <= self.until:
            self.at(
                when,
                lambda t: w.handle(
                    run,
                    ReviewTeam,
                    t,
                    actor=run.coordinator,
                    continued_need=True,
                    composition_ok=w.rng.random() < 0.8,
                    note=w.rng.choice(_REVIEW_NOTES),
                ),
            )
            when = self.days(interval - 40, interval - 5, base=when)

    def plan_status_reports(self) -> None:
        w, run = self.w, self.case
        if not run.profile.yearly_status_report_to_ke:
            return
        when = self.days(320, 360)
        while when <= self.until:
            if w.want("status_report_missing", 0.2):
                w.breach("CHK-10")
            else:
                self.at(when, lambda t: w.handle(run, ReportStatus, t, actor=run.coordinator, still_active=True))
            when = self.days(330, 365, base=when)

    # -------------------------------------------------------- transitions
    def plan_transitions(self) -> None:
        """Steps of a child's school and adult life, when they fall in the period."""
        run = self.case
        if not run.child or run.person.expected:
            return
        born = run.person.birth
        school = date(born.year + 6, 8, 15)  # school starts in August of the year a child turns 6
        steps = [
            (
                TransitionKind.SCHOOL_TRANSFER_MEETING,
                school.replace(year=school.year - 1) - timedelta(days=60),
                school.replace(year=school.year - 1),
                "barnehage",
                "skole",
                "PPT",
            ),
            (
                TransitionKind.LOWER_SECONDARY,
                date(born.year + 12, 9, 1),
                date(born.year + 13, 6, 1),
                "barneskole",
                "ungdomsskole",
                "skole",
            ),
            (
                TransitionKind.UPPER_SECONDARY,
                date(born.year + 15, 1, 15),
                date(born.year + 16, 6, 1),
                "ungdomsskole",
                "videregående skole",
                "skole",
            ),
            (
                TransitionKind.ADULT_SERVICES,
                date(born.year + 17, 3, 1),
                date(born.year + 18, 3, 1),
                "barne- og familietjenesten",
                "NAV og voksentjenester",
                "NAV",
            ),
        ]
        for kind, planned, done, source, to, responsible in steps:
            if planned > self.start.date():
                self.at(
                    planned, lambda t, k=kind, d=done, s=source, o=to, r=responsible: self.transition(k, d, s, o, r, t)
                )

    def transition(
        self, kind: TransitionKind, done: date, source: str, to: str, responsible: str, when: datetime
    ) -> None:
        w, run = self.w, self.case
        created = w.handle(
            run,
            PlanTransition,
            when,
            actor=run.coordinator,
            kind=kind,
            from_service=source,
            to_service=to,
            responsible=responsible,
            due=done,
        ).created["transition_id"]
        late = kind is TransitionKind.SCHOOL_TRANSFER_MEETING and w.want("transfer_meeting_late", 0.25)
        w.breach("CHK-16", late and run.profile.age_based_transition_deadlines)
        finish = done + timedelta(days=w.rng.randint(120, 200) if late else -w.rng.randint(0, 20))
        self.at(finish, lambda t: w.handle(run, CompleteTransition, t, actor=run.coordinator, transition_id=created))

    # ------------------------------------------- people and consent change
    def plan_changes(self) -> None:
        w, run = self.w, self.case
        span = max((self.until - self.start).days, 30)

        def sometime() -> datetime:
            return self.days(20, span)

        if w.rng.random() < 0.08:
            self.at(sometime(), self.replace_coordinator)
        if w.rng.random() < 0.07:
            self.at(sometime(), self.substitute)
        if w.rng.random() < 0.2:
            self.at(sometime(), self.new_participant)
        if w.want("consent_withdrawn_for_participant", 0.1):
            self.at(sometime(), self.withdraw_for_participant)
        if run.goals and w.rng.random() < 0.3:
            goal_id = w.rng.choice(list(run.goals))
            self.at(
                sometime(),
                lambda t: (
                    not run.goals[goal_id].closed
                    and w.handle(
                        run,
                        AddComment,
                        t,
                        actor=run.coordinator,
                        goal_id=goal_id,
                        text="Koordinator har snakket med brukeren; tiltaket fungerer bedre etter justering.",
                    )
                ),
            )

    def _colleague(self) -> Actor | None:
        run = self.case
        others = [c for c in run.unit.coordinators if c.id != run.coordinator.id] if run.unit else []
        return self.w.rng.choice(others) if others else None

    def replace_coordinator(self, when: datetime) -> None:
        w, run = self.w, self.case
        new = self._colleague()
        # A child coordinator can only be replaced while the subject is under 18 (INV-03).
        if new is None or run.unit is None or run.person.age(when.date()) >= 17:
            return
        informed = w.rng.random() < 0.8
        w.handle(
            run,
            ReplaceCoordinator,
            when,
            actor=run.unit.leader,
            person=Person(new.id, new.name),
            unit=run.unit.name,
            reason="Koordinator har fått ny stilling.",
            subject_informed=informed,
        )
        w.breach("CHK-14", not informed)
        run.coordinator = new

    def substitute(self, when: datetime) -> None:
        w, run = self.w, self.case
        stand_in = self._colleague()
        if stand_in is None or run.unit is None:
            return
        w.handle(
            run,
            AssignSubstitute,
            when,
            actor=run.unit.leader,
            person=Person(stand_in.id, stand_in.name),
            unit=run.unit.name,
            until=(when + timedelta(days=42)).date(),
            subject_informed=True,
        )

    def new_participant(self, when: datetime) -> None:
        """A service joins; the consent is renewed to name it (CHK-03) — or not."""
        w, run = self.w, self.case
        missing = [
            s
            for s in (("skole", "fysioterapi") if run.child else ("hjemmetjenesten", "fysioterapi"))
            if not any(a.service == s for a in run.team.values())
        ]
        if not missing or add_participant(w, run, w.rng.choice(missing), when) is None:
            return
        if w.rng.random() < 0.75:
            consent(w, run)
        else:
            w.breach("CHK-03")

    def withdraw_for_participant(self, when: datetime) -> None:
        w, run = self.w, self.case
        consent_id, named = next(reversed(run.consents.items()), (None, ()))
        active = [pid for pid in named if pid in run.team]
        if consent_id is None or len(active) < 2:
            return
        leaving = w.rng.choice(active)
        w.handle(
            run,
            WithdrawConsent,
            when,
            actor=run.coordinator,
            consent_id=consent_id,
            scope=WithdrawalScope.PARTICIPANTS,
            participants=(leaving,),
            reason="Ønsker ikke at denne tjenesten får flere opplysninger.",
        )
        w.handle(
            run,
            RemoveParticipant,
            when + timedelta(days=w.rng.randint(0, 7)),
            actor=run.coordinator,
            participant_id=leaving,
            reason="Samtykket er trukket for denne deltakeren.",
        )
        del run.team[leaving]


_EVALUATION_NOTES = {
    EvaluationStatus.ACHIEVED: "Målet er nådd; brukeren er fornøyd.",
    EvaluationStatus.PARTLY_ACHIEVED: "God framgang, men målet er ikke helt nådd ennå.",
    EvaluationStatus.NOT_ACHIEVED: "Lite framgang; tiltakene må vurderes på nytt.",
    EvaluationStatus.ADJUSTED: "Målet er justert etter ønske fra brukeren.",
}
_REVIEW_NOTES = (
    "Teamet fungerer godt; behovet for koordinator og plan består.",
    "Sammensetningen justeres; fortsatt behov for koordinerte tjenester.",
    "Arbeidsformen endres til færre og kortere møter; behovet består.",
)
