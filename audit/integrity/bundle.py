"""The provable case bundle: the "json" export, checkable offline.

A bundle is one JSON document (UTF-8, orjson, two-space indent):

    {
      "format": "coordination-ledger-bundle-v1",
      "case_id": "<uuid>", "municipality": "<NNNN>",
      "events": [                                  # versions 1..n of the case, in order
        {"version", "type", "occurred_at", "recorded_at", "recorded_by", "data", ["erased"],
                                                   # ^ the decrypted view (as /history shows it)
         "stored": {"topic": "<module:Class>", "state": "<base64 of the stored bytes>"},
         "hash": "<hex>",                          # the event's chain hash (audit/integrity/chain.py)
         "log_index": <int>,                       # its leaf in the ledger's Merkle tree
         "inclusion_proof": ["<hex>", ...]}        # RFC 9162 audit path to the checkpoint's root
      ],
      "checkpoint": {"tree_size", "root", "time", "key_id", "signature"},   # audit/checkpoint.py
      "public_key": "<hex of the raw Ed25519 key that signed the checkpoint>",
      "key_history": [{"key_id", "public_key", "valid_from", "introduced"}, ...]  # only when that key
                                         # is not the ledger's first: its introductions (audit/integrity/keys.py)
    }

What it carries, and why:

* The stored record (topic and stored bytes, personal fields still sealed
  under the case key) is what the chain hash and the Merkle leaf are made
  of, so a verifier recomputes both without any key: `audit/integrity/bundle_verify.py`.
* The decrypted view is what the receiving municipality reads. Its public
  fields (those an event class lists in `PUBLIC`, e.g. CaseOpened's
  municipality and requested provisions) are checked against the stored
  bytes; its personal fields cannot be, as they are sealed and neither the
  case key nor the master key is ever put in a bundle. The personal fields
  are vouched for by the digest of the whole document, which the source
  ledger records in `PlanExported` (and the receiving one in `TransferredIn`).
* The checkpoint is the latest one covering every event of the case at export
  time (one is sealed if none does); `PlanExported.checkpoint_size` names it,
  so the export is rendered again byte for byte later (`reproduce`).
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any
from uuid import UUID

import orjson

from audit.integrity.checkpoint import Checkpoint, CheckpointError, verify_checkpoint
from audit.integrity.keys import chain_up_to
from audit.integrity.merkle import MerkleTree
from ledger.errors import Gone, InvariantViolation
from ledger.event_data import event_to_dict

if TYPE_CHECKING:
    from audit.integrity.log import Integrity

FORMAT = "coordination-ledger-bundle-v1"
_LOOKUP_CHUNK = 500  # notification ids per IN (...) query: well inside every backend's parameter limit


def json_bundle(municipality: str, case_id: UUID, events: Sequence[Any]) -> bytes:
    """The events-only document of exports recorded before the provable bundle (no checkpoint_size)."""
    return orjson.dumps(
        {"case_id": str(case_id), "municipality": municipality, "events": [event_to_dict(e) for e in events]},
        option=orjson.OPT_INDENT_2,
    )


class BundleExporter:
    """The "json" exporter: `(municipality, case_id, events, checkpoint_size=None) -> bytes`.

    `anchor` chooses (or seals) the checkpoint for a new export; without a
    `checkpoint_size` it renders the events-only document that exports
    recorded before bundles existed hold the digest of.
    """

    def __init__(self, integrity: Callable[[], Integrity]) -> None:
        # A callable: the composition root builds the integrity after the exporters.
        self._integrity = integrity

    def anchor(self, case_id: UUID, events: Sequence[Any]) -> int:
        """Tree size of the latest checkpoint covering every event of the case; sealed anew if none does."""
        integrity = self._integrity()
        tree = integrity.sync()
        hashes = integrity.store.event_hashes(case_id)
        needed = max(_log_indexes(integrity, case_id, events, hashes).values()) + 1
        latest = next(_usable(integrity, tree), None)
        if latest is not None and latest[0].tree_size >= needed:
            return latest[0].tree_size
        return integrity.seal().tree_size

    def __call__(
        self, municipality: str, case_id: UUID, events: Sequence[Any], checkpoint_size: int | None = None
    ) -> bytes:
        if checkpoint_size is None:
            return json_bundle(municipality, case_id, events)
        integrity = self._integrity()
        tree = integrity.sync()
        checkpoint, public_key = _checkpoint_of_size(integrity, tree, checkpoint_size)
        last = events[-1].originator_version
        stored = {s.originator_version: s for s in integrity.store.stored_events(case_id, lte=last)}
        hashes = integrity.store.event_hashes(case_id)
        indexes = _log_indexes(integrity, case_id, events, hashes)
        items = []
        for event in events:
            version = event.originator_version
            record = stored.get(version)
            if record is None or version not in hashes:
                raise _broken(version)
            index = indexes[version]
            items.append(
                {
                    **event_to_dict(event),
                    "stored": {"topic": record.topic, "state": base64.b64encode(record.state).decode("ascii")},
                    "hash": hashes[version][1].hex(),
                    "log_index": index,
                    "inclusion_proof": [h.hex() for h in tree.inclusion_proof(index, checkpoint.tree_size)],
                }
            )
        document: dict[str, Any] = {
            "format": FORMAT,
            "case_id": str(case_id),
            "municipality": municipality,
            "events": items,
            "checkpoint": checkpoint.to_dict(),
            "public_key": public_key,
        }
        chain = chain_up_to(integrity.key_history(), bytes.fromhex(public_key))
        if len(chain) > 1:
            # Signed by a key introduced later than the ledger's first: the introductions up to it
            # let a receiver who pinned an earlier key of this ledger trust this one. (A bundle signed
            # by the first key carries none, so its bytes are as they always were.)
            document["key_history"] = [entry.to_dict() for entry in chain]
        return orjson.dumps(document, option=orjson.OPT_INDENT_2)


def _log_indexes(
    integrity: Integrity, case_id: UUID, events: Sequence[Any], hashes: dict[int, tuple[int, bytes]]
) -> dict[int, int]:
    """version -> log index for the given events (leaves must be synced first)."""
    wanted = [e.originator_version for e in events]
    missing = [v for v in wanted if v not in hashes]
    if missing:
        raise _broken(missing[0])
    nids = [hashes[v][0] for v in wanted]
    by_nid: dict[int, int] = {}
    for start in range(0, len(nids), _LOOKUP_CHUNK):
        by_nid.update(integrity.log_index_of(nids[start : start + _LOOKUP_CHUNK]))
    out = {}
    for version, nid in zip(wanted, nids, strict=True):
        if nid not in by_nid:
            raise _broken(version)
        out[version] = by_nid[nid]
    return out


def _usable(integrity: Integrity, tree: MerkleTree, size: int | None = None) -> Iterator[tuple[Checkpoint, str]]:
    """Recorded checkpoints (of `size` leaves, if given) that verify and match the tree, largest
    tree first, then oldest. Signatures are checked lazily: callers mostly take the first."""
    rows = [
        (cp, row)
        for cp, row in integrity.checkpoints()
        if cp is not None and cp.tree_size <= len(tree) and size in (None, cp.tree_size)
    ]
    rows.sort(key=lambda pair: (-pair[0].tree_size, pair[1]["id"]))
    for checkpoint, row in rows:
        if _holds(checkpoint, row["public_key"], tree):
            yield checkpoint, row["public_key"]


def _checkpoint_of_size(integrity: Integrity, tree: MerkleTree, size: int) -> tuple[Checkpoint, str]:
    """The oldest recorded, valid checkpoint of this tree size: the same one every time."""
    found = next(_usable(integrity, tree, size), None)
    if found is None:
        raise Gone(
            None,
            f"Eksporten kan ikke gjenskapes: kontrollpunktet for treet med {size} hendelser finnes "
            "ikke lenger eller stemmer ikke; kjør «ledger verify».",
        )
    return found


def _holds(checkpoint: Checkpoint, public_key_hex: str, tree: MerkleTree) -> bool:
    try:
        verify_checkpoint(checkpoint, bytes.fromhex(public_key_hex))
    except (CheckpointError, ValueError):
        return False
    return tree.root(checkpoint.tree_size) == checkpoint.root


def _broken(version: int) -> InvariantViolation:
    # Only tampering with the store gets here; `ledger verify` names what.
    return InvariantViolation(
        None,
        f"Hendelse {version} i saken mangler hash eller blad i Merkle-treet; "
        "pakken kan ikke lages. Kjør «ledger verify».",
    )
