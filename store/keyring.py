"""Per-case data keys (AES-256-GCM), wrapped by the master key.

Erasure destroys a case's keys: its events stay, their ciphertext stays (so
hashes over stored bytes still verify), and nobody can read the personal
fields again. A case erased and then written to again (a complaint after
erasure) gets a fresh key, so nothing new is readable with an old one.

The master key can be rotated while the ledger serves (`store.key_rotation`):
a process knows one or more master keys (`MasterKeys`), wraps new keys with
the first and unwraps with whichever opens the row (AES-GCM tells), so every
case stays readable while rows are re-wrapped one by one, and after a crash
half-way. The keys derived for the subject index and idempotency fingerprints
(`ledger_key`) are stored wrapped like case keys, so their values outlive a
rotation: the index and the fingerprints recorded before it still match.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from uuid import UUID, uuid4

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

NONCE_BYTES = 12


@dataclass(frozen=True)
class NewKey:
    kid: str
    case_id: UUID
    wrapped: bytes


class KeyUnavailable(Exception):
    """The case has no live key to write with (a programming error)."""


class MasterKeyMismatch(Exception):
    """A wrapped key that no master key this process knows can open (a wrong or lost master key)."""


MASTER_KEY_SIZE = 32


def read_key_file(path: Path) -> list[bytes]:
    """The master keys in a key file: the current one first, then keys kept until a rotation is done."""
    keys = [bytes.fromhex(line.strip()) for line in path.read_text().splitlines() if line.strip()]
    if not keys or any(len(k) != MASTER_KEY_SIZE for k in keys):
        raise ValueError(f"{path} must hold 64 hexadecimal characters per line")
    return keys


def write_key_file(path: Path, keys: Sequence[bytes]) -> None:
    """Replace the key file at once (a crash leaves the old file or the new one, never half of
    either), readable by the owner only: these are keys."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write("".join(k.hex() + "\n" for k in keys))
        f.flush()
        os.fsync(f.fileno())
    os.replace(temporary, path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def master_key_id(master: bytes) -> str:
    """A name for a master key that can be printed and compared (16 hex digits of a one-way derivation)."""
    return hashlib.sha256(_derive(master, b"key id")).hexdigest()[:16]


class MasterKeys:
    """The master keys a process knows: the first wraps new keys, every one may unwrap.

    From the environment they are fixed (`LEDGER_NEW_MASTER_KEY` first when set, so the
    process wraps with the key being rotated to). From a key file they follow the file:
    it is read again when it changes (looked at most once per `RECHECK` seconds, and at
    once when a row opens with none of the known keys), so a rotation that writes the new
    key into the file reaches running processes without a restart."""

    RECHECK = 1.0

    def __init__(self, keys: Sequence[bytes], path: Path | None = None) -> None:
        self._keys = list(keys)
        self._path = path
        self._lock = threading.Lock()
        self._seen = self._stamp()
        self._checked = time.monotonic()
        if not self._keys or any(len(k) != MASTER_KEY_SIZE for k in self._keys):
            raise ValueError("LEDGER_MASTER_KEY must be 32 bytes (64 hex characters)")

    def current(self) -> list[bytes]:
        if self._path is not None and time.monotonic() - self._checked >= self.RECHECK:
            self.reload()
        return self._keys

    def reload(self) -> bool:
        """Read the key file again if it changed; True if the keys changed."""
        if self._path is None:
            return False
        with self._lock:
            self._checked = time.monotonic()
            stamp = self._stamp()
            if stamp == self._seen:
                return False
            try:
                keys = read_key_file(self._path)
            except (OSError, ValueError):
                return False  # a file being replaced: the next look sees the whole new one
            self._seen = stamp
            changed, self._keys = keys != self._keys, keys
            return changed

    def _stamp(self) -> tuple[int, int] | None:
        if self._path is None:
            return None
        try:
            st = self._path.stat()
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_ino)


# Keys fetched for the events being read now: one look-up per load or batch,
# not one per event, and never kept beyond it (erasure in another process
# must take effect at once).
_scope: ContextVar[dict[UUID, dict[str, bytes]] | None] = ContextVar("case_keys_scope", default=None)


class LedgerKeyStore(Protocol):
    """Where the ledger's own derived keys are kept, wrapped (the recorder)."""

    def fetch_ledger_key(self, name: str) -> bytes | None: ...

    def insert_ledger_key(self, name: str, wrapped: bytes) -> None: ...


class Keyring:
    def __init__(
        self,
        master_key: bytes | MasterKeys,
        fetch: Callable[[list[UUID]], dict[UUID, list[tuple[str, bytes]]]],
        ledger_keys: Callable[[], LedgerKeyStore | None] = lambda: None,
    ):
        self.masters = master_key if isinstance(master_key, MasterKeys) else MasterKeys([master_key])
        self._wrappers: dict[bytes, AESGCM] = {}
        self._ledger_keys = ledger_keys
        self._derived: dict[bytes, bytes] = {}
        self._fetch = fetch
        # The key each save encrypts with belongs to the request doing the
        # save, not to the case: two threads saving one case at once must not
        # take (or drop) each other's key, or an event would be sealed with a
        # key that is never stored and read as erased for ever.
        self._writing: ContextVar[dict[UUID, tuple[str, bytes]]] = ContextVar(f"case_write_keys_{id(self)}")

    # ------------------------------------------------------------ writing
    def prepare_write(self, case_id: UUID) -> NewKey | None:
        """Choose the key the next save of `case_id` in this thread (or task)
        encrypts with. Returns a new key to be stored in the same transaction,
        or None if one exists."""
        live = self._live(case_id)
        if live:
            kid = sorted(live)[-1]
            self._set_writing(case_id, (kid, live[kid]))
            return None
        data_key = AESGCM.generate_key(bit_length=256)
        kid = uuid4().hex
        self._set_writing(case_id, (kid, data_key))
        return NewKey(kid=kid, case_id=case_id, wrapped=self._wrap(case_id, kid, data_key))

    def finish_write(self, case_id: UUID) -> None:
        writing = dict(self._writing.get({}))
        writing.pop(case_id, None)
        self._writing.set(writing)

    def write_key(self, case_id: UUID) -> tuple[str, bytes]:
        try:
            return self._writing.get({})[case_id]
        except KeyError:
            raise KeyUnavailable(f"no write key prepared for case {case_id}") from None

    def _set_writing(self, case_id: UUID, key: tuple[str, bytes]) -> None:
        # A new dict each time: a context copied from this one (a task or
        # thread started meanwhile) keeps the keys it saw.
        self._writing.set({**self._writing.get({}), case_id: key})

    # ------------------------------------------------------------ reading
    @contextmanager
    def scope(self, case_ids: list[UUID]) -> Iterator[None]:
        enclosing = _scope.get()
        if enclosing is not None and all(cid in enclosing for cid in case_ids):
            yield  # already fetched for the operation under way
            return
        fetched = self._fetch(list(dict.fromkeys(case_ids)))
        keys = {cid: self._unwrap_all(cid, fetched.get(cid, [])) for cid in case_ids}
        token = _scope.set(keys)
        try:
            yield
        finally:
            _scope.reset(token)

    def read_key(self, case_id: UUID, kid: str) -> bytes | None:
        return self._live(case_id).get(kid)

    def live_key_ids(self, case_id: UUID) -> frozenset[str]:
        """The ids of the case's keys not destroyed (as the operation under way sees them): what its
        events decode with, so events decoded under the same ids decode the same (commands.case_events)."""
        return frozenset(self._live(case_id))

    def _live(self, case_id: UUID) -> dict[str, bytes]:
        """The case's keys: from the scope of the operation under way, else fetched now."""
        scoped = _scope.get()
        if scoped is not None and case_id in scoped:
            return scoped[case_id]
        return self._unwrap_all(case_id, self._fetch([case_id]).get(case_id, []))

    # ------------------------------------------- sealing derived data
    def seal_blob(self, case_id: UUID, data: bytes, purpose: bytes) -> bytes:
        """Seal data derived from a case (a projection row) with the case's
        key, so erasure reaches it too. With no live key (an erased case) the
        data holds nothing personal any more and is kept in clear."""
        live = self._live(case_id)
        if not live:
            return b"P" + data
        kid = sorted(live)[-1]
        nonce = os.urandom(NONCE_BYTES)
        return b"S" + kid.encode() + nonce + AESGCM(live[kid]).encrypt(nonce, data, case_id.bytes + purpose)

    def open_blob(self, case_id: UUID, blob: bytes, purpose: bytes) -> bytes | None:
        """The data, or None once the key that sealed it is destroyed."""
        if blob[:1] == b"P":
            return blob[1:]
        kid, rest = blob[1:33].decode(), blob[33:]
        key = self.read_key(case_id, kid)
        if key is None:
            return None
        return AESGCM(key).decrypt(rest[:NONCE_BYTES], rest[NONCE_BYTES:], case_id.bytes + purpose)

    # ------------------------------------------------------ subject index
    def subject_ref(self, municipality: str, identity: str) -> str:
        """A keyed pseudonym of a person within a municipality (INV-02), so the
        index never holds a national id."""
        message = f"{municipality}\x00{identity}".encode()
        return hmac.new(self.ledger_key(SUBJECT_INDEX), message, hashlib.sha256).hexdigest()

    @property
    def fingerprint_key(self) -> bytes:
        """The key of idempotency fingerprints (commands.base.Command.fingerprint)."""
        return self.ledger_key(FINGERPRINTS)

    def ledger_key(self, purpose: bytes) -> bytes:
        """A key of the ledger's own (not of a case), stored wrapped by the master key so it keeps
        its value when the master key is rotated. Made on first use as it was always derived (from
        the master key of the day), so a ledger that predates the table keeps the same values."""
        found = self._derived.get(purpose)
        if found is not None:
            return found
        store = self._ledger_keys()
        if store is None:  # no table to keep it in (a keyring of its own, in tests)
            return self._derived.setdefault(purpose, _derive(self.masters.current()[0], purpose))
        name = purpose.decode()
        wrapped = store.fetch_ledger_key(name)
        if wrapped is None:
            value = _derive(self.masters.current()[0], purpose)
            store.insert_ledger_key(name, self.wrap_ledger_key(purpose, value))
            wrapped = store.fetch_ledger_key(name)  # another process may have made it first: the same value
            if wrapped is None:
                raise MasterKeyMismatch(f"the ledger key {name!r} could not be stored")
        value = self.unwrap(wrapped, ledger_key_aad(purpose))
        return self._derived.setdefault(purpose, value)

    def wrap_ledger_key(self, purpose: bytes, value: bytes, master: bytes | None = None) -> bytes:
        return self._wrap_with(master or self.masters.current()[0], value, ledger_key_aad(purpose))

    # ----------------------------------------------------- master keys
    def unwrap(self, wrapped: bytes, aad: bytes) -> bytes:
        """Open a wrapped key with whichever known master key wrapped it; read the key file again
        once if none does (a rotation under way)."""
        for attempt in range(2):
            for master in self.masters.current():
                try:
                    return self._wrapper(master).decrypt(wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], aad)
                except InvalidTag:
                    continue
            if attempt == 0 and not self.masters.reload():
                break
        raise MasterKeyMismatch("a wrapped key opens with none of the master keys this process knows")

    def rewrap(self, wrapped: bytes, aad: bytes, master: bytes) -> bytes | None:
        """The key wrapped with `master` instead; None if it already is."""
        try:
            self._wrapper(master).decrypt(wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], aad)
            return None
        except InvalidTag:
            pass
        return self._wrap_with(master, self.unwrap(wrapped, aad), aad)

    def _wrapper(self, master: bytes) -> AESGCM:
        wrapper = self._wrappers.get(master)
        if wrapper is None:
            wrapper = self._wrappers.setdefault(master, AESGCM(_derive(master, b"wrap case keys")))
        return wrapper

    def _wrap_with(self, master: bytes, key: bytes, aad: bytes) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._wrapper(master).encrypt(nonce, key, aad)

    def person_ref(self, municipality: str, national_id: str) -> str:
        """A keyed pseudonym of a citizen or guardian, so that the worklists find their duties by the
        national id of their token without holding it (a key of its own: not linkable to the index)."""
        message = f"{municipality}\x00{national_id}".encode()
        return hmac.new(self.ledger_key(PERSON_REFS), message, hashlib.sha256).hexdigest()

    # ------------------------------------------------------------ secrets
    def seal_secret(self, secret: str, bound_to: str) -> bytes:
        """A secret the ledger must use again (a webhook's signing secret), sealed with a ledger key
        (wrapped by the master key, so it survives a rotation) and bound to what it belongs to, so a
        database copy does not reveal it."""
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._secrets().encrypt(nonce, secret.encode(), b"secret\x00" + bound_to.encode())

    def open_secret(self, sealed: bytes, bound_to: str) -> str:
        aad = b"secret\x00" + bound_to.encode()
        return self._secrets().decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], aad).decode()

    def _secrets(self) -> AESGCM:
        return AESGCM(self.ledger_key(STORED_SECRETS))

    # ------------------------------------------------------------ helpers
    def _wrap(self, case_id: UUID, kid: str, data_key: bytes) -> bytes:
        return self._wrap_with(self.masters.current()[0], data_key, case_key_aad(case_id, kid))

    def _unwrap_all(self, case_id: UUID, rows: list[tuple[str, bytes]]) -> dict[str, bytes]:
        return {kid: self.unwrap(w, case_key_aad(case_id, kid)) for kid, w in rows}


SUBJECT_INDEX = b"subject index"
FINGERPRINTS = b"idempotency fingerprints"
PERSON_REFS = b"person references"
STORED_SECRETS = b"stored secrets"


def case_key_aad(case_id: UUID, kid: str) -> bytes:
    # Binding the wrapped key to its case and id stops a key row being
    # copied onto another case.
    return b"case-key\x00" + case_id.bytes + kid.encode()


def ledger_key_aad(purpose: bytes) -> bytes:
    return b"ledger-key\x00" + purpose


def _derive(master: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=SHA256(), length=32, salt=None, info=b"coordination-ledger " + purpose).derive(master)
