"""Webhooks (issue #11) against real HTTP receivers started on loopback ports: Standard Webhooks
signatures verified by the receiver, retries with back-off under one id, and dead letters."""

from __future__ import annotations

import base64
import random
import secrets
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import orjson
import pytest

from notify.dispatch import Channel, Delivery, DeliveryState, Dispatcher, Outcome, RetryPolicy
from notify.memory import MemoryOutbox
from notify.webhook import Subscriber, WebhookSender
from tests.support.duty_story import at, rich_story
from tests.support.notify import Clock, Receiver, SilentReceiver, deliveries, verified

PUBLIC_URL = "https://ledger.kommune.test"
SECRET = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def one_delivery(subscriber_id: str = "sub-1") -> Delivery:
    return deliveries(rich_story(), at(2026, 2, 10), Channel.WEBHOOK, subscriber_id)[0]


def dispatcher(outbox, sender, clock, *, max_attempts=3) -> Dispatcher:
    return Dispatcher(
        outbox,
        {Channel.WEBHOOK: sender},
        policy=RetryPolicy(max_attempts=max_attempts, base=2.0, cap=30.0),
        clock=clock,
        rng=random.Random(11),
    )


def drive(outbox: MemoryOutbox, work: Dispatcher, clock: Clock, limit: int = 20) -> None:
    """Run the dispatcher, jumping the clock to each next due attempt, until nothing is pending."""
    for _ in range(limit):
        work.run_once()
        due = outbox.next_due()
        if due is None:
            return
        clock.jump_to(due)
    raise AssertionError("deliveries still pending")


def test_a_receiver_that_fails_twice_then_answers_gets_it_once_recorded_delivered_under_one_id():
    clock, outbox = Clock(), MemoryOutbox()
    delivery = one_delivery()
    with Receiver([500, 500, 200], verified(SECRET)) as receiver:
        sender = WebhookSender(lambda _: Subscriber("sub-1", receiver.url, SECRET), PUBLIC_URL, timeout=5.0)
        outbox.add(delivery, due_at=clock())
        drive(outbox, dispatcher(outbox, sender, clock), clock)
        sender.close()
    assert receiver.failures == []  # every request's signature verified
    assert [r.headers["webhook-id"] for r in receiver.received] == [delivery.notification_id] * 3
    attempts = outbox.attempts(delivery.key)
    assert [(a.number, a.outcome, a.status_code) for a in attempts] == [
        (1, Outcome.FAILED, 500),
        (2, Outcome.FAILED, 500),
        (3, Outcome.DELIVERED, 200),
    ]
    assert attempts[0].error == "webhook: HTTP 500" and attempts[2].error is None
    assert outbox.state(delivery.key) is DeliveryState.DELIVERED
    assert all(later.started_at >= earlier.finished_at for earlier, later in pairwise(attempts))


def test_a_receiver_that_never_answers_ends_dead_lettered_each_attempt_bounded_by_the_timeout():
    clock, outbox = Clock(), MemoryOutbox()
    delivery = one_delivery()
    timeout = 0.3
    with SilentReceiver() as silent:
        sender = WebhookSender(lambda _: Subscriber("sub-1", silent.url, SECRET), PUBLIC_URL, timeout=timeout)
        outbox.add(delivery, due_at=clock())
        drive(outbox, dispatcher(outbox, sender, clock, max_attempts=3), clock)
        sender.close()
        assert silent.accepted == 3  # it took every connection and said nothing
    attempts = outbox.attempts(delivery.key)
    assert [a.outcome for a in attempts] == [Outcome.FAILED] * 3
    assert all(a.error == "webhook: timed out (ReadTimeout)" for a in attempts)
    assert all(
        timedelta(seconds=timeout * 0.9) <= a.finished_at - a.started_at < timedelta(seconds=timeout + 2)
        for a in attempts
    )
    assert outbox.state(delivery.key) is DeliveryState.DEAD
    assert outbox.dead_letters() == [delivery]


def test_a_dead_letter_replayed_to_a_mended_subscription_is_delivered_under_the_same_id():
    clock, outbox = Clock(), MemoryOutbox()
    delivery = one_delivery()
    with Receiver([503], verified(SECRET)) as down, Receiver([204], verified(SECRET)) as mended:
        url = {"now": down.url}
        sender = WebhookSender(lambda _: Subscriber("sub-1", url["now"], SECRET), PUBLIC_URL, timeout=5.0)
        outbox.add(delivery, due_at=clock())
        work = dispatcher(outbox, sender, clock, max_attempts=2)
        drive(outbox, work, clock)
        assert outbox.state(delivery.key) is DeliveryState.DEAD
        url["now"] = mended.url
        outbox.replay(delivery.key, clock())
        drive(outbox, work, clock)
        sender.close()
    assert [r.headers["webhook-id"] for r in down.received + mended.received] == [delivery.notification_id] * 3
    assert [(a.number, a.status_code) for a in outbox.attempts(delivery.key)] == [(1, 503), (2, 503), (3, 204)]
    assert outbox.state(delivery.key) is DeliveryState.DELIVERED


def test_410_gone_stops_at_once_as_the_specification_asks():
    clock, outbox = Clock(), MemoryOutbox()
    delivery = one_delivery()
    with Receiver([410], verified(SECRET)) as gone:
        sender = WebhookSender(lambda _: Subscriber("sub-1", gone.url, SECRET), PUBLIC_URL, timeout=5.0)
        outbox.add(delivery, due_at=clock())
        drive(outbox, dispatcher(outbox, sender, clock), clock)
        sender.close()
    assert [a.status_code for a in outbox.attempts(delivery.key)] == [410]
    assert outbox.state(delivery.key) is DeliveryState.DEAD


def test_a_delivery_to_a_subscription_since_removed_is_dead_lettered_without_a_request():
    clock, outbox = Clock(), MemoryOutbox()
    delivery = one_delivery()
    sender = WebhookSender(lambda _: None, PUBLIC_URL, timeout=5.0)
    outbox.add(delivery, due_at=clock())
    drive(outbox, dispatcher(outbox, sender, clock), clock)
    sender.close()
    (attempt,) = outbox.attempts(delivery.key)
    assert attempt.error == "webhook: the subscription no longer exists"
    assert outbox.state(delivery.key) is DeliveryState.DEAD


def test_a_receiver_holding_another_secret_rejects_the_signature():
    other = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
    with Receiver([200], verified(other)) as receiver:
        sender = WebhookSender(lambda _: Subscriber("sub-1", receiver.url, SECRET), PUBLIC_URL, timeout=5.0)
        with pytest.raises(Exception, match="HTTP 400"):
            sender.send(one_delivery(), datetime.now(UTC))
        sender.close()
    assert len(receiver.failures) == 1 and "No matching signature" in receiver.failures[0]


def test_the_payload_is_the_same_content_as_the_e_mail_and_carries_no_personal_data():
    story = rich_story()
    sent = deliveries(story, at(2026, 2, 10), Channel.WEBHOOK, "sub-1")
    with Receiver([200], verified(SECRET)) as receiver:
        sender = WebhookSender(lambda _: Subscriber("sub-1", receiver.url, SECRET), PUBLIC_URL, timeout=5.0)
        for delivery in sent:
            sender.send(delivery, datetime.now(UTC))
        sender.close()
    assert receiver.failures == [] and len(receiver.received) == len(sent)
    for request, delivery in zip(receiver.received, sent, strict=True):
        payload = orjson.loads(request.body)
        assert payload["type"] == "duty.reminder"
        assert payload["data"]["link"] == f"{PUBLIC_URL}/saker/{story.case_id}"
        assert {k: payload["data"][k] for k in ("case_id", "rule", "deadline", "status")} == {
            k: delivery.content[k] for k in ("case_id", "rule", "deadline", "status")
        }
        text = request.body.decode()
        assert [s for s in story.secrets() if s in text] == []
