"""What an event's hash and Merkle leaf are made of.

Both the recorders (at write time) and the verifier (later, from the raw
rows) call these, so there is exactly one definition of the bytes hashed.

event hash  = SHA-256( "ledger-event-v1" 0x00 || previous hash (32 bytes; 32
              zero bytes for version 1) || originator id (16 bytes) ||
              version (8 bytes, big-endian) || len(topic) (4 bytes) || topic
              (UTF-8) || len(state) (8 bytes) || state (the stored bytes,
              ciphertext included) )
leaf input  = originator id (16 bytes) || version (8 bytes, big-endian) ||
              event hash (32 bytes); leaf hash = SHA-256(0x00 || leaf input)
              (RFC 9162 §2.1.1). Leaves are in notification (log) order.
"""

from __future__ import annotations

import hashlib
from uuid import UUID

GENESIS = bytes(32)
_DOMAIN = b"ledger-event-v1\x00"


def event_hash(previous: bytes, originator_id: UUID, version: int, topic: str, state: bytes) -> bytes:
    topic_bytes = topic.encode()
    h = hashlib.sha256(_DOMAIN)
    h.update(previous)
    h.update(originator_id.bytes)
    h.update(version.to_bytes(8, "big"))
    h.update(len(topic_bytes).to_bytes(4, "big"))
    h.update(topic_bytes)
    h.update(len(state).to_bytes(8, "big"))
    h.update(state)
    return h.digest()


def leaf_input(originator_id: UUID, version: int, event_digest: bytes) -> bytes:
    return originator_id.bytes + version.to_bytes(8, "big") + event_digest
