"""The ledger's integrity: verification, signed checkpoints and RFC 9162 proofs."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.deps import PROBLEMS, CurrentActor, LedgerDep
from api.views import Checkpoints, ConsistencyProof, InclusionProof, Verification
from ledger.errors import Forbidden, InvalidInput
from ledger.values import Actor, Role

router = APIRouter(prefix="/v1/ledger", tags=["ledger"], responses=PROBLEMS)

_AUDITORS = {Role.KE_CASEWORKER, Role.SUPERVISOR, Role.ADMIN}


def _auditor(actor: Actor) -> None:
    if actor.role not in _AUDITORS:
        raise Forbidden("INV-07", "Bare koordinerende enhet, Statsforvalteren og systemansvarlig har tilgang.")


@router.get("/verify", response_model=Verification)
def verify(actor: CurrentActor, ledger: LedgerDep) -> dict[str, Any]:
    """Recompute every case chain, the Merkle tree and every checkpoint."""
    _auditor(actor)
    report = ledger.integrity.verify()
    return {**report.to_dict(), "summary": report.summary(), "access_log_problems": ledger.access_log.verify()}


@router.get("/checkpoints", response_model=Checkpoints)
def checkpoints(actor: CurrentActor, ledger: LedgerDep) -> dict[str, Any]:
    """The signed checkpoints and the public key that verifies them (Ed25519)."""
    _auditor(actor)
    items = [
        {**(cp.to_dict() if cp else {}), "id": row["id"], "public_key": row["public_key"]}
        for cp, row in ledger.integrity.checkpoints()
    ]
    return {
        "public_key": ledger.integrity.signer.public_key_hex,
        "key_id": ledger.integrity.signer.key_id,
        "checkpoints": items,
    }


@router.get("/proofs/inclusion", response_model=InclusionProof)
def inclusion_proof(
    actor: CurrentActor,
    ledger: LedgerDep,
    log_index: Annotated[int, Query(ge=0)],
    tree_size: Annotated[int, Query(ge=1)],
) -> dict[str, Any]:
    """RFC 9162 inclusion proof of leaf `log_index` in the tree of size `tree_size`."""
    _auditor(actor)
    tree = ledger.integrity.sync()
    if tree_size > len(tree) or log_index >= tree_size:
        raise InvalidInput(None, f"Treet har {len(tree)} blader; krever log_index < tree_size <= {len(tree)}.")
    return {
        "log_index": log_index,
        "tree_size": tree_size,
        "leaf_hash": tree.leaf(log_index).hex(),
        "proof": [h.hex() for h in tree.inclusion_proof(log_index, tree_size)],
        "root": tree.root(tree_size).hex(),
    }


@router.get("/proofs/consistency", response_model=ConsistencyProof)
def consistency_proof(
    actor: CurrentActor, ledger: LedgerDep, first: Annotated[int, Query(ge=1)], second: Annotated[int, Query(ge=1)]
) -> dict[str, Any]:
    """RFC 9162 consistency proof between the trees of sizes `first` and `second`."""
    _auditor(actor)
    tree = ledger.integrity.sync()
    if not first <= second <= len(tree):
        raise InvalidInput(None, f"Krever 1 <= first <= second <= {len(tree)}.")
    return {
        "first": first,
        "second": second,
        "first_root": tree.root(first).hex(),
        "second_root": tree.root(second).hex(),
        "proof": [h.hex() for h in tree.consistency_proof(first, second)],
    }
