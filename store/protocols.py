"""What the ledger's recorders offer beyond the library's `ApplicationRecorder`:
reads of the ledger's own tables (keys, idempotency, subject index, hash
chain). Both recorders (`store.recorders`) have them; callers type against
this protocol instead of the concrete recorder class.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable
from uuid import UUID

from store.tables import Dialect, IdempotencyRecord


@runtime_checkable
class LedgerRecorder(Protocol):
    dialect: Dialect

    def fetch_case_keys(self, case_ids: Sequence[UUID]) -> dict[UUID, list[tuple[str, bytes]]]:
        """The wrapped keys (kid, wrapped key) of each case that has any."""
        ...

    def fetch_idempotency(self, scope: str, key: str) -> IdempotencyRecord | None:
        """The answer recorded for an idempotency key in its scope, if any."""
        ...

    def fetch_subject_claim(self, municipality: str, subject_ref: str) -> UUID | None:
        """The open case that holds a person (by pseudonym) in a municipality, if any."""
        ...

    def fetch_event_hashes(self, case_id: UUID) -> dict[int, tuple[int, bytes]]:
        """version -> (notification id, chain hash) of one case's events."""
        ...

    def fetch_ledger_key(self, name: str) -> bytes | None:
        """A ledger key (subject index, fingerprints) as stored, wrapped by the master key."""
        ...

    def insert_ledger_key(self, name: str, wrapped: bytes) -> None:
        """Store a ledger key unless one is stored already."""
        ...
