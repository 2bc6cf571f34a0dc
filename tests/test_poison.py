"""No poison event: an event planted in the store behind the command path, which no projection can
handle, stops neither the log nor the other cases. The failing case is recorded with the event's
position, its views answer "could not be computed" (503 problem+json, never a 500), and readiness,
`ledger verify` and `ledger rebuild` report it. On both stores."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
from typer.testing import CliRunner

from app.cli import app as cli
from app.logging import reset_logging
from ledger.events_plan import MeetingScheduled
from ledger.values import Role
from tests.support.http import Api, assert_problem, created, running_case

PROBLEM_NOT_COMPUTED = "https://ledger.example/problems/not-computed"


def plant(ledger: Any, case_id: UUID, event_class: type, **fields: Any) -> int:
    """Store an event with these fields straight through the recorder, as a defective writer or an
    older version might have: no command, no validation. Returns its position (notification id)."""
    app = ledger.app
    last = app.case_events(case_id)[-1]
    event = object.__new__(event_class)
    event.__dict__.update(
        originator_id=case_id,
        originator_version=last.originator_version + 1,
        timestamp=ledger.clock(),
        occurred_at=ledger.clock(),
        recorded_by=last.recorded_by,
        recorded_by_name=last.recorded_by_name,
        **fields,
    )
    with app.keyring.scope([case_id]):
        assert app.keyring.prepare_write(case_id) is None  # the case has its key
        try:
            stored = app.mapper.to_stored_event(event)
        finally:
            app.keyring.finish_write(case_id)
    [position] = app.recorder.insert_events([stored])
    return position


def poisoned(api: Api) -> tuple[str, int, str]:
    """A running case with a meeting whose time is not a time, then a second case recorded after it."""
    victim = running_case(api, individual=1)
    position = plant(
        api.ledger,
        UUID(victim.case_id),
        MeetingScheduled,
        meeting_id=uuid4(),
        scheduled_for="31.12.9999 kl. 23",  # text where a datetime belongs
        invitees=(),
        interpreter_booked=False,
    )
    bystander = running_case(api, individual=2)
    return victim.case_id, position, bystander.case_id


def test_a_poison_event_stops_neither_the_log_nor_the_other_cases(api: Api) -> None:
    """Every projection reaches the head of the log; the failing case is recorded with the event's
    position in the projections that could not compute it, and the case after it is projected."""
    ledger = api.ledger
    victim, position, bystander = poisoned(api)
    ledger.projections.catch_up()
    head = ledger.reads.log_head()
    assert {name: ledger.projections.position(name) for name in ledger.projections.projections} == dict.fromkeys(
        ledger.projections.projections, head
    )
    failures = {f.projection: f for f in ledger.projections.failures()}
    # The register has no column for a meeting; the archive outbox and the duties look at the whole
    # case, as the compliance rows do.
    assert set(failures) == {"case_view", "compliance", "archive", "duties"}
    assert {f.case_id for f in failures.values()} == {victim}
    assert failures["case_view"].position == position and failures["case_view"].version == 5
    assert failures["case_view"].error.startswith("AttributeError at projections/case_view.py:")
    assert "9999" not in str([f.to_dict() for f in failures.values()])  # the value is never quoted
    assert api.get(f"/v1/cases/{bystander}", Role.KE_CASEWORKER).status_code == 200


def test_the_failing_cases_views_say_could_not_be_computed_and_the_rest_answers(api: Api) -> None:
    """503 problem+json with a Norwegian explanation for what cannot be computed, never 500; the
    history still answers, and so do the overviews, naming the case they could not judge."""
    victim, _, bystander = poisoned(api)
    for part in ("", "/compliance", "/report"):
        problem = assert_problem(api.get(f"/v1/cases/{victim}{part}", Role.KE_CASEWORKER), 503)
        assert problem["type"] == PROBLEM_NOT_COMPUTED and "kunne ikke beregnes" in problem["detail"]
        assert "9999" not in problem["detail"]
    assert api.get(f"/v1/cases/{victim}/history", Role.KE_CASEWORKER).status_code == 200
    assert api.get(f"/v1/cases/{bystander}/compliance", Role.KE_CASEWORKER).status_code == 200
    breaches = api.get("/v1/compliance/breaches", Role.KE_CASEWORKER)
    assert breaches.status_code == 200 and breaches.json()["not_computed"] == [victim]
    assert all(item["case_id"] != victim for item in breaches.json()["items"])
    assert api.get("/v1/register/coordinators", Role.KE_CASEWORKER).json()["not_computed"] == []


def test_commands_on_the_failing_case_still_answer_and_the_case_stays_set_aside(api: Api) -> None:
    """The case still takes commands (its events are fine to store); the projection that could not
    compute it keeps counting the events it does not apply."""
    victim, position, _ = poisoned(api)
    api.ledger.projections.catch_up()
    created(
        api.post(
            f"/v1/cases/{victim}/startup-conversations",
            Role.COORDINATOR,
            {"what_matters": "Å bo hjemme", "interpreter_needed": False},
        )
    )
    api.ledger.projections.catch_up()
    [failure] = api.ledger.projections.failures(["case_view"])
    assert failure.position == position and failure.skipped == 1


def test_readiness_reports_the_failure_without_naming_the_case(api: Api) -> None:
    """Readiness says degraded (still 200: everything else is served), with the projection, the count,
    the first position and the error's type; no case id (anyone may ask)."""
    victim, position, _ = poisoned(api)
    api.ledger.projections.catch_up()
    response = api.client.get("/v1/health/ready")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "degraded" and body["database"]["reachable"] is True
    by_name = {f["projection"]: f for f in body["failed_projections"]}
    assert by_name["case_view"]["cases"] == 1 and by_name["case_view"]["first_position"] == position
    assert all(p["lag"] == 0 for p in body["projections"].values())
    assert victim not in response.text


def test_verify_and_rebuild_name_the_failure_in_one_line(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """`ledger verify` exits 0 (the events are intact) with one line naming what could not be computed;
    `ledger rebuild` computes every projection again and exits 1 naming the case it still cannot."""
    victim, position, _ = poisoned(api)
    api.ledger.projections.catch_up()
    settings = api.ledger.settings
    monkeypatch.setenv("LEDGER_DATABASE_URL", settings.store.url)
    monkeypatch.setenv("LEDGER_MASTER_KEY", settings.master_key.hex())
    monkeypatch.setenv("LEDGER_SIGNING_KEY", "22" * 32)
    monkeypatch.setenv("LEDGER_JWT_SECRET", settings.jwt_secret)
    monkeypatch.chdir(Path(settings.secrets_dir))
    runner = CliRunner()
    try:
        verified = runner.invoke(cli, ["verify"])
        assert verified.exit_code == 0, verified.output
        [line] = [line for line in verified.output.splitlines() if line.startswith("projections:")]
        assert "4 case(s) could not be computed" in line and victim in line and f"log position {position}" in line
        rebuilt = runner.invoke(cli, ["rebuild"])
        assert rebuilt.exit_code == 1
        assert "Traceback" not in rebuilt.output
        [line] = [line for line in rebuilt.output.splitlines() if line.startswith("projections:")]
        assert victim in line and "AttributeError" in line
    finally:
        reset_logging()
    assert api.ledger.projections.position("compliance") == api.ledger.reads.log_head()
