"""Reads of the ledger's integrity: verification, signed checkpoints and
RFC 9162 proofs. No case content, so not access-logged; the policy names
who may ask (reads/policy.py: `require_auditor`)."""

from __future__ import annotations

from typing import Any

from audit.integrity.access_log import AccessLog
from audit.integrity.log import Integrity, VerifyReport
from ledger.errors import InvalidInput
from ledger.values import Actor
from reads.policy import require_auditor


class IntegrityReads:
    def __init__(self, integrity: Integrity, access_log: AccessLog) -> None:
        self._integrity = integrity
        self._access_log = access_log

    def verify(self, actor: Actor) -> dict[str, Any]:
        """Every case chain, the Merkle tree and every checkpoint recomputed, and the access log's chains."""
        require_auditor(actor)
        report = self._integrity.verify()
        return {**report.to_dict(), "summary": report.summary(), "access_log_problems": self._access_log.verify()}

    def verify_chain(self) -> VerifyReport:
        """The same recomputation for the operator of the store (`ledger verify`): whoever runs it already
        holds the database, so no role is asked for."""
        return self._integrity.verify()

    def checkpoints(self, actor: Actor) -> dict[str, Any]:
        """The signed checkpoints and the public key that verifies them (Ed25519)."""
        require_auditor(actor)
        items = [
            {**(cp.to_dict() if cp else {}), "id": row["id"], "public_key": row["public_key"]}
            for cp, row in self._integrity.checkpoints()
        ]
        signer = self._integrity.signer
        history = [entry.to_dict() for entry in self._integrity.key_history()]
        return {
            "public_key": signer.public_key_hex,
            "key_id": signer.key_id,
            "checkpoints": items,
            "key_history": history,
        }

    def inclusion_proof(self, actor: Actor, log_index: int, tree_size: int) -> dict[str, Any]:
        """RFC 9162 inclusion proof of leaf `log_index` in the tree of size `tree_size`."""
        require_auditor(actor)
        tree = self._integrity.sync()
        if tree_size > len(tree) or log_index >= tree_size:
            raise InvalidInput(None, f"Treet har {len(tree)} blader; krever log_index < tree_size <= {len(tree)}.")
        return {
            "log_index": log_index,
            "tree_size": tree_size,
            "leaf_hash": tree.leaf(log_index).hex(),
            "proof": [h.hex() for h in tree.inclusion_proof(log_index, tree_size)],
            "root": tree.root(tree_size).hex(),
        }

    def consistency_proof(self, actor: Actor, first: int, second: int) -> dict[str, Any]:
        """RFC 9162 consistency proof between the trees of sizes `first` and `second`."""
        require_auditor(actor)
        tree = self._integrity.sync()
        if not first <= second <= len(tree):
            raise InvalidInput(None, f"Krever 1 <= first <= second <= {len(tree)}.")
        return {
            "first": first,
            "second": second,
            "first_root": tree.root(first).hex(),
            "second_root": tree.root(second).hex(),
            "proof": [h.hex() for h in tree.consistency_proof(first, second)],
        }
