"""The dispatcher killed mid-delivery (issue #11): a real `ledger notify` process is killed (SIGKILL)
while a receiver holds its first webhook unanswered, and started again. Nothing decided is lost, and
every delivery the receiver sees carries an id that was decided: the one cut off is sent again under
the same `webhook-id` once its lease runs out, and the record keeps the cut-off attempt."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.bootstrap import Ledger, build
from store import notification_rows
from tests.support.duty_story import SONDRE_LAND, Story, at
from tests.support.notify import HoldingReceiver, ke_of, store_story, verified
from tests.support.stores import settings_for

KE = ke_of(SONDRE_LAND)
DECIDED_AT = at(2026, 1, 13)


@pytest.fixture
def ledger(db_url: str, tmp_path: Path, clock) -> Iterator[Ledger]:
    """No weekly digest for KE: the test counts the three reminders it makes."""
    rules = tmp_path / "reminders.toml"
    rules.write_text('[national-default]\ndigest_weekday = ""\n', encoding="utf-8")
    built = build(settings_for(db_url, tmp_path / "secrets", LEDGER_REMINDER_RULES=str(rules)), clock=clock)
    yield built
    built.close()


def notify_process(db_url: str, cwd: Path, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "LEDGER_DATABASE_URL": db_url,
        "LEDGER_MASTER_KEY": "11" * 32,
        "LEDGER_SIGNING_KEY": "22" * 32,
        "LEDGER_JWT_SECRET": "test-secret-" + "x" * 40,
        "LEDGER_WEBHOOK_TIMEOUT": "2",
        "LEDGER_NOTIFY_LEASE": "3",  # a delivery cut off is free again three seconds after it was claimed
        "LEDGER_NOTIFY_IDLE": "0.1",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "app.cli", "notify"],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("ab"),  # a file: an unread pipe would fill and block the process
    )


def deliveries(ledger: Ledger, case_ids: list[Any]) -> dict[str, dict[str, Any]]:
    """Each case's reminder's one delivery, by notification id."""
    found = {}
    for case_id in case_ids:
        (note,) = ledger.projections.store.read(notification_rows.for_case, str(case_id), ledger.clock())
        (found[note["id"]],) = note["deliveries"]
    return found


def wait_for(condition: Any, seconds: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(
                f"{what} did not happen within {seconds} s; the process said: {log.read_text()[-1500:]}"
            )
        time.sleep(0.05)


def test_killing_the_dispatcher_mid_delivery_loses_nothing_and_sends_no_new_id(
    ledger: Ledger, db_url: str, tmp_path: Path
) -> None:
    log = tmp_path / "notify.log"
    with HoldingReceiver() as receiver:
        secret = ledger.directory.add_webhook(KE, receiver.url).secret
        case_ids = []
        for _ in range(3):
            story = Story(SONDRE_LAND, opened=at(2026, 1, 2))
            story.request(at(2026, 1, 5))
            case_ids.append(store_story(ledger, story))
        ledger.clock.set(DECIDED_AT)
        ledger.projections.catch_up()
        decided = set(deliveries(ledger, case_ids))
        assert len(decided) == 3

        first = notify_process(db_url, tmp_path, log)
        try:
            wait_for(receiver.holding.is_set, 60, "the first delivery", log)
            first.kill()  # SIGKILL: no handler runs, the attempt is never recorded as finished
            first.wait(timeout=30)
        finally:
            if first.poll() is None:
                first.kill()
        receiver.release.set()
        cut_off = receiver.received[0].headers["webhook-id"]
        during = deliveries(ledger, case_ids)
        assert {d["state"] for d in during.values()} == {"pending"}  # nothing lost, nothing delivered
        assert [a["finished_at"] for a in during[cut_off]["attempts"]] == [None]  # begun, never finished

        second = notify_process(db_url, tmp_path, log)
        try:
            wait_for(
                lambda: {d["state"] for d in deliveries(ledger, case_ids).values()} == {"delivered"},
                60,
                "every delivery",
                log,
            )
        finally:
            second.terminate()
            second.wait(timeout=30)

    seen = [r.headers["webhook-id"] for r in receiver.received]
    assert set(seen) == decided  # no new id, and none lost
    assert sorted(seen).count(cut_off) == 2 and len(seen) == 4  # the cut-off one sent again, the others once
    for request in receiver.received:
        verified(secret)(request)
    after = deliveries(ledger, case_ids)
    assert [a["outcome"] for a in after[cut_off]["attempts"]] == ["interrupted", "delivered"]
    assert all([a["outcome"] for a in d["attempts"]] == ["delivered"] for i, d in after.items() if i != cut_off)
