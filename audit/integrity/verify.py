"""`verify`: recompute the ledger's integrity from the raw rows and name the
first event that does not match.

For every event, in log (notification id) order:

1. its version follows the previous one of its case; if not, the versions
   in between were removed (they are nowhere in the log) or the log was
   reordered (they come later);
2. its hash is recorded, at its own notification id (else `missing_hash`,
   or `reordered` when the hash was recorded at another position);
3. its hash recomputed from its stored bytes and the recorded hash of the
   version before it equals the recorded hash (else `altered`);
4. the Merkle leaf made from that hash equals the leaf the tree holds for
   its notification id (else `altered`: the event was rewritten together
   with its recorded hash).

Then: recorded hashes and leaves whose event is gone (`removed`), holes in
the stored tree, the stored tree's order against the log's, and every
checkpoint: well-formed, signed by the ledger's signing key of its time (the
key history, audit/integrity/keys.py, holds together and ends with the
configured key: `keys`), not beyond the log
(`shortened`), and its root equal to the root of the tree recomputed from
the events' stored bytes (`checkpoint`).

Problems are listed in log order, so `problems[0]` names the first event that
does not match; problems with no position (checkpoints) come last. An event
is named by at most one problem.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from audit.integrity.chain import GENESIS, event_hash, leaf_input
from audit.integrity.checkpoint import Checkpoint, CheckpointError, format_time, key_id, verify_checkpoint
from audit.integrity.keys import SigningKey, history_problems, key_at
from audit.integrity.merkle import MerkleTree, leaf_hash
from audit.integrity.ports import IntegrityStore, LoggedRecord

PAGE = 2000

Key = tuple[str, int]  # (case id as text, version)


@dataclass(frozen=True)
class Problem:
    kind: str  # altered | missing_hash | removed | reordered | checkpoint | shortened | keys
    message: str
    case_id: str | None = None
    version: int | None = None
    log_index: int | None = None


@dataclass
class VerifyReport:
    events: int = 0
    cases: int = 0
    tree_size: int = 0
    root: str = ""
    checkpoints: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        if self.ok:
            return (
                f"intact: {self.events} events in {self.cases} cases, tree size {self.tree_size}, "
                f"root {self.root}, {self.checkpoints} checkpoint(s) verified"
            )
        first = self.problems[0]
        return f"NOT intact ({len(self.problems)} problem(s)); first: {first.message}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "events": self.events,
            "cases": self.cases,
            "tree_size": self.tree_size,
            "root": self.root,
            "checkpoints_verified": self.checkpoints,
            "problems": [vars(p) for p in self.problems],
        }


@dataclass(frozen=True)
class _Gap:
    """Versions of a case not found before one of its events."""

    case_id: str
    missing: range
    version: int  # the event found instead
    position: int
    low: int  # notification id of the case's event before the gap (0: none)
    high: int  # notification id of the event after it


def verify_ledger(
    store: IntegrityStore,
    checkpoints: Sequence[tuple[Checkpoint | None, dict[str, Any]]],
    history: Sequence[SigningKey],
    public_key: bytes,
) -> VerifyReport:
    """Verify everything up to the last event recorded now.

    `checkpoints` must be read before calling: every one of them then covers
    only events at or below the bound read here, so a seal or a write running
    meanwhile is never mistaken for tampering.
    """
    stop = store.max_notification_id()
    run = _Run(store.all_event_hashes(stop), store.leaves(stop))
    for n in _read_events(store, stop):
        run.event(n.id, _uuid(n.originator_id), n.originator_version, n.topic, n.state)
    run.finish()
    run.check_keys(history, public_key)
    run.check_checkpoints(checkpoints, history or [SigningKey(public_key)])
    return run.report()


class _Run:
    def __init__(self, hashes: dict[Key, tuple[int, bytes]], leaves: dict[int, tuple[int, bytes]]) -> None:
        self.hashes = hashes  # (case, version) -> (notification id, recorded hash)
        self.leaves = leaves  # notification id -> (log index, stored leaf hash)
        self.leaf_index = {leaf: index for index, leaf in leaves.values()}
        self.tree = MerkleTree()  # recomputed from the events' stored bytes
        self.seen: dict[Key, tuple[int, bytes]] = {}  # (case, version) -> (notification id, implied hash)
        self.last: dict[str, tuple[int, int]] = {}  # case -> (highest version so far, its notification id)
        self.gaps: list[_Gap] = []
        self.problems: list[Problem] = []
        self.named: set[Key] = set()
        self.checkpoints_ok = 0

    def add(self, kind: str, message: str, key: Key | None = None, log_index: int | None = None) -> None:
        if key is not None:
            if key in self.named:
                return
            self.named.add(key)
        case_id, version = key if key is not None else (None, None)
        self.problems.append(Problem(kind, message, case_id, version, log_index))

    # ------------------------------------------------------------ per event
    def event(self, nid: int, case: UUID, version: int, topic: str, state: bytes) -> None:
        i, case_id = len(self.tree), str(case)
        key = (case_id, version)
        where = f"event {version} of case {case_id} (log index {i})"
        last_version, last_nid = self.last.get(case_id, (0, 0))
        if version <= last_version:
            self.add("reordered", f"{where}: comes after version {last_version} of its case", key, i)
        elif version > last_version + 1:
            self.gaps.append(_Gap(case_id, range(last_version + 1, version), version, i, last_nid, nid))
        if version > last_version:
            self.last[case_id] = (version, nid)

        previous = self._previous_hash(case_id, version)
        digest = event_hash(previous if previous is not None else GENESIS, case, version, topic, state)
        recorded = self.hashes.get(key)
        if recorded is None:
            self.add("missing_hash", f"{where}: no hash recorded for it (inserted outside the ledger?)", key, i)
        elif recorded[0] != nid:
            self.add(
                "reordered",
                f"{where}: its hash was recorded at notification {recorded[0]}, it now sits at {nid}",
                key,
                i,
            )
        elif previous is None:
            digest = recorded[1]  # its predecessor is gone (reported as removed): take its hash on trust
        elif recorded[1] != digest:
            self.add("altered", f"{where}: its stored bytes do not match its recorded hash", key, i)

        leaf = leaf_hash(leaf_input(case, version, digest))
        stored = self.leaves.get(nid)
        if stored is not None and stored[1] != leaf:
            elsewhere = self.leaf_index.get(leaf)
            if elsewhere is not None:
                self.add("reordered", f"{where}: its Merkle leaf is at log index {elsewhere}", key, i)
            else:
                self.add(
                    "altered",
                    f"{where}: does not match its Merkle leaf (log index {stored[0]}); "
                    "the event and its hash, or the leaf, were rewritten",
                    key,
                    i,
                )
        self.tree.append(leaf)
        self.seen[key] = (nid, digest)

    def _previous_hash(self, case_id: str, version: int) -> bytes | None:
        """The recorded hash of the version before (else the one implied by its
        bytes); None when that version is gone altogether."""
        if version == 1:
            return GENESIS
        before = (case_id, version - 1)
        recorded = self.hashes.get(before)
        if recorded is not None:
            return recorded[1]
        seen = self.seen.get(before)
        return None if seen is None else seen[1]

    # ------------------------------------------------------ after the pass
    def finish(self) -> None:
        positions = sorted(nid for nid, _ in self.seen.values())
        self._resolve_gaps()
        for (case_id, version), (nid, _) in sorted(self.hashes.items(), key=lambda kv: kv[1][0]):
            if (case_id, version) not in self.seen:
                index = self.leaves[nid][0] if nid in self.leaves else bisect_left(positions, nid)
                self.add(
                    "removed",
                    f"event {version} of case {case_id} (notification {nid}) was removed: "
                    "its hash is recorded, the event is gone",
                    (case_id, version),
                    index,
                )
        self._check_stored_tree(positions)
        # Stable: at one position, the problem found first stays first.
        self.problems.sort(key=lambda p: (p.log_index is None, p.log_index or 0))

    def _resolve_gaps(self) -> None:
        for gap in self.gaps:
            later = [v for v in gap.missing if (gap.case_id, v) in self.seen]
            where = f"event {gap.version} of case {gap.case_id} (log index {gap.position})"
            if later:
                self.add(
                    "reordered",
                    f"{where}: comes before version {later[0]} of its case",
                    (gap.case_id, gap.version),
                    gap.position,
                )
            for v in gap.missing:
                if (gap.case_id, v) not in self.seen:
                    self.add(
                        "removed",
                        f"event {v} of case {gap.case_id} was removed: {where} follows version {gap.missing.start - 1}",
                        (gap.case_id, v),
                        gap.position,
                    )

    def _check_stored_tree(self, positions: list[int]) -> None:
        """Leaves whose event is gone, holes, and the stored tree's order against the log's."""
        removed_spans = [(g.low, g.high) for g in self.gaps]
        by_index = {index: (nid, leaf) for nid, (index, leaf) in self.leaves.items()}
        recorded_nids = {nid for nid, _ in self.hashes.values()}
        for index in sorted(by_index):
            nid = by_index[index][0]
            if nid in recorded_nids or _contains(positions, nid):
                continue
            if any(low < nid < high for low, high in removed_spans):
                continue  # the gap in its case already names it
            self.add(
                "removed",
                f"log index {index}: the event the tree holds there (notification {nid}) is gone, with its hash",
                None,
                index,
            )
        holes = [i for i in range(max(by_index, default=-1) + 1) if i not in by_index]
        if holes:
            self.add(
                "removed",
                f"log index {holes[0]}: {len(holes)} leaf/leaves of the Merkle tree are gone "
                "(events were removed with their leaves)",
                None,
                holes[0],
            )
        for index in range(min(len(by_index), len(self.tree))):
            stored = by_index.get(index)
            if stored is None or stored[1] != self.tree.leaf(index):
                if not any(p.log_index is not None and p.log_index <= index for p in self.problems):
                    self.add(
                        "reordered",
                        f"log index {index}: the Merkle tree's leaf there is not that of the "
                        "event at that position in the log",
                        None,
                        index,
                    )
                return

    # --------------------------------------------------------- checkpoints
    def check_keys(self, history: Sequence[SigningKey], public_key: bytes) -> None:
        """The key history holds together, and ends with the key this verifier trusts (the one
        configured): through the introductions, that key vouches for every key before it."""
        for message in history_problems(history):
            self.add("keys", message)
        if history and history[-1].public_key != public_key:
            self.add(
                "keys",
                f"the ledger's current signing key is {history[-1].key_id}, "
                f"not the configured key {key_id(public_key)}",
            )

    def check_checkpoints(
        self, checkpoints: Sequence[tuple[Checkpoint | None, dict[str, Any]]], history: Sequence[SigningKey]
    ) -> None:
        size = len(self.tree)
        for cp, row in checkpoints:
            label = f"checkpoint {row['id']} (tree size {row['tree_size']})"
            if cp is None:
                self.add("checkpoint", f"{label} is malformed")
                continue
            signer = key_at(history, cp.key_id, cp.time)
            if signer is None:
                self.add(
                    "checkpoint",
                    f"{label}: signed by key {cp.key_id}, which was not the ledger's signing key at "
                    f"{format_time(cp.time)}",
                )
                continue
            try:
                verify_checkpoint(cp, signer.public_key)
            except CheckpointError as e:
                self.add("checkpoint", f"{label}: {e}")
                continue
            if cp.tree_size > size:
                self.add(
                    "shortened",
                    f"{label} covers {cp.tree_size} events; the log now has only {size}: "
                    "events were removed after the seal",
                )
            elif self.tree.root(cp.tree_size) != cp.root:
                self.add(
                    "checkpoint",
                    f"{label}: the log no longer has the sealed root; an event it covers "
                    "was altered, removed, inserted or moved",
                )
            else:
                self.checkpoints_ok += 1

    def report(self) -> VerifyReport:
        size = len(self.tree)
        return VerifyReport(
            events=size,
            cases=len(self.last),
            tree_size=size,
            root=self.tree.root(size).hex(),
            checkpoints=self.checkpoints_ok,
            problems=self.problems,
        )


# ------------------------------------------------------------- raw reads
def _read_events(store: IntegrityStore, stop: int) -> Iterator[LoggedRecord]:
    after = 0
    while True:
        page = store.notifications(after, PAGE, stop)
        if not page:
            return
        yield from page
        after = page[-1].id


def _uuid(value: UUID | str) -> UUID:
    return value if isinstance(value, UUID) else UUID(value)


def _contains(sorted_ids: list[int], nid: int) -> bool:
    i = bisect_left(sorted_ids, nid)
    return i < len(sorted_ids) and sorted_ids[i] == nid
