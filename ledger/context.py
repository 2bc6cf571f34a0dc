"""Who acts and when: passed to every command method of the case."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ledger.errors import InvalidInput, InvariantViolation
from ledger.values import Actor

# Clients stamp `occurred_at` with their own clocks; a few seconds ahead of
# ours is clock skew, not a claim about the future.
CLOCK_SKEW = timedelta(seconds=5)


@dataclass(frozen=True)
class Context:
    actor: Actor
    occurred_at: datetime
    now: datetime

    def __post_init__(self) -> None:
        if self.occurred_at.tzinfo is None or self.now.tzinfo is None:
            raise InvalidInput(None, "Tidspunkt må ha tidssone (ISO 8601 med Z eller +hh:mm).")

    def check_not_future(self) -> None:
        if self.occurred_at > self.now + CLOCK_SKEW:
            raise InvariantViolation("INV-10", "Tidspunktet hendelsen skjedde kan ikke ligge i fremtiden.")
