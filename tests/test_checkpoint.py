"""Signed checkpoints: genuine ones verify, any forgery or foreign key is refused."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import pytest

from audit.integrity.checkpoint import (
    Checkpoint,
    CheckpointError,
    CheckpointSigner,
    checkpoint_message,
    generate_private_key,
    key_id,
    load_private_key,
    verify_checkpoint,
)
from audit.integrity.merkle import MerkleTree, leaf_hash

# RFC 8032 §7.1 TEST 1 key pair, so the key id below is a fixed, checkable value.
RFC8032_PRIVATE = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
RFC8032_PUBLIC = bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
TIME = datetime(2024, 5, 1, 12, 30, 15, 123456, tzinfo=UTC)


@pytest.fixture
def signer() -> CheckpointSigner:
    return CheckpointSigner(RFC8032_PRIVATE)


@pytest.fixture
def checkpoint(signer: CheckpointSigner) -> Checkpoint:
    tree = MerkleTree(leaf_hash(bytes([i])) for i in range(8))
    return signer.sign(len(tree), tree.root(), TIME)


def flip_first_bit(value: bytes) -> bytes:
    return bytes([value[0] ^ 0x01]) + value[1:]


def test_signed_checkpoint_verifies(signer: CheckpointSigner, checkpoint: Checkpoint) -> None:
    """A checkpoint verifies against the public key of the signer that made it."""
    verify_checkpoint(checkpoint, signer.public_key_raw)


def test_signer_exposes_its_public_key_and_key_id(signer: CheckpointSigner) -> None:
    """The signer's public key and key id derive from its private key as documented."""
    assert signer.public_key_raw == RFC8032_PUBLIC
    assert signer.public_key_hex == RFC8032_PUBLIC.hex()
    assert signer.key_id == hashlib.sha256(RFC8032_PUBLIC).hexdigest()[:16] == key_id(RFC8032_PUBLIC)
    assert len(signer.key_id) == 16


def test_signed_message_has_the_documented_format(checkpoint: Checkpoint) -> None:
    """The signed bytes are the versioned header line, size, hex root and UTC time."""
    expected = (
        b"coordination-ledger checkpoint v1\n8\n" + checkpoint.root.hex().encode() + b"\n2024-05-01T12:30:15.123456Z\n"
    )
    assert checkpoint.message() == expected
    assert checkpoint_message(8, checkpoint.root, TIME) == expected


@pytest.mark.parametrize(
    "forgery",
    [
        lambda cp: dataclasses.replace(cp, root=flip_first_bit(cp.root)),
        lambda cp: dataclasses.replace(cp, tree_size=cp.tree_size + 1),
        lambda cp: dataclasses.replace(cp, tree_size=cp.tree_size - 1),
        lambda cp: dataclasses.replace(cp, time=cp.time + timedelta(microseconds=1)),
        lambda cp: dataclasses.replace(cp, signature=flip_first_bit(cp.signature)),
        lambda cp: dataclasses.replace(cp, signature=cp.signature[:-1] + bytes([cp.signature[-1] ^ 0x80])),
    ],
    ids=["root-changed", "size-grown", "size-shrunk", "time-changed", "signature-first-bit", "signature-last-bit"],
)
def test_forged_checkpoint_is_rejected(
    signer: CheckpointSigner, checkpoint: Checkpoint, forgery: Callable[[Checkpoint], Checkpoint]
) -> None:
    """Changing the root, size, time or one signature bit makes verification fail."""
    with pytest.raises(CheckpointError, match="does not verify"):
        verify_checkpoint(forgery(checkpoint), signer.public_key_raw)


def test_checkpoint_signed_by_another_key_is_rejected(checkpoint: Checkpoint) -> None:
    """A checkpoint signed by a different key has another key id and fails against our key."""
    other = CheckpointSigner(generate_private_key())
    foreign = other.sign(checkpoint.tree_size, checkpoint.root, checkpoint.time)
    assert foreign.key_id != checkpoint.key_id
    with pytest.raises(CheckpointError, match="signing key"):
        verify_checkpoint(foreign, RFC8032_PUBLIC)


def test_checkpoint_relabelled_with_our_key_id_is_rejected(checkpoint: Checkpoint) -> None:
    """A foreign signature under our key id still fails: the signature itself is checked."""
    other = CheckpointSigner(generate_private_key())
    foreign = other.sign(checkpoint.tree_size, checkpoint.root, checkpoint.time)
    relabelled = dataclasses.replace(foreign, key_id=checkpoint.key_id)
    with pytest.raises(CheckpointError, match="does not verify"):
        verify_checkpoint(relabelled, RFC8032_PUBLIC)


def test_verifying_with_a_malformed_public_key_is_rejected(checkpoint: Checkpoint) -> None:
    """A public key that is not 32 raw bytes gives a CheckpointError, not a crash."""
    with pytest.raises(CheckpointError, match="public key"):
        verify_checkpoint(checkpoint, RFC8032_PUBLIC[:31])


def test_to_dict_and_from_dict_round_trip_exactly(signer: CheckpointSigner, checkpoint: Checkpoint) -> None:
    """A checkpoint survives to_dict, JSON and from_dict unchanged and still verifies."""
    data = json.loads(json.dumps(checkpoint.to_dict()))
    restored = Checkpoint.from_dict(data)
    assert restored == checkpoint
    assert restored.message() == checkpoint.message()
    assert restored.to_dict() == data
    verify_checkpoint(restored, signer.public_key_raw)


def test_to_dict_uses_lowercase_hex_and_iso_time(checkpoint: Checkpoint) -> None:
    """to_dict writes the root and signature as lowercase hex and the time as ISO 8601 UTC."""
    data = checkpoint.to_dict()
    assert data["root"] == checkpoint.root.hex() and data["root"] == data["root"].lower()
    assert data["signature"] == checkpoint.signature.hex() and len(data["signature"]) == 128
    assert data["time"] == "2024-05-01T12:30:15.123456Z"
    assert datetime.fromisoformat(data["time"]) == TIME


def test_time_in_another_zone_is_stored_as_utc(signer: CheckpointSigner) -> None:
    """A time given with a non-UTC offset is normalised to UTC and signs the same instant."""
    oslo = TIME.astimezone(timezone(timedelta(hours=2)))
    signed = signer.sign(3, bytes(32), oslo)
    assert signed.time == TIME and signed.time.tzinfo == UTC
    assert signed.message() == signer.sign(3, bytes(32), TIME).message()


def test_naive_time_is_refused(signer: CheckpointSigner) -> None:
    """A time without a timezone is ambiguous and cannot be signed."""
    with pytest.raises(ValueError, match="timezone-aware"):
        signer.sign(3, bytes(32), TIME.replace(tzinfo=None))


@pytest.mark.parametrize(
    "change",
    [
        {"root": "ABCD" * 16},
        {"root": "00" * 31},
        {"signature": "zz"},
        {"time": "2024-05-01T12:30:15+00:00"},
        {"tree_size": -1},
        {"tree_size": "8"},
    ],
    ids=[
        "uppercase-root",
        "short-root",
        "non-hex-signature",
        "time-without-microseconds",
        "negative-size",
        "size-as-text",
    ],
)
def test_from_dict_refuses_malformed_fields(checkpoint: Checkpoint, change: dict[str, object]) -> None:
    """from_dict raises CheckpointError for any field that to_dict would never write."""
    with pytest.raises(CheckpointError, match="malformed"):
        Checkpoint.from_dict({**checkpoint.to_dict(), **change})


def test_from_dict_names_a_missing_field(checkpoint: Checkpoint) -> None:
    """from_dict says which field is missing."""
    data = checkpoint.to_dict()
    del data["signature"]
    with pytest.raises(CheckpointError, match="signature"):
        Checkpoint.from_dict(data)


def test_generated_keys_are_raw_32_bytes_and_distinct() -> None:
    """generate_private_key returns 32 fresh raw bytes that load_private_key accepts."""
    first, second = generate_private_key(), generate_private_key()
    assert len(first) == len(second) == 32 and first != second
    assert CheckpointSigner(load_private_key(first)).key_id == CheckpointSigner(first).key_id
