"""Who read what: an append-only log of every read of case content, in the
same store as the events and chained per case like them.

entry hash = SHA-256("ledger-access-v1" 0x00 || previous hash || entry bytes)
An entry names the reader by id, role and service (a citizen or guardian by
role only: their identity is personal data), the parts read and when.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.persistence import IntegrityError

from audit.integrity.chain import GENESIS
from audit.integrity.ports import AccessLink, AccessLogStore
from ledger.values import Actor, Role

_DOMAIN = b"ledger-access-v1\x00"


def entry_hash(previous: bytes, entry: bytes) -> bytes:
    return hashlib.sha256(_DOMAIN + previous + entry).digest()


class AccessLog:
    def __init__(self, store: AccessLogStore, clock: Callable[[], datetime]) -> None:
        self.store = store
        self.clock = clock

    def record(
        self,
        actor: Actor,
        case_id: UUID,
        municipality: str,
        parts: Sequence[str],
        why: str = "",
        issued: Mapping[str, str] | None = None,
    ) -> None:
        """Appends one read. `issued` names a document handed out by this read
        (its format and sha256), so it can be recognised later."""
        ref = actor.reference()
        fields: dict[str, Any] = {
            "who": ref.id,
            "name": actor.name if actor.role not in (Role.CITIZEN, Role.GUARDIAN) else "",
            "role": actor.role.value,
            "service": actor.service,
            "parts": list(parts),
            "at": self.clock().isoformat(),
            "why": why,
        }
        if issued is not None:
            fields["issued"] = dict(issued)
        entry = orjson.dumps(fields, option=orjson.OPT_SORT_KEYS)

        def link(last: AccessLink | None) -> AccessLink:
            seq, prev = (1, GENESIS) if last is None else (last.seq + 1, last.hash)
            return AccessLink(seq, prev, entry_hash(prev, entry))

        for _ in range(20):
            try:
                self.store.append(str(case_id), municipality, entry, link)
                return
            except IntegrityError:
                continue  # another reader took that sequence number; chain onto theirs
        raise IntegrityError("access log busy; read not logged")

    def entries(self, case_id: UUID) -> list[dict[str, Any]]:
        return [{"seq": r.seq, **orjson.loads(r.entry), "hash": r.hash.hex()} for r in self.store.entries(str(case_id))]

    def issued(self, case_id: UUID, sha256: str) -> bool:
        """Whether a read of this case handed out a document with this sha256."""
        return any(entry.get("issued", {}).get("sha256") == sha256 for entry in self.entries(case_id))

    def verify(self) -> list[str]:
        """Problems in any case's access chain (empty when intact)."""
        problems: list[str] = []
        expected: dict[str, tuple[int, bytes]] = {}
        for r in self.store.all_entries():
            seq, prev = expected.get(r.case_id, (1, GENESIS))
            if r.seq != seq or r.prev_hash != prev or entry_hash(prev, r.entry) != r.hash:
                problems.append(f"access log entry {r.seq} of case {r.case_id} does not match its chain")
            expected[r.case_id] = (r.seq + 1, r.hash)
        return problems
