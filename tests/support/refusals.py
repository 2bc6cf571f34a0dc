"""A refused command says why, in bokmål, and leaves the store exactly as it was."""

from __future__ import annotations

import dataclasses
import re
from typing import Any
from uuid import UUID

import pytest

from commands.base import Command
from ledger.errors import DomainError

# Words any bokmål sentence of the ledger's errors is made of; an English or
# empty message has none of them.
_BOKMAL = re.compile(r"\b(ikke|kan|må|er|en|et|ei|bare|og|i|på|til|for|som|har|med|saken|sak|din|du)\b", re.I)


def assert_norwegian(message: str) -> None:
    assert message.strip(), "the refusal has no message"
    assert _BOKMAL.search(message), f"not a bokmål sentence: {message!r}"


@dataclasses.dataclass(frozen=True)
class StoreState:
    max_notification_id: int | None
    stored: tuple[tuple[int, str, bytes], ...]


def store_state(ledger: Any, case_id: UUID | None = None) -> StoreState:
    """What the store holds: the log's head and the case's stored events (bytes)."""
    stored: tuple[tuple[int, str, bytes], ...] = ()
    if case_id is not None:
        stored = tuple(
            (e.originator_version, e.topic, bytes(e.state)) for e in ledger.app.recorder.select_events(case_id)
        )
    return StoreState(ledger.app.recorder.max_notification_id(), stored)


def assert_refused(
    ledger: Any, command: Command, error: type[DomainError], rule: str | None, case_id: UUID | None = None
) -> DomainError:
    """Handle `command`, expect `error` naming `rule`, and check nothing was written."""
    case_id = case_id or getattr(command, "case_id", None)
    before = store_state(ledger, case_id)
    with pytest.raises(error) as refused:
        ledger.app.handle(command)
    assert refused.value.rule == rule
    assert_norwegian(refused.value.message)
    assert store_state(ledger, case_id) == before
    return refused.value
