"""KE's view of the notification set-up (issue #11): the directory of e-mail addresses, the webhook
subscriptions (never their secrets) and the dead letters, each of the actor's municipality only.
A case's own notifications are a read of the case (`CaseReads.notifications`, access-logged)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from ledger.values import Actor
from projections.runner import ProjectionRunner
from reads.policy import require_coordinating_unit
from store import notification_rows


class NotificationReads:
    def __init__(self, projections: ProjectionRunner, clock: Callable[[], datetime]) -> None:
        self._store = projections.store
        self._clock = clock

    def contacts(self, actor: Actor) -> dict[str, Any]:
        """Every e-mail address KE has set: per person (id), unit (name) and KE mailbox."""
        require_coordinating_unit(actor)
        return {
            "municipality": actor.municipality,
            "items": self._store.read(notification_rows.contacts, actor.municipality),
        }

    def webhooks(self, actor: Actor) -> dict[str, Any]:
        """The municipality's webhook subscriptions (their secrets were shown once, when created)."""
        require_coordinating_unit(actor)
        return {
            "municipality": actor.municipality,
            "items": self._store.read(notification_rows.webhooks, actor.municipality),
        }

    def dead_letters(self, actor: Actor, *, limit: int = 100, offset: int = 0) -> dict[str, Any]:
        """Deliveries that stopped after their last attempt (or at once, on a failure retrying cannot
        mend), most recent first, with every attempt; KE replays one with the directory."""
        require_coordinating_unit(actor)
        total, items = self._store.read(
            notification_rows.dead_letters, actor.municipality, self._clock(), limit=limit, offset=offset
        )
        return {"municipality": actor.municipality, "total": total, "items": items}
