"""The checks of the coordinator and of what must be in place before the
team meets (CHK-01, 02, 03, 11, 12, 13, 14, 17): for each, a case that
passes, one that breaches, and pending or not applicable where the check
has them. Cases are told through commands in memory (`memory`: the rules are
pure functions of the events) and judged at a `today` the test chooses; the
tests that take `ledger` tell theirs through the application on both stores.
Meetings: tests/test_compliance_meetings.py; closing, transitions, decisions,
complaints: tests/test_compliance_closing.py.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from audit.compliance import RULES, evaluate
from audit.compliance.timeline import add_months
from commands.case_commands import (
    AppointCoordinator,
    AssignSubstitute,
    CloseRelayLog,
    GrantConsent,
    RecordCoordinatorTraining,
    ReleaseCoordinator,
    ReplaceCoordinator,
    SignConsent,
)
from ledger.profiles import PROFILES
from ledger.values import (
    ConsentGiverRole,
    CoordinatorKind,
    InfoCategory,
    Person,
    PlanTool,
    Provision,
    Signer,
)
from tests.support.story import BREACH, FATHER, MOTHER, NOT_APPLICABLE, OK, PENDING, SELBU, CommandSurface, Story, on


# ------------------------------------------------------------- evaluate
def test_evaluate_gives_one_result_per_rule_in_order_even_without_events():
    """Twenty results, CHK-01..CHK-20 in order; a history with nothing in it is not applicable throughout."""
    results = evaluate([], PROFILES["national-default"], on("2026-11-22"))
    assert [r.rule for r in results] == list(RULES) == [f"CHK-{n:02d}" for n in range(1, 21)]
    assert {r.status for r in results} == {NOT_APPLICABLE}


def test_evaluate_reads_only_what_had_happened_by_today(ledger):
    """Judged as of a day before the appointment, the request is still unanswered (pending), not late."""
    s = Story(ledger.app)
    s.request("2026-01-15")
    s.appoint("2026-02-12")
    assert s.check("CHK-01", "sondre-land", "2026-01-20").status is PENDING
    assert s.check("CHK-01", "sondre-land", "2026-02-12").status is BREACH


# --------------------------------------------------------------- CHK-01
@pytest.mark.parametrize(("appointed", "status"), [("2026-01-29", OK), ("2026-01-30", BREACH)])
def test_a_coordinator_named_on_the_14th_day_is_in_time_and_on_the_15th_late(memory, appointed, status):
    """KE asks on 15 January; Søndre Land's 14 days end with 29 January."""
    s = Story(memory)
    s.request("2026-01-15")
    s.appoint(appointed)
    result = s.check("CHK-01", "sondre-land", "2026-11-22")
    assert (result.status, result.deadline) == (status, date(2026, 1, 29))
    assert result.evidence == (2, 3)  # the request and the appointment


def test_days_are_counted_on_the_norwegian_calendar(ledger):
    """Named at 23:30 UTC on 29 January, which is 00:30 on 30 January in Norway: one day too late."""
    s = Story(ledger.app)
    s.request("2026-01-15")
    s.do(
        AppointCoordinator,
        datetime(2026, 1, 29, 23, 30, tzinfo=UTC),
        person=Person("koord-1", "Kåre Koordinator"),
        unit="Psykisk helse og rus",
        kind=CoordinatorKind.COORDINATOR,
        subject_wish_heard=True,
    )
    result = s.check("CHK-01", "sondre-land", "2026-11-22")
    assert result.status is BREACH and "oppnevnt 30.01.2026" in result.detail


def test_months_end_on_the_same_day_or_the_last_day_of_a_shorter_month():
    """31 August plus six months is 28 February; 16 March plus six is 16 September."""
    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert add_months(date(2027, 8, 31), 6) == date(2028, 2, 29)
    assert add_months(date(2026, 3, 16), 6) == date(2026, 9, 16)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)


def test_an_unanswered_request_is_pending_until_its_last_day_and_a_breach_after(memory):
    """Asked on 15 November: pending on the 29th (the last day), breach on the 30th."""
    s = Story(memory)
    s.request("2026-11-15")
    for today, status in (("2026-11-20", PENDING), ("2026-11-29", PENDING), ("2026-11-30", BREACH)):
        result = s.check("CHK-01", "sondre-land", today)
        assert (result.status, result.deadline) == (status, date(2026, 11, 29)), today
    assert "kommunalsjef" in s.check("CHK-01", "sondre-land", "2026-11-30").detail


def test_the_naming_deadline_is_judged_in_sondre_land_and_not_applicable_in_selbu(memory):
    """Selbu's routine sets no days for the unit leader: the same late appointment is not judged there."""
    s = Story(memory)
    s.request("2026-01-15")
    s.appoint("2026-02-12")
    assert s.check("CHK-01", "sondre-land", "2026-11-22").status is BREACH
    assert s.check("CHK-01", "selbu", "2026-11-22").status is NOT_APPLICABLE


def test_a_case_without_a_request_to_a_unit_has_no_naming_deadline(memory):
    """KE appointed the coordinator itself: nothing to judge for CHK-01."""
    s = Story(memory)
    s.appoint("2026-03-01")
    assert s.check("CHK-01", "sondre-land", "2026-11-22").status is NOT_APPLICABLE


# --------------------------------------------------------------- CHK-02
def test_a_start_up_conversation_between_appointment_and_first_meeting_is_ok(memory):
    """Appointed and talked on 20 January, first meeting 10 February."""
    s = Story(memory).running("2026-01-20")
    s.meeting("2026-02-10")
    assert s.check("CHK-02", "sondre-land", "2026-11-22").status is OK


def test_a_start_up_conversation_only_after_the_first_meeting_is_a_breach(memory):
    """The first meeting on 10 February came before the conversation of 12 February."""
    s = Story(memory)
    s.appoint("2026-01-20")
    s.join("2026-01-21", "NAV")
    s.consent("2026-01-21")
    s.meeting("2026-02-10")
    s.startup("2026-02-12")
    result = s.check("CHK-02", "sondre-land", "2026-11-22")
    assert result.status is BREACH and "etter første møte 10.02.2026" in result.detail


def test_a_start_up_conversation_not_yet_held_is_pending_until_the_scheduled_meeting(memory):
    """No conversation yet and a meeting planned for 1 December: pending with that meeting as deadline."""
    s = Story(memory)
    s.appoint("2026-11-01")
    s.join("2026-11-02", "NAV")
    s.schedule("2026-11-10", "2026-12-01")
    result = s.check("CHK-02", "sondre-land", "2026-11-22")
    assert (result.status, result.deadline) == (PENDING, on("2026-12-01"))


def test_without_a_coordinator_there_is_no_start_up_conversation_to_judge(memory):
    """A case only referred: CHK-02 not applicable."""
    assert Story(memory).check("CHK-02", "sondre-land", "2026-11-22").status is NOT_APPLICABLE


# --------------------------------------------------------------- CHK-03
def test_consent_in_force_before_the_first_meeting_covering_the_team_is_ok(memory):
    """NAV and the GP are named in the subject's consent given before the meeting."""
    s = Story(memory).running("2026-01-20")
    s.meeting("2026-02-10")
    assert s.check("CHK-03", "sondre-land", "2026-11-22").status is OK


def test_a_first_meeting_without_consent_is_a_breach(memory):
    """The team met on 10 February; the consent came on 15 February."""
    s = Story(memory)
    s.appoint("2026-01-20")
    s.join("2026-01-21", "NAV")
    s.meeting("2026-02-10")
    s.consent("2026-02-15")
    result = s.check("CHK-03", "sondre-land", "2026-11-22")
    assert result.status is BREACH and "første møte 10.02.2026" in result.detail


@pytest.mark.parametrize(("renewed", "status"), [(True, OK), (False, BREACH)])
def test_a_new_member_needs_a_renewed_consent_by_the_next_meeting(memory, renewed, status):
    """The school joins after the first meeting; the second meeting needs a consent that names it."""
    s = Story(memory).running("2026-01-20")
    s.meeting("2026-02-10")
    s.join("2026-03-01", "skole")
    if renewed:
        s.consent("2026-03-02")
    s.meeting("2026-04-10")
    result = s.check("CHK-03", "sondre-land", "2026-11-22")
    assert result.status is status
    assert renewed or "skole" in result.detail


def test_a_member_joined_since_the_last_meeting_without_consent_is_pending(memory):
    """Physiotherapy joined after the last meeting: renew before the next one, which is on 1 December."""
    s = Story(memory).running("2026-01-20")
    s.meeting("2026-02-10")
    s.join("2026-11-01", "fysioterapi")
    s.schedule("2026-11-02", "2026-12-01")
    result = s.check("CHK-03", "sondre-land", "2026-11-22")
    assert (result.status, result.deadline) == (PENDING, on("2026-12-01")) and "fysioterapi" in result.detail


def test_a_consent_awaiting_the_second_parent_does_not_count_at_a_meeting(ledger):
    """The mother signed on 5 February, the meeting was on 6 February, the father signed on 7 February (INV-04)."""
    s = Story(ledger.app, birth=date(2021, 5, 10), guardians=(MOTHER, FATHER), requested=(Provision.COORDINATOR,))
    s.appoint("2026-01-20")
    s.join("2026-01-21", "barnehage")
    signers = [Signer(ConsentGiverRole.GUARDIAN, g.name, g.national_id) for g in (MOTHER, FATHER)]
    consent = s.do(
        GrantConsent,
        "2026-02-05",
        given_by=signers[0],
        participants=tuple(s.team.values()),
        categories=(InfoCategory.HEALTH,),
    ).created["consent_id"]
    s.meeting("2026-02-06")
    s.do(SignConsent, "2026-02-07", consent_id=consent, signer=signers[1])
    result = s.check("CHK-03", "sondre-land", "2026-11-22")
    assert result.status is BREACH and "ikke i kraft" in result.detail


# --------------------------------------------------------------- CHK-11
@pytest.mark.parametrize(("trained", "status"), [("2026-02-01", OK), ("2026-02-20", BREACH)])
def test_selbu_wants_the_introductory_course_before_the_first_meeting(memory, trained, status):
    """The meeting is on 10 February: a course on 1 February is in time, one on 20 February is not."""
    s = Story(memory, municipality=SELBU).running("2026-01-20")
    s.do(RecordCoordinatorTraining, trained, person_id="koord-1", course="Innføringskurs om IP og koordinator")
    s.meeting("2026-02-10")
    assert s.check("CHK-11", "selbu", "2026-11-22").status is status


def test_a_coordinator_not_yet_trained_before_any_meeting_is_pending(memory):
    """Appointed, no course and no meeting yet: pending under Selbu."""
    s = Story(memory, municipality=SELBU).running("2026-11-01")
    assert s.check("CHK-11", "selbu", "2026-11-22").status is PENDING


def test_the_course_is_not_required_in_sondre_land_and_only_offered_in_vestre_toten(memory):
    """The same untrained coordinator: breach under Selbu, not applicable elsewhere, Vestre Toten
    saying it offers the course."""
    s = Story(memory).running("2026-01-20")
    s.meeting("2026-02-10")
    assert s.check("CHK-11", "selbu", "2026-11-22").status is BREACH
    assert s.check("CHK-11", "sondre-land", "2026-11-22").status is NOT_APPLICABLE
    offered = s.check("CHK-11", "vestre-toten", "2026-11-22")
    assert offered.status is NOT_APPLICABLE and "tilbys" in offered.detail


# --------------------------------------------------------------- CHK-12
@pytest.mark.parametrize(("needed", "booked", "status"), [(False, False, OK), (True, True, OK), (True, False, BREACH)])
def test_an_interpreter_need_assessed_at_start_up_must_be_met_at_meetings(memory, needed, booked, status):
    """No need: ok. A need with an interpreter booked: ok. A need without one: breach."""
    s = Story(memory)
    s.appoint("2026-01-20")
    s.startup("2026-01-20", interpreter=needed)
    s.join("2026-01-21", "NAV")
    s.consent("2026-01-21")
    s.meeting("2026-02-10", interpreter=booked)
    assert s.check("CHK-12", "sondre-land", "2026-11-22").status is status


def test_a_first_meeting_without_any_assessment_of_interpreter_need_is_a_breach(memory):
    """No start-up conversation and no interpreter booked before the meeting of 10 February."""
    s = Story(memory)
    s.appoint("2026-01-20")
    s.join("2026-01-21", "NAV")
    s.meeting("2026-02-10")
    assert s.check("CHK-12", "sondre-land", "2026-11-22").status is BREACH


def test_an_interpreter_need_not_yet_assessed_is_pending_before_the_first_meeting(memory):
    """A meeting is planned for 1 December and nobody has asked about an interpreter."""
    s = Story(memory)
    s.appoint("2026-11-01")
    s.join("2026-11-02", "NAV")
    s.schedule("2026-11-10", "2026-12-01")
    result = s.check("CHK-12", "sondre-land", "2026-11-22")
    assert (result.status, result.deadline) == (PENDING, on("2026-12-01"))


# --------------------------------------------------------------- CHK-13
@pytest.mark.parametrize(("informed", "status"), [(True, OK), (False, BREACH)])
def test_the_subject_must_be_told_of_the_right_to_a_plan_at_the_first_meeting(memory, informed, status):
    """The first meeting records whether the subject was told of the right to an individual plan."""
    s = Story(memory).running("2026-01-20")
    s.meeting("2026-02-10", informed=informed)
    assert s.check("CHK-13", "sondre-land", "2026-11-22").status is status


@pytest.mark.parametrize(("released", "status"), [(False, OK), (True, BREACH)])
def test_declining_the_plan_must_not_end_the_coordinator(memory, released, status):
    """He declines the IP on 10 February; releasing his coordinator afterwards with no new one is a breach."""
    s = Story(memory).running("2026-01-20")
    s.meeting("2026-02-10", informed=True)
    s.plan("2026-02-10", tool=PlanTool.MINUTES, declined=True)
    if released:
        s.do(ReleaseCoordinator, "2026-03-01", reason="Takket nei til IP")
    result = s.check("CHK-13", "sondre-land", "2026-11-22")
    assert result.status is status
    assert not released or "fritatt 01.03.2026" in result.detail


def test_the_right_to_a_plan_not_yet_told_before_any_meeting_is_pending(memory):
    """A coordinator and team, no meeting held: pending."""
    s = Story(memory).running("2026-11-01")
    assert s.check("CHK-13", "sondre-land", "2026-11-22").status is PENDING


# --------------------------------------------------------------- CHK-14
def test_no_absence_or_change_of_coordinator_is_not_applicable(memory):
    """Nothing happened to the coordinator: CHK-14 has nothing to judge."""
    s = Story(memory).running("2026-01-20")
    assert s.check("CHK-14", "sondre-land", "2026-11-22").status is NOT_APPLICABLE


@pytest.mark.parametrize(("informed", "status"), [(True, OK), (False, BREACH)])
def test_a_new_coordinator_must_be_told_to_the_subject(memory, informed, status):
    """The coordinator is replaced on 1 March; the subject must be informed."""
    s = Story(memory).running("2026-01-20")
    s.do(
        ReplaceCoordinator,
        "2026-03-01",
        person=Person("koord-2", "Kristin Ny"),
        unit="Psykisk helse og rus",
        reason="Ny stilling",
        subject_informed=informed,
    )
    assert s.check("CHK-14", "sondre-land", "2026-11-22").status is status


def test_a_substitute_the_subject_was_not_told_of_is_a_breach(memory):
    """A substitute from 1 March, the subject not informed."""
    s = Story(memory).running("2026-01-20")
    s.do(
        AssignSubstitute,
        "2026-03-01",
        person=Person("vikar-1", "Vilde Vikar"),
        unit="Psykisk helse og rus",
        until=date(2026, 4, 15),
        subject_informed=False,
    )
    result = s.check("CHK-14", "sondre-land", "2026-11-22")
    assert result.status is BREACH and "vikar" in result.detail


def test_a_released_coordinator_must_be_followed_by_a_new_one_within_the_unit_leaders_days(memory):
    """Released on 10 November: pending until 24 November in Søndre Land (14 days), then a breach;
    Selbu sets no such days, so it stays pending without a deadline."""
    s = Story(memory).running("2026-01-20")
    s.do(ReleaseCoordinator, "2026-11-10", reason="Langtidssykmeldt")
    assert (
        s.check("CHK-14", "sondre-land", "2026-11-22").status,
        s.check("CHK-14", "sondre-land", "2026-11-22").deadline,
    ) == (PENDING, date(2026, 11, 24))
    assert s.check("CHK-14", "sondre-land", "2026-11-25").status is BREACH
    selbu = s.check("CHK-14", "selbu", "2026-12-31")
    assert (selbu.status, selbu.deadline) == (PENDING, None)


# --------------------------------------------------------------- CHK-17
def relay_case(app: CommandSurface) -> Story:
    s = Story(app, opened="2025-09-01", birth=date(2019, 3, 1), requested=(Provision.RELAY_LOG,))
    s.appoint("2025-09-05", person="bhg-1", kind=CoordinatorKind.RELAY_HOLDER)
    return s


@pytest.mark.parametrize(("closed", "status"), [("2026-02-01", OK), ("2026-02-06", BREACH), (None, BREACH)])
def test_the_relay_log_must_close_the_day_a_coordinator_takes_over(memory, closed, status):
    """Coordinator appointed 1 February: closed that day is ok; five days later, or never, a breach."""
    s = relay_case(memory)
    s.appoint("2026-02-01")
    if closed:
        s.do(CloseRelayLog, closed, hour=11, reason="Koordinator har tatt over")
    assert s.check("CHK-17", "vestre-toten", "2026-11-22").status is status


def test_a_relay_log_still_running_or_no_relay_log_at_all_is_not_applicable(memory):
    """No coordinator has taken over the relay log yet; and an ordinary case has no relay log."""
    assert relay_case(memory).check("CHK-17", "vestre-toten", "2026-11-22").status is NOT_APPLICABLE
    assert Story(memory).running().check("CHK-17", "vestre-toten", "2026-11-22").status is NOT_APPLICABLE


def test_a_case_only_referred_has_nothing_to_judge_before_a_first_meeting(memory):
    """No coordinator, no team, no meeting: consent, interpreter and the right to a plan are not applicable yet."""
    results = Story(memory).judge("sondre-land", "2026-11-22")
    assert {rule: results[rule].status for rule in ("CHK-03", "CHK-12", "CHK-13")} == {
        "CHK-03": NOT_APPLICABLE,
        "CHK-12": NOT_APPLICABLE,
        "CHK-13": NOT_APPLICABLE,
    }
