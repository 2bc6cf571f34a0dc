"""The case as it stood (`as_of`, by when things happened) and as it was
known (`known_at`, by when they were recorded), with backdated events."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from commands.plan_commands import EstablishPlan, SetGoal
from ledger.events_plan import GoalSet
from ledger.values import LifeArea, PlanTool
from projections.case_view import fold
from tests.support.cases import coordinator, running_case

MARCH = datetime(2026, 3, 16, 10, tzinfo=UTC)


def setup_backdated_goal(ledger, clock):
    """Opened in January (recorded then); a goal that happened in March is recorded only in May."""
    clock.set(datetime(2026, 1, 6, 9, tzinfo=UTC))
    fx = running_case(ledger)
    ledger.app.handle(EstablishPlan(actor=coordinator(), case_id=fx.case_id, tool=PlanTool.MINUTES))
    clock.set(datetime(2026, 5, 2, 9, tzinfo=UTC))
    ledger.app.handle(
        SetGoal(
            actor=coordinator(),
            case_id=fx.case_id,
            text="Jeg vil ha en fast jobb",
            life_area=LifeArea.EDUCATION_WORK,
            responsible_service="NAV",
            evaluate_by=date(2026, 9, 1),
            occurred_at=MARCH,
        )
    )
    clock.set(datetime(2026, 11, 22, 12, tzinfo=UTC))
    return fx


def test_as_of_includes_events_that_occurred_by_then_even_if_recorded_later(ledger, clock):
    """A goal set in March but recorded in May is part of the plan as of April."""
    fx = setup_backdated_goal(ledger, clock)
    events = ledger.app.case_events(fx.case_id)
    april = fold(events, as_of=datetime(2026, 4, 1, tzinfo=UTC))
    february = fold(events, as_of=datetime(2026, 2, 1, tzinfo=UTC))
    assert [g["text"] for g in april["goals"].values()] == ["Jeg vil ha en fast jobb"]
    assert february["goals"] == {}


def test_known_at_excludes_what_had_not_been_recorded_yet(ledger, clock):
    """Known in April, the March goal was not yet in the record; known in June, it was."""
    fx = setup_backdated_goal(ledger, clock)
    events = ledger.app.case_events(fx.case_id)
    assert fold(events, known_at=datetime(2026, 4, 1, tzinfo=UTC))["goals"] == {}
    assert len(fold(events, known_at=datetime(2026, 6, 1, tzinfo=UTC))["goals"]) == 1


def test_late_recording_is_visible_in_the_history(ledger, clock):
    """The history shows when the goal happened and when it was recorded, six weeks apart."""
    fx = setup_backdated_goal(ledger, clock)
    [goal_set] = [e for e in ledger.app.case_events(fx.case_id) if isinstance(e, GoalSet)]
    assert goal_set.occurred_at == MARCH
    assert goal_set.timestamp - goal_set.occurred_at > timedelta(days=40)


def test_the_case_read_accepts_as_of_and_known_at_over_http(ledger, clock):
    """GET /v1/cases/{id}?as_of=…&known_at=… answers the view at that time."""
    from fastapi.testclient import TestClient

    from api.auth import issue_token
    from app.server import create_app
    from ledger.values import Role

    fx = setup_backdated_goal(ledger, clock)
    token = issue_token(ledger.settings.jwt_secret, role=Role.KE_CASEWORKER, sub="ke-1", municipality="3447")
    client = TestClient(create_app(ledger, run_projections=False))
    headers = {"Authorization": f"Bearer {token}"}
    path = f"/v1/cases/{fx.case_id}"
    both = client.get(
        path, params={"as_of": "2026-04-01T00:00:00Z", "known_at": "2026-04-01T00:00:00Z"}, headers=headers
    )
    later = client.get(
        path, params={"as_of": "2026-04-01T00:00:00Z", "known_at": "2026-06-01T00:00:00Z"}, headers=headers
    )
    naive = client.get(path, params={"as_of": "2026-04-01T00:00:00"}, headers=headers)
    assert both.status_code == 200 and both.json()["goals"] == {}
    assert later.status_code == 200 and len(later.json()["goals"]) == 1
    assert naive.status_code == 422
