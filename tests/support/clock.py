"""The ledger's clock under the test's control, standing at `TODAY` unless moved."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

TODAY = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


class FakeClock:
    """The ledger's clock under the test's control."""

    def __init__(self, now: datetime = TODAY) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now

    def set(self, when: datetime) -> None:
        self.now = when
