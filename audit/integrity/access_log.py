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
from ledger.values import Actor, Role

_DOMAIN = b"ledger-access-v1\x00"


def entry_hash(previous: bytes, entry: bytes) -> bytes:
    return hashlib.sha256(_DOMAIN + previous + entry).digest()


class AccessLog:
    def __init__(self, recorder: Any, clock: Callable[[], datetime]) -> None:
        self.d = recorder.dialect
        self.db = recorder.datastore
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
        for _ in range(20):
            try:
                self._append(str(case_id), municipality, entry)
                return
            except IntegrityError:
                continue  # another reader took that sequence number; chain onto theirs
        raise IntegrityError("access log busy; read not logged")

    def _append(self, case_id: str, municipality: str, entry: bytes) -> None:
        with self.db.transaction(commit=True) as c:
            c.execute(
                self.d.sql("SELECT seq, hash FROM {access_log} WHERE case_id = ? ORDER BY seq DESC LIMIT 1"), (case_id,)
            )
            last = c.fetchone()
            seq, prev = (1, GENESIS) if last is None else (last["seq"] + 1, bytes(last["hash"]))
            c.execute(
                self.d.sql(
                    "INSERT INTO {access_log} (case_id, seq, municipality, entry, prev_hash, hash) "
                    "VALUES (?, ?, ?, ?, ?, ?)"
                ),
                (case_id, seq, municipality, entry, prev, entry_hash(prev, entry)),
            )

    def entries(self, case_id: UUID) -> list[dict[str, Any]]:
        with self.db.transaction(commit=False) as c:
            c.execute(
                self.d.sql("SELECT seq, entry, hash FROM {access_log} WHERE case_id = ? ORDER BY seq"), (str(case_id),)
            )
            rows = c.fetchall()
        return [{"seq": r["seq"], **orjson.loads(bytes(r["entry"])), "hash": bytes(r["hash"]).hex()} for r in rows]

    def issued(self, case_id: UUID, sha256: str) -> bool:
        """Whether a read of this case handed out a document with this sha256."""
        return any(entry.get("issued", {}).get("sha256") == sha256 for entry in self.entries(case_id))

    def verify(self) -> list[str]:
        """Problems in any case's access chain (empty when intact)."""
        problems: list[str] = []
        with self.db.transaction(commit=False) as c:
            c.execute(self.d.sql("SELECT case_id, seq, entry, prev_hash, hash FROM {access_log} ORDER BY case_id, seq"))
            rows = c.fetchall()
        expected: dict[str, tuple[int, bytes]] = {}
        for r in rows:
            seq, prev = expected.get(r["case_id"], (1, GENESIS))
            if (
                r["seq"] != seq
                or bytes(r["prev_hash"]) != prev
                or entry_hash(prev, bytes(r["entry"])) != bytes(r["hash"])
            ):
                problems.append(f"access log entry {r['seq']} of case {r['case_id']} does not match its chain")
            expected[r["case_id"]] = (r["seq"] + 1, bytes(r["hash"]))
        return problems
