"""The history of the ledger's signing keys: which key signed checkpoints, and from when.

Rotating the signing key must not orphan the checkpoints signed before: outside parties kept
them, and `verify` and bundles check them. So the ledger keeps every public key it has signed
with, each valid from the moment it was introduced until the next one was. Each key after the
first is introduced by a statement its predecessor signed (UTF-8, one field per line):

    coordination-ledger signing key v1
    <key id of the previous key>
    <the new public key, 64 lowercase hex digits>
    <valid from, as checkpoint times are written>

The first line names the purpose, so the statement can never pass for a checkpoint and no
checkpoint for a statement (audit/integrity/checkpoint.py). The history cannot be extended
without the current private key, and whoever trusts one key of it (the ledger's first, or one
pinned out of band) can follow the statements to every later key.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidSignature

from audit.integrity.checkpoint import (
    CheckpointError,
    format_time,
    key_id,
    load_public_key,
    parse_time,
)

STATEMENT_HEADER = b"coordination-ledger signing key v1\n"


def transition_message(previous_key_id: str, public_key: bytes, valid_from: datetime) -> bytes:
    """The exact bytes the previous key signs to introduce `public_key`."""
    return STATEMENT_HEADER + f"{previous_key_id}\n{public_key.hex()}\n{format_time(valid_from)}\n".encode("ascii")


@dataclass(frozen=True)
class SigningKey:
    """One key of the history. The first has no `valid_from` (it signed from the beginning) and no
    `introduced`; every later one has both."""

    public_key: bytes
    valid_from: datetime | None = None
    introduced: bytes | None = None  # the previous key's signature over transition_message(...)

    @property
    def key_id(self) -> str:
        return key_id(self.public_key)

    def to_dict(self) -> dict[str, Any]:
        return {
            "key_id": self.key_id,
            "public_key": self.public_key.hex(),
            "valid_from": format_time(self.valid_from) if self.valid_from is not None else None,
            "introduced": self.introduced.hex() if self.introduced is not None else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SigningKey:
        """Parse `to_dict()` output (or a stored row); CheckpointError naming what is wrong."""
        try:
            public_key = bytes.fromhex(data["public_key"])
            valid_from = parse_time(data["valid_from"]) if data.get("valid_from") else None
            introduced = bytes.fromhex(data["introduced"]) if data.get("introduced") else None
        except (KeyError, TypeError, ValueError) as e:
            raise CheckpointError(f"malformed signing key entry: {e}") from None
        if len(public_key) != 32:
            raise CheckpointError("malformed signing key entry: a public key is 32 bytes")
        return cls(public_key, valid_from, introduced)


def history_problems(history: Sequence[SigningKey]) -> list[str]:
    """What is wrong with a history (empty when every introduction verifies, in time order)."""
    problems = []
    for i, entry in enumerate(history):
        if i == 0:
            if entry.valid_from is not None or entry.introduced is not None:
                problems.append(f"signing key {entry.key_id}: the first key is introduced by nobody")
            continue
        previous = history[i - 1]
        if entry.valid_from is None or entry.introduced is None:
            problems.append(f"signing key {entry.key_id}: no introduction by the key before it ({previous.key_id})")
            continue
        if previous.valid_from is not None and entry.valid_from <= previous.valid_from:
            problems.append(
                f"signing key {entry.key_id}: valid from {format_time(entry.valid_from)}, not after its predecessor"
            )
        try:
            load_public_key(previous.public_key).verify(
                entry.introduced, transition_message(previous.key_id, entry.public_key, entry.valid_from)
            )
        except (InvalidSignature, ValueError):
            problems.append(
                f"signing key {entry.key_id}: its introduction does not verify with the key before it "
                f"({previous.key_id})"
            )
    return problems


def key_at(history: Sequence[SigningKey], key_id_: str, moment: datetime) -> SigningKey | None:
    """The key of the history with this id that was valid at `moment` (None: no such key then)."""
    for i, entry in enumerate(history):
        until = history[i + 1].valid_from if i + 1 < len(history) else None
        if entry.key_id != key_id_:
            continue
        if (entry.valid_from is None or entry.valid_from <= moment) and (until is None or moment < until):
            return entry
    return None


def chain_up_to(history: Sequence[SigningKey], public_key: bytes) -> list[SigningKey]:
    """The history from its first key up to and including `public_key` (what a bundle carries)."""
    for i, entry in enumerate(history):
        if entry.public_key == public_key:
            return list(history[: i + 1])
    return []
