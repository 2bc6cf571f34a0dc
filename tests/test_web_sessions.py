"""Where the web app's sessions live: one contract for every store (memory, and
the table beside the events on SQLite and PostgreSQL), and what the session
service keeps in it (nothing readable, nothing that opens a session)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from app.bootstrap import Ledger, build
from ledger.values import Actor, Role
from store.sessions import SqlSessionStore
from tests.support.clock import FakeClock
from tests.support.stores import database_url, settings_for
from web.sessions import MemorySessionStore, PendingSignIn, Sessions, SessionStore, session_key

ACTOR = Actor(id="ke-1", role=Role.KE_CASEWORKER, municipality="5032", name="Kari Nordmann", pid="01017012345")


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path, clock: FakeClock) -> Iterator[SessionStore]:
    if request.param == "memory":
        yield MemorySessionStore()
        return
    ledger = build(settings_for(database_url(request.param, tmp_path, request), tmp_path / "secrets"), clock=clock)
    yield SqlSessionStore.for_recorder(ledger.app.recorder)
    ledger.close()


def test_a_store_keeps_creates_updates_and_deletes_sessions(store: SessionStore) -> None:
    store.create("k1", 100.0, b"one")
    store.create("k2", 100.0, b"two")
    assert store.get("k1") == (100.0, 100.0, b"one")
    store.save("k1", b"uno")
    store.touch("k1", 160.0)
    assert store.get("k1") == (100.0, 160.0, b"uno")
    store.touch("k1", 130.0)  # an older request finishing late does not move it back
    assert store.get("k1") == (100.0, 160.0, b"uno")
    store.delete("k1")
    assert store.get("k1") is None and store.get("k2") == (100.0, 100.0, b"two")
    assert store.get("nobody") is None


def test_a_store_purges_sessions_idle_or_too_old(store: SessionStore) -> None:
    store.create("idle", 100.0, b"")
    store.create("old", 50.0, b"")
    store.touch("old", 500.0)
    store.create("fresh", 400.0, b"")
    store.purge(idle_before=200.0, created_before=80.0)
    assert store.get("idle") is None and store.get("old") is None
    assert store.get("fresh") is not None


def test_two_stores_on_one_database_share_sessions(ledger: Ledger) -> None:
    """Several API processes on one database see the same sessions (and the table is made once)."""
    first = SqlSessionStore.for_recorder(ledger.app.recorder)
    second = SqlSessionStore.for_recorder(ledger.app.recorder)
    first.create("k", 1.0, b"x")
    assert second.get("k") == (1.0, 1.0, b"x")


def test_the_store_holds_neither_the_token_nor_anything_readable(clock: FakeClock) -> None:
    store = MemorySessionStore()
    session = Sessions(store, clock).start(actor=ACTOR)
    row = store.get(session_key(session.token))
    assert row is not None
    assert store.get(session.token) is None  # keyed by the token's hash, not the token
    data = row[2]
    for secret in (session.token, session.csrf_token, ACTOR.name, ACTOR.pid, ACTOR.id):
        assert secret is not None and secret.encode() not in data


def test_a_session_comes_back_with_its_actor_csrf_token_and_pending_sign_in(clock: FakeClock) -> None:
    sessions = Sessions(MemorySessionStore(), clock)
    pending = PendingSignIn(state="s", nonce="n", code_verifier="v", started_at=1.0)
    anonymous = sessions.begin_sign_in(None, pending)
    found = sessions.find(anonymous.token)
    assert found is not None and found.pending == pending and found.actor is None
    signed_in = sessions.sign_in(found, ACTOR)
    again = sessions.find(signed_in.token)
    assert again is not None and again.actor == ACTOR and again.pending is None
    assert again.csrf_token == signed_in.csrf_token != anonymous.csrf_token
    assert sessions.find(anonymous.token) is None


def test_a_session_ends_when_idle_or_too_old(clock: FakeClock) -> None:
    sessions = Sessions(MemorySessionStore(), clock, idle=timedelta(minutes=30), absolute=timedelta(hours=8))
    idle = sessions.start(actor=ACTOR)
    busy = sessions.start(actor=ACTOR)
    for _ in range(16):  # 8 hours in steps of 30 minutes
        clock.advance(minutes=29, seconds=59)
        assert sessions.find(busy.token) is not None
    assert sessions.find(idle.token) is None
    clock.advance(minutes=1)
    assert sessions.find(busy.token) is None


def test_csrf_tokens_are_compared_to_the_session_own(clock: FakeClock) -> None:
    sessions = Sessions(MemorySessionStore(), clock)
    one, other = sessions.start(), sessions.start()
    assert sessions.csrf_matches(one, one.csrf_token)
    assert not sessions.csrf_matches(one, other.csrf_token)
    assert not sessions.csrf_matches(one, None) and not sessions.csrf_matches(None, one.csrf_token)


def test_a_token_that_does_not_open_its_data_is_no_session(clock: FakeClock) -> None:
    """A row whose key matches but whose data another token sealed (a tampered store) is refused."""
    store = MemorySessionStore()
    sessions = Sessions(store, clock)
    victim, attacker = sessions.start(actor=ACTOR), sessions.start()
    victim_row, attacker_row = store.get(session_key(victim.token)), store.get(session_key(attacker.token))
    assert victim_row and attacker_row
    store.save(session_key(attacker.token), victim_row[2])
    assert sessions.find(attacker.token) is None
