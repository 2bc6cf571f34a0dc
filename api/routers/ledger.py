"""The ledger's integrity: verification, signed checkpoints and RFC 9162 proofs."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.deps import PROBLEMS, CurrentActor, ReadsDep
from api.views import Checkpoints, ConsistencyProof, InclusionProof, Verification

router = APIRouter(prefix="/v1/ledger", tags=["ledger"], responses=PROBLEMS)


@router.get("/verify", response_model=Verification)
def verify(actor: CurrentActor, reads: ReadsDep) -> dict[str, Any]:
    """Recompute every case chain, the Merkle tree and every checkpoint."""
    return reads.integrity.verify(actor)


@router.get("/checkpoints", response_model=Checkpoints)
def checkpoints(actor: CurrentActor, reads: ReadsDep) -> dict[str, Any]:
    """The signed checkpoints and the public key that verifies them (Ed25519)."""
    return reads.integrity.checkpoints(actor)


@router.get("/proofs/inclusion", response_model=InclusionProof)
def inclusion_proof(
    actor: CurrentActor,
    reads: ReadsDep,
    log_index: Annotated[int, Query(ge=0, le=2**62)],
    tree_size: Annotated[int, Query(ge=1, le=2**62)],
) -> dict[str, Any]:
    """RFC 9162 inclusion proof of leaf `log_index` in the tree of size `tree_size`."""
    return reads.integrity.inclusion_proof(actor, log_index, tree_size)


@router.get("/proofs/consistency", response_model=ConsistencyProof)
def consistency_proof(
    actor: CurrentActor,
    reads: ReadsDep,
    first: Annotated[int, Query(ge=1, le=2**62)],
    second: Annotated[int, Query(ge=1, le=2**62)],
) -> dict[str, Any]:
    """RFC 9162 consistency proof between the trees of sizes `first` and `second`."""
    return reads.integrity.consistency_proof(actor, first, second)
