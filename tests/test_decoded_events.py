"""The reads keep recently read cases' decoded events (commands/case_events.py), so reading a
case of a thousand events again decodes only what was stored since (bench/web_case.py measures
the case page it serves).

What must hold besides speed: what a read gets is what decoding the store gives, events stored
since (by this process or another) are in it, and no plaintext outlives its key: a case erased
here or by another process is read as erased at once.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.bootstrap import Ledger, build
from commands.case_events import DecodedEvents
from commands.plan_commands import AddComment
from ledger.events import CaseOpened
from ledger.events_plan import CommentAdded
from ledger.values import is_erased
from tests.support.cases import coordinator
from tests.support.clock import FakeClock
from tests.support.privacy import NAME, close_export_and_erase, documented_case
from tests.support.stores import settings_for


@pytest.fixture
def second(db_url: str, tmp_path: Path, clock: FakeClock) -> Iterator[Ledger]:
    """Another process on the same store (same keys), with a copy of its own."""
    other = build(settings_for(db_url, tmp_path / "secrets"), clock=clock)
    yield other
    other.close()


def event_reads(ledger: Ledger, monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Records the arguments of every read of a case's events from the store."""
    calls: list[dict[str, Any]] = []
    store = ledger.app.events
    real = store.get

    def spy(originator_id: Any, **kw: Any) -> Any:
        calls.append(kw)
        return real(originator_id, **kw)

    monkeypatch.setattr(store, "get", spy)
    return calls


def decoded_afresh(ledger: Ledger, case_id: Any) -> list[Any]:
    with ledger.app.keyring.scope([case_id]):
        return list(ledger.app.events.get(case_id))


def subject(events: list[Any]) -> Any:
    return next(e for e in events if isinstance(e, CaseOpened)).subject


def test_a_second_read_decodes_only_the_events_stored_since(ledger: Ledger, monkeypatch: pytest.MonkeyPatch) -> None:
    case_id = documented_case(ledger).case_id
    first = ledger.app.case_events(case_id)
    reads = event_reads(ledger, monkeypatch)
    again = ledger.app.case_events(case_id)
    assert reads == [{"gt": first[-1].originator_version}]
    assert again == first == decoded_afresh(ledger, case_id)
    ledger.app.handle(AddComment(actor=coordinator(), case_id=case_id, text="ny"))
    latest = ledger.app.case_events(case_id)
    assert [type(e) for e in latest[len(first) :]] == [CommentAdded] and latest[-1].text == "ny"
    assert latest == decoded_afresh(ledger, case_id)


def test_events_stored_by_another_process_are_read(ledger: Ledger, second: Ledger) -> None:
    case_id = documented_case(ledger).case_id
    before = len(ledger.app.case_events(case_id))
    second.app.handle(AddComment(actor=coordinator(), case_id=case_id, text="fra den andre"))
    after = ledger.app.case_events(case_id)
    assert len(after) == before + 1 and after[-1].text == "fra den andre"


@pytest.mark.parametrize("where", ["here", "another process"])
def test_an_erased_case_is_read_as_erased_at_once(ledger: Ledger, second: Ledger, where: str) -> None:
    case_id = documented_case(ledger).case_id
    assert subject(ledger.app.case_events(case_id)).name == NAME  # decoded and kept
    close_export_and_erase(ledger if where == "here" else second, case_id)
    assert is_erased(subject(ledger.app.case_events(case_id)))  # name and national id with it
    assert ledger.app.case_events(case_id) == decoded_afresh(ledger, case_id)


def test_without_the_case_cache_every_read_decodes_the_whole_case(
    db_url: str, tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger = build(dataclasses.replace(settings_for(db_url, tmp_path / "secrets"), case_cache=0), clock=clock)
    try:
        case_id = documented_case(ledger).case_id
        ledger.app.case_events(case_id)
        reads = event_reads(ledger, monkeypatch)
        ledger.app.case_events(case_id)
        assert reads == [{}]
    finally:
        ledger.close()


def test_at_most_its_size_of_cases_is_kept() -> None:
    class Event:
        def __init__(self, version: int) -> None:
            self.originator_version = version

    kept = DecodedEvents(2)
    asked: list[tuple[str, int | None]] = []

    def reader(name: str) -> Any:
        def read(after: int | None) -> list[Event]:
            asked.append((name, after))
            return [] if after is not None else [Event(1), Event(2)]

        return read

    for name in ("a", "b", "c", "a"):
        kept.get(name, frozenset({"k"}), reader(name))  # type: ignore[arg-type]
    # "a" was dropped for "c" (the least recently read), so read whole again; "c" is still kept.
    assert asked == [("a", None), ("b", None), ("c", None), ("a", None)]
    kept.get("c", frozenset({"k"}), reader("c"))  # type: ignore[arg-type]
    assert asked[-1] == ("c", 2)
    kept.get("c", frozenset({"k2"}), reader("c"))  # type: ignore[arg-type]
    assert asked[-1] == ("c", None)  # another key: decoded again from the start
