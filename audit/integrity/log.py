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
from audit.integrity.ports import IntegrityStore
from audit.integrity.verify import Problem, VerifyReport, verify_ledger

__all__ = ["Integrity", "Problem", "VerifyReport"]

PAGE = 2000
SYNC_ATTEMPTS = 10
# What a leaf builder meets when another one (thread or process) appends the
# same leaves first: a unique-key violation, or SQLite refusing to upgrade a
# read snapshot that another writer has since moved past ("database is locked").
_LOST_RACE = (IntegrityError, OperationalError)


class Integrity:
    def __init__(self, store: IntegrityStore, signer: CheckpointSigner, clock: Callable[[], datetime]) -> None:
        self.store = store
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
                # Up to PAGE events after the last leaf, in one transaction.
                if not self.store.append_leaves(_leaf, PAGE):
                    return
                lost = 0
            except _LOST_RACE:
                lost += 1
                if lost >= SYNC_ATTEMPTS:
                    raise
                time.sleep(0.005 * lost)  # then carry on from the winner's last leaf

    def _load_leaves(self) -> None:
        while True:
            leaves = self.store.leaf_hashes(len(self._tree), PAGE * 5)
            if not leaves:
                return
            self._tree.extend(leaves)

    def log_index_of(self, notification_ids: list[int]) -> dict[int, int]:
        return self.store.log_indexes(notification_ids)

    # -------------------------------------------------------- checkpoints
    def seal(self) -> Checkpoint:
        tree = self.sync()
        checkpoint = self.signer.sign(len(tree), tree.root(len(tree)), self.clock())
        data = checkpoint.to_dict()
        self.store.add_checkpoint(
            checkpoint.tree_size,
            data["root"],
            data["time"],
            checkpoint.key_id,
            data["signature"],
            self.signer.public_key_hex,
        )
        return checkpoint

    def checkpoints(self) -> list[tuple[Checkpoint | None, dict[str, Any]]]:
        """Every recorded checkpoint, parsed (None where the row is malformed)."""
        parsed = []
        for row in self.store.checkpoint_rows():
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
        return verify_ledger(self.store, self.checkpoints(), self.signer.public_key_raw)


def _leaf(case_id: UUID, version: int, digest: bytes) -> bytes:
    """An event's Merkle leaf, made of its case, version and chain hash."""
    return leaf_hash(leaf_input(case_id, version, digest))
