"""Duties per person (issue #11): each duty kind's deadline and assignee under each municipal profile,
from events built in memory; a profile that sets no deadline gives no duty."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from audit.compliance import CHECKS, CheckStatus
from audit.compliance.result import Task
from audit.compliance.timeline import Timeline
from audit.duties import Assignee, AssigneeKind, Duty, DutyStatus, duties_of
from ledger.profiles import PROFILES, profile_for
from ledger.values import EvaluationStatus, TransitionKind
from tests.support.duty_story import (
    COORDINATOR,
    FATHER,
    MOTHER,
    OSLO,
    SELBU,
    SONDRE_LAND,
    SUBSTITUTE,
    SUNNFJORD,
    UNIT,
    UNIT_LEADER,
    VESTRE_TOTEN,
    Story,
    at,
    rich_story,
)

THE_COORDINATOR = Assignee(AssigneeKind.COORDINATOR, COORDINATOR.id, UNIT)


def duties(story: Story, now: datetime, task: Task | None = None) -> list[Duty]:
    found = duties_of(story.events, profile_for(story.municipality), now)
    return [d for d in found if task is None or d.task is task]


def only(story: Story, now: datetime, task: Task) -> Duty:
    found = duties(story, now, task)
    assert len(found) == 1, found
    return found[0]


def running(municipality: str = SONDRE_LAND, **kw) -> Story:
    """Opened 5 Jan 2026, coordinator appointed 6 Jan, NAV in the team."""
    story = Story(municipality, **kw)
    story.appoint(at(2026, 1, 6))
    story.team(at(2026, 1, 6))
    return story


# ------------------------------------------------------------------ CHK-01
def test_the_unit_leader_a_request_names_must_name_a_coordinator_within_the_profiles_days():
    """Søndre Land gives the unit leader 14 days: upcoming until the 14th day, overdue after it."""
    story = Story(SONDRE_LAND)
    request_id = story.request(at(2026, 1, 5))
    duty = only(story, at(2026, 1, 10), Task.NAME_COORDINATOR)
    assert duty.rule == "CHK-01"
    assert duty.assignee == Assignee(AssigneeKind.UNIT_LEADER, UNIT_LEADER.id, UNIT)
    assert (duty.deadline, duty.status, duty.item) == (date(2026, 1, 19), DutyStatus.UPCOMING, str(request_id))
    assert duty.due_at == datetime(2026, 1, 19, 23, tzinfo=UTC)  # the end of the 19th in Norway
    assert only(story, at(2026, 1, 20), Task.NAME_COORDINATOR).status is DutyStatus.OVERDUE


@pytest.mark.parametrize("municipality", [SUNNFJORD, SELBU, VESTRE_TOTEN])
def test_a_profile_without_a_naming_deadline_gives_the_unit_leader_no_duty(municipality):
    """The check is not applicable there, and so no duty is made up."""
    story = Story(municipality)
    story.request(at(2026, 1, 5))
    assert CHECKS["CHK-01"](Timeline(story.events, at(2026, 1, 10)), profile_for(municipality)).status is (
        CheckStatus.NOT_APPLICABLE
    )
    assert duties(story, at(2026, 1, 10), Task.NAME_COORDINATOR) == []


def test_an_answered_request_leaves_no_duty():
    story = Story(OSLO)
    story.request(at(2026, 1, 5))
    story.appoint(at(2026, 1, 8))
    assert duties(story, at(2026, 1, 10), Task.NAME_COORDINATOR) == []


# ------------------------------------------------------------------ CHK-02
@pytest.mark.parametrize("municipality", [SONDRE_LAND, SUNNFJORD, SELBU, VESTRE_TOTEN, OSLO])
def test_the_coordinator_must_hold_the_startup_conversation_before_the_scheduled_meeting(municipality):
    """Every profile: the deadline is the meeting's start."""
    story = running(municipality)
    story.schedule(at(2026, 1, 7), at(2026, 2, 10, 9))
    duty = only(story, at(2026, 1, 20), Task.STARTUP_CONVERSATION)
    assert (duty.rule, duty.assignee, duty.status) == ("CHK-02", THE_COORDINATOR, DutyStatus.UPCOMING)
    assert (duty.deadline, duty.due_at) == (date(2026, 2, 10), at(2026, 2, 10, 9))


def test_no_meeting_scheduled_means_no_deadline_yet_for_the_startup_conversation():
    story = running(OSLO)
    assert duties(story, at(2026, 1, 20), Task.STARTUP_CONVERSATION) == []


def test_a_startup_conversation_missed_before_the_first_meeting_is_overdue_until_held():
    story = running(OSLO)
    story.meeting(at(2026, 2, 10))
    duty = only(story, at(2026, 2, 12), Task.STARTUP_CONVERSATION)
    assert (duty.status, duty.deadline) == (DutyStatus.OVERDUE, date(2026, 2, 10))
    story.startup(at(2026, 2, 13))
    assert duties(story, at(2026, 2, 14), Task.STARTUP_CONVERSATION) == []


# ------------------------------------------------------------------ CHK-04
@pytest.mark.parametrize("municipality", [SELBU, OSLO])
def test_the_agenda_is_due_the_profiles_days_before_a_coming_meeting(municipality):
    """Selbu and the national default: 7 days; still owed (overdue) after that day until the meeting."""
    story = running(municipality)
    meeting_id = story.schedule(at(2026, 2, 1), at(2026, 3, 20))
    duty = only(story, at(2026, 3, 1), Task.SEND_AGENDA)
    assert (duty.rule, duty.item, duty.assignee) == ("CHK-04", str(meeting_id), THE_COORDINATOR)
    assert (duty.deadline, duty.status) == (date(2026, 3, 13), DutyStatus.UPCOMING)
    assert only(story, at(2026, 3, 15), Task.SEND_AGENDA).status is DutyStatus.OVERDUE
    story.do(at(2026, 3, 16), "send_agenda", meeting_id=meeting_id, items=("Status",), agreed_with_subject=True)
    story.hold(meeting_id, at(2026, 3, 20))
    assert duties(story, at(2026, 3, 21), Task.SEND_AGENDA) == []


@pytest.mark.parametrize("municipality", [SONDRE_LAND, SUNNFJORD, VESTRE_TOTEN])
def test_a_profile_without_an_agenda_deadline_gives_no_agenda_duty(municipality):
    story = running(municipality)
    story.schedule(at(2026, 2, 1), at(2026, 3, 20))
    assert duties(story, at(2026, 3, 1), Task.SEND_AGENDA) == []


# ------------------------------------------------------------------ CHK-05
@pytest.mark.parametrize("municipality", [SELBU, OSLO])
def test_minutes_are_due_within_the_profiles_days_after_the_meeting(municipality):
    story = running(municipality)
    meeting_id = story.meeting(at(2026, 3, 20))
    duty = only(story, at(2026, 3, 25), Task.DISTRIBUTE_MINUTES)
    assert (duty.rule, duty.item, duty.deadline, duty.status) == (
        "CHK-05",
        str(meeting_id),
        date(2026, 4, 3),
        DutyStatus.UPCOMING,
    )
    assert only(story, at(2026, 4, 5), Task.DISTRIBUTE_MINUTES).status is DutyStatus.OVERDUE
    story.do(at(2026, 4, 6), "distribute_minutes", meeting_id=meeting_id, recipients=(), by=story.coordinator)
    assert duties(story, at(2026, 4, 7), Task.DISTRIBUTE_MINUTES) == []


@pytest.mark.parametrize("municipality", [SUNNFJORD, SONDRE_LAND])
def test_minutes_innan_rimeleg_tid_or_no_routine_give_no_minutes_duty(municipality):
    story = running(municipality)
    story.meeting(at(2026, 3, 20))
    assert duties(story, at(2026, 3, 25), Task.DISTRIBUTE_MINUTES) == []


# ------------------------------------------------------------------ CHK-08
@pytest.mark.parametrize(("municipality", "due"), [(SONDRE_LAND, date(2026, 8, 10)), (SELBU, date(2027, 2, 10))])
def test_the_teams_review_is_due_the_profiles_months_after_the_first_meeting(municipality, due):
    story = running(municipality)
    story.meeting(at(2026, 2, 10))
    duty = only(story, at(2026, 3, 1), Task.REVIEW_TEAM)
    assert (duty.rule, duty.deadline, duty.status, duty.assignee) == (
        "CHK-08",
        due,
        DutyStatus.UPCOMING,
        THE_COORDINATOR,
    )


def test_a_review_not_held_in_time_is_overdue_and_a_late_one_sets_the_next():
    """A review that came late stays a breach of CHK-08, but the next one is still due 6 months on."""
    story = running(SONDRE_LAND)
    story.meeting(at(2026, 2, 10))
    overdue = only(story, at(2026, 8, 20), Task.REVIEW_TEAM)
    assert (overdue.deadline, overdue.status) == (date(2026, 8, 10), DutyStatus.OVERDUE)
    story.do(at(2026, 9, 1), "review_team", continued_need=True, by=story.coordinator)
    assert CHECKS["CHK-08"](Timeline(story.events, at(2026, 10, 1)), profile_for(SONDRE_LAND)).status is (
        CheckStatus.BREACH
    )
    following = only(story, at(2026, 10, 1), Task.REVIEW_TEAM)
    assert (following.deadline, following.status) == (date(2027, 3, 1), DutyStatus.UPCOMING)


@pytest.mark.parametrize("municipality", [SUNNFJORD, VESTRE_TOTEN])
def test_a_profile_without_review_frequency_gives_no_review_duty(municipality):
    story = running(municipality)
    story.meeting(at(2026, 2, 10))
    assert duties(story, at(2026, 3, 1), Task.REVIEW_TEAM) == []


# ------------------------------------------------------------------ CHK-09
@pytest.mark.parametrize("municipality", [SONDRE_LAND, SUNNFJORD, SELBU, VESTRE_TOTEN, OSLO])
def test_each_goal_must_be_evaluated_by_its_own_date_in_every_profile(municipality):
    story = running(municipality)
    story.plan(at(2026, 1, 10))
    goal_id = story.goal(at(2026, 1, 10), date(2026, 5, 1))
    duty = only(story, at(2026, 4, 1), Task.EVALUATE_GOAL)
    assert (duty.rule, duty.item, duty.deadline, duty.status) == (
        "CHK-09",
        str(goal_id),
        date(2026, 5, 1),
        DutyStatus.UPCOMING,
    )
    assert only(story, at(2026, 5, 5), Task.EVALUATE_GOAL).status is DutyStatus.OVERDUE
    story.do(at(2026, 5, 6), "evaluate_goal", goal_id=goal_id, status=EvaluationStatus.ACHIEVED, by=story.coordinator)
    assert duties(story, at(2026, 5, 7), Task.EVALUATE_GOAL) == []


def test_two_goals_give_two_duties_told_apart_by_their_goal():
    story = running(OSLO)
    story.plan(at(2026, 1, 10))
    first = story.goal(at(2026, 1, 10), date(2026, 5, 1))
    second = story.goal(at(2026, 1, 11), date(2026, 5, 1))
    assert {d.item for d in duties(story, at(2026, 4, 1), Task.EVALUATE_GOAL)} == {str(first), str(second)}


# ------------------------------------------------------------------ CHK-10
def test_selbu_wants_a_yearly_status_to_ke_twelve_months_after_the_first_meeting():
    story = running(SELBU)
    story.meeting(at(2026, 2, 10))
    duty = only(story, at(2026, 3, 1), Task.REPORT_STATUS)
    assert (duty.rule, duty.deadline, duty.assignee) == ("CHK-10", date(2027, 2, 10), THE_COORDINATOR)
    story.do(at(2027, 1, 15), "report_status", still_active=True, by=story.coordinator)
    assert only(story, at(2027, 2, 1), Task.REPORT_STATUS).deadline == date(2028, 1, 15)


@pytest.mark.parametrize("municipality", [SONDRE_LAND, SUNNFJORD, VESTRE_TOTEN])
def test_no_yearly_status_duty_where_the_profile_does_not_ask_for_one(municipality):
    story = running(municipality)
    story.meeting(at(2026, 2, 10))
    assert duties(story, at(2026, 3, 1), Task.REPORT_STATUS) == []


# ------------------------------------------------------------------ CHK-16
def child(municipality: str) -> Story:
    """Born 1 March 2022: school starts 15 August 2028, so the transfer meeting is due a year before."""
    story = Story(municipality, birth=date(2022, 3, 1), guardians=(MOTHER, FATHER))
    story.appoint(at(2026, 1, 6))
    return story


@pytest.mark.parametrize("municipality", [SELBU, OSLO])
def test_the_school_transfer_meeting_is_due_a_year_before_school_starts(municipality):
    story = child(municipality)
    assert duties(story, at(2026, 8, 1), Task.PREPARE_TRANSITION) == []  # its period has not begun
    duty = only(story, at(2026, 9, 1), Task.PREPARE_TRANSITION)
    assert (duty.rule, duty.item, duty.deadline, duty.status, duty.assignee) == (
        "CHK-16",
        TransitionKind.SCHOOL_TRANSFER_MEETING.value,
        date(2027, 8, 15),
        DutyStatus.UPCOMING,
        THE_COORDINATOR,
    )
    assert "overføringsmøte" in duty.what
    assert only(story, at(2027, 9, 1), Task.PREPARE_TRANSITION).status is DutyStatus.OVERDUE


@pytest.mark.parametrize("municipality", [SONDRE_LAND, SUNNFJORD, VESTRE_TOTEN])
def test_no_transition_duties_where_the_profile_sets_no_age_deadlines(municipality):
    assert duties(child(municipality), at(2026, 9, 1), Task.PREPARE_TRANSITION) == []


# ------------------------------------------------------------------ CHK-20
@pytest.mark.parametrize("municipality", [SONDRE_LAND, SUNNFJORD, SELBU, VESTRE_TOTEN, OSLO])
def test_ke_must_forward_a_complaint_within_the_profiles_days(municipality):
    story = Story(municipality)
    complaint_id = story.complaint(at(2026, 3, 1))
    duty = only(story, at(2026, 3, 10), Task.FORWARD_COMPLAINT)
    assert (duty.rule, duty.item, duty.assignee) == ("CHK-20", str(complaint_id), Assignee(AssigneeKind.KE))
    assert (duty.deadline, duty.status) == (date(2026, 3, 22), DutyStatus.UPCOMING)
    assert only(story, at(2026, 3, 25), Task.FORWARD_COMPLAINT).status is DutyStatus.OVERDUE
    story.do(at(2026, 3, 26), "forward_complaint", complaint_id=complaint_id, report_sha256="a" * 64)
    assert duties(story, at(2026, 3, 27), Task.FORWARD_COMPLAINT) == []


def test_a_profile_without_a_forwarding_deadline_gives_ke_no_complaint_duty():
    story = Story(OSLO)
    story.complaint(at(2026, 3, 1))
    silent = replace(PROFILES["national-default"], complaint_forwarding_days=None)
    assert duties_of(story.events, silent, at(2026, 3, 10)) == []


def test_a_closed_case_still_owes_ke_its_complaint_but_nothing_else():
    story = running(OSLO)
    story.plan(at(2026, 1, 10))
    story.goal(at(2026, 1, 10), date(2026, 5, 1))
    story.complaint(at(2026, 3, 1))
    story.do(at(2026, 3, 2), "close", reason="Flyttet", assessment="Behovet er borte", agreed_by_subject=True)
    assert [d.task for d in duties(story, at(2026, 3, 10))] == [Task.FORWARD_COMPLAINT]


# ------------------------------------------------------------ consent
def test_the_subject_is_told_of_a_consent_running_out_within_30_days():
    story = running(SONDRE_LAND)
    consent_id = story.subject_consent(at(2026, 1, 10), valid_until=date(2026, 3, 1))
    assert duties(story, at(2026, 1, 20), Task.RENEW_CONSENT) == []  # 40 days left
    duty = only(story, at(2026, 2, 10), Task.RENEW_CONSENT)
    assert (duty.rule, duty.item, duty.assignee) == ("CHK-03", str(consent_id), Assignee(AssigneeKind.SUBJECT))
    assert (duty.deadline, duty.status) == (date(2026, 3, 1), DutyStatus.UPCOMING)
    assert duties(story, at(2026, 3, 2), Task.RENEW_CONSENT) == []  # no longer in force


def test_both_parents_who_consented_for_a_child_are_told():
    story = Story(SELBU, birth=date(2015, 5, 5), guardians=(MOTHER, FATHER))
    story.appoint(at(2026, 1, 6))
    story.team(at(2026, 1, 6))
    story.parents_consent(at(2026, 1, 10), valid_until=date(2026, 2, 1))
    found = duties(story, at(2026, 1, 15), Task.RENEW_CONSENT)
    assert [d.assignee for d in found] == [
        Assignee(AssigneeKind.GUARDIAN, guardian=0),
        Assignee(AssigneeKind.GUARDIAN, guardian=1),
    ]


def test_a_consent_without_an_end_date_gives_no_duty():
    story = running(OSLO)
    story.subject_consent(at(2026, 1, 10), valid_until=None)
    assert duties(story, at(2026, 2, 10), Task.RENEW_CONSENT) == []


# ------------------------------------------------------------- who and how
def test_a_substitute_gets_the_coordinators_duties_while_assigned():
    story = running(OSLO)
    story.plan(at(2026, 1, 10))
    story.goal(at(2026, 1, 10), date(2026, 5, 1))
    story.do(at(2026, 3, 1), "assign_substitute", person=SUBSTITUTE, unit=UNIT, until=date(2026, 3, 31))
    assert only(story, at(2026, 3, 15), Task.EVALUATE_GOAL).assignee.id == SUBSTITUTE.id
    assert only(story, at(2026, 4, 15), Task.EVALUATE_GOAL).assignee.id == COORDINATOR.id


def test_a_released_coordinators_duties_fall_to_the_unit():
    story = running(OSLO)
    story.plan(at(2026, 1, 10))
    story.goal(at(2026, 1, 10), date(2026, 5, 1))
    story.do(at(2026, 3, 1), "release_coordinator", reason="Sluttet")
    assignee = only(story, at(2026, 3, 15), Task.EVALUATE_GOAL).assignee
    assert assignee == Assignee(AssigneeKind.COORDINATOR, None, UNIT)


def test_duties_come_soonest_first_and_each_names_a_rule_and_what_to_do():
    story = rich_story()
    found = duties(story, at(2026, 2, 10))
    assert {d.task for d in found} >= {
        Task.STARTUP_CONVERSATION,
        Task.DISTRIBUTE_MINUTES,
        Task.SEND_AGENDA,
        Task.EVALUATE_GOAL,
        Task.REVIEW_TEAM,
        Task.REPORT_STATUS,
        Task.FORWARD_COMPLAINT,
        Task.RENEW_CONSENT,
    }
    assert [d.due_at for d in found] == sorted(d.due_at for d in found)
    assert all(d.rule.startswith("CHK-") and d.what.endswith(".") and d.evidence for d in found)


@pytest.mark.parametrize("day", [at(2026, 1, 10), at(2026, 2, 10), at(2026, 3, 15), at(2026, 9, 1)])
def test_what_to_do_names_no_person_and_repeats_no_free_text_of_the_case(day):
    story = rich_story()
    sentences = " ".join(f"{d.what} {d.label}" for d in duties(story, day))
    assert sentences
    assert [s for s in story.secrets() if s in sentences] == []


def test_a_case_without_events_by_now_has_no_duties():
    story = Story(OSLO, opened=at(2026, 5, 1))
    assert duties_of(story.events, profile_for(OSLO), at(2026, 4, 1)) == []
