"""The base of every case event.

Every event says when it happened (`occurred_at`, given by the user) and who
recorded it; `timestamp` is when the ledger recorded it (`recorded_at`).
`PUBLIC` names the fields that stay readable without the case key; every
other field is personal and stored encrypted (privacy by default: a new field
is encrypted unless someone decides otherwise).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, ClassVar, TypeVar

from eventsourcing.domain import Aggregate

from ledger.values import ActorRef

BASE_PUBLIC = frozenset({"timestamp", "occurred_at", "recorded_by", "originator_topic"})

_APPLIERS: dict[type, Callable[[Any, Any], None]] = {}

_Case = TypeVar("_Case")
_Event = TypeVar("_Event", bound="CaseEvent")


def applies(
    event_class: type[_Event],
) -> Callable[[Callable[[_Case, _Event], None]], Callable[[_Case, _Event], None]]:
    """Register how an event changes the case. Appliers only assign:
    they never validate, so replaying history can never fail."""

    def register(fn: Callable[[_Case, _Event], None]) -> Callable[[_Case, _Event], None]:
        _APPLIERS[event_class] = fn
        return fn

    return register


def applier_for(event_class: type) -> Callable[[Any, Any], None] | None:
    return _APPLIERS.get(event_class)


class CaseEvent(Aggregate.Event):
    occurred_at: datetime
    recorded_by: ActorRef
    recorded_by_name: str

    PUBLIC: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def public_fields(cls) -> frozenset[str]:
        return BASE_PUBLIC | cls.PUBLIC

    @property
    def recorded_at(self) -> datetime:
        return self.timestamp

    def apply(self, aggregate: Any) -> None:
        _APPLIERS[type(self)](aggregate, self)
