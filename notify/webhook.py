"""Webhooks, signed as Standard Webhooks 1.0 says: headers `webhook-id` (the notification's stable
id, the same on every attempt), `webhook-timestamp` (this attempt, Unix seconds) and
`webhook-signature` (`v1,<base64 HMAC-SHA256 of "id.timestamp.body">` with the subscriber's secret,
`whsec_<base64>`), signed by the reference library. Sent with httpx, each attempt bounded by the
timeout; redirects are not followed (a subscriber moves by changing its URL).

A 2xx is delivered; 410 Gone stops (dead letter) as the specification asks; any other answer, a
timeout or a connection failure is retried, no sooner than a Retry-After in seconds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx
from standardwebhooks.webhooks import Webhook

from notify.content import webhook_body
from notify.dispatch import Delivery, DeliveryError

USER_AGENT = "coordination-ledger-webhooks/1"


@dataclass(frozen=True)
class Subscriber:
    id: str
    url: str
    secret: str = field(repr=False)  # whsec_<base64>, at least 24 random bytes


class WebhookSender:
    def __init__(
        self,
        subscriber_of: Callable[[str], Subscriber | None],
        public_url: str,
        *,
        timeout: float,
        client: httpx.Client | None = None,
    ) -> None:
        self._subscriber_of = subscriber_of
        self._public_url = public_url
        self._client = client or httpx.Client(timeout=httpx.Timeout(timeout), follow_redirects=False)

    def close(self) -> None:
        self._client.close()

    def send(self, delivery: Delivery, now: datetime) -> int | None:
        subscriber = self._subscriber_of(delivery.target)
        if subscriber is None:
            raise DeliveryError("webhook: the subscription no longer exists", permanent=True)
        body = webhook_body(dict(delivery.content), self._public_url)
        msg_id = delivery.notification_id
        now = now.astimezone(UTC)  # the library reads the timestamp as UTC whatever its zone
        headers = {
            "content-type": "application/json",
            "user-agent": USER_AGENT,
            "webhook-id": msg_id,
            "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": Webhook(subscriber.secret).sign(msg_id, now, body.decode()),
        }
        try:
            response = self._client.post(subscriber.url, content=body, headers=headers)
        except httpx.TimeoutException as e:
            raise DeliveryError(f"webhook: timed out ({type(e).__name__})") from None
        except httpx.HTTPError as e:
            raise DeliveryError(f"webhook: {type(e).__name__}") from None
        code = response.status_code
        if 200 <= code < 300:
            return code
        raise DeliveryError(
            f"webhook: HTTP {code}",
            status_code=code,
            permanent=code == 410,
            retry_after=_seconds(response.headers.get("retry-after")),
        )


def _seconds(value: str | None) -> float | None:
    if value is None or not value.strip().isdigit():
        return None  # an HTTP-date is rare from webhook receivers; the back-off applies
    return float(value.strip())
