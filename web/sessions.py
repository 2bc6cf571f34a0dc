"""Server-side sessions for the web app.

The browser holds only an opaque random token (256 bits) in a cookie. The
store keys a session by the token's SHA-256, and keeps its data (who is signed
in, the CSRF token, a sign-in in progress) sealed with AES-GCM under a key
derived from the token: whoever reads the table (a backup, a replica) can
neither take over a session nor read the names and national ids in it.

A session ends when it has been idle longer than `idle`, when it is older
than `absolute` (however busy), at sign-out, and when its holder signs in
again (rotation: the old token stops working, so a token planted before
sign-in is worth nothing after it).

Where sessions live is a `SessionStore`: in memory for one process, or a
table in the ledger's own database (`store.sessions`) so that several API
processes on one PostgreSQL share them.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

import orjson
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ledger.values import Actor, Role

# How often a busy session's last-seen time is written: the idle time-out is
# minutes, so a write per page view would buy nothing but load.
TOUCH_EVERY = timedelta(seconds=60)


class SessionStore(Protocol):
    """Where sessions live, keyed by the hex SHA-256 of their token. Times
    are seconds since the epoch; data is sealed bytes."""

    def create(self, key: str, created_at: float, data: bytes) -> None: ...

    def get(self, key: str) -> tuple[float, float, bytes] | None:
        """(created_at, last_seen, data), or None."""

    def save(self, key: str, data: bytes) -> None:
        """Replaces a session's data (not its times)."""

    def touch(self, key: str, last_seen: float) -> None:
        """Moves last_seen forward (never back)."""

    def delete(self, key: str) -> None: ...

    def purge(self, *, idle_before: float, created_before: float) -> None:
        """Deletes every session last seen before `idle_before` or created before `created_before`."""


class MemorySessionStore:
    """Sessions in this process's memory: one process, tests."""

    def __init__(self) -> None:
        self._rows: dict[str, tuple[float, float, bytes]] = {}
        self._lock = threading.Lock()

    def create(self, key: str, created_at: float, data: bytes) -> None:
        with self._lock:
            self._rows[key] = (created_at, created_at, data)

    def get(self, key: str) -> tuple[float, float, bytes] | None:
        with self._lock:
            return self._rows.get(key)

    def save(self, key: str, data: bytes) -> None:
        with self._lock:
            if key in self._rows:
                created_at, last_seen, _ = self._rows[key]
                self._rows[key] = (created_at, last_seen, data)

    def touch(self, key: str, last_seen: float) -> None:
        with self._lock:
            if key in self._rows:
                created_at, seen, data = self._rows[key]
                self._rows[key] = (created_at, max(seen, last_seen), data)

    def delete(self, key: str) -> None:
        with self._lock:
            self._rows.pop(key, None)

    def purge(self, *, idle_before: float, created_before: float) -> None:
        with self._lock:
            old = [k for k, (created, seen, _) in self._rows.items() if seen < idle_before or created < created_before]
            for k in old:
                del self._rows[k]


@dataclass(frozen=True)
class PendingSignIn:
    """An OpenID Connect sign-in under way: what the callback must match."""

    state: str
    nonce: str
    code_verifier: str
    started_at: float


@dataclass
class Session:
    token: str = field(repr=False)
    created_at: datetime
    last_seen: datetime
    csrf_token: str = field(repr=False)
    actor: Actor | None = None
    pending: PendingSignIn | None = None
    # A confirmation for the next page (after a form's redirect), shown once.
    flash: str | None = None

    @property
    def key(self) -> str:
        return session_key(self.token)


def session_key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Sessions:
    """Starts, finds, rotates and ends sessions in a `SessionStore`."""

    def __init__(
        self,
        store: SessionStore,
        clock: Callable[[], datetime],
        *,
        idle: timedelta = timedelta(minutes=30),
        absolute: timedelta = timedelta(hours=8),
    ) -> None:
        self.store = store
        self.clock = clock
        self.idle = idle
        self.absolute = absolute

    def start(self, actor: Actor | None = None, pending: PendingSignIn | None = None) -> Session:
        now = self.clock()
        session = Session(
            token=secrets.token_urlsafe(32),
            created_at=now,
            last_seen=now,
            csrf_token=secrets.token_urlsafe(32),
            actor=actor,
            pending=pending,
        )
        # Expired sessions go when new ones come, so the table never grows past a time-out's worth of sign-ins.
        self.store.purge(idle_before=(now - self.idle).timestamp(), created_before=(now - self.absolute).timestamp())
        self.store.create(session.key, now.timestamp(), _seal(session.token, _data(session)))
        return session

    def find(self, token: str | None) -> Session | None:
        """The live session this token opens, or None (unknown, expired,
        or tampered with). Finding a session counts as activity."""
        if not token or len(token) > 100:
            return None
        key = session_key(token)
        row = self.store.get(key)
        if row is None:
            return None
        now = self.clock()
        created = datetime.fromtimestamp(row[0], now.tzinfo)
        last_seen = datetime.fromtimestamp(row[1], now.tzinfo)
        if now - last_seen > self.idle or now - created > self.absolute:
            self.store.delete(key)
            return None
        try:
            data = orjson.loads(_open(token, row[2]))
        except (InvalidTag, ValueError):
            return None
        if now - last_seen >= TOUCH_EVERY:
            self.store.touch(key, now.timestamp())
            last_seen = now
        return Session(
            token=token,
            created_at=created,
            last_seen=last_seen,
            csrf_token=data["csrf"],
            actor=_actor(data["actor"]) if data.get("actor") else None,
            pending=PendingSignIn(**data["pending"]) if data.get("pending") else None,
            flash=data.get("flash"),
        )

    def begin_sign_in(self, session: Session | None, pending: PendingSignIn) -> Session:
        """Records a sign-in under way on the (anonymous) session, starting one if needed."""
        if session is None:
            return self.start(pending=pending)
        session.pending = pending
        self.store.save(session.key, _seal(session.token, _data(session)))
        return session

    def sign_in(self, previous: Session | None, actor: Actor) -> Session:
        """A new session for `actor`; the previous one (anonymous or someone
        else's) ends, so its token opens nothing any more."""
        if previous is not None:
            self.end(previous)
        return self.start(actor=actor)

    def end(self, session: Session) -> None:
        self.store.delete(session.key)

    def set_flash(self, session: Session, message: str) -> None:
        """A message for the next page the person sees (a form's confirmation after its redirect)."""
        session.flash = message
        self.store.save(session.key, _seal(session.token, _data(session)))

    def take_flash(self, session: Session) -> str | None:
        """The message left for this page, once: it is gone from the session afterwards."""
        message = session.flash
        if message is not None:
            session.flash = None
            self.store.save(session.key, _seal(session.token, _data(session)))
        return message

    def csrf_matches(self, session: Session | None, token: str | None) -> bool:
        if session is None or not token:
            return False
        return hmac.compare_digest(session.csrf_token.encode(), token.encode())


def _data(session: Session) -> bytes:
    actor = session.actor
    pending = session.pending
    return orjson.dumps(
        {
            "csrf": session.csrf_token,
            "actor": None
            if actor is None
            else {
                "id": actor.id,
                "role": actor.role.value,
                "municipality": actor.municipality,
                "name": actor.name,
                "service": actor.service,
                "pid": actor.pid,
            },
            "pending": None if pending is None else asdict(pending),
            "flash": session.flash,
        }
    )


def _actor(data: dict[str, Any]) -> Actor:
    return Actor(
        id=data["id"],
        role=Role(data["role"]),
        municipality=data["municipality"],
        name=data["name"],
        service=data["service"],
        pid=data["pid"],
    )


def _cipher(token: str) -> AESGCM:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"ledger-web-session-v1").derive(token.encode())
    return AESGCM(key)


def _seal(token: str, data: bytes) -> bytes:
    nonce = os.urandom(12)
    return nonce + _cipher(token).encrypt(nonce, data, None)


def _open(token: str, sealed: bytes) -> bytes:
    return _cipher(token).decrypt(sealed[:12], sealed[12:], None)
