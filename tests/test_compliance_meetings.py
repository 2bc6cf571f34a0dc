"""The checks of the team's meetings and follow-up over time (CHK-04..CHK-10):
for each, a case that passes, one that breaches, pending while a deadline is
still ahead (a breach once `today` passes it), and the profiles that set
nothing. Cases are told through commands in memory (`memory`); the tests that
take `ledger` tell theirs through the application on both stores."""

from __future__ import annotations

from datetime import date

import pytest

from commands.plan_commands import (
    CloseCase,
    HoldMeeting,
    ReportStatus,
    ReviewTeam,
    ReviseGoal,
    SendAgenda,
)
from tests.support.story import BREACH, NOT_APPLICABLE, OK, PENDING, SELBU, CommandSurface, Story


def team_review(s: Story, day: str) -> None:
    s.do(ReviewTeam, day, hour=15, continued_need=True, note="Behovet består")


# --------------------------------------------------------------- CHK-04
@pytest.mark.parametrize(
    ("sent", "agreed", "status"),
    [
        ("2026-02-03", True, OK),  # 7 days before
        ("2026-02-04", True, BREACH),  # 6 days before
        ("2026-01-30", False, BREACH),  # in time, but not agreed with the subject
    ],
)
def test_the_agenda_must_be_agreed_and_sent_a_week_before_the_meeting_in_selbu(memory, sent, agreed, status):
    """The meeting is on 10 February; Selbu asks for the agenda at least 7 days before, agreed with the subject."""
    s = Story(memory, municipality=SELBU).running("2026-01-20")
    s.meeting("2026-02-10", agenda=sent, agreed=agreed)
    result = s.check("CHK-04", "selbu", "2026-11-22")
    assert (result.status, result.deadline) == (status, date(2026, 2, 3))
    assert agreed or "ikke avtalt med brukeren" in result.detail


def test_an_agreed_agenda_sent_late_is_a_breach_even_after_an_early_draft(ledger):
    """A draft not agreed went out on 30 January, the agreed agenda only on 8 February: the breach names the latter."""
    s = Story(ledger.app, municipality=SELBU).running("2026-01-20")
    meeting = s.schedule("2026-01-25", "2026-02-10")
    s.do(SendAgenda, "2026-01-30", meeting_id=meeting, items=("Utkast",), agreed_with_subject=False)
    s.do(SendAgenda, "2026-02-08", meeting_id=meeting, items=("Avtalt saksliste",), agreed_with_subject=True)
    s.do(HoldMeeting, "2026-02-10", meeting_id=meeting, attendees=tuple(s.team.values()), subject_voice="Hun først.")
    result = s.check("CHK-04", "selbu", "2026-11-22")
    assert result.status is BREACH and "ble sendt 08.02.2026, bare 2 dager før (minst 7)" in result.detail


def test_the_agenda_of_a_coming_meeting_is_pending_until_its_last_day_then_a_breach(memory):
    """Meeting planned for 10 December and no agenda: pending until 3 December, a breach on 4 December."""
    s = Story(memory).running("2026-01-20")
    s.schedule("2026-11-10", "2026-12-10")
    for today, status in (("2026-11-25", PENDING), ("2026-12-03", PENDING), ("2026-12-04", BREACH)):
        result = s.check("CHK-04", "national-default", today)
        assert (result.status, result.deadline) == (status, date(2026, 12, 3)), today


def test_a_late_agenda_is_judged_in_selbu_and_not_applicable_in_sondre_land(memory):
    """Søndre Land sets no agenda deadline: the same late agenda is not judged there."""
    s = Story(memory).running("2026-01-20")
    s.meeting("2026-02-10", agenda="2026-02-08")
    assert s.check("CHK-04", "selbu", "2026-11-22").status is BREACH
    assert s.check("CHK-04", "sondre-land", "2026-11-22").status is NOT_APPLICABLE


# --------------------------------------------------------------- CHK-05
@pytest.mark.parametrize(
    ("sent", "complete", "status"),
    [
        ("2026-02-24", True, OK),  # 14 days after
        ("2026-02-25", True, BREACH),  # 15 days after
        ("2026-02-12", False, BREACH),  # in time, without the date of the next meeting
    ],
)
def test_minutes_must_be_complete_and_sent_within_two_weeks_in_selbu(memory, sent, complete, status):
    """The meeting is on 10 February; the minutes within 14 days, stating the five things the routine names."""
    s = Story(memory, municipality=SELBU).running("2026-01-20")
    s.meeting("2026-02-10", minutes=sent, complete=complete)
    result = s.check("CHK-05", "selbu", "2026-11-22")
    assert (result.status, result.deadline) == (status, date(2026, 2, 24))
    assert complete or "dato for neste møte" in result.detail


def test_minutes_not_yet_sent_are_pending_until_the_14th_day_then_a_breach(memory):
    """Meeting 10 November, no minutes: pending on the 24th, a breach on the 25th."""
    s = Story(memory).running("2026-01-20")
    s.meeting("2026-11-10")
    assert s.check("CHK-05", "national-default", "2026-11-24").status is PENDING
    assert s.check("CHK-05", "national-default", "2026-11-25").status is BREACH


def test_minutes_within_reasonable_time_give_no_deadline_to_check(memory):
    """Sunnfjord's "innan rimeleg tid" and Søndre Land's silence: not applicable, the routine quoted."""
    s = Story(memory).running("2026-01-20")
    s.meeting("2026-02-10", minutes="2026-04-01")
    sunnfjord = s.check("CHK-05", "sunnfjord", "2026-11-22")
    assert sunnfjord.status is NOT_APPLICABLE and "«innan rimeleg tid»" in sunnfjord.detail
    assert s.check("CHK-05", "sondre-land", "2026-11-22").status is NOT_APPLICABLE
    assert s.check("CHK-05", "selbu", "2026-11-22").status is BREACH


# --------------------------------------------------------------- CHK-06
@pytest.mark.parametrize(("voice", "status"), [("Han snakket først om jobben.", OK), ("  ", BREACH)])
def test_every_meeting_must_record_the_subjects_own_voice(memory, voice, status):
    """A meeting whose record of the subject's voice is blank is a breach."""
    s = Story(memory).running("2026-01-20")
    s.meeting("2026-02-10", voice=voice)
    assert s.check("CHK-06", "sondre-land", "2026-11-22").status is status


def test_without_meetings_there_is_no_voice_to_record(memory):
    """No meeting held: CHK-06 not applicable."""
    assert Story(memory).running().check("CHK-06", "sondre-land", "2026-11-22").status is NOT_APPLICABLE


# --------------------------------------------------------------- CHK-07
def test_two_meetings_in_a_young_teams_first_months_are_ok(memory):
    """Team from 20 January 2026, meetings in February and September: ok, next one needed by 10.02.2027."""
    s = Story(memory).running("2026-01-20")
    s.meeting("2026-02-10")
    s.meeting("2026-09-15")
    result = s.check("CHK-07", "vestre-toten", "2026-11-22")
    assert (result.status, result.deadline) == (OK, date(2027, 2, 10))


def test_a_twelve_month_window_after_a_meeting_with_too_few_meetings_is_a_breach(memory):
    """Meetings 1 Feb and 1 Mar 2025, then not until June 2026: the 12 months after 1 Feb 2025 held one."""
    s = Story(memory, opened="2025-01-06").running("2025-01-10")
    for held in ("2025-02-01", "2025-03-01", "2026-06-01"):
        s.meeting(held)
    result = s.check("CHK-07", "national-default", "2026-11-22")
    assert (result.status, result.deadline) == (BREACH, date(2026, 2, 1))
    assert "02.02.2025–01.02.2026" in result.detail and "1 møte" in result.detail


def test_a_young_team_with_one_meeting_is_pending_until_its_first_year_is_out(memory):
    """Team from 1 June 2026 with one meeting: pending until 1 June 2027, a breach the day after."""
    s = Story(memory).running("2026-06-01")
    s.meeting("2026-07-01")
    pending = s.check("CHK-07", "national-default", "2026-11-22")
    assert (pending.status, pending.deadline) == (PENDING, date(2027, 6, 1))
    assert s.check("CHK-07", "national-default", "2027-06-02").status is BREACH


def test_meeting_frequency_is_not_judged_where_no_minimum_is_set_nor_for_a_team_closed_young(memory):
    """Søndre Land sets no minimum; a team closed after five months with one meeting was never due."""
    s = Story(memory).running("2026-01-20")
    s.meeting("2026-02-10")
    s.do(CloseCase, "2026-06-20", reason="Behovet er dekket", assessment="Vurdert i møte", agreed_by_subject=True)
    assert s.check("CHK-07", "sondre-land", "2026-11-22").status is NOT_APPLICABLE
    closed = s.check("CHK-07", "national-default", "2026-11-22")
    assert closed.status is NOT_APPLICABLE and "kortere enn 12 måneder" in closed.detail


# --------------------------------------------------------------- CHK-08
def test_a_review_eight_months_after_the_first_meeting_is_late_in_sondre_land_and_in_time_in_selbu(ledger):
    """Søndre Land evaluates every 6 months, Selbu every 12: the same history, two verdicts."""
    s = Story(ledger.app).running("2026-01-10")
    s.meeting("2026-01-20")
    team_review(s, "2026-09-20")
    sondre_land, selbu = s.check("CHK-08", "sondre-land", "2026-11-22"), s.check("CHK-08", "selbu", "2026-11-22")
    assert (sondre_land.status, sondre_land.deadline) == (BREACH, date(2026, 7, 20))
    assert (selbu.status, selbu.deadline) == (OK, date(2027, 9, 20))


def test_the_first_review_is_pending_until_six_months_after_the_first_meeting(memory):
    """First meeting 1 October: pending until 1 April 2027, a breach on 2 April."""
    s = Story(memory).running("2026-09-20")
    s.meeting("2026-10-01")
    assert (
        s.check("CHK-08", "sondre-land", "2026-11-22").status,
        s.check("CHK-08", "sondre-land", "2026-11-22").deadline,
    ) == (PENDING, date(2027, 4, 1))
    assert s.check("CHK-08", "sondre-land", "2027-04-01").status is PENDING
    assert s.check("CHK-08", "sondre-land", "2027-04-02").status is BREACH


def test_reviews_in_time_are_ok_with_the_next_one_as_deadline(memory):
    """Reviewed in August after a March meeting: ok, next review due 1 February 2027."""
    s = Story(memory).running("2026-02-20")
    s.meeting("2026-03-01")
    team_review(s, "2026-08-01")
    result = s.check("CHK-08", "sondre-land", "2026-11-22")
    assert (result.status, result.deadline) == (OK, date(2027, 2, 1))


def test_team_reviews_are_not_judged_without_a_frequency_or_before_any_meeting(memory):
    """Sunnfjord sets no frequency; and before the first meeting the clock has not started."""
    s = Story(memory).running("2026-01-20")
    assert s.check("CHK-08", "sondre-land", "2026-11-22").status is NOT_APPLICABLE
    s.meeting("2026-02-10")
    assert s.check("CHK-08", "sunnfjord", "2026-11-22").status is NOT_APPLICABLE


# --------------------------------------------------------------- CHK-09
def goal_case(app: CommandSurface, evaluate_by: str) -> tuple[Story, object]:
    s = Story(app).running("2026-01-20")
    s.plan("2026-02-01")
    return s, s.goal("2026-02-01", evaluate_by)


@pytest.mark.parametrize(("evaluated", "status"), [("2026-09-01", OK), ("2026-09-02", BREACH)])
def test_a_goal_must_be_evaluated_by_its_evaluation_date(memory, evaluated, status):
    """Evaluate by 1 September: on that day is in time, the day after is late."""
    s, goal = goal_case(memory, "2026-09-01")
    s.evaluate_goal(evaluated, goal)
    result = s.check("CHK-09", "sondre-land", "2026-11-22")
    assert (result.status, result.deadline) == (status, date(2026, 9, 1))


def test_a_goal_not_yet_due_is_pending_and_a_breach_once_its_date_has_passed(memory):
    """Evaluate by 1 December: pending on 22 November, a breach on 2 December."""
    s, _ = goal_case(memory, "2026-12-01")
    assert s.check("CHK-09", "sondre-land", "2026-11-22").status is PENDING
    late = s.check("CHK-09", "sondre-land", "2026-12-02")
    assert late.status is BREACH and "er ikke evaluert" in late.detail


@pytest.mark.parametrize(("revised", "status"), [("2026-08-15", OK), ("2026-09-10", BREACH)])
def test_moving_the_date_before_it_passes_is_allowed_but_not_after(memory, revised, status):
    """Due 1 September, moved to 1 October and evaluated 20 September: fine if moved in August, not in September."""
    s, goal = goal_case(memory, "2026-09-01")
    s.do(ReviseGoal, revised, goal_id=goal, text="Jeg vil ha en fast jobb", evaluate_by=date(2026, 10, 1))
    s.evaluate_goal("2026-09-20", goal)
    assert s.check("CHK-09", "sondre-land", "2026-11-22").status is status


def test_a_plan_without_goals_has_nothing_to_evaluate(memory):
    """No goal set: CHK-09 not applicable."""
    assert Story(memory).running().check("CHK-09", "sondre-land", "2026-11-22").status is NOT_APPLICABLE


# --------------------------------------------------------------- CHK-10
@pytest.mark.parametrize(("reported", "status"), [("2026-02-01", OK), (None, BREACH)])
def test_selbu_wants_a_yearly_status_report_to_ke(memory, reported, status):
    """First meeting 1 March 2025: a status report by 1 March 2026, or a breach."""
    s = Story(memory, opened="2025-01-06", municipality=SELBU).running("2025-02-01")
    s.meeting("2025-03-01")
    if reported:
        s.do(ReportStatus, reported, still_active=True)
    assert s.check("CHK-10", "selbu", "2026-11-22").status is status


def test_the_first_status_report_is_pending_within_the_first_year(memory):
    """First meeting 1 March 2026: the report is due by 1 March 2027."""
    s = Story(memory, municipality=SELBU).running("2026-02-01")
    s.meeting("2026-03-01")
    result = s.check("CHK-10", "selbu", "2026-11-22")
    assert (result.status, result.deadline) == (PENDING, date(2027, 3, 1))
    assert s.check("CHK-10", "sondre-land", "2026-11-22").status is NOT_APPLICABLE
