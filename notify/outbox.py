"""The SQL outbox as the dispatcher's `Outbox` port: `store.notification_rows.OutboxRows` holds the
statements (the lease, `FOR UPDATE SKIP LOCKED` on PostgreSQL, every attempt kept); this adapter
only turns its rows into the port's values and back.

It remembers, for the deliveries it has claimed and not yet recorded, the outbox row (so recording
needs no look-up) and the webhook subscription as it was when claimed (`subscription`), so a
delivery costs two transactions: the claim and the record."""

from __future__ import annotations

from datetime import datetime

from notify.dispatch import Attempt, Channel, Delivery, DeliveryState
from store.notification_rows import OutboxRows, WebhookRow


class SqlOutbox:
    def __init__(self, rows: OutboxRows) -> None:
        self._rows = rows
        self._claimed: dict[tuple[str, Channel, str], int] = {}
        self._webhooks: dict[str, WebhookRow] = {}

    def claim_next_due(self, now: datetime, lease_until: datetime) -> Delivery | None:
        claimed = self._rows.claim(now, lease_until)
        if claimed is None:
            return None
        delivery = Delivery(
            claimed.notification_id, Channel(claimed.channel), claimed.target, claimed.content, claimed.attempts_before
        )
        self._claimed[delivery.key] = claimed.id
        if claimed.webhook is not None:
            self._webhooks[claimed.target] = claimed.webhook
        else:
            self._webhooks.pop(claimed.target, None)
        return delivery

    def subscription(self, webhook_id: str) -> WebhookRow | None:
        """The subscription of a webhook delivery this outbox claimed (None: it no longer existed)."""
        return self._webhooks.get(webhook_id)

    def record_attempt(
        self, delivery: Delivery, attempt: Attempt, state: DeliveryState, next_attempt_at: datetime | None
    ) -> None:
        outbox_id = self._claimed.pop(delivery.key, None)
        if outbox_id is None:
            raise LookupError("only a delivery this outbox claimed can be recorded")
        self._rows.record(
            outbox_id,
            number=attempt.number,
            started_at=attempt.started_at,
            finished_at=attempt.finished_at,
            outcome=attempt.outcome.value,
            status_code=attempt.status_code,
            error=attempt.error,
            state=state.value,
            next_attempt_at=next_attempt_at,
        )

    def next_due(self) -> datetime | None:
        return self._rows.next_due()
