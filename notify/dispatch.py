"""The dispatcher: takes deliveries that are due from an outbox and delivers each at least once, under
its notification's stable id, recording every attempt.

The outbox is a port (`Outbox`): claim the next due delivery (leased, so a dispatcher that dies
mid-delivery lets it go again when the lease runs out, and another attempt delivers it under the same
id), and record an attempt's result with what happens next (delivered; again at a time; dead-lettered).
`notify.memory.MemoryOutbox` implements it for tests; the SQL outbox is written in the same
transaction as the projection position that decided the notification.

A failed attempt is retried after an exponential back-off with full jitter (a random wait between 0
and base * 2**(n-1), at most `cap`), at least what a receiver asked in Retry-After; after
`max_attempts`, or at once on a failure that retrying cannot mend, the delivery is dead-lettered for
KE to see and replay. An attempt's record holds its times, outcome and a status code or an error
text that the sender composed without personal data (never a receiver's free text).
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol


class Channel(StrEnum):
    EMAIL = "email"
    WEBHOOK = "webhook"


class DeliveryState(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    DEAD = "dead"  # dead-lettered: no more attempts until replayed


class Outcome(StrEnum):
    DELIVERED = "delivered"
    FAILED = "failed"


@dataclass(frozen=True)
class Delivery:
    """One notification to one target: an e-mail address, or a webhook subscriber's id."""

    notification_id: str
    channel: Channel
    target: str
    content: Mapping[str, Any] = field(repr=False)
    attempts: int = 0  # made so far

    @property
    def key(self) -> tuple[str, Channel, str]:
        return (self.notification_id, self.channel, self.target)


@dataclass(frozen=True)
class Attempt:
    number: int  # 1, 2, ...
    started_at: datetime
    finished_at: datetime
    outcome: Outcome
    status_code: int | None = None  # HTTP status, or SMTP reply code
    error: str | None = None  # composed by the sender: no personal data


class DeliveryError(Exception):
    """A delivery attempt failed. `text` is safe to record: it names the kind of failure, never
    what a receiver said or whom the message was for."""

    def __init__(
        self, text: str, *, status_code: int | None = None, permanent: bool = False, retry_after: float | None = None
    ) -> None:
        super().__init__(text)
        self.text = text
        self.status_code = status_code
        self.permanent = permanent
        self.retry_after = retry_after


class Sender(Protocol):
    def send(self, delivery: Delivery, now: datetime) -> int | None:
        """Deliver once; return the receiver's status code (if any), or raise DeliveryError."""
        ...


class Outbox(Protocol):
    def claim_next_due(self, now: datetime, lease_until: datetime) -> Delivery | None:
        """The pending delivery due soonest (at or before `now`, not leased), leased until `lease_until`."""
        ...

    def record_attempt(
        self, delivery: Delivery, attempt: Attempt, state: DeliveryState, next_attempt_at: datetime | None
    ) -> None:
        """Keep the attempt, release the lease, and set what happens next."""
        ...


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 8
    base: float = 30.0  # seconds
    cap: float = 6 * 3600.0

    def delay(self, attempts: int, rng: random.Random, retry_after: float | None = None) -> float:
        """Full jitter after the `attempts`-th failure: uniform in [0, min(cap, base * 2**(attempts-1))]."""
        ceiling = min(self.cap, self.base * 2 ** min(attempts - 1, 62))
        wait = rng.uniform(0.0, ceiling)
        return max(wait, min(retry_after, self.cap)) if retry_after is not None else wait


class Dispatcher:
    """Delivers what the outbox has due. `run_once` works until nothing is due now; `run` repeats it
    until stopped. Which channels exist is the caller's choice (a channel without a sender is a
    configuration fault, recorded as a failed attempt and retried, so fixing the settings delivers)."""

    def __init__(
        self,
        outbox: Outbox,
        senders: Mapping[Channel, Sender],
        *,
        policy: RetryPolicy,
        clock: Callable[[], datetime],
        lease: timedelta = timedelta(minutes=5),
        rng: random.Random | None = None,
    ) -> None:
        self._outbox = outbox
        self._senders = dict(senders)
        self._policy = policy
        self._clock = clock
        self._lease = lease
        self._rng = rng or random.Random()

    def run_once(self) -> int:
        """Attempt every delivery due now, once each; returns how many attempts were made."""
        made = 0
        while True:
            now = self._clock()
            delivery = self._outbox.claim_next_due(now, now + self._lease)
            if delivery is None:
                return made
            self.attempt(delivery)
            made += 1

    def run(self, stop: threading.Event, idle: float = 5.0) -> None:
        """Deliver until `stop` is set, waiting `idle` seconds (or until stopped) when nothing is due."""
        while not stop.is_set():
            if not self.run_once():
                stop.wait(idle)

    def attempt(self, delivery: Delivery) -> Attempt:
        number = delivery.attempts + 1
        started = self._clock()
        sender = self._senders.get(delivery.channel)
        try:
            if sender is None:
                raise DeliveryError(f"no {delivery.channel.value} sender is configured")
            code = sender.send(delivery, started)
        except DeliveryError as failure:
            finished = self._clock()
            attempt = Attempt(number, started, finished, Outcome.FAILED, failure.status_code, failure.text)
            if failure.permanent or number >= self._policy.max_attempts:
                self._outbox.record_attempt(delivery, attempt, DeliveryState.DEAD, None)
            else:
                wait = self._policy.delay(number, self._rng, failure.retry_after)
                self._outbox.record_attempt(
                    delivery, attempt, DeliveryState.PENDING, finished + timedelta(seconds=wait)
                )
            return attempt
        attempt = Attempt(number, started, self._clock(), Outcome.DELIVERED, code)
        self._outbox.record_attempt(delivery, attempt, DeliveryState.DELIVERED, None)
        return attempt


def wall_clock() -> datetime:
    """Now, in UTC, for deliveries: a webhook's timestamp is checked against the receiver's clock."""
    return datetime.now(UTC)
