"""Reminder rules as data (issue #11): national defaults, per-profile and per-assignee overrides read
from a file, and which reminder a duty calls for at a moment, each with a stable id."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pytest

from audit.compliance.result import Task
from audit.duties import (
    AssigneeKind,
    Duty,
    DutyStatus,
    ReminderRule,
    ReminderRulesError,
    default_rules,
    due_digest,
    due_reminders,
    duties_of,
    parse_rules,
)
from ledger.profiles import profile_for
from tests.support.duty_story import OSLO, SELBU, SONDRE_LAND, Story, at

DEADLINE = date(2026, 5, 1)
RULES = default_rules()


def goal_story(municipality: str = OSLO) -> Story:
    story = Story(municipality)
    story.appoint(at(2026, 1, 6))
    story.plan(at(2026, 1, 10))
    story.goal_id = story.goal(at(2026, 1, 10), DEADLINE)
    return story


def goal_duty(story: Story, now: datetime) -> Duty:
    (duty,) = [d for d in duties_of(story.events, profile_for(story.municipality), now) if d.task is Task.EVALUATE_GOAL]
    return duty


def stage(story: Story, now: datetime, rules=RULES) -> str | None:
    found = due_reminders(goal_duty(story, now), rules, now)
    assert len(found) <= 1
    return found[0].stage if found else None


def test_the_national_defaults_remind_a_week_and_a_day_before_and_when_overdue():
    assert RULES.rule_for("national-default", AssigneeKind.COORDINATOR) == ReminderRule((7, 1), True)
    assert RULES.rule_for("selbu", AssigneeKind.KE) == ReminderRule((7, 1), True)
    assert RULES.rule_for("sunnfjord", AssigneeKind.SUBJECT) == ReminderRule((30, 7), False)
    assert RULES.digest_weekday("vestre-toten") == 0  # Monday


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (at(2026, 4, 23), None),
        (at(2026, 4, 24), "before:7"),
        (at(2026, 4, 28), "before:7"),
        (at(2026, 4, 30), "before:1"),
        (at(2026, 5, 1, 21), "before:1"),  # 23:00 in Norway: the deadline's day is not over
        (at(2026, 5, 2), "overdue"),
        (at(2026, 6, 30), "overdue"),
    ],
)
def test_a_duty_calls_for_the_latest_reminder_it_has_reached(now, expected):
    assert stage(goal_story(), now) == expected


def test_the_same_duty_at_the_same_stage_is_the_same_reminder_and_each_stage_another():
    story = goal_story()
    ids = {now: due_reminders(goal_duty(story, now), RULES, now)[0].id for now in (at(2026, 4, 24), at(2026, 4, 28))}
    assert len(set(ids.values())) == 1
    day_before = due_reminders(goal_duty(story, at(2026, 4, 30)), RULES, at(2026, 4, 30))[0]
    overdue = [due_reminders(goal_duty(story, now), RULES, now)[0] for now in (at(2026, 5, 2), at(2026, 7, 1))]
    assert day_before.id not in ids.values()
    assert overdue[0].id == overdue[1].id != day_before.id
    assert (overdue[0].on, day_before.on) == (date(2026, 5, 2), date(2026, 4, 30))
    assert len(overdue[0].id) == 64 and "." not in overdue[0].id  # usable as a webhook-id


def test_two_goals_due_the_same_day_are_two_reminders_and_a_moved_date_makes_new_ones():
    story = goal_story()
    other = story.goal(at(2026, 1, 11), DEADLINE)
    now = at(2026, 4, 25)
    both = [d for d in duties_of(story.events, profile_for(OSLO), now) if d.task is Task.EVALUATE_GOAL]
    first_ids = {due_reminders(d, RULES, now)[0].id for d in both}
    assert len(first_ids) == 2
    story.do(at(2026, 4, 26), "revise_goal", goal_id=other, text="Nytt", evaluate_by=date(2026, 5, 2))
    later = at(2026, 4, 27)
    moved = [d for d in duties_of(story.events, profile_for(OSLO), later) if d.item == str(other)]
    assert moved[0].deadline == date(2026, 5, 2)
    assert due_reminders(moved[0], RULES, later)[0].id not in first_ids


def test_the_id_is_the_duty_and_stage_not_the_wording_or_the_moment():
    duty = goal_duty(goal_story(), at(2026, 4, 24))
    reminder = due_reminders(duty, RULES, at(2026, 4, 24))[0]
    reworded = replace(duty, what="Annen tekst", evidence=(1, 2, 3), status=DutyStatus.UPCOMING)
    assert due_reminders(reworded, RULES, at(2026, 4, 27))[0].id == reminder.id
    assert due_reminders(replace(duty, assignee=replace(duty.assignee, id="koord-99")), RULES, at(2026, 4, 27))[
        0
    ].id != (reminder.id)


def test_a_consent_giver_is_told_thirty_and_seven_days_before_and_not_after():
    story = Story(SONDRE_LAND)
    story.appoint(at(2026, 1, 6))
    story.team(at(2026, 1, 6))
    story.subject_consent(at(2026, 1, 10), valid_until=date(2026, 3, 1))

    def consent_stages(now):
        found = [d for d in duties_of(story.events, profile_for(SONDRE_LAND), now) if d.task is Task.RENEW_CONSENT]
        return [r.stage for d in found for r in due_reminders(d, RULES, now)]

    assert consent_stages(at(2026, 1, 29)) == []  # 31 days left
    assert consent_stages(at(2026, 1, 30)) == ["before:30"]
    assert consent_stages(at(2026, 2, 22)) == ["before:7"]
    assert consent_stages(at(2026, 3, 2)) == []  # it has ended: nothing overdue


# ------------------------------------------------------------- as data
def test_a_profile_table_read_over_the_defaults_changes_only_that_profile():
    rules = parse_rules("[selbu]\ndays_before = [14, 7, 1]\n", over=RULES)
    assert rules.rule_for("selbu", AssigneeKind.COORDINATOR) == ReminderRule((14, 7, 1), True)
    assert rules.rule_for("sondre-land", AssigneeKind.COORDINATOR) == ReminderRule((7, 1), True)
    assert stage(goal_story(SELBU), at(2026, 4, 17), rules) == "before:14"
    assert stage(goal_story(SELBU), at(2026, 4, 17)) is None


def test_an_assignee_table_changes_one_kind_of_assignee_and_a_profile_wins_over_national_ones():
    rules = parse_rules(
        "[national-default.assignee.ke]\ndays_before = [3]\non_overdue = false\n"
        "[selbu]\ndays_before = [2]\n[selbu.assignee.coordinator]\non_overdue = false\n",
        over=RULES,
    )
    assert rules.rule_for("sunnfjord", AssigneeKind.KE) == ReminderRule((3,), False)
    assert rules.rule_for("selbu", AssigneeKind.KE) == ReminderRule((2,), False)
    assert rules.rule_for("selbu", AssigneeKind.COORDINATOR) == ReminderRule((2,), False)
    assert rules.rule_for("selbu", AssigneeKind.SUBJECT) == ReminderRule((2,), False)
    assert stage(goal_story(SELBU), at(2026, 5, 5), rules) is None  # no overdue reminder


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("[oslo]\ndays_before = [1]\n", "not a municipal profile"),
        ("[selbu]\nday_before = [1]\n", "unknown keys: day_before"),
        ("[selbu]\ndays_before = [-1]\n", "whole days"),
        ("[selbu]\ndays_before = 7\n", "whole days"),
        ("[selbu]\non_overdue = 'yes'\n", "true or false"),
        ("[selbu]\ndigest_weekday = 'mandag'\n", "digest_weekday"),
        ("[selbu.assignee.nabo]\ndays_before = [1]\n", "no such assignee"),
        ("[selbu.assignee.ke]\ndigest_weekday = 'monday'\n", "only days_before and on_overdue"),
        ("[selbu\n", "not valid TOML"),
    ],
)
def test_a_rules_file_not_of_the_documented_form_is_refused_saying_where(text, says):
    with pytest.raises(ReminderRulesError, match=says):
        parse_rules(text, over=RULES)


# -------------------------------------------------------------- digest
def test_ke_gets_one_digest_a_week_from_the_profiles_weekday():
    story = goal_story()
    monday, sunday = at(2026, 4, 20), at(2026, 4, 19)
    duties = duties_of(story.events, profile_for(OSLO), monday)
    digest = due_digest(OSLO, "national-default", duties, RULES, monday)
    assert digest is not None
    assert (digest.week, digest.on, digest.municipality) == ("2026-W17", date(2026, 4, 20), OSLO)
    later = due_digest(OSLO, "national-default", duties, RULES, at(2026, 4, 24))
    assert later is not None and later.id == digest.id
    next_week = due_digest(OSLO, "national-default", duties, RULES, at(2026, 4, 27))
    assert next_week is not None and next_week.id != digest.id
    thursdays = parse_rules('[national-default]\ndigest_weekday = "thursday"\n', over=RULES)
    assert due_digest(OSLO, "national-default", duties, thursdays, monday) is None
    assert due_digest(OSLO, "national-default", duties, RULES, sunday).week == "2026-W16"


def test_no_digest_without_duties_or_without_a_weekday():
    none = parse_rules('[selbu]\ndigest_weekday = ""\n', over=RULES)
    duties = duties_of(goal_story(SELBU).events, profile_for(SELBU), at(2026, 4, 20))
    assert due_digest(SELBU, "selbu", duties, none, at(2026, 4, 20)) is None
    assert due_digest(OSLO, "national-default", [], RULES, at(2026, 4, 20)) is None


def test_the_digest_lists_overdue_duties_first():
    story = goal_story()
    story.complaint(at(2026, 4, 1))
    now = at(2026, 5, 4)
    digest = due_digest(OSLO, "national-default", duties_of(story.events, profile_for(OSLO), now), RULES, now)
    assert digest is not None
    assert [d.status for d in digest.duties][0] is DutyStatus.OVERDUE
    assert {d.task for d in digest.duties} >= {Task.EVALUATE_GOAL, Task.FORWARD_COMPLAINT}
