"""The life of a case, end to end through commands: Scenario 1 of
SCENARIOS.md (Søndre Land, an adult who declines an individual plan),
recorded late with the dates it happened (`occurred_at`) while the ledger's
clock stands at 2026-11-22. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from commands.case_commands import (
    AddParticipant,
    AppointCoordinator,
    GrantConsent,
    HoldStartupConversation,
    OpenCase,
    RecordDecision,
    RequestCoordinator,
)
from commands.plan_commands import (
    DistributeMinutes,
    EstablishPlan,
    EvaluateGoal,
    HoldMeeting,
    ScheduleMeeting,
    SendAgenda,
    SetGoal,
)
from ledger.national_id import synthesize
from ledger.values import (
    ConsentGiverRole,
    CoordinatorKind,
    DecisionOutcome,
    EvaluationStatus,
    InfoCategory,
    LifeArea,
    Person,
    PlanTool,
    Provision,
    ReferrerKind,
    Role,
    Signer,
    Subject,
)
from tests.support.cases import actor, coordinator, ke
from tests.support.clock import TODAY

SONDRE_LAND = "3447"
BIRTH = date(1979, 4, 2)
NAME = "Per Testesen"
WHAT_MATTERS = "å bo i egen leilighet og ha en jobb å gå til"
GOAL_TEXT = "Jeg vil ha en fast jobb innen ett år"
CONSENTED = {InfoCategory.HEALTH, InfoCategory.ECONOMY, InfoCategory.WORK}


def on(day: str, hour: int = 10) -> datetime:
    """A scenario date at a working hour, in UTC."""
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


@dataclass
class Scenario:
    case_id: UUID
    national_id: str
    request_id: UUID
    meeting_id: UUID
    goal_id: UUID
    consent_id: UUID
    participants: dict[str, UUID] = field(default_factory=dict)


def sondre_land_adult_declining_ip(ledger: Any) -> Scenario:
    """Scenario 1, step by step, each command dated when it happened."""
    handle = ledger.app.handle
    nid = synthesize(BIRTH, 7)
    unit_leader = actor(Role.UNIT_LEADER, SONDRE_LAND, id="leder-1", name="Lise Leder")
    nav = actor(Role.SERVICE_PROVIDER, SONDRE_LAND, id="nav-1", name="Nina NAV", service="NAV")
    koord = coordinator(SONDRE_LAND)

    case_id = handle(
        OpenCase(
            actor=ke(SONDRE_LAND),
            municipality=SONDRE_LAND,
            subject=Subject(name=NAME, national_id=nid),
            requested=(Provision.COORDINATOR, Provision.INDIVIDUAL_PLAN),
            referrer_kind=ReferrerKind.GP,
            referrer_name="Fastlege Dr. Berg",
            reported_under_hpl_38a=True,
            occurred_at=on("2026-01-06"),
        )
    ).case_id
    handle(
        RecordDecision(
            actor=ke(SONDRE_LAND),
            case_id=case_id,
            outcome=DecisionOutcome.GRANTED,
            concerns=(Provision.COORDINATOR, Provision.INDIVIDUAL_PLAN),
            legal_basis="hol. §§ 7-1, 7-2",
            reasons="Behov for langvarige og koordinerte tjenester",
            complaint_deadline_weeks=4,
            occurred_at=on("2026-01-14"),
        )
    )
    request_id = handle(
        RequestCoordinator(
            actor=ke(SONDRE_LAND),
            case_id=case_id,
            unit="Psykisk helse og rus",
            unit_leader=Person("leder-1", "Lise Leder"),
            occurred_at=on("2026-01-15"),
        )
    ).created["request_id"]
    handle(
        AppointCoordinator(
            actor=unit_leader,
            case_id=case_id,
            person=Person("koord-1", "Kåre Koordinator"),
            unit="Psykisk helse og rus",
            kind=CoordinatorKind.COORDINATOR,
            subject_wish_heard=True,
            request_id=request_id,
            occurred_at=on("2026-02-12"),
        )
    )
    handle(
        HoldStartupConversation(
            actor=koord,
            case_id=case_id,
            what_matters=WHAT_MATTERS,
            interpreter_needed=False,
            occurred_at=on("2026-02-18"),
        )
    )

    participants = {}
    for key, person, service, role in (
        ("nav", Person("nav-1", "Nina NAV"), "NAV", "veileder"),
        ("gp", Person("gp-1", "Dr. Berg"), "fastlege", "fastlege"),
        ("psyk", Person("psyk-1", "Pål Psykiatrisk"), "psykisk helse", "miljøterapeut"),
    ):
        participants[key] = handle(
            AddParticipant(
                actor=koord, case_id=case_id, person=person, service=service, role=role, occurred_at=on("2026-02-20", 9)
            )
        ).created["participant_id"]
    team = tuple(participants.values())
    consent_id = handle(
        GrantConsent(
            actor=koord,
            case_id=case_id,
            given_by=Signer(ConsentGiverRole.SUBJECT, NAME, nid),
            participants=team,
            categories=tuple(CONSENTED),
            signed_how="papirskjema",
            occurred_at=on("2026-02-20"),
        )
    ).created["consent_id"]

    meeting_id = handle(
        ScheduleMeeting(
            actor=koord, case_id=case_id, scheduled_for=on("2026-03-16"), invitees=team, occurred_at=on("2026-03-09", 9)
        )
    ).created["meeting_id"]
    handle(
        SendAgenda(
            actor=koord,
            case_id=case_id,
            meeting_id=meeting_id,
            items=("Hva er viktig for deg?", "Individuell plan", "Arbeid"),
            agreed_with_subject=True,
            occurred_at=on("2026-03-09"),
        )
    )
    handle(
        HoldMeeting(
            actor=koord,
            case_id=case_id,
            meeting_id=meeting_id,
            attendees=team,
            subject_voice="Han snakket først: vil ha jobb og egen leilighet; takker nei til IP",
            minute_taker="Kåre Koordinator",
            informed_of_right_to_ip=True,
            occurred_at=on("2026-03-16"),
        )
    )
    handle(
        EstablishPlan(
            actor=koord,
            case_id=case_id,
            tool=PlanTool.MINUTES,
            informed_of_right_to_ip=True,
            ip_declined=True,
            occurred_at=on("2026-03-16", 11),
        )
    )
    goal_id = handle(
        SetGoal(
            actor=koord,
            case_id=case_id,
            text=GOAL_TEXT,
            life_area=LifeArea.EDUCATION_WORK,
            responsible_service="NAV",
            evaluate_by=date(2026, 9, 1),
            occurred_at=on("2026-03-16", 11),
        )
    ).created["goal_id"]
    handle(
        DistributeMinutes(
            actor=koord, case_id=case_id, meeting_id=meeting_id, recipients=team, occurred_at=on("2026-03-20")
        )
    )
    handle(
        EvaluateGoal(
            actor=nav,
            case_id=case_id,
            goal_id=goal_id,
            status=EvaluationStatus.PARTLY_ACHIEVED,
            note="Praksisplass fra juni",
            occurred_at=on("2026-08-25"),
        )
    )
    return Scenario(case_id, nid, request_id, meeting_id, goal_id, consent_id, participants)


def case_of(ledger: Any, s: Scenario) -> Any:
    return ledger.app.load_case(s.case_id, ke(SONDRE_LAND))


EXPECTED_EVENTS = [
    "CaseOpened",
    "DecisionRecorded",
    "CoordinatorRequested",
    "CoordinatorAppointed",
    "StartupConversationHeld",
    "TeamEstablished",
    "ParticipantAdded",
    "ParticipantAdded",
    "ParticipantAdded",
    "ConsentGranted",
    "MeetingScheduled",
    "AgendaSent",
    "MeetingHeld",
    "PlanEstablished",
    "GoalSet",
    "MinutesDistributed",
    "GoalEvaluated",
]


def test_the_case_records_every_step_in_order(ledger):
    """The history holds one event per step of Scenario 1, in the order they were recorded."""
    s = sondre_land_adult_declining_ip(ledger)
    events = ledger.app.case_events(s.case_id)
    assert [type(e).__name__ for e in events] == EXPECTED_EVENTS
    assert [e.originator_version for e in events] == list(range(1, len(EXPECTED_EVENTS) + 1))
    assert case_of(ledger, s).version == len(EXPECTED_EVENTS)


def test_every_step_keeps_the_date_it_happened_and_the_date_it_was_recorded(ledger):
    """Recorded late: occurred_at is the scenario's date, recorded_at the ledger's clock (INV-10)."""
    s = sondre_land_adult_declining_ip(ledger)
    events = ledger.app.case_events(s.case_id)
    assert events[0].occurred_at == on("2026-01-06")
    assert events[-1].occurred_at == on("2026-08-25")
    assert {e.recorded_at for e in events} == {TODAY}


def test_the_unit_leader_named_the_coordinator_28_days_after_the_request(ledger):
    """The coordinator from "Psykisk helse og rus" answers KE's request of 2026-01-15 on 2026-02-12."""
    s = sondre_land_adult_declining_ip(ledger)
    case = case_of(ledger, s)
    assert (case.coordinator.person_id, case.coordinator.unit, case.coordinator.kind) == (
        "koord-1",
        "Psykisk helse og rus",
        CoordinatorKind.COORDINATOR,
    )
    request = case.coordinator_requests[s.request_id]
    assert (request.answered_at - request.requested_at).days == 28
    appointed = ledger.app.case_events(s.case_id)[3]
    assert appointed.recorded_by.role is Role.UNIT_LEADER


def test_the_subjects_own_consent_is_in_force_from_the_day_he_gave_it(ledger):
    """He (46) consents himself on 2026-02-20 for NAV, GP and psykisk helse: health, economy, work."""
    s = sondre_land_adult_declining_ip(ledger)
    case = case_of(ledger, s)
    consent = case.consents[s.consent_id]
    assert consent.giver_role is ConsentGiverRole.SUBJECT
    assert consent.in_force(on("2026-02-20")) and consent.in_force(TODAY)
    assert not consent.in_force(on("2026-02-19"))
    assert consent.participants == set(s.participants.values())
    for person_id, service in (("nav-1", "NAV"), ("gp-1", "fastlege"), ("psyk-1", "psykisk helse")):
        assert case.readable_categories(person_id, service, TODAY) == CONSENTED
        assert case.readable_categories(person_id, service, on("2026-02-20", 9)) == set()


def test_declining_the_individual_plan_makes_minutes_the_tool_and_keeps_the_coordinator(ledger):
    """Told of his right to an IP at the first meeting, he declines it: the tool is minutes, the coordinator stays."""
    s = sondre_land_adult_declining_ip(ledger)
    case = case_of(ledger, s)
    assert case.plan_tool is PlanTool.MINUTES
    assert case.coordinator is not None and case.coordinator.person_id == "koord-1"
    established = next(e for e in ledger.app.case_events(s.case_id) if type(e).__name__ == "PlanEstablished")
    assert (established.informed_of_right_to_ip, established.ip_declined) == (True, True)


def test_the_goal_is_his_own_words_with_nav_responsible_and_partly_achieved(ledger):
    """The first-person goal on work, NAV responsible, evaluated partly achieved by NAV on 2026-08-25."""
    s = sondre_land_adult_declining_ip(ledger)
    goal = case_of(ledger, s).goals[s.goal_id]
    assert (goal.text, goal.life_area, goal.responsible_service, goal.evaluate_by) == (
        GOAL_TEXT,
        LifeArea.EDUCATION_WORK,
        "NAV",
        date(2026, 9, 1),
    )
    assert goal.evaluations == [(on("2026-08-25"), EvaluationStatus.PARTLY_ACHIEVED)]
    assert not goal.closed


def test_the_first_meeting_had_an_agreed_agenda_was_held_and_its_minutes_distributed(ledger):
    """Agenda 2026-03-09, meeting 2026-03-16 with his voice recorded, minutes 2026-03-20."""
    s = sondre_land_adult_declining_ip(ledger)
    meeting = case_of(ledger, s).meetings[s.meeting_id]
    assert (meeting.agenda_sent_at, meeting.held_at, meeting.minutes_at) == (
        on("2026-03-09"),
        on("2026-03-16"),
        on("2026-03-20"),
    )
    assert meeting.cancelled_at is None
    held = next(e for e in ledger.app.case_events(s.case_id) if type(e).__name__ == "MeetingHeld")
    assert held.subject_voice.startswith("Han snakket først")
    assert held.attendees == tuple(s.participants.values())


def test_the_team_has_the_name_sondre_land_uses(ledger):
    """Søndre Land's profile calls the team oppfølgingsteam."""
    s = sondre_land_adult_declining_ip(ledger)
    case = case_of(ledger, s)
    assert case.team_name == "oppfølgingsteam"
    assert {p.service for p in case.participants.values()} == {"NAV", "fastlege", "psykisk helse"}


def test_the_start_up_conversation_is_recorded_before_the_consent(ledger):
    """What matters to him is recorded on 2026-02-18, with no interpreter needed."""
    s = sondre_land_adult_declining_ip(ledger)
    startup = next(e for e in ledger.app.case_events(s.case_id) if type(e).__name__ == "StartupConversationHeld")
    assert (startup.what_matters, startup.interpreter_needed, startup.occurred_at) == (
        WHAT_MATTERS,
        False,
        on("2026-02-18"),
    )
    assert case_of(ledger, s).startup_at == on("2026-02-18")
