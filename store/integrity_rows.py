"""The integrity tables (`event_hashes`, `merkle_leaves`, `checkpoints`) and
the log, as `audit.integrity.ports.IntegrityStore` asks for them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

from audit.integrity.ports import LoggedRecord, StoredRecord
from store.protocols import LedgerRecorder
from store.tables import Dialect


class IntegrityRows:
    def __init__(self, recorder: Any) -> None:
        self._recorder = recorder
        self._side: LedgerRecorder = recorder
        self.d: Dialect = recorder.dialect
        self._db = recorder.datastore

    # ------------------------------------------------------------ the log
    def max_notification_id(self) -> int:
        return self._recorder.max_notification_id() or 0

    def notifications(self, after: int, limit: int, stop: int) -> Sequence[LoggedRecord]:
        return self._recorder.select_notifications(start=after, limit=limit, stop=stop, inclusive_of_start=False)

    def stored_events(self, case_id: UUID, lte: int | None = None) -> Sequence[StoredRecord]:
        return self._recorder.select_events(case_id, lte=lte)

    def event_hashes(self, case_id: UUID) -> dict[int, tuple[int, bytes]]:
        return self._side.fetch_event_hashes(case_id)

    def all_event_hashes(self, stop: int) -> dict[tuple[str, int], tuple[int, bytes]]:
        with self._db.transaction(commit=False) as c:
            c.execute(
                self.d.sql(
                    "SELECT notification_id, originator_id, originator_version, hash "
                    "FROM {event_hashes} WHERE notification_id <= ?"
                ),
                (stop,),
            )
            return {
                (r["originator_id"], r["originator_version"]): (r["notification_id"], bytes(r["hash"]))
                for r in c.fetchall()
            }

    # ------------------------------------------------------- Merkle leaves
    def append_leaves(self, leaf_of: Callable[[UUID, int, bytes], bytes], limit: int) -> int:
        with self._db.transaction(commit=True) as c:
            if self.d.name == "postgres":
                # Builders queue here instead of racing; readers are not blocked.
                c.execute(self.d.sql("LOCK TABLE {merkle_leaves} IN SHARE ROW EXCLUSIVE MODE"))
            c.execute(
                self.d.sql("SELECT log_index, notification_id FROM {merkle_leaves} ORDER BY log_index DESC LIMIT 1")
            )
            last = c.fetchone()
            next_index = 0 if last is None else last["log_index"] + 1
            after = 0 if last is None else last["notification_id"]
            c.execute(
                self.d.sql(
                    "SELECT notification_id, originator_id, originator_version, hash "
                    "FROM {event_hashes} WHERE notification_id > ? ORDER BY notification_id LIMIT ?"
                ),
                (after, limit),
            )
            rows = c.fetchall()
            if not rows:
                return 0
            leaves = [
                (
                    next_index + i,
                    r["notification_id"],
                    leaf_of(UUID(r["originator_id"]), r["originator_version"], bytes(r["hash"])),
                )
                for i, r in enumerate(rows)
            ]
            c.executemany(
                self.d.sql("INSERT INTO {merkle_leaves} (log_index, notification_id, leaf_hash) VALUES (?, ?, ?)"),
                leaves,
            )
            return len(leaves)

    def leaf_hashes(self, start: int, limit: int) -> list[bytes]:
        with self._db.transaction(commit=False) as c:
            c.execute(
                self.d.sql("SELECT leaf_hash FROM {merkle_leaves} WHERE log_index >= ? ORDER BY log_index LIMIT ?"),
                (start, limit),
            )
            return [bytes(r["leaf_hash"]) for r in c.fetchall()]

    def leaves(self, stop: int) -> dict[int, tuple[int, bytes]]:
        with self._db.transaction(commit=False) as c:
            c.execute(
                self.d.sql(
                    "SELECT log_index, notification_id, leaf_hash FROM {merkle_leaves} WHERE notification_id <= ?"
                ),
                (stop,),
            )
            return {r["notification_id"]: (r["log_index"], bytes(r["leaf_hash"])) for r in c.fetchall()}

    def log_indexes(self, notification_ids: Sequence[int]) -> dict[int, int]:
        if not notification_ids:
            return {}
        marks = ", ".join("?" for _ in notification_ids)
        with self._db.transaction(commit=False) as c:
            c.execute(
                self.d.sql(
                    f"SELECT notification_id, log_index FROM {{merkle_leaves}} WHERE notification_id IN ({marks})"
                ),
                list(notification_ids),
            )
            return {r["notification_id"]: r["log_index"] for r in c.fetchall()}

    # --------------------------------------------------------- checkpoints
    def add_checkpoint(
        self, tree_size: int, root: str, time: str, key_id: str, signature: str, public_key: str
    ) -> None:
        with self._db.transaction(commit=True) as c:
            c.execute(
                self.d.sql(
                    "INSERT INTO {checkpoints} (tree_size, root, time, key_id, signature, public_key) "
                    "VALUES (?, ?, ?, ?, ?, ?)"
                ),
                (tree_size, root, time, key_id, signature, public_key),
            )

    def signing_key_rows(self) -> list[dict[str, Any]]:
        with self._db.transaction(commit=False) as c:
            c.execute(self.d.sql("SELECT seq, public_key, valid_from, introduced FROM {signing_keys} ORDER BY seq"))
            return [dict(r) for r in c.fetchall()]

    def add_signing_key(self, seq: int, public_key: str, valid_from: str | None, introduced: str | None) -> None:
        with self._db.transaction(commit=True) as c:
            c.execute(
                self.d.sql("INSERT INTO {signing_keys} (seq, public_key, valid_from, introduced) VALUES (?, ?, ?, ?)"),
                (seq, public_key, valid_from, introduced),
            )

    def checkpoint_rows(self) -> list[dict[str, Any]]:
        with self._db.transaction(commit=False) as c:
            c.execute(
                self.d.sql(
                    "SELECT id, tree_size, root, time, key_id, signature, public_key FROM {checkpoints} ORDER BY id"
                )
            )
            return [dict(r) for r in c.fetchall()]
