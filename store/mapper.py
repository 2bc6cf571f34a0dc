"""Maps case events to stored events, sealing personal fields with the case key.

Stored state = transcoded public fields, plus `_kid` (which case key) and
`_sealed` (nonce || AES-GCM ciphertext of the transcoded personal fields).
The ciphertext is bound to its case, version and topic (associated data), so
sealed bytes moved to another event do not decrypt.
"""

from __future__ import annotations

import dataclasses
import os
from functools import cache
from typing import Any
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.persistence import Mapper, MapperDeserialisationError, StoredEvent, Transcoder
from eventsourcing.utils import get_topic, resolve_topic

from ledger.event_base import CaseEvent
from ledger.values import ERASED
from store.keyring import Keyring

KID = "_kid"
SEALED = "_sealed"
_IDENTITY = frozenset({"originator_id", "originator_version"})


class CaseMapper(Mapper[UUID]):
    def __init__(self, transcoder: Transcoder, keyring: Keyring) -> None:
        super().__init__(transcoder=transcoder)
        self.keyring = keyring

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        cls = type(domain_event)
        topic = get_topic(cls)
        state = dict(vars(domain_event))
        originator_id = state.pop("originator_id")
        version = state.pop("originator_version")
        personal_names = personal_fields(cls)
        personal = {name: state.pop(name) for name in personal_names if name in state}
        if personal:
            kid, key = self.keyring.write_key(originator_id)
            nonce = os.urandom(12)
            ciphertext = AESGCM(key).encrypt(
                nonce, self.transcoder.encode(personal), _aad(originator_id, version, topic)
            )
            state[KID] = kid
            state[SEALED] = nonce + ciphertext
        class_version = getattr(cls, "class_version", 1)
        if class_version > 1:
            state["class_version"] = class_version
        return StoredEvent(
            originator_id=originator_id, originator_version=version, topic=topic, state=self.transcoder.encode(state)
        )

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        cls = resolve_topic(stored_event.topic)
        originator_id = _as_uuid(stored_event.originator_id)
        try:
            state: dict[str, Any] = self.transcoder.decode(stored_event.state)
            kid = state.pop(KID, None)
            sealed = state.pop(SEALED, None)
            if sealed is not None:
                if not isinstance(kid, str) or not isinstance(sealed, bytes):
                    # Sealed data whose key id is missing would read as
                    # erased: tampering must not pass for an erasure.
                    raise ValueError("sealed fields without a key id, or not bytes")
                state.update(self._open(cls, originator_id, stored_event, kid, sealed))
        except (ValueError, TypeError, InvalidTag) as e:
            raise MapperDeserialisationError(
                f"event {stored_event.originator_version} of case {originator_id} cannot be read: {e}"
            ) from e
        state["originator_id"] = originator_id
        state["originator_version"] = stored_event.originator_version
        from_version = state.pop("class_version", 1)
        while from_version < getattr(cls, "class_version", 1):
            getattr(cls, f"upcast_v{from_version}_v{from_version + 1}")(state)
            from_version += 1
        event = object.__new__(cls)
        object.__setattr__(event, "__dict__", state)
        return event

    def _open(self, cls: type, case_id: UUID, stored: StoredEvent, kid: str, sealed: bytes) -> dict[str, Any]:
        key = self.keyring.read_key(case_id, kid)
        if key is None:
            # The key was destroyed (erasure): the fields exist but nobody can read them.
            return {name: ERASED for name in personal_fields(cls)}
        plain = AESGCM(key).decrypt(sealed[:12], sealed[12:], _aad(case_id, stored.originator_version, stored.topic))
        return self.transcoder.decode(plain)


@cache
def personal_fields(cls: type) -> tuple[str, ...]:
    """Every field of a case event not declared public. Events that are not
    case events (none today) would be stored entirely in clear."""
    if not (isinstance(cls, type) and issubclass(cls, CaseEvent)):
        return ()
    public = cls.public_fields()
    return tuple(f.name for f in dataclasses.fields(cls) if f.name not in public and f.name not in _IDENTITY)


def _aad(case_id: UUID, version: int, topic: str) -> bytes:
    return case_id.bytes + version.to_bytes(8, "big") + topic.encode()


def _as_uuid(value: UUID | str) -> UUID:
    return value if isinstance(value, UUID) else UUID(value)
