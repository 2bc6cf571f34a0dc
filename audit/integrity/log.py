"""The ledger's integrity: Merkle leaves built off the write path (`sync`),
signed checkpoints (`seal`), and `verify` (in audit.integrity.verify), which recomputes
everything from the raw rows and names the first event that does not match.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError, OperationalError

from audit.integrity.chain import leaf_input
from audit.integrity.checkpoint import Checkpoint, CheckpointError, CheckpointSigner
from audit.integrity.merkle import MerkleTree, leaf_hash
from audit.integrity.verify import Problem, VerifyReport, verify_ledger

__all__ = ["Integrity", "Problem", "VerifyReport"]

PAGE = 2000
SYNC_ATTEMPTS = 10
# What a leaf builder meets when another one (thread or process) appends the
# same leaves first: a unique-key violation, or SQLite refusing to upgrade a
# read snapshot that another writer has since moved past ("database is locked").
_LOST_RACE = (IntegrityError, OperationalError)


class Integrity:
    def __init__(self, recorder: Any, signer: CheckpointSigner, clock: Callable[[], datetime]) -> None:
        self.recorder = recorder
        self.d = recorder.dialect
        self.db = recorder.datastore
        self.signer = signer
        self.clock = clock
        self._tree = MerkleTree()
        self._lock = threading.Lock()

    # ------------------------------------------------------ merkle leaves
    def sync(self) -> MerkleTree:
        """Append leaves for every event recorded since the last leaf, and
        bring the in-memory tree up to date. Safe to run in several threads
        and processes: leaves are dense (log index 0..n-1) and each event
        gets exactly one."""
        with self._lock:
            self._append_new_leaves()
            self._load_leaves()
            return self._tree

    def _append_new_leaves(self) -> None:
        lost = 0
        while True:
            try:
                if not self._append_page():
                    return
                lost = 0
            except _LOST_RACE:
                lost += 1
                if lost >= SYNC_ATTEMPTS:
                    raise
                time.sleep(0.005 * lost)  # then carry on from the winner's last leaf

    def _append_page(self) -> bool:
        """Append leaves for up to PAGE events after the last leaf, in one
        transaction; False when there was nothing to append."""
        with self.db.transaction(commit=True) as c:
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
                (after, PAGE),
            )
            rows = c.fetchall()
            if not rows:
                return False
            leaves = [
                (
                    next_index + i,
                    r["notification_id"],
                    leaf_hash(leaf_input(UUID(r["originator_id"]), r["originator_version"], bytes(r["hash"]))),
                )
                for i, r in enumerate(rows)
            ]
            c.executemany(
                self.d.sql("INSERT INTO {merkle_leaves} (log_index, notification_id, leaf_hash) VALUES (?, ?, ?)"),
                leaves,
            )
            return True

    def _load_leaves(self) -> None:
        while True:
            with self.db.transaction(commit=False) as c:
                c.execute(
                    self.d.sql("SELECT leaf_hash FROM {merkle_leaves} WHERE log_index >= ? ORDER BY log_index LIMIT ?"),
                    (len(self._tree), PAGE * 5),
                )
                rows = c.fetchall()
            if not rows:
                return
            self._tree.extend(bytes(r["leaf_hash"]) for r in rows)

    def log_index_of(self, notification_ids: list[int]) -> dict[int, int]:
        if not notification_ids:
            return {}
        marks = ", ".join("?" for _ in notification_ids)
        with self.db.transaction(commit=False) as c:
            c.execute(
                self.d.sql(
                    f"SELECT notification_id, log_index FROM {{merkle_leaves}} WHERE notification_id IN ({marks})"
                ),
                notification_ids,
            )
            return {r["notification_id"]: r["log_index"] for r in c.fetchall()}

    # -------------------------------------------------------- checkpoints
    def seal(self) -> Checkpoint:
        tree = self.sync()
        checkpoint = self.signer.sign(len(tree), tree.root(len(tree)), self.clock())
        data = checkpoint.to_dict()
        with self.db.transaction(commit=True) as c:
            c.execute(
                self.d.sql(
                    "INSERT INTO {checkpoints} (tree_size, root, time, key_id, signature, public_key) "
                    "VALUES (?, ?, ?, ?, ?, ?)"
                ),
                (
                    checkpoint.tree_size,
                    data["root"],
                    data["time"],
                    checkpoint.key_id,
                    data["signature"],
                    self.signer.public_key_hex,
                ),
            )
        return checkpoint

    def checkpoints(self) -> list[tuple[Checkpoint | None, dict[str, Any]]]:
        """Every recorded checkpoint, parsed (None where the row is malformed)."""
        with self.db.transaction(commit=False) as c:
            c.execute(
                self.d.sql(
                    "SELECT id, tree_size, root, time, key_id, signature, public_key FROM {checkpoints} ORDER BY id"
                )
            )
            rows = [dict(r) for r in c.fetchall()]
        parsed = []
        for row in rows:
            try:
                cp = Checkpoint.from_dict({k: row[k] for k in ("tree_size", "root", "time", "key_id", "signature")})
            except (CheckpointError, ValueError, TypeError):
                cp = None
            parsed.append((cp, row))
        return parsed

    # ------------------------------------------------------------- verify
    def verify(self) -> VerifyReport:
        """Recompute everything from the raw rows (see audit.integrity.verify)."""
        # Checkpoints first: each then covers only events the pass will read.
        return verify_ledger(self.recorder, self.checkpoints(), self.signer.public_key_raw)
