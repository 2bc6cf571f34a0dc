"""`ledger demo`'s generator: every stage, the worked scenarios, a ledger that verifies.

The demo is written once per backend (module scope, built exactly as the
`ledger` fixture builds its store) and the tests read what it wrote.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from app.bootstrap import build
from demo.cases import Stage
from demo.dataset import DemoReport, plan_cases, run_demo
from demo.scenarios import SCENARIOS
from ledger.values import CaseStatus, CoordinatorKind, EvaluationStatus, PlanTool, is_erased
from tests.support.clock import TODAY, FakeClock
from tests.support.stores import BACKENDS, database_url, settings_for
from tests.support.story import judge

CASES = 40


@pytest.fixture(scope="module", params=BACKENDS)
def demo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, DemoReport]]:
    tmp: Path = tmp_path_factory.mktemp(f"demo-{request.param}")
    ledger = build(settings_for(database_url(request.param, tmp, request), tmp / "secrets"), clock=FakeClock())
    report = run_demo(ledger, cases=CASES)
    yield ledger, report
    ledger.close()


@pytest.fixture(scope="module")
def cases(demo: tuple[Any, DemoReport]) -> dict[str, Any]:
    ledger, report = demo
    return {str(c.case_id): ledger.app.load_case(c.case_id) for c in report.cases}


def test_the_demo_writes_the_cases_asked_for_in_every_stage(demo):
    _, report = demo
    assert len(report.cases) == CASES
    assert {c.stage for c in report.cases} == set(Stage)
    assert {c.municipality for c in report.cases} == {"3447", "4647", "5032", "3443"}
    assert report.events == sum(c.events for c in report.cases) > 20 * CASES


def test_every_case_loads_with_as_many_events_as_the_report_counted(demo, cases):
    _, report = demo
    assert {str(c.case_id): c.events for c in report.cases} == {k: c.version for k, c in cases.items()}


def test_history_lies_between_2024_and_the_ledgers_now(demo, cases):
    assert all(datetime(2024, 1, 1, tzinfo=UTC) <= c.opened_at <= TODAY for c in cases.values())
    assert min(c.opened_at for c in cases.values()).year == 2024


def test_some_cases_are_closed_and_some_erased(cases):
    closed = [c for c in cases.values() if c.status is CaseStatus.CLOSED]
    erased = [c for c in closed if c.erased]
    assert len(closed) > len(erased) >= 2
    assert all(c.exports for c in erased)
    assert all(is_erased(c.subject) for c in erased)


def test_some_child_consents_await_the_second_parent(cases):
    waiting = [
        c
        for c in cases.values()
        for k in c.consents.values()
        if k.in_force_from is None and k.required_refs - k.signed_refs
    ]
    assert waiting


def test_consents_are_withdrawn_in_whole_and_for_single_participants(cases):
    consents = [k for c in cases.values() for k in c.consents.values()]
    assert any(k.withdrawn_at for k in consents)
    assert any(k.withdrawn_participants for k in consents)


def test_complaints_are_received_forwarded_and_decided(cases):
    complaints = [k for c in cases.values() for k in c.complaints.values()]
    assert complaints
    assert any(k.forwarded_at and k.decided for k in complaints)


def test_goals_are_set_evaluated_and_some_are_left_past_their_date(cases):
    goals = [g for c in cases.values() if not c.erased for g in c.goals.values()]
    assert any(g.evaluations for g in goals)
    assert any(not g.evaluations and g.evaluate_by < TODAY.date() for g in goals)
    assert all(g.text.startswith("Jeg ") for g in goals)


def test_names_are_norwegian(cases):
    names = [c.subject.name for c in cases.values() if not c.erased and c.subject.name]
    assert any(ch in name for name in names for ch in "æøåÆØÅ")


def test_the_three_worked_scenarios_are_there_as_written(demo, cases):
    """The scenarios of demo/scenarios.py, lived by the demo's staff, as SCENARIOS.md tells them."""
    _, report = demo
    one, two, three = (cases[str(i)] for i in report.scenarios.values())
    # 1. Søndre Land: coordinator named 28 days after the request; IP declined, minutes instead.
    assert one.municipality == "3447" and one.subject.birth_date == date(1979, 4, 2)
    assert one.plan_tool is PlanTool.MINUTES and one.coordinator is not None
    request = next(iter(one.coordinator_requests.values()))
    assert (request.answered_at - request.requested_at).days == 28
    (goal,) = one.goals.values()
    assert goal.text == "Jeg vil ha en fast jobb innen ett år"
    assert [s for _, s in goal.evaluations] == [EvaluationStatus.PARTLY_ACHIEVED]
    # 2. Vestre Toten: relay log closed when the child coordinator took over; consent in force
    # from the father's signature.
    assert two.municipality == "3443" and two.subject.birth_date == date(2021, 5, 10)
    assert two.coordinator.kind is CoordinatorKind.CHILD_COORDINATOR
    assert two.relay_log_closed_at.date() == date(2026, 2, 1)
    (consent,) = two.consents.values()
    assert consent.in_force_from.date() == date(2026, 2, 7)
    assert sorted(m.held_at.date() for m in two.meetings.values()) == [date(2026, 2, 20), date(2026, 9, 15)]
    # 3. Sunnfjord: withdrawn, closed by KE, exported, erased.
    assert three.municipality == "4647" and three.status is CaseStatus.CLOSED and three.erased
    (withdrawn,) = three.consents.values()
    assert withdrawn.withdrawn_at.date() == date(2026, 5, 1)
    assert three.closed_at.date() == date(2026, 6, 1) and three.exports
    # Each judged at its "today" gives the outcomes SCENARIOS.md states.
    ledger, _ = demo
    for scenario, case_id in zip(SCENARIOS, report.scenarios.values(), strict=True):
        events = ledger.app.case_events(case_id)
        for profile, outcomes in scenario.expected.items():
            results = judge(events, profile, scenario.today.isoformat())
            assert {rule: results[rule].status for rule in outcomes} == outcomes, (scenario.title, profile)


def test_the_demo_ledger_verifies_after_a_seal(demo):
    ledger, report = demo
    checkpoint = ledger.integrity.seal()
    result = ledger.integrity.verify()
    assert result.ok, result.summary()
    assert checkpoint.tree_size == result.events == report.events


def test_the_plan_of_cases_is_the_same_for_the_same_seed():
    assert plan_cases(random.Random(2026), 120) == plan_cases(random.Random(2026), 120)
    assert plan_cases(random.Random(2026), 120) != plan_cases(random.Random(2027), 120)


def test_every_projection_takes_in_the_whole_demo(demo):
    """Applying an event never fails: every projection reaches the end of the log, erased cases
    (whose events read as erased) included."""
    ledger, report = demo
    ledger.projections.catch_up()
    end = ledger.app.recorder.max_notification_id()
    assert {name: ledger.projections.position(name) for name in ledger.projections.projections} == {
        name: end for name in ledger.projections.projections
    }


def test_the_overview_shows_breaches_of_several_kinds(demo):
    """KE's overview of the demo lists breaches of at least four different checks."""
    from datetime import timedelta

    from store.compliance_rows import overview

    ledger, _ = demo
    ledger.projections.catch_up()
    breached: set[str] = set()
    for municipality in ("3447", "5032", "0301", "1804"):
        items = ledger.projections.store.read(
            overview, municipality, ledger.clock(), due_before=ledger.clock() + timedelta(days=14)
        )
        breached |= set(items.breaches_per_rule)
    assert len(breached) >= 4, breached
