"""The dispatcher core (issue #11): at-least-once delivery under a stable id over the Outbox port,
back-off with full jitter, leases that survive a dispatcher dying mid-delivery, and its run loop."""

from __future__ import annotations

import random
import threading
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from notify.dispatch import (
    Channel,
    Delivery,
    DeliveryError,
    DeliveryState,
    Dispatcher,
    Outcome,
    RetryPolicy,
)
from notify.memory import MemoryOutbox
from tests.support.clock import FakeClock

T0 = datetime(2026, 3, 1, 8, tzinfo=UTC)


def delivery(n: int = 1, channel: Channel = Channel.WEBHOOK) -> Delivery:
    return Delivery(f"{n:064x}", channel, "sub-1", {"type": "duty.reminder", "id": f"{n:064x}"})


class Recorder:
    """A sender that remembers every id it was given and fails as told."""

    def __init__(self, failures: list[DeliveryError] | None = None) -> None:
        self.seen: list[str] = []
        self.failures = list(failures or [])
        self.lock = threading.Lock()
        self.sent = threading.Event()

    def send(self, d: Delivery, now: datetime) -> int | None:
        with self.lock:
            self.seen.append(d.notification_id)
            failure = self.failures.pop(0) if self.failures else None
        if failure is not None:
            raise failure
        self.sent.set()
        return 200


def make(outbox, sender, clock, **policy) -> Dispatcher:
    return Dispatcher(
        outbox,
        {Channel.WEBHOOK: sender},
        policy=RetryPolicy(**{"max_attempts": 4, "base": 10.0, "cap": 60.0, **policy}),
        clock=clock,
        lease=timedelta(minutes=5),
        rng=random.Random(3),
    )


@given(attempts=st.integers(1, 80), seed=st.integers(0, 2**32), retry_after=st.none() | st.floats(0, 10**6))
def test_each_wait_is_full_jitter_below_the_exponential_ceiling_and_the_cap(attempts, seed, retry_after):
    policy = RetryPolicy(max_attempts=100, base=30.0, cap=3600.0)
    wait = policy.delay(attempts, random.Random(seed), retry_after)
    ceiling = min(3600.0, 30.0 * 2 ** (attempts - 1))
    if retry_after is None:
        assert 0.0 <= wait <= ceiling
    else:
        assert min(retry_after, 3600.0) <= wait <= max(ceiling, min(retry_after, 3600.0))


def test_the_waits_spread_over_the_whole_range_not_around_the_ceiling():
    rng = random.Random(5)
    waits = [RetryPolicy(base=30.0, cap=3600.0).delay(4, rng) for _ in range(2000)]
    assert min(waits) < 24 and max(waits) > 216  # uniform on [0, 240]
    assert 100 < sum(waits) / len(waits) < 140


def test_a_failure_is_retried_after_its_back_off_and_not_before():
    clock, outbox = FakeClock(T0), MemoryOutbox()
    sender = Recorder([DeliveryError("webhook: HTTP 500", status_code=500)])
    outbox.add(delivery(), T0)
    work = make(outbox, sender, clock)
    assert work.run_once() == 1
    retry_at = outbox.next_due()
    assert retry_at is not None and T0 <= retry_at <= T0 + timedelta(seconds=10)
    clock.set(retry_at - timedelta(microseconds=1))
    assert work.run_once() == 0
    clock.set(retry_at)
    assert work.run_once() == 1
    assert outbox.state(delivery().key) is DeliveryState.DELIVERED
    assert [a.status_code for a in outbox.attempts(delivery().key)] == [500, 200]


def test_after_the_last_attempt_a_delivery_is_dead_lettered_and_not_tried_again():
    clock, outbox = FakeClock(T0), MemoryOutbox()
    sender = Recorder([DeliveryError("webhook: HTTP 502", status_code=502)] * 10)
    outbox.add(delivery(), T0)
    work = make(outbox, sender, clock, max_attempts=4)
    while (due := outbox.next_due()) is not None:
        clock.set(due)
        work.run_once()
    assert [a.number for a in outbox.attempts(delivery().key)] == [1, 2, 3, 4]
    assert outbox.state(delivery().key) is DeliveryState.DEAD
    clock.advance(days=30)
    assert work.run_once() == 0 and len(sender.seen) == 4


def test_a_failure_retrying_cannot_mend_is_dead_lettered_at_once():
    clock, outbox = FakeClock(T0), MemoryOutbox()
    outbox.add(delivery(), T0)
    make(outbox, Recorder([DeliveryError("SMTP 550/551: recipient refused", permanent=True)]), clock).run_once()
    assert outbox.state(delivery().key) is DeliveryState.DEAD


def test_a_channel_without_a_sender_is_a_failed_attempt_so_mending_the_settings_delivers():
    clock, outbox = FakeClock(T0), MemoryOutbox()
    outbox.add(delivery(channel=Channel.EMAIL), T0)
    make(outbox, Recorder(), clock).run_once()
    (attempt,) = outbox.attempts(delivery(channel=Channel.EMAIL).key)
    assert (attempt.outcome, attempt.error) == (Outcome.FAILED, "no email sender is configured")
    assert outbox.state(delivery(channel=Channel.EMAIL).key) is DeliveryState.PENDING


def test_a_dispatcher_that_dies_mid_delivery_leaves_it_to_the_next_under_the_same_id():
    """Claimed and sent, but the dispatcher died before recording: the lease runs out and the next
    dispatcher delivers it again with the same id (at least once; never a different id)."""
    clock, outbox = FakeClock(T0), MemoryOutbox()
    outbox.add(delivery(), T0)
    sender = Recorder()
    dying = outbox.claim_next_due(clock(), clock() + timedelta(minutes=5))
    assert dying is not None
    sender.send(dying, clock())  # ... and the process is killed here
    after = make(outbox, sender, clock)
    clock.advance(minutes=4)
    assert after.run_once() == 0  # still leased by the dead one
    clock.advance(minutes=1)
    assert after.run_once() == 1
    assert sender.seen == [delivery().notification_id] * 2
    assert outbox.state(delivery().key) is DeliveryState.DELIVERED
    assert [a.number for a in outbox.attempts(delivery().key)] == [1]


def test_dispatchers_sharing_an_outbox_never_deliver_one_item_twice_while_alive():
    outbox = MemoryOutbox()
    for n in range(60):
        outbox.add(delivery(n), T0)
    sender = Recorder()
    clock = FakeClock(T0)
    workers = [make(outbox, sender, clock) for _ in range(4)]
    threads = [threading.Thread(target=w.run_once) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(sender.seen) == sorted(delivery(n).notification_id for n in range(60))


def test_the_run_loop_delivers_what_arrives_and_stops_when_asked():
    outbox, sender = MemoryOutbox(), Recorder()
    work = make(outbox, sender, lambda: datetime.now(UTC))
    stop = threading.Event()
    loop = threading.Thread(target=work.run, args=(stop, 0.01))
    loop.start()
    try:
        outbox.add(delivery(), datetime.now(UTC))
        assert sender.sent.wait(timeout=10)
    finally:
        stop.set()
        loop.join(timeout=10)
    assert not loop.is_alive()
    assert outbox.state(delivery().key) is DeliveryState.DELIVERED


def test_only_a_dead_letter_can_be_replayed():
    outbox = MemoryOutbox()
    outbox.add(delivery(), T0)
    with pytest.raises(ValueError, match="dead-lettered"):
        outbox.replay(delivery().key, T0)
