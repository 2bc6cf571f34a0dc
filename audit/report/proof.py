"""The integrity proof of one case, for its report.

`ledger verify` recomputes the whole ledger, which takes seconds for a large
one; a report needs only its own case. So this recomputes the case's hash
chain from its stored bytes, checks that each event's Merkle leaf is the one
the tree holds, checks the latest signed checkpoint's signature and root,
and proves with an RFC 9162 inclusion proof that the case's last sealed event
is in that checkpoint's tree. What it does not cover (other cases, the tree's
other leaves) is what `ledger verify` is for; the report says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from audit.integrity.chain import GENESIS, event_hash, leaf_input
from audit.integrity.checkpoint import CheckpointError, verify_checkpoint
from audit.integrity.log import Integrity
from audit.integrity.merkle import MerkleTree, ProofError, leaf_hash, verify_inclusion
from audit.integrity.ports import StoredRecord
from audit.report.labels import moment_text

SCOPE = (
    "Kontrollen gjelder denne sakens hendelser og siste signerte kontrollpunkt. Hele protokollen "
    "(alle saker og hele Merkle-treet) kontrolleres med kommandoen «ledger verify»."
)


def case_proof(integrity: Integrity, case_id: UUID) -> dict[str, Any]:
    """Recompute and check everything that ties this case's events to the ledger's signed state."""
    stored = integrity.store.stored_events(case_id)
    recorded = integrity.store.event_hashes(case_id)
    problems: list[str] = []
    digests = _chain(case_id, stored, recorded, problems)
    tree = integrity.sync()  # leaves are built off the write path: catch up first
    log_index = integrity.log_index_of([nid for nid, _ in recorded.values()])
    indexes = {v: log_index.get(recorded[v][0]) for v in digests if v in recorded}
    leaves = {v: leaf_hash(leaf_input(case_id, v, d)) for v, d in digests.items()}
    for version, index in sorted(indexes.items()):
        if index is None or index >= len(tree):
            problems.append(f"Hendelse {version} har ingen plass i Merkle-treet.")
        elif tree.leaf(index) != leaves[version]:
            problems.append(f"Hendelse {version} stemmer ikke med bladet i Merkle-treet (indeks {index}).")
    head = max(recorded) if recorded else None
    checkpoint = _checkpoint(integrity, tree, indexes, leaves, problems)
    return {
        "ok": not problems,
        "events": len(stored),
        "chain_head": recorded[head][1].hex() if head is not None else None,
        "chain_head_version": head,
        "tree_size": len(tree),
        "root": tree.root().hex(),
        "checkpoint": checkpoint,
        "problems": problems,
        "summary": _summary(len(stored), checkpoint, problems),
        "scope": SCOPE,
    }


def _chain(
    case_id: UUID, stored: Sequence[StoredRecord], recorded: dict[int, tuple[int, bytes]], problems: list[str]
) -> dict[int, bytes]:
    """Each event's hash recomputed from its stored bytes and the recorded hash before it."""
    digests: dict[int, bytes] = {}
    previous = GENESIS
    for expected, event in enumerate(stored, start=1):
        version = event.originator_version
        if version != expected:
            problems.append(f"Hendelse {expected} mangler i saken (neste lagrede er {version}).")
        digest = event_hash(previous, case_id, version, event.topic, event.state)
        mine = recorded.get(version)
        if mine is None:
            problems.append(f"Hendelse {version} har ingen registrert hash (lagt inn utenom protokollen?).")
        elif mine[1] != digest:
            problems.append(f"Hendelse {version}: de lagrede bytene stemmer ikke med registrert hash (endret).")
        digests[version] = digest
        # Follow the recorded chain, so one altered event is named once, not with all after it.
        previous = mine[1] if mine is not None else digest
    for version in sorted(set(recorded) - set(digests)):
        problems.append(f"Hendelse {version} er fjernet: hashen er registrert, hendelsen finnes ikke.")
    return digests


def _checkpoint(
    integrity: Integrity,
    tree: MerkleTree,
    indexes: dict[int, int | None],
    leaves: dict[int, bytes],
    problems: list[str],
) -> dict[str, Any] | None:
    recorded = integrity.checkpoints()
    if not recorded:
        return None
    checkpoint, row = recorded[-1]
    if checkpoint is None:
        problems.append(f"Siste kontrollpunkt (nr. {row['id']}) er ugyldig formatert.")
        return {"id": row["id"], "signature_ok": False}
    public_key = integrity.signer.public_key_raw
    out: dict[str, Any] = {"id": row["id"], **checkpoint.to_dict(), "public_key": public_key.hex()}
    try:
        verify_checkpoint(checkpoint, public_key)
        out["signature_ok"] = True
    except CheckpointError:
        out["signature_ok"] = False
        problems.append("Signaturen på siste kontrollpunkt stemmer ikke med protokollens nøkkel.")
    size = checkpoint.tree_size
    out["root_ok"] = size <= len(tree) and tree.root(size) == checkpoint.root
    if not out["root_ok"]:
        problems.append("Merkle-treet har ikke lenger roten som siste kontrollpunkt forseglet.")
    sealed = {v: i for v, i in indexes.items() if i is not None and i < size}
    out["events_covered"] = len(sealed)
    last = max(sealed, default=None)
    out["inclusion"] = (
        _inclusion(tree, last, sealed[last], leaves, checkpoint, problems)
        if last is not None and out["root_ok"]
        else None
    )
    return out


def _inclusion(
    tree: MerkleTree, version: int, index: int, leaves: dict[int, bytes], checkpoint: Any, problems: list[str]
) -> dict[str, Any]:
    """Proof that the case's last sealed event is a leaf of the checkpoint's tree (RFC 9162 §2.1.3)."""
    proof = tree.inclusion_proof(index, checkpoint.tree_size)
    try:
        verify_inclusion(leaves[version], index, checkpoint.tree_size, proof, checkpoint.root)
        ok = True
    except ProofError:
        ok = False
        problems.append(f"Inklusjonsbeviset for hendelse {version} fører ikke til kontrollpunktets rot.")
    return {
        "version": version,
        "log_index": index,
        "leaf_hash": leaves[version].hex(),
        "proof": [p.hex() for p in proof],
        "ok": ok,
    }


def _summary(events: int, checkpoint: dict[str, Any] | None, problems: list[str]) -> str:
    if problems:
        return f"Integriteten er IKKE bekreftet ({len(problems)} avvik). Første avvik: {problems[0]}"
    intact = f"Alle {events} hendelser i saken stemmer med hash-kjeden og Merkle-treet."
    if checkpoint is None:
        return f"{intact} Ingen signerte kontrollpunkt er registrert ennå."
    sealed = (
        f"kontrollpunktet signert {moment_text(checkpoint['time'].replace('Z', '+00:00'))} "
        f"(treets størrelse {checkpoint['tree_size']})"
    )
    covered = checkpoint["events_covered"]
    if covered == events:
        return f"{intact} Alle er dekket av {sealed}, og signaturen er gyldig."
    return (
        f"{intact} {covered} av {events} er dekket av {sealed}, og signaturen er gyldig; de senere er ikke "
        "forseglet ennå."
    )
