"""The transactional outbox (issue #11), on SQLite and PostgreSQL: reminders decided in the duties
projection's own transaction (a crash loses or repeats none), leased claims that no two dispatchers
share, retries and the dead-letter list against real receivers that verify each signature, replay,
and e-mail through the dispatcher to a real SMTP server without personal data."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest

from app.bootstrap import Ledger, build
from app.notifier import dispatching
from ledger.values import Actor, Role
from projections.duties import DutiesProjection
from store import notification_rows
from store.notification_rows import OutboxRows
from tests.support.duty_story import OSLO, SONDRE_LAND, UNIT_LEADER, Story, at, rich_story
from tests.support.notify import (
    SMTP_PASSWORD,
    SMTP_USER,
    Receiver,
    SilentReceiver,
    ke_of,
    self_signed_certificate,
    smtp_server,
    store_story,
    verified,
)
from tests.support.stores import settings_for

KE = ke_of(SONDRE_LAND)
REQUESTED = at(2026, 1, 5)
WEEK_BEFORE = at(2026, 1, 13)  # CHK-01's deadline is 19 January: the 7-days-before reminder is due
FAST = {"LEDGER_WEBHOOK_BACKOFF_BASE": "0", "LEDGER_WEBHOOK_MAX_ATTEMPTS": "3", "LEDGER_WEBHOOK_TIMEOUT": "0.5"}


@pytest.fixture
def ledger(db_url: str, tmp_path: Path, clock) -> Iterator[Ledger]:
    """Retries without waiting, three attempts, short time-outs, and no weekly digest for KE (a test
    of its own below), so each test counts only the reminders it makes."""
    rules = tmp_path / "reminders.toml"
    rules.write_text('[national-default]\ndigest_weekday = ""\n', encoding="utf-8")
    built = build(settings_for(db_url, tmp_path / "secrets", **FAST, LEDGER_REMINDER_RULES=str(rules)), clock=clock)
    yield built
    built.close()


def requested_case(ledger: Ledger) -> Any:
    """A case whose unit leader (leder-2) must name a coordinator by 19 January 2026."""
    story = Story(SONDRE_LAND, opened=at(2026, 1, 2))
    story.request(REQUESTED)
    return store_story(ledger, story)


def decide_at(ledger: Ledger, moment: datetime) -> None:
    ledger.clock.set(moment)
    ledger.projections.catch_up()


def notifications(ledger: Ledger, case_id: Any) -> list[dict[str, Any]]:
    return ledger.reads.cases.notifications(KE, case_id)["items"]


def subscribe(ledger: Ledger, url: str) -> str:
    return ledger.directory.add_webhook(KE, url).secret


def duties_projection(ledger: Ledger) -> DutiesProjection:
    projection = ledger.projections.projections["duties"]
    assert isinstance(projection, DutiesProjection)
    return projection


# ------------------------------------------------------------------ deciding
def test_a_reminder_is_decided_once_with_its_recipients_in_the_projections_transaction(ledger: Ledger) -> None:
    ledger.directory.put_contact(KE, "person", UNIT_LEADER.id, "leder@kommune.test")
    hook = ledger.directory.add_webhook(KE, "https://fagsystem.kommune.test/hooks")
    case_id = requested_case(ledger)
    decide_at(ledger, at(2026, 1, 8))
    assert notifications(ledger, case_id) == []  # eleven days left: no reminder yet
    decide_at(ledger, WEEK_BEFORE)
    (note,) = notifications(ledger, case_id)
    assert (note["type"], note["rule"], note["stage"], note["assignee_kind"]) == (
        "duty.reminder",
        "CHK-01",
        "before:7",
        "unit_leader",
    )
    assert {(d["channel"], d["target"], d["state"]) for d in note["deliveries"]} == {
        ("email", "leder@kommune.test", "pending"),
        ("webhook", hook.id, "pending"),
    }
    for _ in range(3):  # asked again, and the projection rebuilt: the same reminder, not a second one
        ledger.projections.catch_up()
    ledger.projections.rebuild(["duties"])
    assert [n["id"] for n in notifications(ledger, case_id)] == [note["id"]]


def test_a_crash_before_the_projections_transaction_commits_loses_and_repeats_nothing(ledger: Ledger) -> None:
    ledger.directory.put_contact(KE, "unit", "Psykisk helse og rus", "enhet@kommune.test")
    case_id = requested_case(ledger)
    projection = duties_projection(ledger)
    decider = projection.decider
    assert decider is not None
    position = ledger.projections.position("duties")

    class Crash(BaseException):
        """The process ending mid-transaction: not an error a projection's isolation catches."""

    def decide_then_crash(*args: Any) -> int:
        decider.decide(*args)  # written with the transaction's cursor...
        raise Crash  # ...which never commits

    ledger.clock.set(WEEK_BEFORE)
    projection.decider = type(
        "Crashing", (), {"decide": staticmethod(decide_then_crash), "next_due": decider.next_due}
    )()
    try:
        with pytest.raises(Crash):
            ledger.projections.catch_up(["duties"])
    finally:
        projection.decider = decider
    assert ledger.projections.position("duties") == position  # the batch rolled back, position and all
    assert ledger.projections.store.read(notification_rows.for_case, str(case_id), WEEK_BEFORE) == []
    ledger.projections.catch_up(["duties"])
    (note,) = notifications(ledger, case_id)
    assert [(d["channel"], d["target"]) for d in note["deliveries"]] == [("email", "enhet@kommune.test")]


def test_a_reminder_without_anyone_to_tell_is_still_recorded_as_decided(ledger: Ledger) -> None:
    case_id = requested_case(ledger)
    decide_at(ledger, WEEK_BEFORE)
    (note,) = notifications(ledger, case_id)
    assert note["deliveries"] == []


def test_kes_weekly_digest_is_decided_by_time_alone_once_a_week(db_url: str, tmp_path: Path, clock) -> None:
    """With the shipped rules (Mondays): one digest a week to KE's mailboxes, counts only."""
    ledger = build(settings_for(db_url, tmp_path / "digest", **FAST), clock=clock)
    try:
        ledger.directory.put_contact(KE, "ke", "postmottak", "ke@kommune.test")
        requested_case(ledger)
        for moment in (at(2026, 1, 12), at(2026, 1, 14), at(2026, 1, 18), at(2026, 1, 19)):  # Monday to Monday
            decide_at(ledger, moment)
        with ledger.projections.store.writing() as c:
            c.execute(
                ledger.projections.store.d.sql(
                    "SELECT n.stage, n.content, o.target FROM {notifications} n JOIN {outbox} o "
                    "ON o.notification_id = n.id WHERE n.type = 'duty.digest' ORDER BY n.stage"
                )
            )
            digests = [(r["stage"], r["target"], r["content"]) for r in c.fetchall()]
    finally:
        ledger.close()
    assert [(week, target) for week, target, _ in digests] == [
        ("2026-W03", "ke@kommune.test"),
        ("2026-W04", "ke@kommune.test"),
    ]
    assert '"upcoming":1' in digests[0][2] and "leder" not in digests[0][2]


# --------------------------------------------------------------- dispatching
def test_two_dispatchers_never_hold_the_same_delivery(ledger: Ledger) -> None:
    subscribe(ledger, "https://a.kommune.test/hooks")
    subscribe(ledger, "https://b.kommune.test/hooks")
    for _ in range(6):
        requested_case(ledger)
    decide_at(ledger, WEEK_BEFORE)
    now = datetime.now(UTC)
    claimed: list[list[tuple[str, str, str]]] = [[], []]
    start = threading.Barrier(2)

    def claim_all(mine: list[tuple[str, str, str]]) -> None:
        rows = OutboxRows(ledger.app.recorder)
        start.wait()
        while (got := rows.claim(now, now + timedelta(minutes=5))) is not None:
            mine.append((got.notification_id, got.channel, got.target))

    threads = [threading.Thread(target=claim_all, args=(mine,)) for mine in claimed]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    first, second = (set(c) for c in claimed)
    with ledger.projections.store.writing() as c:
        c.execute(ledger.projections.store.d.sql("SELECT COUNT(*) AS n FROM {outbox}"))
        pending = c.fetchone()["n"]
    assert pending >= 12  # six reminders and the week's digest, each to two subscribers
    assert len(first) + len(second) == pending and not first & second and first and second


def test_a_receiver_answering_500_twice_then_200_has_it_recorded_delivered_once(ledger: Ledger) -> None:
    with Receiver([500, 500, 200], verify=lambda r: None) as receiver:
        secret = subscribe(ledger, receiver.url)
        receiver_check = verified(secret)
        case_id = requested_case(ledger)
        decide_at(ledger, WEEK_BEFORE)
        with dispatching(ledger) as dispatcher:
            assert dispatcher.run_once() == 3
            assert dispatcher.run_once() == 0
        for request in receiver.received:
            receiver_check(request)  # every attempt signed with the subscription's secret, freshly timed
    (note,) = notifications(ledger, case_id)
    (delivery,) = note["deliveries"]
    assert delivery["state"] == "delivered"
    assert [(a["number"], a["outcome"], a["status_code"]) for a in delivery["attempts"]] == [
        (1, "failed", 500),
        (2, "failed", 500),
        (3, "delivered", 200),
    ]
    assert {r.headers["webhook-id"] for r in receiver.received} == {note["id"]}


def test_signatures_are_verified_by_the_receiver_and_a_bad_secret_is_not_accepted(ledger: Ledger) -> None:
    with Receiver([200], verify=lambda r: None) as receiver:
        secret = subscribe(ledger, receiver.url)
        receiver.verify = verified(secret)
        requested_case(ledger)
        decide_at(ledger, WEEK_BEFORE)
        with dispatching(ledger) as dispatcher:
            dispatcher.run_once()
        assert receiver.failures == [] and len(receiver.received) == 1
        with pytest.raises(Exception, match="[Ss]ignature"):
            verified("whsec_" + "A" * 43 + "=")(receiver.received[0])


def test_a_receiver_that_never_answers_ends_in_the_dead_letter_list(ledger: Ledger) -> None:
    with SilentReceiver() as silent:
        subscribe(ledger, silent.url)
        case_id = requested_case(ledger)
        decide_at(ledger, WEEK_BEFORE)
        with dispatching(ledger) as dispatcher:
            assert dispatcher.run_once() == 3
        assert silent.accepted == 3
    dead = ledger.reads.notifications.dead_letters(KE)
    (letter,) = dead["items"]
    assert dead["total"] == 1 and letter["state"] == "dead" and letter["notification"]["case_id"] == str(case_id)
    assert [(a["outcome"], a["error"]) for a in letter["attempts"]] == [
        ("failed", "webhook: timed out (ReadTimeout)")
    ] * 3
    assert ledger.reads.notifications.dead_letters(ke_of(OSLO))["items"] == []  # another municipality's list


def test_a_dead_letter_replayed_is_delivered_under_the_same_id(ledger: Ledger) -> None:
    with Receiver([503], verify=lambda r: None) as receiver:
        secret = subscribe(ledger, receiver.url)
        receiver.verify = verified(secret)
        requested_case(ledger)
        decide_at(ledger, WEEK_BEFORE)
        with dispatching(ledger) as dispatcher:
            dispatcher.run_once()
            (letter,) = ledger.reads.notifications.dead_letters(KE)["items"]
            receiver.answers = [200]
            ledger.directory.replay(KE, letter["id"])
            assert dispatcher.run_once() == 1
        assert receiver.failures == []
        assert {r.headers["webhook-id"] for r in receiver.received} == {letter["notification"]["id"]}
    assert ledger.reads.notifications.dead_letters(KE)["items"] == []
    with ledger.projections.store.writing() as c:
        c.execute(ledger.projections.store.d.sql("SELECT state, attempts FROM {outbox}"))
        assert [(r["state"], r["attempts"]) for r in c.fetchall()] == [("delivered", 4)]


def test_a_subscription_ended_before_delivery_is_dead_lettered_at_once(ledger: Ledger) -> None:
    hook = ledger.directory.add_webhook(KE, "https://fagsystem.kommune.test/hooks")
    requested_case(ledger)
    decide_at(ledger, WEEK_BEFORE)
    ledger.directory.delete_webhook(KE, hook.id)
    with dispatching(ledger) as dispatcher:
        assert dispatcher.run_once() == 1
    (letter,) = ledger.reads.notifications.dead_letters(KE)["items"]
    assert [a["error"] for a in letter["attempts"]] == ["webhook: the subscription no longer exists"]


# -------------------------------------------------------------------- e-mail
def test_e_mail_reaches_the_real_smtp_server_and_no_message_carries_personal_data(
    ledger: Ledger, db_url: str, tmp_path: Path, clock
) -> None:
    """The rich story's reminders over four months, to the coordinator, the unit leader and KE: every
    e-mail delivered over STARTTLS after AUTH, once, with its id; none names a person, a national id
    or a free text of the case."""
    story = rich_story()
    store_story(ledger, story)
    ke = ke_of(OSLO)
    for kind, key, email in [
        ("person", "koord-7", "koordinator@oslo.test"),
        ("unit", "Psykisk helse og rus", "enhet@oslo.test"),
        ("ke", "postmottak", "ke@oslo.test"),
    ]:
        ledger.directory.put_contact(ke, kind, key, email)
    for moment in (at(2026, 1, 10), at(2026, 2, 10), at(2026, 2, 20), at(2026, 3, 14), at(2026, 4, 2)):
        decide_at(ledger, moment)
    cert, key = self_signed_certificate(tmp_path)
    with smtp_server(cert, key) as (port, mailbox):
        smtp = {
            "LEDGER_SMTP_HOST": "127.0.0.1",
            "LEDGER_SMTP_PORT": str(port),
            "LEDGER_SMTP_USER": SMTP_USER,
            "LEDGER_SMTP_PASSWORD": SMTP_PASSWORD,
            "LEDGER_SMTP_CA_FILE": str(cert),
            "LEDGER_SMTP_FROM": "varsel@oslo.test",
            "LEDGER_PUBLIC_URL": "https://ledger.oslo.test",
        }
        # The dispatcher as `ledger notify` runs it: its own process's settings, the same store.
        sender = build(settings_for(db_url, tmp_path / "secrets", **FAST, **smtp), clock=clock)
        try:
            with dispatching(sender) as dispatcher:
                made = dispatcher.run_once()
        finally:
            sender.close()
    items = ledger.reads.cases.notifications(ke, story.case_id)["items"]
    emails = [(n["id"], d) for n in items for d in n["deliveries"] if d["channel"] == "email"]
    assert len(emails) >= 6 and made == len(emails)
    assert all(d["state"] == "delivered" and d["attempts"][0]["status_code"] == 250 for _, d in emails)
    assert {d["target"] for _, d in emails} >= {"koordinator@oslo.test", "ke@oslo.test"}
    assert len(mailbox.messages) == len(emails)
    assert set(mailbox.logins) == {(SMTP_USER, True, True)}
    delivered_ids = set()
    secrets = story.secrets()
    for _, rcpt_tos, raw in mailbox.messages:
        assert len(rcpt_tos) == 1 and rcpt_tos[0] in {d["target"] for _, d in emails}
        message = message_from_bytes(raw, policy=policy.default)
        delivered_ids.add(message["X-Ledger-Notification-Id"])
        text = "\n".join([raw.decode("utf-8", "replace"), *(f"{k}: {v}" for k, v in message.items())])
        text += message.get_content()  # type: ignore[attr-defined]
        assert [s for s in secrets if s in text] == [], text
        assert f"https://ledger.oslo.test/saker/{story.case_id}" in text or "/oversikt" in text
    assert delivered_ids == {i for i, _ in emails}


# ----------------------------------------------------------------------- API
def test_a_cases_notifications_are_read_by_ke_and_its_coordinator_and_logged(ledger: Ledger) -> None:
    from fastapi.testclient import TestClient

    from api.auth import issue_token
    from app.server import create_app

    story = Story(SONDRE_LAND, opened=at(2026, 1, 2))
    story.appoint(at(2026, 1, 3))
    story.team(at(2026, 1, 3))
    story.plan(at(2026, 1, 4))
    story.goal(at(2026, 1, 4), datetime(2026, 1, 20).date())
    case_id = store_story(ledger, story)
    decide_at(ledger, WEEK_BEFORE)

    def get(role: Role, sub: str, **claims: Any) -> Any:
        token = issue_token(
            ledger.settings.jwt_secret, role=role, sub=sub, municipality=SONDRE_LAND, name=sub, **claims
        )
        return client.get(f"/v1/cases/{case_id}/notifications", headers={"Authorization": f"Bearer {token}"})

    with TestClient(create_app(ledger, run_projections=False)) as client:
        for role, sub in [(Role.KE_CASEWORKER, "ke-4"), (Role.COORDINATOR, "koord-7")]:
            response = get(role, sub)
            assert response.status_code == 200, response.text
            (note,) = response.json()["items"]
            assert (note["rule"], note["stage"]) == ("CHK-09", "before:7")
        assert get(Role.COORDINATOR, "koord-other").status_code == 403
        assert get(Role.SERVICE_PROVIDER, "nav-9", service="NAV").status_code == 403
        assert get(Role.CITIZEN, "innbygger", pid=story.national_id).status_code == 403
    logged = [(e["who"], e["parts"]) for e in ledger.access_log.entries(case_id)]
    assert logged == [("ke-4", ["notifications"]), ("koord-7", ["notifications"])]


def test_only_ke_changes_the_directory(ledger: Ledger) -> None:
    from ledger.errors import Forbidden

    coordinator = Actor("koord-7", Role.COORDINATOR, SONDRE_LAND)
    for change in (
        lambda: ledger.directory.put_contact(coordinator, "person", "koord-7", "meg@kommune.test"),
        lambda: ledger.directory.add_webhook(coordinator, "https://x.kommune.test/hooks"),
        lambda: ledger.directory.replay(coordinator, 1),
    ):
        with pytest.raises(Forbidden):
            change()


# -------------------------------------------------------------------- report
def test_the_report_says_whether_and_when_the_unit_leader_was_reminded_of_a_breached_check(ledger: Ledger) -> None:
    """A supervisor asks whether the routine worked: CHK-01 breached, with the three reminders decided
    (7 and 1 days before, and on the day it was overdue) and when each reached the receiver."""
    import orjson

    from audit.report import render

    with Receiver([200], verify=lambda r: None) as receiver:
        subscribe(ledger, receiver.url)
        case_id = requested_case(ledger)
        for moment in (WEEK_BEFORE, at(2026, 1, 18), at(2026, 1, 20)):
            decide_at(ledger, moment)
            with dispatching(ledger, clock=ledger.clock) as dispatcher:  # delivered at once, on the ledger's time
                dispatcher.run_once()
    ledger.clock.set(at(2026, 1, 25))
    report = orjson.loads(ledger.reads.cases.issue_report(KE, case_id, "json").document)
    checks = {c["rule"]: c for c in report["checks"]["items"]}
    chk01 = checks["CHK-01"]
    assert chk01["status"] == "breach"
    assert [r["stage"] for r in chk01["reminders"]] == ["before:7", "before:1", "overdue"]
    assert all(r["deliveries"][0]["delivered_at"] for r in chk01["reminders"])
    assert chk01["reminded_text"].startswith(
        "13.01.2026 kl. 11:00 (7 dager før fristen: webhook levert 13.01.2026 kl. 11:00); 18.01.2026 kl. 11:00"
    )
    assert "fristen var overskredet" in chk01["reminded_text"]
    html = render(report, "html").decode()
    assert "Påminnet" in html and "1 dag før fristen" in html
    silent = [c for c in report["checks"]["items"] if c["status"] == "breach" and not c["reminders"]]
    assert all(c["reminded_text"] == "Ingen påminnelse er registrert." for c in silent)
