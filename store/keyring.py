"""Per-case data keys (AES-256-GCM), wrapped by the master key.

Erasure destroys a case's keys: its events stay, their ciphertext stays (so
hashes over stored bytes still verify), and nobody can read the personal
fields again. A case erased and then written to again (a complaint after
erasure) gets a fresh key, so nothing new is readable with an old one.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from uuid import UUID, uuid4

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


# Keys fetched for the events being read now: one look-up per load or batch,
# not one per event, and never kept beyond it (erasure in another process
# must take effect at once).
_scope: ContextVar[dict[UUID, dict[str, bytes]] | None] = ContextVar("case_keys_scope", default=None)


class Keyring:
    def __init__(self, master_key: bytes, fetch: Callable[[list[UUID]], dict[UUID, list[tuple[str, bytes]]]]):
        if len(master_key) != 32:
            raise ValueError("LEDGER_MASTER_KEY must be 32 bytes (64 hex characters)")
        self._master = AESGCM(_derive(master_key, b"wrap case keys"))
        self._index_key = _derive(master_key, b"subject index")
        self.fingerprint_key = _derive(master_key, b"idempotency fingerprints")
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
        return hmac.new(self._index_key, message, hashlib.sha256).hexdigest()

    # ------------------------------------------------------------ helpers
    def _wrap(self, case_id: UUID, kid: str, data_key: bytes) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._master.encrypt(nonce, data_key, _aad(case_id, kid))

    def _unwrap_all(self, case_id: UUID, rows: list[tuple[str, bytes]]) -> dict[str, bytes]:
        return {kid: self._master.decrypt(w[:NONCE_BYTES], w[NONCE_BYTES:], _aad(case_id, kid)) for kid, w in rows}


def _aad(case_id: UUID, kid: str) -> bytes:
    # Binding the wrapped key to its case and id stops a key row being
    # copied onto another case.
    return b"case-key\x00" + case_id.bytes + kid.encode()


def _derive(master: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=SHA256(), length=32, salt=None, info=b"coordination-ledger " + purpose).derive(master)
