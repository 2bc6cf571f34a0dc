"""Projections: fed from the notification log, position tracked with the
rows, exactly once across crashes, restarts and concurrent runners."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from eventsourcing.persistence import OperationalError

from app.bootstrap import build
from commands.case_commands import AppointCoordinator, OpenCase, ReleaseCoordinator
from ledger.national_id import synthesize
from ledger.values import CoordinatorKind, Person, Provision, ReferrerKind, Subject
from projections.register import RegisterProjection
from projections.runner import ProjectionRunner
from store import register_rows
from tests.support.cases import coordinator, file_in_archive, ke, running_case, subject_consent
from tests.support.clock import TODAY


def rows(ledger: Any) -> list[dict[str, Any]]:
    with ledger.app.recorder.datastore.transaction(commit=False) as c:
        c.execute(ledger.app.recorder.dialect.sql("SELECT * FROM {register_cases} ORDER BY case_id"))
        return [dict(r) for r in c.fetchall()]


def open_cases(ledger: Any, n: int, start: int = 0, appoint: bool = True) -> list[Any]:
    ids = []
    for i in range(start, start + n):
        r = ledger.app.handle(
            OpenCase(
                actor=ke(),
                municipality="3447",
                requested=(Provision.COORDINATOR,),
                subject=Subject(national_id=synthesize(TODAY.date().replace(year=1980), i)),
                referrer_kind=ReferrerKind.GP,
            )
        )
        if appoint:
            ledger.app.handle(
                AppointCoordinator(
                    actor=ke(),
                    case_id=r.case_id,
                    person=Person(f"k{i % 3}", "Koord"),
                    unit=f"unit-{i % 2}",
                    kind=CoordinatorKind.COORDINATOR,
                    subject_wish_heard=True,
                )
            )
        ids.append(r.case_id)
    return ids


def test_the_register_shows_coordinators_their_cases_and_the_load_per_unit(ledger):
    """Coordinators are grouped with their cases; units count their cases; cases without one are listed."""
    ids = open_cases(ledger, 4)
    [unassigned] = open_cases(ledger, 1, start=10, appoint=False)
    ledger.projections.catch_up()
    overview = ledger.projections.store.read(register_rows.coordinators, "3447")
    loads = {p["person_id"]: p["load"] for p in overview["coordinators"]}
    assert loads == {"k0": 2, "k1": 1, "k2": 1}
    assert {u["unit"]: u["cases"] for u in overview["load_per_unit"]} == {"unit-0": 2, "unit-1": 2}
    assert [c["case_id"] for c in overview["cases_without_coordinator"]] == [str(unassigned)]
    assert sorted(str(i) for i in ids) == sorted(c for p in overview["coordinators"] for c in p["cases"])


def test_a_rebuild_from_zero_gives_exactly_the_same_rows(ledger):
    """Rows kept up to date incrementally equal the rows of a rebuild from the first event."""
    ids = open_cases(ledger, 3)
    ledger.projections.catch_up()
    running_case(ledger, individual=40)
    ledger.app.handle(ReleaseCoordinator(actor=ke(), case_id=ids[0]))
    ledger.projections.catch_up()
    incremental = rows(ledger)
    ledger.projections.rebuild(["register"])
    assert rows(ledger) == incremental
    assert ledger.projections.position("register") == ledger.app.recorder.max_notification_id()


class Crashing(RegisterProjection):
    """Loses the database on the n-th event it applies, like a process killed mid-batch: the batch
    cannot be finished and must roll back (an event the projection itself cannot apply is set aside
    instead: tests/test_poison.py)."""

    def __init__(self, fail_at: int) -> None:
        self.fail_at = fail_at
        self.seen = 0

    def apply(self, c: Any, d: Any, e: Any) -> None:
        self.seen += 1
        if self.seen == self.fail_at:
            raise OperationalError("crash")
        super().apply(c, d, e)


def test_a_crash_mid_batch_neither_skips_nor_repeats_an_event(ledger):
    """The failed batch rolls back rows and position together; the next run applies it once."""
    open_cases(ledger, 5)
    crashing = ProjectionRunner(ledger.app, ledger.projections.store, [Crashing(fail_at=4)])
    with pytest.raises(OperationalError):
        crashing.catch_up()
    assert crashing.position("register") == 0
    assert rows(ledger) == []
    ledger.projections.catch_up()
    resumed = rows(ledger)
    ledger.projections.rebuild()
    assert resumed == rows(ledger)


def test_a_restarted_runner_resumes_from_its_tracked_position(ledger, tmp_path, clock):
    """A new process picks up where the last one stopped, and applies only what is new."""
    open_cases(ledger, 2)
    ledger.projections.catch_up()
    first = ledger.projections.position("register")
    open_cases(ledger, 2, start=5)
    restarted = build(ledger.settings, clock=clock)
    try:
        assert restarted.projections.position("register") == first
        applied = restarted.projections.catch_up(["register"])
        assert applied == 4  # two cases, each opened and appointed
        assert len(rows(restarted)) == 4
    finally:
        restarted.close()


def test_two_runners_at_once_apply_every_event_exactly_once(ledger, clock):
    """Runners in two processes (here two independently built ledgers) never double-apply."""
    open_cases(ledger, 12)
    other = build(ledger.settings, clock=clock)
    try:
        threads = [threading.Thread(target=r.catch_up) for r in (ledger.projections, other.projections)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        concurrent = rows(ledger)
        ledger.projections.rebuild()
        assert concurrent == rows(ledger)
        assert sum(r["participants"] for r in concurrent) == 0
        assert len(concurrent) == 12
    finally:
        other.close()


def test_no_event_is_skipped_while_many_writers_commit_concurrently(ledger):
    """A runner projecting while 6 writers commit equals a rebuild afterwards."""
    stop = threading.Event()
    runner = threading.Thread(target=ledger.projections.run_forever, args=(stop, 0.01))
    runner.start()
    errors: list[BaseException] = []

    def writer(k: int) -> None:
        try:
            open_cases(ledger, 5, start=100 + k * 10)
        except BaseException as e:
            errors.append(e)

    writers = [threading.Thread(target=writer, args=(k,)) for k in range(6)]
    for w in writers:
        w.start()
    for w in writers:
        w.join()
    ledger.projections.catch_up()
    stop.set()
    runner.join()
    assert errors == []
    live = rows(ledger)
    assert len(live) == 30
    ledger.projections.rebuild()
    assert live == rows(ledger)


def test_erasure_leaves_no_coordinator_name_in_the_register(ledger):
    """KeyDestroyed clears the plaintext the projection held."""
    from commands.plan_commands import CloseCase, EraseCase, ExportPlan

    fx = running_case(ledger, individual=7)
    ledger.app.handle(
        CloseCase(actor=ke(), case_id=fx.case_id, reason="flyttet", assessment="ferdig", agreed_by_subject=True)
    )
    ledger.app.handle(ExportPlan(actor=ke(), case_id=fx.case_id, format="json"))
    ledger.projections.catch_up()
    assert [r["coordinator_name"] for r in rows(ledger)] == ["Kåre Koordinator"]
    file_in_archive(ledger, fx.case_id)
    ledger.app.handle(EraseCase(actor=ke(), case_id=fx.case_id))
    ledger.projections.catch_up()
    assert [r["coordinator_name"] for r in rows(ledger)] == [None]
    ledger.projections.rebuild()
    assert [r["coordinator_name"] for r in rows(ledger)] == [None]


def projected_views(ledger: Any) -> dict[str, Any]:
    from uuid import UUID

    from projections.case_views import open_view

    with ledger.app.recorder.datastore.transaction(commit=False) as c:
        c.execute(ledger.app.recorder.dialect.sql("SELECT case_id, version, view FROM {case_views}"))
        rows = c.fetchall()
    return {
        r["case_id"]: (r["version"], open_view(ledger.app.keyring, UUID(r["case_id"]), bytes(r["view"]))) for r in rows
    }


def test_the_case_view_projection_equals_the_fold_of_each_cases_events(ledger):
    """Each projected row is exactly the view folded from the case's events, at the same version."""
    from commands.plan_commands import EstablishPlan, SetGoal
    from ledger.values import LifeArea, PlanTool
    from projections.case_view import fold

    fx = running_case(ledger, individual=11)
    ledger.app.handle(subject_consent(fx))
    ledger.app.handle(EstablishPlan(actor=coordinator(), case_id=fx.case_id, tool=PlanTool.INDIVIDUAL_PLAN))
    ledger.app.handle(
        SetGoal(
            actor=coordinator(),
            case_id=fx.case_id,
            text="Jeg vil bo for meg selv",
            life_area=LifeArea.HOUSING,
            responsible_service="NAV",
            evaluate_by=TODAY.date(),
        )
    )
    ids = open_cases(ledger, 2, start=30)
    ledger.projections.catch_up()
    views = projected_views(ledger)
    for case_id in [fx.case_id, *ids]:
        events = ledger.app.case_events(case_id)
        assert views[str(case_id)] == (events[-1].originator_version, fold(events))
    ledger.projections.rebuild(["case_view"])
    assert projected_views(ledger) == views


def test_erasure_refolds_the_case_view_without_the_persons_data(ledger):
    """After KeyDestroyed the projected view holds no name or national id, and equals a rebuild."""
    from commands.plan_commands import CloseCase, EraseCase, ExportPlan

    fx = running_case(ledger, individual=12)
    ledger.app.handle(
        CloseCase(actor=ke(), case_id=fx.case_id, reason="flyttet", assessment="ferdig", agreed_by_subject=True)
    )
    ledger.app.handle(ExportPlan(actor=ke(), case_id=fx.case_id, format="json"))
    ledger.projections.catch_up()
    assert fx.subject_id in str(projected_views(ledger)[str(fx.case_id)])
    file_in_archive(ledger, fx.case_id)
    ledger.app.handle(EraseCase(actor=ke(), case_id=fx.case_id))
    ledger.projections.catch_up()
    version, view = projected_views(ledger)[str(fx.case_id)]
    assert fx.subject_id not in str(view) and "Ola Nordmann" not in str(view)
    assert view["erased"] is True and view["subject"] is None  # the whole subject was personal
    ledger.projections.rebuild(["case_view"])
    assert projected_views(ledger)[str(fx.case_id)] == (version, view)


def test_a_case_read_right_after_a_command_sees_it_from_the_projection(ledger):
    """GET /v1/cases/{id} is served from the case-view projection, caught up before reading."""
    from fastapi.testclient import TestClient

    from api.auth import issue_token
    from app.server import create_app
    from ledger.values import Role

    client = TestClient(create_app(ledger, run_projections=False))
    token = issue_token(ledger.settings.jwt_secret, role=Role.KE_CASEWORKER, sub="ke-1", municipality="3447")
    headers = {"Authorization": f"Bearer {token}"}
    [case_id] = open_cases(ledger, 1, start=50, appoint=False)
    appointed = client.post(
        f"/v1/cases/{case_id}/coordinators",
        headers=headers,
        json={"person": {"id": "k9", "name": "Kim"}, "unit": "u", "kind": "coordinator", "subject_wish_heard": True},
    )
    read = client.get(f"/v1/cases/{case_id}", headers=headers)
    assert appointed.status_code == 201 and read.status_code == 200
    assert read.json()["coordinator"]["person_id"] == "k9"
    assert read.headers["etag"] == '"2"'
    assert projected_views(ledger)[str(case_id)][0] == 2


def test_text_with_a_nul_character_does_not_stop_the_register(ledger):
    """Applying never fails: a unit name with NUL (refused over HTTP, not by every writer) is projected
    with U+FFFD, and the events after it are projected too."""
    [case_id] = open_cases(ledger, 1, start=70, appoint=False)
    ledger.app.handle(
        AppointCoordinator(
            actor=ke(),
            case_id=case_id,
            person=Person("k-nul", "Koord"),
            unit="Psykisk\x00helse",
            kind=CoordinatorKind.COORDINATOR,
            subject_wish_heard=True,
        )
    )
    later = open_cases(ledger, 1, start=71)
    ledger.projections.catch_up()
    by_case = {r["case_id"]: r for r in rows(ledger)}
    assert by_case[str(case_id)]["coordinator_unit"] == "Psykisk\ufffdhelse"
    assert str(later[0]) in by_case
    assert ledger.projections.position("register") == ledger.app.recorder.max_notification_id()
