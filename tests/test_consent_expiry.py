"""A consent's end recorded when it happens (issue #11): the process that runs the projections records
`ConsentExpired` once its period has run out, dated at that moment, exactly once however many
processes race to do it, and never for a consent withdrawn or in a closed case."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from app.bootstrap import Ledger, build
from commands.case_commands import WithdrawConsent
from commands.consent_expiry import LEDGER_ACTOR_ID, expire_consents
from commands.plan_commands import CloseCase
from ledger.errors import Forbidden
from ledger.events import ConsentExpired
from ledger.values import Role, WithdrawalScope
from store import duty_rows
from tests.support.cases import coordinator, running_case, subject_consent
from tests.support.clock import FakeClock
from tests.support.stores import settings_for

LAST_DAY = date(2026, 11, 25)
ENDS = datetime(2026, 11, 26, tzinfo=UTC)


def consented_case(ledger: Ledger, individual: int = 0) -> tuple[object, object]:
    fx = running_case(ledger, individual=individual)
    consent_id = ledger.app.handle(replace(subject_consent(fx), valid_until=LAST_DAY)).created["consent_id"]
    return fx, consent_id


def expired_events(ledger: Ledger, case_id) -> list[ConsentExpired]:
    return [e for e in ledger.app.case_events(case_id) if isinstance(e, ConsentExpired)]


def one_pass(ledger: Ledger) -> None:
    """What `ledger project` (or the API's background thread) does on each poll."""
    ledger.projections.catch_up()
    ledger.projections.run_jobs()


def test_the_end_of_a_consent_is_recorded_once_its_last_day_has_passed(ledger: Ledger, clock: FakeClock) -> None:
    fx, consent_id = consented_case(ledger)
    one_pass(ledger)
    clock.set(datetime(2026, 11, 25, 23, 59, tzinfo=UTC))  # still its last day
    one_pass(ledger)
    assert expired_events(ledger, fx.case_id) == []
    clock.set(ENDS + timedelta(hours=3))
    one_pass(ledger)
    (event,) = expired_events(ledger, fx.case_id)
    assert (event.consent_id, event.occurred_at) == (consent_id, ENDS)
    assert (event.recorded_by.id, event.recorded_by.role) == (LEDGER_ACTOR_ID, Role.KE_CASEWORKER)
    case = ledger.app.load_case(fx.case_id)
    assert case.consents[consent_id].expired_at == ENDS
    for _ in range(3):
        one_pass(ledger)
    assert len(expired_events(ledger, fx.case_id)) == 1
    assert ledger.projections.store.read(duty_rows.consents_due, clock(), 10) == []


def test_after_the_end_is_recorded_the_team_reads_nothing_under_that_consent(ledger: Ledger, clock: FakeClock) -> None:
    fx, _ = consented_case(ledger)
    nav = replace(coordinator(), id="nav-1", role=Role.SERVICE_PROVIDER, service="NAV")
    assert ledger.reads.cases.case(nav, fx.case_id).data["readable_categories"] == ["work"]
    clock.set(ENDS + timedelta(days=1))
    one_pass(ledger)
    assert expired_events(ledger, fx.case_id)
    with pytest.raises(Forbidden) as refused:
        ledger.reads.cases.case(nav, fx.case_id)
    assert refused.value.rule == "INV-05"


def test_two_processes_racing_record_the_end_once(
    ledger: Ledger, db_url: str, tmp_path: Path, clock: FakeClock
) -> None:
    """Both read the consent as due before either records it; one records, the other's write meets the
    case's version check and then finds the first answer under the same idempotency key."""
    other = build(settings_for(db_url, tmp_path / "secrets"), clock=clock)
    try:
        fx, _ = consented_case(ledger)
        one_pass(ledger)
        clock.set(ENDS + timedelta(hours=1))
        for runner in (ledger, other):
            runner.projections.catch_up()
        due = [r.projections.store.read(duty_rows.consents_due, clock(), 10) for r in (ledger, other)]
        assert due[0] == due[1] and len(due[0]) == 1
        start = threading.Barrier(2)
        recorded: list[int] = []

        def race(runner: Ledger, items: list) -> None:
            start.wait()
            recorded.append(expire_consents(runner.app, items))

        threads = [threading.Thread(target=race, args=(r, d)) for r, d in zip((ledger, other), due, strict=True)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert sorted(recorded) == [0, 1]
        assert len(expired_events(ledger, fx.case_id)) == 1
        # And as whole passes of two projection processes at once:
        clock.advance(days=1)
        passes = [threading.Thread(target=one_pass, args=(r,)) for r in (ledger, other)]
        for t in passes:
            t.start()
        for t in passes:
            t.join(timeout=60)
        assert len(expired_events(other, fx.case_id)) == 1
    finally:
        other.close()


def test_a_withdrawn_consent_or_a_closed_case_gets_no_expiry(ledger: Ledger, clock: FakeClock) -> None:
    withdrawn, consent_id = consented_case(ledger)
    ledger.app.handle(
        WithdrawConsent(
            actor=coordinator(), case_id=withdrawn.case_id, consent_id=consent_id, scope=WithdrawalScope.ALL
        )
    )
    closed, _ = consented_case(ledger, individual=50)
    ledger.app.handle(
        CloseCase(
            actor=coordinator(),
            case_id=closed.case_id,
            reason="Flyttet",
            assessment="Behovet er borte",
            agreed_by_subject=True,
        )
    )
    one_pass(ledger)
    clock.set(ENDS + timedelta(days=2))
    one_pass(ledger)
    assert expired_events(ledger, withdrawn.case_id) == [] and expired_events(ledger, closed.case_id) == []
