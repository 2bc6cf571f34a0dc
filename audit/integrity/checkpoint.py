"""Signed checkpoints: an Ed25519 signature over a Merkle tree size and root at a time.

Signed message (UTF-8 text, every line ending in a single "\\n", no other whitespace):

    coordination-ledger checkpoint v1
    <tree_size>
    <root_hex>
    <time>

- `tree_size`: decimal, no sign, no leading zeros (e.g. `0`, `1024`).
- `root_hex`: the 32-byte RFC 9162 root as 64 lowercase hex digits.
- `time`: UTC as `YYYY-MM-DDTHH:MM:SS.ffffffZ` (always six fraction digits and `Z`).

Example, byte for byte: b"coordination-ledger checkpoint v1\\n8\\n5dc9...4328\\n2024-05-01T12:00:00.000000Z\\n".

Every field has one fixed spelling, so a checkpoint parsed from `to_dict()` output and
serialised again yields identical bytes, and no two distinct checkpoints share a message.
The first line names the purpose and version so that a signature made for anything else
by the same key can never be replayed as a checkpoint.

`key_id` is the first 16 lowercase hex digits of SHA-256 over the raw 32-byte public key.

The same key also signs one other statement, under a header of its own so neither can pass for
the other: that an archive extract's files were made from the events a checkpoint covers
(`extract_message`):

    coordination-ledger archive extract v1
    <the checkpoint's signed message, as above>
    <SHA-256 (hex) of the file list: one "<sha256 hex> <relative path>\n" per file, sorted by path>
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

MESSAGE_HEADER = b"coordination-ledger checkpoint v1\n"
EXTRACT_HEADER = b"coordination-ledger archive extract v1\n"
ROOT_SIZE = 32
SIGNATURE_SIZE = 64
KEY_SIZE = 32
_TIME_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z")
_RAW = serialization.Encoding.Raw


class CheckpointError(Exception):
    """A checkpoint is malformed, signed by another key, or its signature does not verify."""


def format_time(moment: datetime) -> str:
    """The one spelling of a time used in checkpoints: UTC, microseconds, trailing Z."""
    # isoformat, unlike strftime("%Y"), always writes four year digits.
    return _require_utc(moment).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def parse_time(text: str) -> datetime:
    """Inverse of `format_time`; refuses every other spelling so re-signing is exact."""
    if not isinstance(text, str) or not _TIME_PATTERN.fullmatch(text):
        raise ValueError(f"checkpoint time {text!r} is not in the form YYYY-MM-DDTHH:MM:SS.ffffffZ")
    return datetime.fromisoformat(text[:-1]).replace(tzinfo=UTC)


def _require_utc(moment: datetime) -> datetime:
    if not isinstance(moment, datetime):
        raise TypeError(f"checkpoint time must be a datetime, not {type(moment).__name__}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("checkpoint time must be timezone-aware; a naive time is ambiguous")
    return moment.astimezone(UTC)


def checkpoint_message(tree_size: int, root: bytes, time: datetime) -> bytes:
    """The exact bytes that are signed for a checkpoint (format in the module docstring)."""
    _require_tree_size(tree_size)
    _require_bytes(root, ROOT_SIZE, "root")
    return MESSAGE_HEADER + f"{tree_size}\n{root.hex()}\n{format_time(time)}\n".encode("ascii")


@dataclass(frozen=True)
class Checkpoint:
    """A signed statement that the ledger's Merkle tree of `tree_size` leaves had `root`."""

    tree_size: int
    root: bytes
    time: datetime
    key_id: str
    signature: bytes

    def __post_init__(self) -> None:
        _require_tree_size(self.tree_size)
        _require_bytes(self.root, ROOT_SIZE, "root")
        _require_bytes(self.signature, SIGNATURE_SIZE, "signature")
        if not isinstance(self.key_id, str) or not self.key_id:
            raise ValueError(f"key id must be a non-empty string, got {self.key_id!r}")
        # Stored in UTC so equal checkpoints compare and serialise identically.
        object.__setattr__(self, "time", _require_utc(self.time))
        object.__setattr__(self, "root", bytes(self.root))
        object.__setattr__(self, "signature", bytes(self.signature))

    def message(self) -> bytes:
        """The bytes this checkpoint's signature covers."""
        return checkpoint_message(self.tree_size, self.root, self.time)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: hex for bytes, the checkpoint time format for `time`."""
        return {
            "tree_size": self.tree_size,
            "root": self.root.hex(),
            "time": format_time(self.time),
            "key_id": self.key_id,
            "signature": self.signature.hex(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Checkpoint:
        """Parse `to_dict()` output; raise CheckpointError if anything is missing or malformed."""
        try:
            return cls(
                tree_size=data["tree_size"],
                root=_parse_hex(data["root"], "root"),
                time=parse_time(data["time"]),
                key_id=data["key_id"],
                signature=_parse_hex(data["signature"], "signature"),
            )
        except KeyError as error:
            raise CheckpointError(f"checkpoint is missing the field {error.args[0]!r}") from error
        except (TypeError, ValueError) as error:
            raise CheckpointError(f"malformed checkpoint: {error}") from error


def _require_tree_size(tree_size: int) -> None:
    if isinstance(tree_size, bool) or not isinstance(tree_size, int) or tree_size < 0:
        raise ValueError(f"tree size must be a non-negative integer, got {tree_size!r}")


def _require_bytes(value: bytes, size: int, what: str) -> None:
    if not isinstance(value, (bytes, bytearray)):
        raise TypeError(f"{what} must be bytes, not {type(value).__name__}")
    if len(value) != size:
        raise ValueError(f"{what} must be {size} bytes, got {len(value)}")


def _parse_hex(text: str, what: str) -> bytes:
    # Only lowercase hex is accepted, matching what to_dict writes.
    if not isinstance(text, str) or not re.fullmatch(r"(?:[0-9a-f]{2})*", text):
        raise ValueError(f"{what} must be lowercase hex, got {text!r}")
    return bytes.fromhex(text)


def key_id(public_key: bytes | Ed25519PublicKey) -> str:
    """First 16 hex digits of SHA-256 over the raw 32-byte Ed25519 public key."""
    if isinstance(public_key, Ed25519PublicKey):
        public_key = public_key.public_bytes(_RAW, serialization.PublicFormat.Raw)
    _require_bytes(public_key, KEY_SIZE, "public key")
    return hashlib.sha256(public_key).hexdigest()[:16]


def generate_private_key() -> bytes:
    """A fresh Ed25519 private key as its raw 32 bytes (keep it secret)."""
    return Ed25519PrivateKey.generate().private_bytes(
        _RAW, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )


def load_private_key(raw: bytes) -> Ed25519PrivateKey:
    """An Ed25519 private key from its raw 32 bytes."""
    _require_bytes(raw, KEY_SIZE, "private key")
    return Ed25519PrivateKey.from_private_bytes(bytes(raw))


def load_public_key(raw: bytes) -> Ed25519PublicKey:
    """An Ed25519 public key from its raw 32 bytes."""
    _require_bytes(raw, KEY_SIZE, "public key")
    return Ed25519PublicKey.from_public_bytes(bytes(raw))


def extract_message(checkpoint: Checkpoint, files: Mapping[str, str]) -> bytes:
    """The bytes signed for an archive extract made from the events `checkpoint` covers: its files
    (relative path -> sha256 hex), listed in path order."""
    listing = "".join(f"{digest} {path}\n" for path, digest in sorted(files.items()))
    return EXTRACT_HEADER + checkpoint.message() + hashlib.sha256(listing.encode()).hexdigest().encode() + b"\n"


class CheckpointSigner:
    """Signs checkpoints with one Ed25519 key."""

    def __init__(self, private_key: bytes | Ed25519PrivateKey) -> None:
        if not isinstance(private_key, Ed25519PrivateKey):
            private_key = load_private_key(private_key)
        self._private_key = private_key
        self.public_key_raw: bytes = private_key.public_key().public_bytes(_RAW, serialization.PublicFormat.Raw)
        self.public_key_hex: str = self.public_key_raw.hex()
        self.key_id: str = key_id(self.public_key_raw)

    def sign(self, tree_size: int, root: bytes, time: datetime | None = None) -> Checkpoint:
        """Sign the tree head (`time` defaults to now, in UTC)."""
        moment = datetime.now(UTC) if time is None else time
        # Build an unsigned copy first so its checks run before anything is signed.
        unsigned = Checkpoint(tree_size, root, moment, self.key_id, bytes(SIGNATURE_SIZE))
        signature = self._private_key.sign(unsigned.message())
        return Checkpoint(tree_size, root, unsigned.time, self.key_id, signature)

    def sign_statement(self, message: bytes) -> bytes:
        """Sign another kind of statement (audit/integrity/keys.py); its first line must name its
        purpose, so that it can never be taken for a checkpoint."""
        if message.startswith(MESSAGE_HEADER) or b"\n" not in message:
            raise ValueError("a statement must start with a purpose line of its own")
        return self._private_key.sign(message)

    def sign_extract(self, checkpoint: Checkpoint, files: Mapping[str, str]) -> bytes:
        """Sign that these files of an archive extract were made from the events `checkpoint` covers."""
        if checkpoint.key_id != self.key_id:
            raise CheckpointError("an extract is signed with the key of the checkpoint it names")
        return self.sign_statement(extract_message(checkpoint, files))


def verify_checkpoint(checkpoint: Checkpoint, public_key_raw: bytes) -> None:
    """Check the checkpoint was signed by this key; raise CheckpointError if not."""
    try:
        public_key = load_public_key(public_key_raw)
    except (TypeError, ValueError) as error:
        raise CheckpointError(f"cannot use the given public key: {error}") from error
    expected_id = key_id(public_key_raw)
    if checkpoint.key_id != expected_id:
        raise CheckpointError(
            f"checkpoint names signing key {checkpoint.key_id!r}, but the given public key has id {expected_id!r}"
        )
    try:
        public_key.verify(checkpoint.signature, checkpoint.message())
    except InvalidSignature as error:
        raise CheckpointError(
            f"checkpoint signature does not verify for tree size {checkpoint.tree_size} "
            f"at {format_time(checkpoint.time)} with key {expected_id}"
        ) from error


def verify_extract_signature(
    checkpoint: Checkpoint, files: Mapping[str, str], signature: bytes, public_key_raw: bytes
) -> None:
    """Check an extract's signature over its file list and checkpoint; raise CheckpointError if not."""
    verify_checkpoint(checkpoint, public_key_raw)
    try:
        load_public_key(public_key_raw).verify(bytes(signature), extract_message(checkpoint, files))
    except (InvalidSignature, ValueError, TypeError) as error:
        raise CheckpointError("the extract's signature does not verify: its files are not the ones signed") from error
