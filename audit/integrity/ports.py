"""What integrity needs from storage, stated here and implemented there.

audit/ holds no SQL and imports no store: the integrity service, the
verifier, the case proof and the access log ask these ports for rows, and
`store` implements them (`store.integrity_rows`, `store.access_log_rows`);
the composition root wires them. Writes that race other writers (appending
leaves, chaining an access entry) raise the library's `IntegrityError` (or,
on SQLite, `OperationalError`) when another writer got there first; callers
retry from the winner's row.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple, Protocol
from uuid import UUID


class StoredRecord(Protocol):
    """An event as stored: what its hash is made of."""

    @property
    def originator_id(self) -> UUID | str: ...

    @property
    def originator_version(self) -> int: ...

    @property
    def topic(self) -> str: ...

    @property
    def state(self) -> bytes: ...


class LoggedRecord(StoredRecord, Protocol):
    """A stored event with its position in the log (notification id)."""

    @property
    def id(self) -> int: ...


class IntegrityStore(Protocol):
    # ------------------------------------------------------------ the log
    def max_notification_id(self) -> int:
        """The highest notification id recorded (0 when the log is empty)."""
        ...

    def notifications(self, after: int, limit: int, stop: int) -> Sequence[LoggedRecord]:
        """Up to `limit` events of the log with `after` < id <= `stop`, in log order."""
        ...

    def stored_events(self, case_id: UUID, lte: int | None = None) -> Sequence[StoredRecord]:
        """A case's stored events (up to version `lte`), in version order."""
        ...

    def event_hashes(self, case_id: UUID) -> dict[int, tuple[int, bytes]]:
        """version -> (notification id, recorded chain hash) of one case."""
        ...

    def all_event_hashes(self, stop: int) -> dict[tuple[str, int], tuple[int, bytes]]:
        """(case id as text, version) -> (notification id, recorded hash), up to notification `stop`."""
        ...

    # ------------------------------------------------------- Merkle leaves
    def append_leaves(self, leaf_of: Callable[[UUID, int, bytes], bytes], limit: int) -> int:
        """In one transaction: the next `limit` recorded hashes after the last
        leaf's event become leaves `leaf_of(case, version, hash)` at the next
        log indexes. Returns how many were appended (0: none were due)."""
        ...

    def leaf_hashes(self, start: int, limit: int) -> list[bytes]:
        """Stored leaf hashes from log index `start`, in index order."""
        ...

    def leaves(self, stop: int) -> dict[int, tuple[int, bytes]]:
        """notification id -> (log index, stored leaf hash), up to notification `stop`."""
        ...

    # ------------------------------------------------------- signing keys
    def signing_key_rows(self) -> list[dict[str, Any]]:
        """The signing key history as stored, in order: `public_key`, `valid_from`, `introduced`."""
        ...

    def add_signing_key(self, seq: int, public_key: str, valid_from: str | None, introduced: str | None) -> None:
        """Record the history's entry number `seq` (IntegrityError if another process recorded it first)."""
        ...

    def log_indexes(self, notification_ids: Sequence[int]) -> dict[int, int]:
        """notification id -> log index of its leaf, for those that have one."""
        ...

    # --------------------------------------------------------- checkpoints
    def add_checkpoint(
        self, tree_size: int, root: str, time: str, key_id: str, signature: str, public_key: str
    ) -> None: ...

    def checkpoint_rows(self) -> list[dict[str, Any]]:
        """Every recorded checkpoint row (id, tree_size, root, time, key_id,
        signature, public_key) as stored, oldest first."""
        ...


class AccessLink(NamedTuple):
    """An access-log entry's place in its case's chain."""

    seq: int
    prev_hash: bytes
    hash: bytes


class AccessRow(NamedTuple):
    case_id: str
    seq: int
    entry: bytes
    prev_hash: bytes
    hash: bytes


class AccessLogStore(Protocol):
    def append(
        self, case_id: str, municipality: str, entry: bytes, link: Callable[[AccessLink | None], AccessLink]
    ) -> None:
        """In one transaction: read the case's last link (None: no entry yet)
        and store `entry` at the link `link` makes of it."""
        ...

    def entries(self, case_id: str) -> list[AccessRow]:
        """One case's entries in chain order."""
        ...

    def all_entries(self) -> list[AccessRow]:
        """Every case's entries, by case, in chain order."""
        ...
