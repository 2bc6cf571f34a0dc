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
from audit.integrity.checkpoint import Checkpoint, CheckpointError, CheckpointSigner, format_time, parse_time
from audit.integrity.keys import SigningKey, transition_message
from audit.integrity.merkle import MerkleTree, leaf_hash
from audit.integrity.ports import IntegrityStore
from audit.integrity.verify import Problem, VerifyReport, verify_ledger

__all__ = ["Integrity", "Problem", "SignerRetired", "VerifyReport"]

PAGE = 2000
SYNC_ATTEMPTS = 10
# What a leaf builder meets when another one (thread or process) appends the
# same leaves first: a unique-key violation, or SQLite refusing to upgrade a
# read snapshot that another writer has since moved past ("database is locked").
_LOST_RACE = (IntegrityError, OperationalError)


class SignerRetired(CheckpointError):
    """This process's signing key is not the ledger's current one (rotated out, or never introduced)."""


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

    # -------------------------------------------------------- signing keys
    def key_history(self) -> list[SigningKey]:
        """Every key that has signed this ledger's checkpoints, first to current (audit/integrity/keys.py).
        A ledger that has never recorded one has the configured key as its first."""
        rows = self.store.signing_key_rows()
        if not rows:
            try:
                self.store.add_signing_key(0, self.signer.public_key_hex, None, None)
            except _LOST_RACE:
                pass  # another process recorded the first key at the same moment
            rows = self.store.signing_key_rows()
        return [SigningKey.from_dict(row) for row in rows]

    def rotate_signer(self, new: CheckpointSigner) -> SigningKey:
        """Make `new` the ledger's signing key from now on, introduced by the current one (whose
        private key this process holds). Checkpoints signed before stay verifiable. Repeating it
        once `new` is current does nothing (a rotation that crashed after this step)."""
        history = self.key_history()
        current = history[-1]
        if current.public_key == new.public_key_raw:
            self.signer = new
            return current
        if current.public_key != self.signer.public_key_raw:
            raise SignerRetired(
                f"the ledger's current signing key is {current.key_id}, not this process's {self.signer.key_id}: "
                "only the current key can introduce the next"
            )
        moment = self.clock()
        entry = SigningKey(
            new.public_key_raw,
            parse_time(format_time(moment)),  # as it is stored and signed: microseconds, UTC
            self.signer.sign_statement(transition_message(current.key_id, new.public_key_raw, moment)),
        )
        data = entry.to_dict()
        self.store.add_signing_key(len(history), data["public_key"], data["valid_from"], data["introduced"])
        self.signer = new
        return entry

    # -------------------------------------------------------- checkpoints
    def seal(self) -> Checkpoint:
        current = self.key_history()[-1]
        if current.public_key != self.signer.public_key_raw:
            # A process still holding a key that was rotated out signs nothing more with it.
            raise SignerRetired(
                f"this process signs with key {self.signer.key_id}, but the ledger's signing key is now "
                f"{current.key_id}: restart it with the new key"
            )
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
        checkpoints = self.checkpoints()
        return verify_ledger(self.store, checkpoints, self.key_history(), self.signer.public_key_raw)


def _leaf(case_id: UUID, version: int, digest: bytes) -> bytes:
    """An event's Merkle leaf, made of its case, version and chain hash."""
    return leaf_hash(leaf_input(case_id, version, digest))
