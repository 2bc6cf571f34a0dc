"""GET /v1/compliance/breaches: KE's overview of breached and soon-due checks,
kept by the compliance projection and judged again when time alone changes a check."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient

from api.auth import issue_token
from app.server import create_app
from audit.compliance import CheckStatus, evaluate
from commands.case_commands import RequestCoordinator
from ledger.values import Person, Role
from tests.support.story import Story

SONDRE_LAND = "3447"


def overview(ledger, role=Role.KE_CASEWORKER, municipality=SONDRE_LAND, **params):
    client = TestClient(create_app(ledger, run_projections=False))
    token = issue_token(ledger.settings.jwt_secret, role=role, sub="ke-1", municipality=municipality)
    return client.get("/v1/compliance/breaches", params=params, headers={"Authorization": f"Bearer {token}"})


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(hour=12, tzinfo=UTC)


def items(response, case_id=None):
    assert response.status_code == 200, response.text
    found = response.json()["items"]
    return [i for i in found if case_id is None or i["case_id"] == str(case_id)]


def test_a_pending_check_is_listed_as_due_then_as_a_breach_when_its_deadline_passes(ledger, clock):
    """KE asked for a coordinator on 15 January; Søndre Land gives 14 days. Before the deadline CHK-01 is
    listed as pending (due soon); after it, with no new event at all, as a breach."""
    clock.set(at("2026-01-20"))
    story = Story(ledger.app)
    story.request("2026-01-15")
    before = [i for i in items(overview(ledger), story.case_id) if i["rule"] == "CHK-01"]
    assert [(i["status"], i["deadline"][:10], i["unit"]) for i in before] == [
        ("pending", "2026-01-29", "Psykisk helse og rus")
    ]
    clock.set(at("2026-02-02"))
    after = overview(ledger)
    chk01 = [i for i in items(after, story.case_id) if i["rule"] == "CHK-01"]
    assert [i["status"] for i in chk01] == ["breach"]
    assert after.json()["breaches_per_rule"].get("CHK-01") == 1
    assert chk01[0]["judged_at"].startswith("2026-02-02"), "the lapsed judgement was made again"


def test_a_check_met_in_time_leaves_the_overview(ledger, clock):
    clock.set(at("2026-01-20"))
    story = Story(ledger.app)
    story.request("2026-01-15")
    story.appoint("2026-01-19")
    assert "CHK-01" not in {i["rule"] for i in items(overview(ledger), story.case_id)}


def test_filters_by_rule_unit_and_due_date(ledger, clock):
    """Two cases asked of different units: `unit` picks one; `rule` keeps one check; a `due_before`
    earlier than a pending deadline leaves that check out, while breaches stay in."""
    clock.set(at("2026-02-20"))
    late = Story(ledger.app)
    late.request("2026-01-15")  # CHK-01 breached on 29 January
    fresh = Story(ledger.app, opened="2026-02-16", birth=date(1985, 3, 3))
    fresh.do(RequestCoordinator, "2026-02-18", unit="Barn og familie", unit_leader=Person("leder-2", "Bodil Leder"))
    by_unit = items(overview(ledger, unit="Barn og familie"))
    assert {i["case_id"] for i in by_unit} == {str(fresh.case_id)}
    only = items(overview(ledger, rule="CHK-01"))
    assert {i["rule"] for i in only} == {"CHK-01"}
    assert {(i["case_id"], i["status"]) for i in only} == {
        (str(late.case_id), "breach"),
        (str(fresh.case_id), "pending"),
    }
    narrow = items(overview(ledger, rule="CHK-01", due_before="2026-02-25"))
    assert {(i["case_id"], i["status"]) for i in narrow} == {(str(late.case_id), "breach")}
    assert all(i["title"].startswith("Koordinator oppnevnt") for i in only)


def test_the_overview_agrees_with_judging_each_case_now(ledger, clock):
    """Every breach the overview lists is a breach when the case is judged from its events, and every
    breach such a judgement finds is listed (none lost, none invented), also after a rebuild."""
    clock.set(at("2026-06-01"))
    stories = [Story(ledger.app, birth=date(1980 + i, 5, 5)) for i in range(3)]
    stories[0].request("2026-01-15")
    stories[1].running()
    stories[2].decide("2026-02-01")
    expected = set()
    for story in stories:
        results = evaluate(story.events(), ledger.app.profile(SONDRE_LAND), clock())
        expected |= {(str(story.case_id), r.rule) for r in results if r.status is CheckStatus.BREACH}
    listed = {(i["case_id"], i["rule"]) for i in items(overview(ledger)) if i["status"] == "breach"}
    assert listed == expected and expected
    ledger.projections.rebuild(["compliance"])
    assert {(i["case_id"], i["rule"]) for i in items(overview(ledger)) if i["status"] == "breach"} == expected


def test_another_municipality_sees_none_of_the_cases(ledger, clock):
    clock.set(at("2026-03-01"))
    Story(ledger.app).request("2026-01-15")
    assert items(overview(ledger, municipality="5032")) == []


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.SUPERVISOR, Role.CITIZEN])
def test_only_the_coordinating_unit_reads_the_overview(ledger, role):
    response = overview(ledger, role=role)
    assert response.status_code == 403
    assert response.json()["rule"] == "INV-07"


@pytest.mark.parametrize("params", [{"rule": "CHK-21"}, {"rule": "INV-01"}, {"due_before": "not-a-date"}, {"unit": ""}])
def test_malformed_filters_are_refused(ledger, params):
    response = overview(ledger, **params)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")


def test_extreme_dates_are_answered_not_crashed(ledger, clock):
    for day in ("0001-01-01", "9999-12-31", "9999-12-31T23:59:59+00:00"):
        assert overview(ledger, due_before=day).status_code == 200


def test_the_overview_comes_a_page_at_a_time_with_totals_over_all_pages(ledger, clock):
    clock.set(at("2026-03-01"))
    for i in range(3):
        Story(ledger.app, birth=date(1970 + i, 1, 9)).request("2026-01-15")
    whole = overview(ledger, rule="CHK-01").json()
    first, rest = overview(ledger, rule="CHK-01", limit=2).json(), overview(ledger, rule="CHK-01", offset=2).json()
    assert whole["total"] == first["total"] == 3 and len(first["items"]) == 2
    assert first["breaches_per_rule"] == {"CHK-01": 3}
    assert first["items"] + rest["items"] == whole["items"]
    assert overview(ledger, limit=0).status_code == 422


def test_the_unit_follows_the_coordinator_and_a_nul_in_it_does_not_stop_the_projection(ledger, clock):
    """Appointing a coordinator of another unit moves the case to that unit; text the HTTP edge would
    refuse (a NUL) is kept readable, and applying never fails."""
    from commands.case_commands import AppointCoordinator
    from ledger.values import CoordinatorKind

    clock.set(at("2026-02-20"))
    story = Story(ledger.app)
    story.request("2026-01-15")
    story.do(
        AppointCoordinator,
        "2026-02-10",
        person=Person("k-9", "Kari"),
        unit="Helse\x00omsorg",
        kind=CoordinatorKind.COORDINATOR,
        subject_wish_heard=True,
    )
    rows = items(overview(ledger, rule="CHK-01"))
    assert [(r["unit"], r["coordinator_id"]) for r in rows] == [("Helse\ufffdomsorg", "k-9")]
    assert items(overview(ledger, unit="Psykisk helse og rus")) == []


def test_a_refresh_that_races_another_process_leaves_its_rows_and_does_not_fail_the_read(ledger, clock, monkeypatch):
    """Two processes re-judging one case at once: the loser's unique-key clash is not an error."""
    from eventsourcing.persistence import IntegrityError

    clock.set(at("2026-01-20"))
    Story(ledger.app).request("2026-01-15")
    assert overview(ledger).status_code == 200
    compliance = ledger.projections.projections["compliance"]

    def clash(*args, **kwargs):
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(compliance, "_write", clash)
    clock.set(at("2026-02-20"))  # every judgement has lapsed
    assert overview(ledger).status_code == 200


def test_a_refresh_never_replaces_a_judgement_of_newer_events(ledger, clock):
    """A refresh that read the case before newer events were judged (by another process) keeps the newer rows."""
    from commands.case_commands import AppointCoordinator
    from ledger.values import CoordinatorKind

    clock.set(at("2026-01-20"))
    story = Story(ledger.app)
    story.request("2026-01-15")
    compliance = ledger.projections.projections["compliance"]
    stale = compliance._judgement(story.case_id, clock())  # read before the appointment
    story.do(
        AppointCoordinator,
        "2026-01-19",
        person=Person("k-1", "Kari"),
        unit="Psykisk helse og rus",
        kind=CoordinatorKind.COORDINATOR,
        subject_wish_heard=True,
    )
    assert "CHK-01" not in {i["rule"] for i in items(overview(ledger), story.case_id)}
    d = ledger.app.recorder.dialect
    with ledger.app.recorder.datastore.transaction(commit=True) as c:
        compliance._write(c, d, stale, unless_newer=True)
    assert "CHK-01" not in {i["rule"] for i in items(overview(ledger), story.case_id)}
    with ledger.app.recorder.datastore.transaction(commit=True) as c:
        compliance._write(c, d, stale)  # the guard is what kept it: without it the stale rows return
    assert "CHK-01" in {i["rule"] for i in items(overview(ledger), story.case_id)}
