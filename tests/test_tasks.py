"""Worklists through the store (issue #11), on SQLite and PostgreSQL: each duty kind's deadline under
each municipal profile as the duties projection keeps it (a profile that sets no deadline gives no
task), re-judged when time alone changes a duty, paged in the database."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import pytest

from app.bootstrap import Ledger
from audit.duties import duties_of
from ledger.profiles import profile_for
from ledger.values import Actor, Role, TransitionKind
from tests.support.duty_story import (
    FATHER,
    MOTHER,
    OSLO,
    SELBU,
    SONDRE_LAND,
    SUBSTITUTE,
    SUNNFJORD,
    VESTRE_TOTEN,
    Story,
    at,
)
from tests.support.notify import FAR, everyones_tasks, ke_of, store_story

MUNICIPALITIES = (SONDRE_LAND, SUNNFJORD, SELBU, VESTRE_TOTEN, OSLO)


def running(municipality: str) -> Story:
    story = Story(municipality)
    story.appoint(at(2026, 1, 6))
    story.team(at(2026, 1, 6))
    return story


def request(m: str) -> Story:
    story = Story(m)
    story.request(at(2026, 1, 5))
    return story


def startup(m: str) -> Story:
    story = running(m)
    story.schedule(at(2026, 1, 7), at(2026, 2, 10, 9))
    return story


def agenda(m: str) -> Story:
    story = running(m)
    story.schedule(at(2026, 2, 1), at(2026, 3, 20))
    story.startup(at(2026, 2, 2))
    return story


def minutes(m: str) -> Story:
    story = running(m)
    story.startup(at(2026, 3, 1))
    story.meeting(at(2026, 3, 20))
    return story


def review(m: str) -> Story:
    story = running(m)
    story.startup(at(2026, 2, 1))
    story.meeting(at(2026, 2, 10))
    return story


def goal(m: str) -> Story:
    story = running(m)
    story.plan(at(2026, 1, 10))
    story.goal(at(2026, 1, 10), date(2026, 5, 1))
    return story


def transition(m: str) -> Story:
    story = Story(m, birth=date(2022, 3, 1), guardians=(MOTHER, FATHER))
    story.appoint(at(2026, 1, 6))
    return story


def complaint(m: str) -> Story:
    story = Story(m)
    story.complaint(at(2026, 3, 1))
    return story


def consent(m: str) -> Story:
    story = running(m)
    story.subject_consent(at(2026, 1, 10), valid_until=date(2026, 3, 1))
    return story


NONE = dict.fromkeys(MUNICIPALITIES)
# (rule, task, the case, when it is read, the deadline per municipality: None where the profile sets none)
KINDS: list[tuple[str, str, Callable[[str], Story], datetime, dict[str, date | None]]] = [
    ("CHK-01", "name_coordinator", request, at(2026, 1, 10),
     {**NONE, SONDRE_LAND: date(2026, 1, 19), OSLO: date(2026, 1, 19)}),
    ("CHK-02", "startup_conversation", startup, at(2026, 1, 20), dict.fromkeys(MUNICIPALITIES, date(2026, 2, 10))),
    ("CHK-04", "send_agenda", agenda, at(2026, 3, 1), {**NONE, SELBU: date(2026, 3, 13), OSLO: date(2026, 3, 13)}),
    ("CHK-05", "distribute_minutes", minutes, at(2026, 3, 25),
     {**NONE, SELBU: date(2026, 4, 3), OSLO: date(2026, 4, 3)}),
    ("CHK-08", "review_team", review, at(2026, 3, 1),
     {**NONE, SONDRE_LAND: date(2026, 8, 10), SELBU: date(2027, 2, 10), OSLO: date(2026, 8, 10)}),
    ("CHK-09", "evaluate_goal", goal, at(2026, 4, 1), dict.fromkeys(MUNICIPALITIES, date(2026, 5, 1))),
    ("CHK-10", "report_status", review, at(2026, 3, 1), {**NONE, SELBU: date(2027, 2, 10), OSLO: date(2027, 2, 10)}),
    ("CHK-16", "prepare_transition", transition, at(2026, 9, 1),
     {**NONE, SELBU: date(2027, 8, 15), OSLO: date(2027, 8, 15)}),
    ("CHK-20", "forward_complaint", complaint, at(2026, 3, 10), dict.fromkeys(MUNICIPALITIES, date(2026, 3, 22))),
    ("CHK-03", "renew_consent", consent, at(2026, 2, 10), dict.fromkeys(MUNICIPALITIES, date(2026, 3, 1))),
]  # fmt: skip


@pytest.mark.parametrize(("rule", "task", "make", "now", "deadlines"), KINDS, ids=[k[1] for k in KINDS])
def test_each_duty_kinds_deadline_per_profile_is_kept_in_the_store(ledger: Ledger, rule, task, make, now, deadlines):
    """Five municipalities, one case each: the task list has the duty with the profile's deadline, or
    none where the profile sets no deadline, and says what `duties_of` says in memory."""
    stories = {m: make(m) for m in MUNICIPALITIES}
    for story in stories.values():
        store_story(ledger, story)
    ledger.clock.set(now)
    for municipality, story in stories.items():
        listed = everyones_tasks(ledger, municipality)
        of_kind = [t for t in listed if t["task"] == task]
        expected = deadlines[municipality]
        if expected is None:
            assert of_kind == [], municipality
        else:
            assert [(t["rule"], t["deadline"]) for t in of_kind] == [(rule, expected.isoformat())], municipality
            assert all(t["case_id"] == str(story.case_id) and t["what"].endswith(".") for t in of_kind)
        in_memory = duties_of(story.events, profile_for(municipality), now)
        assert [(t["rule"], t["task"], t["deadline"], t["status"]) for t in listed] == [
            (d.rule, d.task.value, d.deadline.isoformat(), d.status.value) for d in in_memory
        ], municipality


def test_a_transition_duty_names_its_kind_and_the_coordinator(ledger: Ledger) -> None:
    store_story(ledger, transition(SELBU))
    ledger.clock.set(at(2026, 9, 1))
    (duty,) = everyones_tasks(ledger, SELBU)
    assert duty["item"] == TransitionKind.SCHOOL_TRANSFER_MEETING.value
    assert duty["assignee"] == {
        "kind": "coordinator",
        "id": "koord-7",
        "unit": "Psykisk helse og rus",
        "guardian": None,
    }
    assert (duty["title"], duty["label"]) == ("Overganger forberedt i tide etter barnets alder", "Forberede overgang")


def test_time_alone_makes_an_upcoming_duty_overdue_and_brings_a_consents_renewal(ledger: Ledger) -> None:
    """No event after the first read: the refresh judges the case again when its judgement lapses."""
    story = consent(OSLO)
    story.plan(at(2026, 1, 11))
    story.goal(at(2026, 1, 11), date(2026, 1, 31))
    store_story(ledger, story)
    ledger.clock.set(at(2026, 1, 20))
    assert [(t["task"], t["status"]) for t in everyones_tasks(ledger, OSLO)] == [("evaluate_goal", "upcoming")]
    ledger.clock.set(at(2026, 2, 10))
    assert [(t["task"], t["status"]) for t in everyones_tasks(ledger, OSLO)] == [
        ("evaluate_goal", "overdue"),
        ("renew_consent", "upcoming"),
    ]


def test_the_lists_page_in_the_database_and_count_every_match(ledger: Ledger) -> None:
    for _ in range(7):
        store_story(ledger, goal(OSLO))
    ledger.clock.set(at(2026, 4, 1))
    ke = ke_of(OSLO)
    whole = ledger.reads.tasks.everyone(ke, due_before=FAR)
    assert (whole["total"], len(whole["items"])) == (7, 7)
    pages = [ledger.reads.tasks.everyone(ke, due_before=FAR, limit=3, offset=n)["items"] for n in (0, 3, 6)]
    assert [len(p) for p in pages] == [3, 3, 1]
    assert [t["case_id"] for p in pages for t in p] == [t["case_id"] for t in whole["items"]]
    assert ledger.reads.tasks.everyone(ke, due_before=date(2026, 4, 30))["total"] == 0


def test_a_coordinator_sees_their_own_duties_and_no_one_elses(ledger: Ledger) -> None:
    own = store_story(ledger, goal(OSLO))
    other = Story(OSLO)
    other.appoint(at(2026, 1, 6), person=SUBSTITUTE)
    other.plan(at(2026, 1, 10))
    other.goal(at(2026, 1, 10), date(2026, 5, 1))
    store_story(ledger, other)
    ledger.clock.set(at(2026, 4, 1))
    mine = ledger.reads.tasks.mine(Actor("koord-7", Role.COORDINATOR, OSLO))["items"]
    assert [(t["case_id"], t["task"]) for t in mine] == [(str(own), "evaluate_goal")]
    assert ledger.reads.tasks.mine(Actor("koord-7", Role.COORDINATOR, SELBU))["items"] == []  # another municipality
