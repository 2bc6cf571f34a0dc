"""The case cache (LEDGER_CASE_CACHE): the command path keeps recent cases in
memory and reads only the events stored since, so a command costs the same
on the case's 10th event as on its 5,000th (bench/case_cache.py measures it).

What must hold besides speed: writes by another process are seen, a refused
or failed command leaves the cached case as the store has it, and a case
whose key was destroyed (here or in another process) is never served from a
copy decrypted before the erasure.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from eventsourcing.persistence import IntegrityError

from app.bootstrap import Ledger, build
from app.settings import DEFAULT_CASE_CACHE, Settings
from commands.case_commands import AddParticipant
from commands.plan_commands import AddComment, ForwardComplaint, ReceiveComplaint
from ledger.errors import InvalidInput, InvariantViolation, NotFound, VersionMismatch
from ledger.events_plan import CommentAdded
from ledger.values import Person, Provision, is_erased
from store.config import ConfigError
from tests.support.cases import coordinator, ke, running_case
from tests.support.clock import FakeClock
from tests.support.privacy import NAME, close_export_and_erase, documented_case
from tests.support.stores import settings_for


@pytest.fixture
def second(db_url: str, tmp_path: Path, clock: FakeClock) -> Iterator[Ledger]:
    """Another process on the same store (same keys), with a cache of its own."""
    other = build(settings_for(db_url, tmp_path / "secrets"), clock=clock)
    yield other
    other.close()


def comment(ledger: Ledger, case_id: Any, text: str, **kw: Any) -> int:
    return ledger.app.handle(AddComment(actor=coordinator(), case_id=case_id, text=text, **kw)).version


def texts(ledger: Ledger, case_id: Any) -> list[str]:
    return [e.text for e in ledger.app.case_events(case_id) if isinstance(e, CommentAdded)]


def planned(ledger: Ledger) -> Any:
    """A case with a plan (comments need one)."""
    return documented_case(ledger).case_id


def cached(ledger: Ledger, case_id: Any) -> Any:
    """The cached copy of the case, without touching the store (KeyError if none)."""
    cache = ledger.app.repository.cache
    assert cache is not None
    case = cache.get(case_id)
    return case


def reads_of(ledger: Ledger, monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Records the arguments of every read of a case's events by the repository."""
    calls: list[dict[str, Any]] = []
    store = ledger.app.repository.event_store
    real = store.get

    def spy(originator_id: Any, **kw: Any) -> Any:
        calls.append(kw)
        return real(originator_id, **kw)

    monkeypatch.setattr(store, "get", spy)
    return calls


def test_the_cache_is_on_by_default_and_bounded(ledger: Ledger) -> None:
    assert ledger.settings.case_cache == DEFAULT_CASE_CACHE > 0
    assert ledger.app.repository.cache is not None
    assert ledger.app.repository.cache.maxsize == DEFAULT_CASE_CACHE  # type: ignore[attr-defined]


def test_a_command_on_a_cached_case_reads_only_the_events_stored_since(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    case_id = planned(ledger)
    version = comment(ledger, case_id, "første")  # loads the case: now it is cached
    reads = reads_of(ledger, monkeypatch)
    assert comment(ledger, case_id, "andre") == version + 1
    assert reads == [{"gt": version}]  # nothing but what was stored since (here: nothing)


def test_without_the_cache_every_command_replays_the_case(
    db_url: str, tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = dataclasses.replace(settings_for(db_url, tmp_path / "secrets"), case_cache=0)
    ledger = build(settings, clock=clock)
    try:
        assert ledger.app.repository.cache is None
        case_id = planned(ledger)
        comment(ledger, case_id, "første")
        reads = reads_of(ledger, monkeypatch)
        comment(ledger, case_id, "andre")
        assert len(reads) == 1 and reads[0].get("gt") is None  # from the first event
    finally:
        ledger.close()


def test_the_cache_holds_at_most_its_size(db_url: str, tmp_path: Path, clock: FakeClock) -> None:
    ledger = build(dataclasses.replace(settings_for(db_url, tmp_path / "secrets"), case_cache=2), clock=clock)
    try:
        cases = [running_case(ledger, birth=date(1980 + i, 5, 17)).case_id for i in range(3)]
        for n, case_id in enumerate(cases):
            ledger.app.handle(
                AddParticipant(
                    actor=coordinator(),
                    case_id=case_id,
                    person=Person(f"p-{n}", "Per Olsen"),
                    service="skole",
                    role="kontaktlærer",
                )
            )
        held = [case_id for case_id in cases if _held(ledger, case_id)]
        assert held == cases[1:]  # the least recently used one was dropped
    finally:
        ledger.close()


def _held(ledger: Ledger, case_id: Any) -> bool:
    try:
        cached(ledger, case_id)
    except KeyError:
        return False
    return True


def test_writes_by_another_process_are_seen_by_the_next_command(ledger: Ledger, second: Ledger) -> None:
    case_id = planned(ledger)
    mine = comment(ledger, case_id, "fra første prosess")
    theirs = comment(second, case_id, "fra andre prosess")
    assert theirs == mine + 1
    assert cached(ledger, case_id).version == mine  # this process's copy is one event behind
    # Its next command fast-forwards, so the version it checks is the store's.
    with pytest.raises(VersionMismatch):
        comment(ledger, case_id, "med gammel versjon", expected_version=mine)
    assert comment(ledger, case_id, "med riktig versjon", expected_version=theirs) == theirs + 1
    assert texts(ledger, case_id) == ["fra første prosess", "fra andre prosess", "med riktig versjon"]


def test_a_refused_command_leaves_the_cached_case_as_stored(ledger: Ledger) -> None:
    case_id = planned(ledger)
    version = comment(ledger, case_id, "notat")
    with pytest.raises(NotFound):
        comment(ledger, case_id, "om et mål som ikke finnes", goal_id=uuid4())
    assert cached(ledger, case_id).version == version
    assert ledger.app.load_case(case_id).version == len(ledger.app.case_events(case_id)) == version


def test_a_save_that_loses_a_race_leaves_the_cached_case_as_stored(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    case_id = planned(ledger)
    version = comment(ledger, case_id, "notat")
    recorder = ledger.app.recorder
    real = recorder.insert_events
    lost: list[int] = []

    def lose_once(*args: Any, **kw: Any) -> Any:
        if not lost:
            lost.append(1)
            raise IntegrityError("another writer took this version")
        return real(*args, **kw)

    monkeypatch.setattr(recorder, "insert_events", lose_once)
    assert comment(ledger, case_id, "etter kappløpet") == version + 1  # retried once, written once
    assert lost == [1]
    # The cached copy is the store's: the failed attempt's event was not applied twice.
    assert cached(ledger, case_id).version == len(ledger.app.case_events(case_id)) == version + 1
    assert texts(ledger, case_id) == ["notat", "etter kappløpet"]


def test_a_command_refused_after_its_first_event_drops_the_changed_case(ledger: Ledger) -> None:
    """Forwarding a complaint applies ComplaintForwarded, then learns that no such report was issued:
    the refusal must not leave the forwarding in the case commands work on."""
    case_id = planned(ledger)
    complaint_id = ledger.app.handle(
        ReceiveComplaint(actor=ke(), case_id=case_id, concerns=(Provision.COORDINATOR,), text="Klage")
    ).created["complaint_id"]
    stored = ledger.app.load_case(case_id).version
    with pytest.raises(InvalidInput):
        ledger.app.handle(
            ForwardComplaint(actor=ke(), case_id=case_id, complaint_id=complaint_id, report_sha256="ab" * 32)
        )
    with pytest.raises(KeyError):
        cached(ledger, case_id)
    case = ledger.app.load_case(case_id)
    assert case.version == stored and case.complaints[complaint_id].forwarded_at is None
    sent = ledger.reads.cases.issue_report(ke(), case_id, "json")
    ledger.app.handle(
        ForwardComplaint(actor=ke(), case_id=case_id, complaint_id=complaint_id, report_sha256=sent.sha256)
    )
    assert cached(ledger, case_id).version == len(ledger.app.case_events(case_id)) == stored + 1


def test_load_case_gives_a_copy_not_the_case_commands_change(ledger: Ledger) -> None:
    case_id = planned(ledger)
    comment(ledger, case_id, "notat")
    copy = ledger.app.load_case(case_id)
    assert copy is not cached(ledger, case_id) and copy.version == cached(ledger, case_id).version
    comment(ledger, case_id, "enda et")
    assert copy.version == cached(ledger, case_id).version - 1


def test_erasure_here_drops_the_decrypted_copy(ledger: Ledger) -> None:
    case = documented_case(ledger)
    assert ledger.app.load_case(case.case_id).subject.name == NAME  # decrypted and cached
    close_export_and_erase(ledger, case.case_id)
    with pytest.raises(KeyError):
        cached(ledger, case.case_id)
    loaded = ledger.app.load_case(case.case_id)
    assert is_erased(loaded.subject)  # name and national id with it
    with pytest.raises(KeyError):
        cached(ledger, case.case_id)  # an erased case is not kept either


def test_erasure_by_another_process_is_not_hidden_by_a_decrypted_copy(ledger: Ledger, second: Ledger) -> None:
    case = documented_case(ledger)
    assert ledger.app.load_case(case.case_id).subject.name == NAME
    assert cached(ledger, case.case_id).subject.name == NAME  # this process holds the plaintext
    close_export_and_erase(second, case.case_id)
    loaded = ledger.app.load_case(case.case_id)
    assert loaded.erased
    assert is_erased(loaded.subject)  # name and national id with it
    with pytest.raises(KeyError):
        cached(ledger, case.case_id)
    # A command after the erasure is judged on the erased case (closed: INV-08).
    with pytest.raises(InvariantViolation, match="avsluttet"):
        comment(ledger, case.case_id, "etter sletting")


@pytest.mark.parametrize("value, expected", [("", DEFAULT_CASE_CACHE), ("0", 0), ("1000", 1000), (" 12 ", 12)])
def test_the_setting_reads_whole_numbers(value: str, expected: int, tmp_path: Path) -> None:
    env = {
        "LEDGER_DATABASE_URL": f"sqlite:///{tmp_path}/l.db",
        "LEDGER_MASTER_KEY": "11" * 32,
        "LEDGER_SIGNING_KEY": "22" * 32,
        "LEDGER_JWT_SECRET": "s" * 40,
        "LEDGER_CASE_CACHE": value,
    }
    assert Settings.from_env(env).case_cache == expected


@pytest.mark.parametrize("value", ["-1", "many", "1.5", "10k"])
def test_the_setting_refuses_anything_else_with_a_clear_message(value: str, tmp_path: Path) -> None:
    env = {
        "LEDGER_DATABASE_URL": f"sqlite:///{tmp_path}/l.db",
        "LEDGER_MASTER_KEY": "11" * 32,
        "LEDGER_SIGNING_KEY": "22" * 32,
        "LEDGER_JWT_SECRET": "s" * 40,
        "LEDGER_CASE_CACHE": value,
    }
    with pytest.raises(ConfigError, match="LEDGER_CASE_CACHE must be a whole number"):
        Settings.from_env(env)


def test_time_travel_loads_bypass_the_cache(ledger: Ledger) -> None:
    case_id = planned(ledger)
    before = ledger.app.load_case(case_id).version
    ledger.app.handle(
        AddParticipant(
            actor=coordinator(),
            case_id=case_id,
            person=Person("skole-1", "Siri Skole"),
            service="skole",
            role="kontaktlærer",
        )
    )
    latest = ledger.app.load_case(case_id)
    earlier = ledger.app.load_case(case_id, version=before)
    assert earlier.version == before and len(earlier.participants) == len(latest.participants) - 1
    assert cached(ledger, case_id).version == latest.version  # the cached copy was not rolled back
