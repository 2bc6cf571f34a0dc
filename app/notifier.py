"""The dispatcher as the `ledger notify` process runs it: the SQL outbox, the senders the settings
call for (e-mail when LEDGER_SMTP_HOST is set; webhooks always, to KE's subscriptions) and the retry
policy, composed from one ledger.

Several dispatchers may run at once (beside each API process, or one on its own): each claims a
delivery under a lease, so none sends what another holds, and a dispatcher that dies lets its
delivery go when the lease runs out, to be sent again under the same id.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

import structlog

from app.bootstrap import Ledger
from notify.dispatch import (
    Attempt,
    Channel,
    Delivery,
    DeliveryState,
    Dispatcher,
    Outbox,
    RetryPolicy,
    Sender,
    wall_clock,
)
from notify.outbox import SqlOutbox
from notify.smtp import SmtpSender
from notify.webhook import Subscriber, WebhookSender
from store.notification_rows import OutboxRows

log = structlog.get_logger("ledger.notify")


class LoggedOutbox:
    """The outbox, with a log line per attempt: ids, channel, outcome and code; never a target (an
    e-mail address) or the content."""

    def __init__(self, outbox: Outbox) -> None:
        self._outbox = outbox

    def claim_next_due(self, now: datetime, lease_until: datetime) -> Delivery | None:
        return self._outbox.claim_next_due(now, lease_until)

    def record_attempt(
        self, delivery: Delivery, attempt: Attempt, state: DeliveryState, next_attempt_at: datetime | None
    ) -> None:
        self._outbox.record_attempt(delivery, attempt, state, next_attempt_at)
        log.info(
            "notification.attempt",
            notification_id=delivery.notification_id,
            channel=delivery.channel.value,
            attempt=attempt.number,
            outcome=attempt.outcome.value,
            status_code=attempt.status_code,
            error=attempt.error,
            state=state.value,
        )


@contextmanager
def dispatching(ledger: Ledger, *, clock: Callable[[], datetime] = wall_clock) -> Iterator[Dispatcher]:
    """A dispatcher over the ledger's outbox, with its senders closed on leaving. Its clock is the wall
    clock by default: a webhook's timestamp is checked against the receiver's."""
    settings = ledger.settings.notify
    settings.require_links()  # a notification's link must lead to the web app, never to a placeholder
    keyring = ledger.app.keyring
    sql = SqlOutbox(OutboxRows(ledger.app.recorder))

    def subscriber_of(webhook_id: str) -> Subscriber | None:
        # As the claim found it (read in the claim's transaction): None once the subscription is gone.
        row = sql.subscription(webhook_id)
        return None if row is None else Subscriber(row.id, row.url, keyring.open_secret(row.secret, row.id))

    webhooks = WebhookSender(subscriber_of, settings.public_url, timeout=settings.webhooks.timeout)
    senders: dict[Channel, Sender] = {Channel.WEBHOOK: webhooks}
    if settings.smtp is not None:
        senders[Channel.EMAIL] = SmtpSender(settings.smtp, settings.public_url)
    policy = RetryPolicy(
        max_attempts=settings.webhooks.max_attempts,
        base=settings.webhooks.backoff_base,
        cap=settings.webhooks.backoff_max,
    )
    outbox = LoggedOutbox(sql)
    try:
        yield Dispatcher(outbox, senders, policy=policy, clock=clock, lease=timedelta(seconds=settings.dispatch.lease))
    finally:
        webhooks.close()


def run_dispatcher(dispatcher: Dispatcher, stop: threading.Event, idle: float) -> None:
    """Deliver until `stop` is set. A failure of the store (a restart of the database) is logged and
    tried again: what was claimed and not recorded is sent again when its lease runs out."""
    while not stop.is_set():
        try:
            dispatcher.run(stop, idle)
        except Exception as e:
            log.error("notify.failed", error=type(e).__name__, detail=str(e)[:200])
            stop.wait(2.0)
