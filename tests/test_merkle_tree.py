"""Property tests: the cached MerkleTree agrees with a naive RFC 9162 MTH, and its proofs
verify exactly when they should."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audit.integrity.merkle import (
    EMPTY_ROOT,
    MerkleTree,
    ProofError,
    leaf_hash,
    node_hash,
    verify_consistency,
    verify_inclusion,
)

MAX_LEAVES = 300


# Unique data gives distinct leaf hashes, so a proof for one leaf cannot match another.
def leaf_lists(min_size: int = 1) -> st.SearchStrategy[list[bytes]]:
    return st.lists(st.binary(max_size=16), min_size=min_size, max_size=MAX_LEAVES, unique=True)


leaf_data = leaf_lists()


def naive_root(leaves: list[bytes]) -> bytes:
    """RFC 9162 §2.1.1 MTH written straight from the definition, with no caching."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return node_hash(naive_root(leaves[:k]), naive_root(leaves[k:]))


def build(data: list[bytes]) -> tuple[MerkleTree, list[bytes]]:
    leaves = [leaf_hash(item) for item in data]
    return MerkleTree(leaves), leaves


def flip_bit(value: bytes, bit: int) -> bytes:
    flipped = bytearray(value)
    flipped[bit // 8] ^= 1 << (bit % 8)
    return bytes(flipped)


@given(data=leaf_data, choice=st.data())
def test_cached_root_equals_naive_root(data: list[bytes], choice: st.DataObject) -> None:
    """root(size) of the cached tree equals the naive recursive MTH for the full and a random size."""
    tree, leaves = build(data)
    size = choice.draw(st.integers(0, len(leaves)), label="size")
    assert tree.root() == naive_root(leaves)
    assert tree.root(size) == naive_root(leaves[:size])


def test_cached_root_equals_naive_root_for_every_small_size() -> None:
    """root(size) equals the naive MTH for every size from 0 to 130, across several power-of-two edges."""
    tree, leaves = build([i.to_bytes(2, "big") for i in range(130)])
    for size in range(len(leaves) + 1):
        assert tree.root(size) == naive_root(leaves[:size])


@given(data=leaf_data, choice=st.data())
def test_every_inclusion_proof_verifies(data: list[bytes], choice: st.DataObject) -> None:
    """Every leaf's inclusion proof in a tree of random size verifies against root(size)."""
    tree, leaves = build(data)
    size = choice.draw(st.integers(1, len(leaves)), label="size")
    root = tree.root(size)
    for index in range(size):
        verify_inclusion(leaves[index], index, size, tree.inclusion_proof(index, size), root)


@given(data=leaf_data, choice=st.data())
def test_every_consistency_proof_verifies(data: list[bytes], choice: st.DataObject) -> None:
    """Every consistency proof from each smaller size to a random size verifies."""
    tree, _ = build(data)
    second = choice.draw(st.integers(1, len(tree)), label="second")
    second_root = tree.root(second)
    for first in range(1, second + 1):
        proof = tree.consistency_proof(first, second)
        verify_consistency(first, second, tree.root(first), second_root, proof)


@given(data=leaf_lists(2), choice=st.data())
def test_inclusion_proof_with_a_flipped_bit_is_rejected(data: list[bytes], choice: st.DataObject) -> None:
    """Flipping any single bit of any hash in an inclusion proof makes it fail."""
    tree, leaves = build(data)
    size = choice.draw(st.integers(2, len(leaves)), label="size")
    index = choice.draw(st.integers(0, size - 1), label="index")
    proof = tree.inclusion_proof(index, size)
    position = choice.draw(st.integers(0, len(proof) - 1), label="position")
    proof[position] = flip_bit(proof[position], choice.draw(st.integers(0, 255), label="bit"))
    with pytest.raises(ProofError):
        verify_inclusion(leaves[index], index, size, proof, tree.root(size))


@given(data=leaf_data, choice=st.data())
def test_inclusion_with_a_flipped_bit_in_leaf_or_root_is_rejected(data: list[bytes], choice: st.DataObject) -> None:
    """Flipping one bit of the leaf hash or of the root makes a valid proof fail."""
    tree, leaves = build(data)
    size = choice.draw(st.integers(1, len(leaves)), label="size")
    index = choice.draw(st.integers(0, size - 1), label="index")
    proof, root, leaf = tree.inclusion_proof(index, size), tree.root(size), leaves[index]
    bit = choice.draw(st.integers(0, 255), label="bit")
    with pytest.raises(ProofError):
        verify_inclusion(flip_bit(leaf, bit), index, size, proof, root)
    with pytest.raises(ProofError):
        verify_inclusion(leaf, index, size, proof, flip_bit(root, bit))


@given(data=leaf_lists(2), choice=st.data())
def test_inclusion_proof_from_another_index_is_rejected(data: list[bytes], choice: st.DataObject) -> None:
    """A leaf checked with the proof generated for a different index fails."""
    tree, leaves = build(data)
    size = choice.draw(st.integers(2, len(leaves)), label="size")
    index = choice.draw(st.integers(0, size - 1), label="index")
    other = choice.draw(st.integers(0, size - 1).filter(lambda i: i != index), label="other")
    with pytest.raises(ProofError):
        verify_inclusion(leaves[index], index, size, tree.inclusion_proof(other, size), tree.root(size))
    with pytest.raises(ProofError):
        verify_inclusion(leaves[index], other, size, tree.inclusion_proof(other, size), tree.root(size))


@given(data=leaf_lists(2), choice=st.data())
def test_consistency_proof_with_a_flipped_bit_is_rejected(data: list[bytes], choice: st.DataObject) -> None:
    """Flipping any single bit of any hash in a non-empty consistency proof makes it fail."""
    tree, _ = build(data)
    second = choice.draw(st.integers(2, len(tree)), label="second")
    first = choice.draw(st.integers(1, second - 1), label="first")
    proof = tree.consistency_proof(first, second)
    position = choice.draw(st.integers(0, len(proof) - 1), label="position")
    proof[position] = flip_bit(proof[position], choice.draw(st.integers(0, 255), label="bit"))
    with pytest.raises(ProofError):
        verify_consistency(first, second, tree.root(first), tree.root(second), proof)


@given(data=leaf_lists(3), choice=st.data())
def test_consistency_proof_for_other_sizes_is_rejected(data: list[bytes], choice: st.DataObject) -> None:
    """A consistency proof checked against roots of a different first size fails."""
    tree, _ = build(data)
    second = choice.draw(st.integers(3, len(tree)), label="second")
    first = choice.draw(st.integers(1, second - 1), label="first")
    other = choice.draw(st.integers(1, second - 1).filter(lambda i: i != first), label="other")
    proof = tree.consistency_proof(first, second)
    with pytest.raises(ProofError):
        verify_consistency(other, second, tree.root(other), tree.root(second), proof)


@settings(max_examples=25)
@given(data=leaf_lists(2))
def test_tree_built_by_appends_matches_tree_built_at_once(data: list[bytes]) -> None:
    """Appending leaves one by one keeps every intermediate root equal to the naive MTH."""
    tree, leaves = MerkleTree(), [leaf_hash(item) for item in data]
    for count, leaf in enumerate(leaves[:40], start=1):
        tree.append(leaf)
        assert tree.root() == naive_root(leaves[:count])
    tree.extend(leaves[40:])
    assert len(tree) == len(leaves)
    assert [tree.leaf(i) for i in range(len(tree))] == leaves


def test_empty_tree_has_the_empty_root() -> None:
    """A tree with no leaves has length 0 and the SHA-256 of nothing as its root."""
    assert len(MerkleTree()) == 0
    assert MerkleTree().root() == EMPTY_ROOT == hashlib.sha256(b"").digest()


@pytest.mark.parametrize(
    "call",
    [
        lambda tree: tree.root(5),
        lambda tree: tree.root(-1),
        lambda tree: tree.leaf(4),
        lambda tree: tree.inclusion_proof(4, 4),
        lambda tree: tree.inclusion_proof(0, 5),
        lambda tree: tree.inclusion_proof(-1, 4),
        lambda tree: tree.consistency_proof(0, 4),
        lambda tree: tree.consistency_proof(3, 2),
        lambda tree: tree.consistency_proof(1, 5),
        lambda tree: tree.append(b"short"),
    ],
    ids=[
        "root-beyond-size",
        "negative-root-size",
        "leaf-beyond-size",
        "index-equal-to-size",
        "proof-size-beyond-tree",
        "negative-index",
        "consistency-from-zero",
        "consistency-first-above-second",
        "consistency-beyond-tree",
        "leaf-hash-not-32-bytes",
    ],
)
def test_out_of_range_arguments_raise_value_error(call: Callable[[MerkleTree], object]) -> None:
    """Tree methods refuse impossible sizes, indices and leaf hashes with a ValueError."""
    tree = MerkleTree(leaf_hash(bytes([i])) for i in range(4))
    with pytest.raises(ValueError):
        call(tree)


def test_consistency_proof_between_equal_sizes_is_empty() -> None:
    """A tree is trivially consistent with itself, so the proof is empty and verifies."""
    tree = MerkleTree(leaf_hash(bytes([i])) for i in range(5))
    assert tree.consistency_proof(5, 5) == []
    verify_consistency(5, 5, tree.root(), tree.root(), [])
