"""Offline verification of a case bundle (format: audit/integrity/bundle.py).

A pure function of the file's bytes: no database, no keys but the public one.
The caller gives the decoder of stored event state (the store's transcoder),
so this room reads a stored record without knowing how the store writes one.
Checks, and the name each failure is reported under:

* `public_key`: the bundle's key is the one the verifier pinned (if it did), or
  one introduced by it: a bundle signed after a rotation carries the key
  history up to its key (audit/integrity/keys.py), so pinning any earlier key
  of the ledger (its first verifies every bundle) still holds.
  Without a pinned key a bundle only proves it is self-consistent: anyone can
  make a fresh key, sign a checkpoint over invented events and ship that key
  along. Pinning the source ledger's published key (`ledger seal`,
  `GET /v1/ledger/checkpoints`, kept out of band) makes it evidence.
* `sequence`: versions run 1, 2, 3, … with log indexes rising (nothing
  removed, inserted or moved).
* `chain`: each event's hash recomputed from its stored bytes and the hash of
  the version before equals the hash the bundle states.
* `inclusion`: each event's Merkle leaf and inclusion proof lead to the
  checkpoint's root.
* `record`: the stored bytes are a readable record of the type the view names.
* `view`: the decrypted view agrees with the stored record on everything
  stored in clear (type, times, who recorded it, public fields), and the
  bundle's municipality is the one the case was opened in. Sealed personal
  fields cannot be checked without the case key (see audit/integrity/bundle.py).
* `root`: every event's proof leads to one root, but not the checkpoint's.
* `signature`: the checkpoint's Ed25519 signature under the bundle's key.

Events are checked in order, then the checkpoint; the first failure is named.

A file that is not a bundle at all (not JSON, a field missing or of the wrong
shape) raises `BundleMalformed`; a bundle that does not hold gets a report
naming the first failed check and the event version.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import orjson

from audit.integrity.bundle import FORMAT
from audit.integrity.chain import GENESIS, event_hash, leaf_input
from audit.integrity.checkpoint import Checkpoint, CheckpointError, verify_checkpoint
from audit.integrity.keys import SigningKey, history_problems
from audit.integrity.merkle import ProofError, leaf_hash, root_from_inclusion_proof
from ledger.event_data import jsonable

_HASH = re.compile(r"[0-9a-f]{64}")
_CLEAR_METADATA = {"_kid", "_sealed", "class_version", "originator_topic"}


class BundleMalformed(Exception):
    """The input is not a bundle; the message says why, `where` names the field (None: not JSON at all)."""

    def __init__(self, message: str, where: str | None = None) -> None:
        super().__init__(message if where is None else f"{where}: {message}")
        self.where = where


@dataclass(frozen=True)
class BundleEvent:
    version: int
    view: dict[str, Any]
    topic: str
    state: bytes
    hash: bytes
    log_index: int
    proof: list[bytes]


@dataclass(frozen=True)
class Bundle:
    case_id: UUID
    municipality: str
    events: list[BundleEvent]
    checkpoint: Checkpoint
    public_key: bytes
    key_history: list[SigningKey] = field(default_factory=list)


@dataclass(frozen=True)
class BundleProblem:
    check: str  # public_key | sequence | chain | inclusion | record | view | root | signature
    message: str
    version: int | None = None


@dataclass
class BundleReport:
    bundle: Bundle
    problems: list[BundleProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        b = self.bundle
        if self.ok:
            return (
                f"intact: case {b.case_id} of municipality {b.municipality}, {len(b.events)} events; chain and "
                f"inclusion proofs hold against checkpoint of tree size {b.checkpoint.tree_size} "
                f"(root {b.checkpoint.root.hex()}) signed by key {b.checkpoint.key_id}"
            )
        return f"NOT intact: {self.problems[0].message}"


Decode = Callable[[bytes], Any]


def verify_bundle(data: bytes, pinned_key: bytes | None = None, *, decode: Decode) -> BundleReport:
    """Check the bundle; stops at the first problem (later ones would mostly be its echoes).

    `decode` turns an event's stored bytes into its stored record (a dict);
    it raises ValueError or TypeError for bytes that are not one."""
    bundle = parse_bundle(data)
    report = BundleReport(bundle)
    problem = _check(bundle, pinned_key, decode)
    if problem is not None:
        report.problems.append(problem)
    return report


def _check(b: Bundle, pinned_key: bytes | None, decode: Decode) -> BundleProblem | None:
    keys = _check_keys(b, pinned_key)
    if keys is not None:
        return keys
    root, size = b.checkpoint.root, b.checkpoint.tree_size
    previous, last_index = GENESIS, -1
    # When the first event's proof misses the root, either that proof or the root is wrong:
    # the next events tell which (they lead to the root, or to the same other one).
    other_root: bytes | None = None
    for position, e in enumerate(b.events):
        where = f"event {e.version}"
        if e.version != position + 1:
            return BundleProblem(
                "sequence",
                f"{where}: sequence: found where version {position + 1} belongs "
                "(an event was removed, inserted or moved)",
                e.version,
            )
        if e.log_index <= last_index:
            return BundleProblem(
                "sequence",
                f"{where}: sequence: log index {e.log_index} does not come after {last_index}, the previous event's",
                e.version,
            )
        if event_hash(previous, b.case_id, e.version, e.topic, e.state) != e.hash:
            return BundleProblem(
                "chain",
                f"{where}: chain: its hash does not match its stored bytes and the hash of the version before",
                e.version,
            )
        try:
            reached = root_from_inclusion_proof(
                leaf_hash(leaf_input(b.case_id, e.version, e.hash)), e.log_index, size, e.proof
            )
        except ProofError as error:
            return BundleProblem("inclusion", f"{where}: inclusion: {error}", e.version)
        if other_root is None and reached != root:
            if position > 0:
                return _missed(e, size)
            other_root = reached
        elif other_root is not None and reached != other_root:
            return _missed(b.events[0], size)
        problem = _check_view(b, e, decode)
        if problem is not None:
            return problem
        previous, last_index = e.hash, e.log_index
    if other_root is not None:
        if len(b.events) == 1:
            return _missed(b.events[0], size)
        return BundleProblem(
            "root",
            f"root: every event's inclusion proof leads to {other_root.hex()}, not to the "
            f"checkpoint's root {root.hex()}",
        )
    try:
        verify_checkpoint(b.checkpoint, b.public_key)
    except CheckpointError as e:
        return BundleProblem("signature", f"signature: {e}")
    return None


def _missed(e: BundleEvent, size: int) -> BundleProblem:
    return BundleProblem(
        "inclusion",
        f"event {e.version}: inclusion: its proof (leaf {e.log_index}) does not lead "
        f"to the checkpoint's root of the tree of size {size}",
        e.version,
    )


def _check_view(b: Bundle, e: BundleEvent, decode: Decode) -> BundleProblem | None:
    where = f"event {e.version}"
    try:
        stored = decode(e.state)
        if not isinstance(stored, dict):
            raise ValueError("not an object")
    except (ValueError, TypeError, RecursionError) as error:
        return BundleProblem(
            "record", f"{where}: record: the stored bytes are not a readable record ({_short(error)})", e.version
        )
    view = e.view
    if view.get("type") != e.topic.rpartition(":")[2]:
        return BundleProblem(
            "view",
            f"{where}: view: says type {_short(view.get('type'))}, the stored record is {_short(e.topic)}",
            e.version,
        )
    data = view.get("data") if isinstance(view.get("data"), dict) else {}
    for name, value in stored.items():
        if name in _CLEAR_METADATA:
            continue
        shown = _shown(view, data, name)
        try:
            expected = jsonable(value)
        except (TypeError, RecursionError) as error:
            return BundleProblem("record", f"{where}: record: {name!r} cannot be read ({_short(error)})", e.version)
        if name == "recorded_by" and isinstance(shown, dict) and isinstance(expected, dict):
            shown = {k: shown.get(k) for k in expected}  # the view adds the name, which is sealed
        if shown != expected:
            return BundleProblem(
                "view",
                f"{where}: view: {name!r} reads {_short(shown)}, the stored record has {_short(expected)}",
                e.version,
            )
    if e.version == 1 and stored.get("municipality") != b.municipality:
        return BundleProblem(
            "view",
            f"{where}: view: the bundle names municipality {_short(b.municipality)}, the "
            f"case was opened in {_short(stored.get('municipality'))}",
            e.version,
        )
    return None


def _short(value: Any) -> str:
    """A value for a one-line message: its repr, cut short."""
    text = repr(value) if not isinstance(value, BaseException) else str(value)
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:57] + "..."


def _shown(view: dict[str, Any], data: dict[str, Any], name: str) -> Any:
    """Where the view shows a field stored in clear."""
    if name == "timestamp":
        return view.get("recorded_at")
    if name in ("occurred_at", "recorded_by"):
        return view.get(name)
    return data.get(name)


def _check_keys(b: Bundle, pinned_key: bytes | None) -> BundleProblem | None:
    """The signing key is the pinned one, or one the pinned key introduced (through the bundle's
    key history, each introduction signed by the key before it); and a history the bundle carries
    holds together, ends with the checkpoint's key, and began before the checkpoint was signed."""
    history = b.key_history
    if history:
        problems = history_problems(history)
        if problems:
            return BundleProblem("public_key", f"key_history: {problems[0]}")
        if history[-1].public_key != b.public_key:
            return BundleProblem("public_key", "key_history: it does not end with the key that signed the checkpoint")
        since = history[-1].valid_from
        if since is not None and b.checkpoint.time < since:
            return BundleProblem("public_key", "key_history: the checkpoint is older than the key that signed it")
    if pinned_key is None or pinned_key == b.public_key:
        return None
    if any(entry.public_key == pinned_key for entry in history[:-1]):
        return None  # an earlier key of the same ledger, which introduced this one
    return BundleProblem(
        "public_key",
        f"public_key: the bundle is signed with key {b.public_key.hex()}, not the pinned key {pinned_key.hex()}"
        + (" nor one it introduced" if history else ""),
    )


# ------------------------------------------------------------------ parsing
def parse_bundle(data: bytes) -> Bundle:
    """The bundle's fields in their types; BundleMalformed naming the first that is not."""
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError as e:
        raise BundleMalformed(f"not JSON ({e})") from None
    top = _object(doc, "$")
    if top.get("format") != FORMAT:
        raise BundleMalformed(f"expected {FORMAT!r}, found {top.get('format')!r}", "format")
    case_id = _uuid(top.get("case_id"), "case_id")
    municipality = _typed(top.get("municipality"), str, "municipality")
    raw_events = _typed(top.get("events"), list, "events")
    if not raw_events:
        raise BundleMalformed("the bundle holds no events", "events")
    events = [_event(item, f"events[{i}]") for i, item in enumerate(raw_events)]
    try:
        checkpoint = Checkpoint.from_dict(_object(top.get("checkpoint"), "checkpoint"))
    except CheckpointError as e:
        raise BundleMalformed(str(e), "checkpoint") from None
    public_key = _hex(top.get("public_key"), "public_key")
    history = []
    if "key_history" in top:
        for i, entry in enumerate(_typed(top["key_history"], list, "key_history")):
            try:
                history.append(SigningKey.from_dict(_object(entry, f"key_history[{i}]")))
            except CheckpointError as e:
                raise BundleMalformed(str(e), f"key_history[{i}]") from None
    return Bundle(case_id, municipality, events, checkpoint, public_key, history)


def _event(item: Any, where: str) -> BundleEvent:
    view = _object(item, where)
    stored = _object(view.get("stored"), f"{where}.stored")
    try:
        state = base64.b64decode(_typed(stored.get("state"), str, f"{where}.stored.state"), validate=True)
    except (binascii.Error, ValueError):
        raise BundleMalformed("not base64", f"{where}.stored.state") from None
    proof = _typed(view.get("inclusion_proof"), list, f"{where}.inclusion_proof")
    return BundleEvent(
        version=_integer(view.get("version"), f"{where}.version"),
        view={k: v for k, v in view.items() if k not in ("stored", "hash", "log_index", "inclusion_proof")},
        topic=_typed(stored.get("topic"), str, f"{where}.stored.topic"),
        state=state,
        hash=_hex(view.get("hash"), f"{where}.hash"),
        log_index=_integer(view.get("log_index"), f"{where}.log_index"),
        proof=[_hex(h, f"{where}.inclusion_proof[{j}]") for j, h in enumerate(proof)],
    )


def _object(value: Any, where: str) -> dict[str, Any]:
    return _typed(value, dict, where)


def _typed(value: Any, kind: type, where: str) -> Any:
    if not isinstance(value, kind):
        raise BundleMalformed(f"expected a {kind.__name__}, found {type(value).__name__}", where)
    return value


def _integer(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise BundleMalformed(f"expected a non-negative integer, found {value!r}", where)
    return value


def _hex(value: Any, where: str) -> bytes:
    if not isinstance(value, str) or not _HASH.fullmatch(value):
        raise BundleMalformed("expected 64 lowercase hex digits", where)
    return bytes.fromhex(value)


def _uuid(value: Any, where: str) -> UUID:
    try:
        return UUID(_typed(value, str, where))
    except ValueError:
        raise BundleMalformed("not a UUID", where) from None
