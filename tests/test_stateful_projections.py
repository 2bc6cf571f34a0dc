"""No poison event, by property: random sequences of commands through the command service,
with times and dates anywhere in the calendar (year 1 to 9999, every offset), and after each
sequence every read answers through the read service and every projection has reached the
head of the log with no case set aside. On both stores.

Commands the ledger refuses are part of the sequence (a refusal is an answer); only what it
accepts is stored, and everything stored must be readable, projectable, judgeable and
renderable. The budget is fixed and the examples derived deterministically, so CI runs the
same sequences every time.
"""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    multiple,
    precondition,
    rule,
    run_state_machine_as_test,
)

from app.bootstrap import Ledger, build
from audit.duties.duties import duties_of
from commands import case_commands as cc
from commands import plan_commands as pc
from ledger.errors import DomainError
from ledger.national_id import synthesize
from ledger.values import (
    ComplaintDecider,
    ComplaintOutcome,
    ConsentGiverRole,
    CoordinatorKind,
    DecisionOutcome,
    EvaluationStatus,
    Guardian,
    InfoCategory,
    LifeArea,
    Person,
    PlanTool,
    Provision,
    ReferrerKind,
    Signer,
    Subject,
    TransitionKind,
    WithdrawalScope,
)
from tests.support.cases import ke
from tests.support.clock import TODAY
from tests.support.stores import settings_for

# ------------------------------------------------------------------ values at the calendar's ends
EDGE_MOMENTS = [
    datetime(1, 1, 1, tzinfo=UTC),
    datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=23, minutes=59))),  # before year 1 in UTC
    datetime(1, 1, 2, 12, tzinfo=UTC),
    datetime(9999, 12, 31, 23, 0, tzinfo=UTC),  # the meeting of issue 10
    datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    datetime(9999, 12, 31, 12, tzinfo=timezone(timedelta(hours=-23, minutes=-59))),  # after year 9999 in UTC
    TODAY,
    TODAY + timedelta(days=1),
    TODAY - timedelta(days=400),
]
EDGE_DAYS = [date.min, date(1, 1, 2), date.max, date(9999, 12, 30), TODAY.date(), TODAY.date() + timedelta(days=13)]
OFFSETS = [UTC, timezone(timedelta(hours=14)), timezone(timedelta(hours=-12)), timezone(timedelta(minutes=-1))]

moments = st.one_of(
    st.sampled_from(EDGE_MOMENTS),
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31), timezones=st.sampled_from(OFFSETS)),
)
# When things happened: the ledger refuses the future, so mostly the past (year 1 included).
past = st.one_of(
    st.sampled_from([m for m in EDGE_MOMENTS if m.year < 9999 and m <= TODAY]),
    st.datetimes(min_value=datetime(1, 1, 1), max_value=TODAY.replace(tzinfo=None), timezones=st.just(UTC)),
)
days = st.one_of(st.sampled_from(EDGE_DAYS), st.dates())
maybe_moment = st.one_of(st.none(), st.none(), past, moments)
maybe_day = st.one_of(st.none(), days)
provisions = st.lists(st.sampled_from(list(Provision)), min_size=1, max_size=4, unique=True).map(tuple)
text = st.sampled_from(["Å bo for seg selv", "x", "Møte\nmed\tNAV", "Ærlig talt – «sitat»", "\x00nul"])

MAX_CASES = 3


class LedgerMachine(RuleBasedStateMachine):
    """Drives one fresh ledger per example (built by `fresh`, set by the test)."""

    fresh: Any = None  # () -> Ledger

    cases = Bundle("cases")
    meetings = Bundle("meetings")
    goals = Bundle("goals")
    consents = Bundle("consents")
    participants = Bundle("participants")
    complaints = Bundle("complaints")
    activities = Bundle("activities")
    transitions = Bundle("transitions")

    def __init__(self) -> None:
        super().__init__()
        self.ledger: Ledger = type(self).fresh()
        self.case_ids: list[UUID] = []
        self.team: dict[UUID, list[UUID]] = {}  # participants added, per case
        self.people = itertools.count()
        self.accepted = 0

    # ---------------------------------------------------------------- helpers
    def act(self, command: Any) -> Any:
        """The command's result, or None if the ledger refused it (a refusal is a domain answer)."""
        try:
            result = self.ledger.app.handle(command)
        except DomainError:
            return None
        self.accepted += 1
        return result

    def created(self, command: Any, case_id: UUID, name: str) -> Any:
        result = self.act(command)
        return multiple() if result is None else (case_id, result.created[name])

    # ---------------------------------------------------------------- cases
    @precondition(lambda self: len(self.case_ids) < MAX_CASES)
    @rule(
        target=cases,
        requested=provisions,
        birth=st.one_of(st.sampled_from([date(1979, 4, 2), date(2015, 6, 1)]), days),
        with_national_id=st.booleans(),
        received_at=maybe_moment,
        occurred_at=maybe_moment,
    )
    def open_case(self, requested, birth, with_national_id, received_at, occurred_at):
        n = next(self.people)
        national_id = None
        if with_national_id and 1854 <= birth.year <= 2039:
            national_id = synthesize(birth, n)
        subject = Subject(birth_date=None if national_id else birth, name=f"Person {n}", national_id=national_id)
        result = self.act(
            cc.OpenCase(
                actor=ke(),
                municipality="3447",
                subject=subject,
                requested=requested,
                referrer_kind=ReferrerKind.GP,
                received_at=received_at,
                occurred_at=occurred_at,
            )
        )
        if result is None:
            return multiple()
        self.case_ids.append(result.case_id)
        return result.case_id

    @precondition(lambda self: len(self.case_ids) < MAX_CASES)
    @rule(target=cases, opened_at=st.one_of(st.none(), past), child=st.booleans())
    def open_running_case(self, opened_at, child):
        """A case walked to where most commands apply: decided, coordinator, team, plan."""
        n = next(self.people)
        birth = date(2015, 6, 1) if child else date(1979, 4, 2)
        opened = self.act(
            cc.OpenCase(
                actor=ke(),
                municipality="3447",
                subject=Subject(national_id=synthesize(birth, n), name=f"Person {n}"),
                guardians=(Guardian("Mor", synthesize(date(1980, 1, 1), n)),) if child else (),
                requested=(Provision.CHILD_COORDINATOR if child else Provision.COORDINATOR,),
                referrer_kind=ReferrerKind.GP,
                occurred_at=opened_at,
            )
        )
        if opened is None:
            return multiple()
        case = opened.case_id
        self.case_ids.append(case)
        kind = CoordinatorKind.CHILD_COORDINATOR if child else CoordinatorKind.COORDINATOR
        for command in (
            cc.RecordDecision(
                actor=ke(),
                case_id=case,
                outcome=DecisionOutcome.GRANTED,
                concerns=(Provision.CHILD_COORDINATOR if child else Provision.COORDINATOR,),
                legal_basis="hol. § 7-2",
                reasons="Behov",
            ),
            cc.AppointCoordinator(
                actor=ke(), case_id=case, person=Person("koord-1", "Kåre"), unit="u", kind=kind, subject_wish_heard=True
            ),
            pc.EstablishPlan(actor=ke(), case_id=case, tool=PlanTool.MINUTES),
        ):
            self.act(command)
        self.add_participant(case, None)
        return case

    @rule(case=cases, outcome=st.sampled_from(list(DecisionOutcome)), concerns=provisions, occurred_at=maybe_moment)
    def decide(self, case, outcome, concerns, occurred_at):
        self.act(
            cc.RecordDecision(
                actor=ke(),
                case_id=case,
                outcome=outcome,
                concerns=concerns,
                legal_basis="hol. § 7-2",
                reasons="Behov",
                occurred_at=occurred_at,
            )
        )

    @rule(case=cases, occurred_at=maybe_moment)
    def request_coordinator(self, case, occurred_at):
        self.act(
            cc.RequestCoordinator(
                actor=ke(),
                case_id=case,
                unit="Psykisk helse",
                unit_leader=Person("l1", "Leder"),
                occurred_at=occurred_at,
            )
        )

    @rule(case=cases, kind=st.sampled_from(list(CoordinatorKind)), occurred_at=maybe_moment)
    def appoint(self, case, kind, occurred_at):
        self.act(
            cc.AppointCoordinator(
                actor=ke(),
                case_id=case,
                person=Person("koord-1", "Kåre"),
                unit="Psykisk helse",
                kind=kind,
                subject_wish_heard=True,
                occurred_at=occurred_at,
            )
        )

    @rule(case=cases, until=maybe_day, occurred_at=maybe_moment)
    def substitute(self, case, until, occurred_at):
        self.act(
            cc.AssignSubstitute(
                actor=ke(), case_id=case, person=Person("vikar", "Vera"), unit="u", until=until, occurred_at=occurred_at
            )
        )

    @rule(case=cases, occurred_at=maybe_moment)
    def replace_or_release(self, case, occurred_at):
        if self.act(
            cc.ReplaceCoordinator(
                actor=ke(), case_id=case, person=Person("k2", "Kari"), unit="u2", occurred_at=occurred_at
            )
        ):
            return
        self.act(cc.ReleaseCoordinator(actor=ke(), case_id=case, occurred_at=occurred_at))

    @rule(case=cases, words=text, occurred_at=maybe_moment)
    def startup(self, case, words, occurred_at):
        self.act(
            cc.HoldStartupConversation(
                actor=ke(), case_id=case, what_matters=words, interpreter_needed=False, occurred_at=occurred_at
            )
        )

    @rule(target=participants, case=cases, occurred_at=maybe_moment)
    def add_participant(self, case, occurred_at):
        n = next(self.people)
        added = self.created(
            cc.AddParticipant(
                actor=ke(),
                case_id=case,
                person=Person(f"p{n}", "Nina"),
                service="NAV",
                role="veileder",
                occurred_at=occurred_at,
            ),
            case,
            "participant_id",
        )
        if isinstance(added, tuple):
            self.team.setdefault(case, []).append(added[1])
        return added

    @rule(item=consumes(participants), occurred_at=maybe_moment)
    def remove_participant(self, item, occurred_at):
        case, participant = item
        self.act(cc.RemoveParticipant(actor=ke(), case_id=case, participant_id=participant, occurred_at=occurred_at))

    @rule(
        target=consents,
        case=cases,
        categories=st.lists(st.sampled_from(list(InfoCategory)), min_size=1, max_size=3, unique=True).map(tuple),
        valid_until=maybe_day,
        occurred_at=maybe_moment,
    )
    def grant_consent(self, case, categories, valid_until, occurred_at):
        team = tuple(self.team.get(case, ()))
        return self.created(
            cc.GrantConsent(
                actor=ke(),
                case_id=case,
                given_by=Signer(ConsentGiverRole.SUBJECT, "Person"),
                participants=team,
                services=() if team else ("NAV",),
                categories=categories,
                valid_until=valid_until,
                occurred_at=occurred_at,
            ),
            case,
            "consent_id",
        )

    @rule(item=consents, scope=st.sampled_from(list(WithdrawalScope)), occurred_at=maybe_moment)
    def withdraw_consent(self, item, scope, occurred_at):
        case, consent = item
        self.act(
            cc.WithdrawConsent(
                actor=ke(),
                case_id=case,
                consent_id=consent,
                scope=scope,
                categories=(InfoCategory.HEALTH,) if scope is WithdrawalScope.CATEGORIES else (),
                participants=tuple(self.team.get(case, ()))[:1] if scope is WithdrawalScope.PARTICIPANTS else (),
                occurred_at=occurred_at,
            )
        )

    @rule(item=consents, occurred_at=maybe_moment)
    def expire_consent(self, item, occurred_at):
        case, consent = item
        self.act(cc.ExpireConsent(actor=ke(), case_id=case, consent_id=consent, occurred_at=occurred_at))

    # ---------------------------------------------------------------- plan
    @rule(case=cases, tool=st.sampled_from(list(PlanTool)), occurred_at=maybe_moment)
    def establish_plan(self, case, tool, occurred_at):
        self.act(pc.EstablishPlan(actor=ke(), case_id=case, tool=tool, occurred_at=occurred_at))

    @rule(case=cases, area=st.sampled_from(list(LifeArea)), words=text, occurred_at=maybe_moment)
    def assess(self, case, area, words, occurred_at):
        self.act(pc.AssessLifeArea(actor=ke(), case_id=case, life_area=area, situation=words, occurred_at=occurred_at))

    @rule(target=goals, case=cases, evaluate_by=days, words=text, occurred_at=maybe_moment)
    def set_goal(self, case, evaluate_by, words, occurred_at):
        return self.created(
            pc.SetGoal(
                actor=ke(),
                case_id=case,
                text=words,
                life_area=LifeArea.HOUSING,
                responsible_service="NAV",
                evaluate_by=evaluate_by,
                occurred_at=occurred_at,
            ),
            case,
            "goal_id",
        )

    @rule(item=goals, evaluate_by=days, occurred_at=maybe_moment)
    def revise_goal(self, item, evaluate_by, occurred_at):
        case, goal = item
        self.act(
            pc.ReviseGoal(
                actor=ke(),
                case_id=case,
                goal_id=goal,
                text="Ny tekst",
                evaluate_by=evaluate_by,
                occurred_at=occurred_at,
            )
        )

    @rule(item=goals, status=st.sampled_from(list(EvaluationStatus)), occurred_at=maybe_moment)
    def evaluate_goal(self, item, status, occurred_at):
        case, goal = item
        self.act(pc.EvaluateGoal(actor=ke(), case_id=case, goal_id=goal, status=status, occurred_at=occurred_at))

    @rule(target=activities, item=goals, due=maybe_day, occurred_at=maybe_moment)
    def plan_activity(self, item, due, occurred_at):
        case, goal = item
        return self.created(
            pc.PlanActivity(
                actor=ke(),
                case_id=case,
                goal_id=goal,
                what="Søke bolig",
                responsible_service="NAV",
                due=due,
                occurred_at=occurred_at,
            ),
            case,
            "activity_id",
        )

    @rule(item=activities, occurred_at=maybe_moment)
    def complete_activity(self, item, occurred_at):
        case, activity = item
        self.act(pc.CompleteActivity(actor=ke(), case_id=case, activity_id=activity, occurred_at=occurred_at))

    @rule(item=goals, occurred_at=maybe_moment)
    def close_goal(self, item, occurred_at):
        case, goal = item
        self.act(pc.CloseGoal(actor=ke(), case_id=case, goal_id=goal, occurred_at=occurred_at))

    # ---------------------------------------------------------------- meetings
    @rule(target=meetings, case=cases, when=moments, occurred_at=maybe_moment)
    def schedule_meeting(self, case, when, occurred_at):
        team = tuple(self.team.get(case, ()))
        return self.created(
            pc.ScheduleMeeting(actor=ke(), case_id=case, scheduled_for=when, invitees=team, occurred_at=occurred_at),
            case,
            "meeting_id",
        )

    @rule(item=meetings, agreed=st.booleans(), occurred_at=maybe_moment)
    def send_agenda(self, item, agreed, occurred_at):
        case, meeting = item
        self.act(
            pc.SendAgenda(
                actor=ke(),
                case_id=case,
                meeting_id=meeting,
                items=("Status", "Mål"),
                agreed_with_subject=agreed,
                occurred_at=occurred_at,
            )
        )

    @rule(item=meetings, next_meeting=maybe_day, occurred_at=maybe_moment)
    def hold_meeting(self, item, next_meeting, occurred_at):
        case, meeting = item
        team = tuple(self.team.get(case, ()))
        self.act(
            pc.HoldMeeting(
                actor=ke(),
                case_id=case,
                meeting_id=meeting,
                attendees=team,
                subject_voice="Vil bo hjemme",
                next_meeting=next_meeting,
                occurred_at=occurred_at,
            )
        )

    @rule(item=meetings, occurred_at=maybe_moment)
    def distribute_minutes(self, item, occurred_at):
        case, meeting = item
        team = tuple(self.team.get(case, ()))
        self.act(
            pc.DistributeMinutes(actor=ke(), case_id=case, meeting_id=meeting, recipients=team, occurred_at=occurred_at)
        )

    @rule(item=consumes(meetings), occurred_at=maybe_moment)
    def cancel_meeting(self, item, occurred_at):
        case, meeting = item
        self.act(pc.CancelMeeting(actor=ke(), case_id=case, meeting_id=meeting, occurred_at=occurred_at))

    @rule(case=cases, need=st.booleans(), occurred_at=maybe_moment)
    def review(self, case, need, occurred_at):
        self.act(pc.ReviewTeam(actor=ke(), case_id=case, continued_need=need, occurred_at=occurred_at))

    @rule(case=cases, occurred_at=maybe_moment)
    def report_status(self, case, occurred_at):
        self.act(pc.ReportStatus(actor=ke(), case_id=case, still_active=True, occurred_at=occurred_at))

    @rule(target=transitions, case=cases, kind=st.sampled_from(list(TransitionKind)), due=maybe_day)
    def plan_transition(self, case, kind, due):
        return self.created(
            pc.PlanTransition(
                actor=ke(), case_id=case, kind=kind, from_service="Skole", to_service="NAV", responsible="K", due=due
            ),
            case,
            "transition_id",
        )

    @rule(item=transitions, occurred_at=maybe_moment)
    def complete_transition(self, item, occurred_at):
        case, transition = item
        self.act(pc.CompleteTransition(actor=ke(), case_id=case, transition_id=transition, occurred_at=occurred_at))

    # ---------------------------------------------------------------- closing, complaints, erasure
    @rule(case=cases, occurred_at=maybe_moment)
    def close(self, case, occurred_at):
        self.act(
            pc.CloseCase(
                actor=ke(),
                case_id=case,
                reason="Flyttet",
                assessment="Ferdig",
                agreed_by_subject=True,
                occurred_at=occurred_at,
            )
        )

    @rule(case=cases, occurred_at=maybe_moment)
    def notify_closure(self, case, occurred_at):
        self.act(pc.NotifyClosure(actor=ke(), case_id=case, ke_notified=True, occurred_at=occurred_at))

    @rule(case=cases, occurred_at=maybe_moment)
    def reopen(self, case, occurred_at):
        self.act(pc.ReopenCase(actor=ke(), case_id=case, occurred_at=occurred_at))

    @rule(case=cases)
    def export(self, case):
        self.act(pc.ExportPlan(actor=ke(), case_id=case, format="json"))

    @rule(case=cases)
    def erase(self, case):
        self.act(pc.EraseCase(actor=ke(), case_id=case))

    @rule(target=complaints, case=cases, received_at=maybe_moment, occurred_at=maybe_moment)
    def complain(self, case, received_at, occurred_at):
        return self.created(
            pc.ReceiveComplaint(
                actor=ke(),
                case_id=case,
                concerns=(Provision.COORDINATOR,),
                text="Klage",
                received_at=received_at,
                occurred_at=occurred_at,
            ),
            case,
            "complaint_id",
        )

    @rule(item=complaints, outcome=st.sampled_from(list(ComplaintOutcome)), occurred_at=maybe_moment)
    def decide_complaint(self, item, outcome, occurred_at):
        case, complaint = item
        self.act(
            pc.DecideComplaint(
                actor=ke(),
                case_id=case,
                complaint_id=complaint,
                decided_by=ComplaintDecider.MUNICIPALITY,
                outcome=outcome,
                occurred_at=occurred_at,
            )
        )

    # ---------------------------------------------------------------- the property
    @rule()
    def everything_answers(self):
        self.check_everything(render=False)

    def teardown(self):
        try:
            self.check_everything(render=True)
        finally:
            self.ledger.close()

    def check_everything(self, *, render: bool) -> None:
        ledger = self.ledger
        reads = ledger.reads
        ledger.projections.catch_up()
        head = reads.log_head()
        for name in ledger.projections.projections:
            assert ledger.projections.position(name) == head, name
        assert [f.line() for f in ledger.projections.failures()] == []
        reader = ke()
        for case_id in self.case_ids:
            reads.cases.case(reader, case_id)
            for moment in (EDGE_MOMENTS[0], EDGE_MOMENTS[4], TODAY):
                reads.cases.case(reader, case_id, as_of=moment)
                reads.cases.case(reader, case_id, known_at=moment)
            reads.cases.history(reader, case_id)
            reads.cases.access_log(reader, case_id)
            reads.cases.compliance(reader, case_id)
            reads.cases.report(reader, case_id)
            events = ledger.app.case_events(case_id)
            duties_of(events, ledger.app.profile("3447"), ledger.clock())
            if render:
                for fmt in ("html", "pdf"):
                    reads.cases.issue_report(reader, case_id, fmt)
        reads.overviews.breaches(reader)
        reads.overviews.breaches(reader, due_before=date.max)
        reads.overviews.coordinators(reader)
        reads.overviews.teams(reader)
        assert reads.integrity.verify_chain().ok


def _fresh_ledger(backend: str, tmp_path: Path, pg_database: str | None, clock: Any) -> Any:
    counter = itertools.count()

    def fresh() -> Ledger:
        n = next(counter)
        if backend == "sqlite":
            url = f"sqlite:///{tmp_path}/ledger-{n}.db"
        else:
            schema = f"h_{uuid.uuid4().hex[:12]}"
            with psycopg.connect(pg_database, autocommit=True) as conn:
                conn.execute(f'CREATE SCHEMA "{schema}"')
            url = f"{pg_database}?schema={schema}"
        clock.set(TODAY)
        return build(settings_for(url, tmp_path / "secrets"), clock=clock)

    return fresh


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_every_accepted_command_sequence_stays_readable_and_projectable(backend, tmp_path, clock, request):
    """Random sequences of commands with dates anywhere in the calendar: every read answers and every
    projection reaches the head of the log, with no case set aside as failed."""
    pg = request.getfixturevalue("pg_database") if backend == "postgres" else None
    LedgerMachine.fresh = staticmethod(_fresh_ledger(backend, tmp_path, pg, clock))
    run_state_machine_as_test(
        LedgerMachine,
        settings=settings(
            max_examples=12,
            stateful_step_count=30,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            # No shrinking: the failing sequence is printed as it ran, and CI's time stays bounded.
            phases=[Phase.explicit, Phase.generate],
        ),
    )
