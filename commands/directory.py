"""What KE changes about notifications (issue #11): the directory of e-mail addresses, the webhook
subscriptions, and replaying a dead letter. These are settings of the municipality, not facts about
a case, so they are rows beside the ledger (`store.notification_rows`), not events; who changed a
contact last and who created a subscription is kept on the row.

Only the municipality's coordinating unit (KE) changes them, and only its own (INV-01, INV-07).
"""

from __future__ import annotations

import base64
import ipaddress
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit
from uuid import uuid4

from ledger.errors import Forbidden, InvalidInput, NotFound
from ledger.values import Actor, Role
from store import notification_rows as rows
from store.keyring import Keyring
from store.projection_rows import ProjectionStore

MAX_KEY, MAX_EMAIL, MAX_URL = 200, 254, 2000
SECRET_BYTES = 32  # Standard Webhooks asks for 24 to 64


@dataclass(frozen=True)
class NewWebhook:
    id: str
    url: str
    secret: str  # whsec_<base64>: shown once, to the one who created it
    created_at: datetime


class NotificationDirectory:
    def __init__(self, store: ProjectionStore, keyring: Keyring, clock: Callable[[], datetime]) -> None:
        self._store = store
        self._keyring = keyring
        self._clock = clock

    # ------------------------------------------------------------ contacts
    def put_contact(self, actor: Actor, kind: str, key: str, email: str) -> tuple[dict[str, Any], bool]:
        """Set the e-mail address of a person (by id), a unit (by name) or a KE mailbox (`ke`, any
        label); returns the contact and whether it is new."""
        _require_ke(actor)
        kind, key, email = _kind(kind), _key(key), _email(email)
        now = self._clock()
        with self._store.writing() as c:
            new = rows.put_contact(c, self._store.d, actor.municipality, kind, key, email, now, actor.id)
        return {"kind": kind, "key": key, "email": email, "updated_at": now.isoformat(), "updated_by": actor.id}, new

    def delete_contact(self, actor: Actor, kind: str, key: str) -> None:
        _require_ke(actor)
        with self._store.writing() as c:
            if not rows.delete_contact(c, self._store.d, actor.municipality, _kind(kind), key):
                raise NotFound(None, "Ingen slik kontakt i din kommune.")

    # ------------------------------------------------------------ webhooks
    def add_webhook(self, actor: Actor, url: str) -> NewWebhook:
        """Subscribe `url` to every notification of the municipality, with a new signing secret."""
        _require_ke(actor)
        url = _url(url)
        webhook_id = str(uuid4())
        secret = "whsec_" + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()
        now = self._clock()
        row = rows.WebhookRow(webhook_id, actor.municipality, url, self._keyring.seal_secret(secret, webhook_id))
        with self._store.writing() as c:
            rows.add_webhook(c, self._store.d, row, now, actor.id)
        return NewWebhook(webhook_id, url, secret, now)

    def delete_webhook(self, actor: Actor, webhook_id: str) -> None:
        """End a subscription; its deliveries not yet made are dead-lettered at their next attempt."""
        _require_ke(actor)
        with self._store.writing() as c:
            if not rows.delete_webhook(c, self._store.d, actor.municipality, webhook_id):
                raise NotFound(None, "Ingen slik webhook i din kommune.")

    # --------------------------------------------------------- dead letters
    def replay(self, actor: Actor, delivery_id: int) -> None:
        """Send a dead-lettered delivery again, now, under the same notification id."""
        _require_ke(actor)
        with self._store.writing() as c:
            if not rows.replay(c, self._store.d, actor.municipality, delivery_id, self._clock()):
                raise NotFound(None, "Ingen slik død melding i din kommune.")


def _require_ke(actor: Actor) -> None:
    if actor.role is not Role.KE_CASEWORKER:
        raise Forbidden("INV-07", "Varslingsoppsettet forvaltes av koordinerende enhet.")


def _kind(kind: str) -> str:
    if kind not in rows.CONTACT_KINDS:
        raise InvalidInput(None, f"Kontakttypen må være en av {', '.join(rows.CONTACT_KINDS)}.")
    return kind


def _key(key: str) -> str:
    if not 1 <= len(key) <= MAX_KEY or not key.isprintable() or key != key.strip():
        raise InvalidInput(None, f"Nøkkelen må være 1-{MAX_KEY} skrivbare tegn uten mellomrom i endene.")
    return key


def _email(email: str) -> str:
    email = email.strip()
    local, at, domain = email.rpartition("@")
    if (
        not at
        or not local
        or "." not in domain
        or len(email) > MAX_EMAIL
        or any(ch.isspace() or ch in '<>,;"\\' for ch in email)
        or not email.isprintable()
    ):
        raise InvalidInput(None, "Ugyldig e-postadresse.")
    return email


def _url(url: str) -> str:
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - a port that is not a number raises here, not at the first delivery
    except ValueError:
        raise InvalidInput(None, "Webhook-adressen er ikke en gyldig URL.") from None
    if (
        len(url) > MAX_URL
        or not url.isprintable()
        or parts.scheme not in ("https", "http")
        or not parts.hostname
        or parts.fragment
    ):
        raise InvalidInput(None, "Webhook-adressen må være en https-URL uten fragment.")
    if parts.username or parts.password:
        raise InvalidInput(None, "Webhook-adressen kan ikke inneholde brukernavn eller passord.")
    if parts.scheme == "http" and not _loopback(parts.hostname):
        # The body is signed, not encrypted: only a receiver on this machine is reached in clear.
        raise InvalidInput(None, "Webhook-adressen må bruke https (http bare til denne maskinen).")
    return url.strip()


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
