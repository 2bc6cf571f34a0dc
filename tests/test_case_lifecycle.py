"""The life of a case, end to end through commands: Scenario 1 of
SCENARIOS.md (Søndre Land, an adult who declines an individual plan, told
once in demo/scenarios.py), recorded late with the dates it happened
(`occurred_at`) while the ledger's clock stands at 2026-11-22. Runs on SQLite
and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from demo.scenarios import SCENARIO_1, Told
from ledger.events import (
    CaseOpened,
    ConsentGranted,
    CoordinatorAppointed,
    CoordinatorRequested,
    DecisionRecorded,
    ParticipantAdded,
    StartupConversationHeld,
    TeamEstablished,
)
from ledger.events_plan import (
    AgendaSent,
    GoalEvaluated,
    GoalSet,
    MeetingHeld,
    MeetingScheduled,
    MinutesDistributed,
    PlanEstablished,
)
from ledger.values import (
    ConsentGiverRole,
    CoordinatorKind,
    EvaluationStatus,
    InfoCategory,
    LifeArea,
    PlanTool,
    Role,
)
from tests.support.cases import ke
from tests.support.clock import TODAY
from tests.support.scenarios import tell

SONDRE_LAND = "3447"
WHAT_MATTERS = "å bo i egen leilighet og ha en jobb å gå til"
GOAL_TEXT = "Jeg vil ha en fast jobb innen ett år"
CONSENTED = {InfoCategory.HEALTH, InfoCategory.ECONOMY, InfoCategory.WORK}
# The participants of the tests' cast (tests/support/scenarios.py), in the order they joined.
TEAM = (("nav-1", "NAV"), ("gp-1", "fastlege"), ("psyk-1", "psykisk helse"))


def on(day: str, hour: int = 10) -> datetime:
    """A scenario date at a working hour, in UTC."""
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


def sondre_land_adult_declining_ip(ledger: Any) -> Told:
    """Scenario 1, step by step, each command dated when it happened."""
    return tell(ledger, SCENARIO_1)


def case_of(ledger: Any, s: Told) -> Any:
    return ledger.app.load_case(s.case_id, ke(SONDRE_LAND))


EXPECTED_EVENTS = [
    CaseOpened,
    DecisionRecorded,
    CoordinatorRequested,
    CoordinatorAppointed,
    StartupConversationHeld,
    TeamEstablished,
    ParticipantAdded,
    ParticipantAdded,
    ParticipantAdded,
    ConsentGranted,
    MeetingScheduled,
    AgendaSent,
    MeetingHeld,
    PlanEstablished,
    GoalSet,
    MinutesDistributed,
    GoalEvaluated,
]


def test_the_case_records_every_step_in_order(ledger):
    """The history holds one event per step of Scenario 1, in the order they were recorded."""
    s = sondre_land_adult_declining_ip(ledger)
    events = ledger.app.case_events(s.case_id)
    assert [type(e) for e in events] == EXPECTED_EVENTS
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
    request = case.coordinator_requests[s.ids["request"]]
    assert (request.answered_at - request.requested_at).days == 28
    appointed = ledger.app.case_events(s.case_id)[3]
    assert appointed.recorded_by.role is Role.UNIT_LEADER


def test_the_subjects_own_consent_is_in_force_from_the_day_he_gave_it(ledger):
    """He (46) consents himself on 2026-02-20 for NAV, GP and psykisk helse: health, economy, work."""
    s = sondre_land_adult_declining_ip(ledger)
    case = case_of(ledger, s)
    consent = case.consents[s.ids["consent"]]
    assert consent.giver_role is ConsentGiverRole.SUBJECT
    assert consent.in_force(on("2026-02-20")) and consent.in_force(TODAY)
    assert not consent.in_force(on("2026-02-19"))
    assert consent.participants == set(s.team)
    for person_id, service in TEAM:
        assert case.readable_categories(person_id, service, TODAY) == CONSENTED
        assert case.readable_categories(person_id, service, on("2026-02-20", 9)) == set()


def test_declining_the_individual_plan_makes_minutes_the_tool_and_keeps_the_coordinator(ledger):
    """Told of his right to an IP at the first meeting, he declines it: the tool is minutes, the coordinator stays."""
    s = sondre_land_adult_declining_ip(ledger)
    case = case_of(ledger, s)
    assert case.plan_tool is PlanTool.MINUTES
    assert case.coordinator is not None and case.coordinator.person_id == "koord-1"
    established = next(e for e in ledger.app.case_events(s.case_id) if isinstance(e, PlanEstablished))
    assert (established.informed_of_right_to_ip, established.ip_declined) == (True, True)


def test_the_goal_is_his_own_words_with_nav_responsible_and_partly_achieved(ledger):
    """The first-person goal on work, NAV responsible, evaluated partly achieved by NAV on 2026-08-25."""
    s = sondre_land_adult_declining_ip(ledger)
    goal = case_of(ledger, s).goals[s.ids["goal"]]
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
    meeting = case_of(ledger, s).meetings[s.ids["meeting"]]
    assert (meeting.agenda_sent_at, meeting.held_at, meeting.minutes_at) == (
        on("2026-03-09"),
        on("2026-03-16"),
        on("2026-03-20"),
    )
    assert meeting.cancelled_at is None
    held = next(e for e in ledger.app.case_events(s.case_id) if isinstance(e, MeetingHeld))
    assert held.subject_voice.startswith("Han snakket først")
    assert held.attendees == s.team


def test_the_team_has_the_name_sondre_land_uses(ledger):
    """Søndre Land's profile calls the team oppfølgingsteam."""
    s = sondre_land_adult_declining_ip(ledger)
    case = case_of(ledger, s)
    assert case.team_name == "oppfølgingsteam"
    assert {p.service for p in case.participants.values()} == {"NAV", "fastlege", "psykisk helse"}


def test_the_start_up_conversation_is_recorded_before_the_consent(ledger):
    """What matters to him is recorded on 2026-02-18, with no interpreter needed."""
    s = sondre_land_adult_declining_ip(ledger)
    startup = next(e for e in ledger.app.case_events(s.case_id) if isinstance(e, StartupConversationHeld))
    assert (startup.what_matters, startup.interpreter_needed, startup.occurred_at) == (
        WHAT_MATTERS,
        False,
        on("2026-02-18"),
    )
    assert case_of(ledger, s).startup_at == on("2026-02-18")
