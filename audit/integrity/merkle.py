"""RFC 9162 (Certificate Transparency v2) Merkle tree, inclusion and consistency proofs.

Hashing (RFC 9162 §2.1.1), with SHA-256:

    leaf hash  = SHA-256(0x00 || leaf data)
    node hash  = SHA-256(0x01 || left child hash || right child hash)
    empty tree = SHA-256("")

The distinct 0x00 / 0x01 prefixes keep a leaf from ever being mistaken for an interior
node (second-preimage resistance), so a leaf's data is never hashed without its prefix.

`MerkleTree` stores leaf *hashes*; callers hash their records with `leaf_hash` first.
The verifiers need no tree: a client holding only a signed root can check proofs.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Sequence

HASH_SIZE = 32
LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
EMPTY_ROOT = hashlib.sha256(b"").digest()


class ProofError(Exception):
    """An inclusion or consistency proof does not hold; the message says why."""


def leaf_hash(data: bytes) -> bytes:
    """Hash one leaf's data: SHA-256(0x00 || data)."""
    return hashlib.sha256(LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Hash two child hashes into their parent: SHA-256(0x01 || left || right)."""
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def _split_point(size: int) -> int:
    """Largest power of two strictly smaller than `size` (size >= 2), the RFC's `k`."""
    return 1 << ((size - 1).bit_length() - 1)


def _is_power_of_two(size: int) -> bool:
    return size > 0 and size & (size - 1) == 0


class MerkleTree:
    """Append-only Merkle tree over 32-byte leaf hashes.

    `_levels[h]` holds, back to back, the hashes of every *complete* subtree of 2**h
    leaves seen so far (level 0 is the leaves themselves). Complete subtrees never change
    once filled, so caching them makes appends amortised O(1) hash operations and lets
    `root`, `inclusion_proof` and `consistency_proof` for any earlier size cost O(log n)
    hash operations. A bytearray per level keeps a million-leaf tree at ~64 MB instead of
    the ~150 MB that a list of bytes objects would take.
    """

    def __init__(self, leaf_hashes: Iterable[bytes] = ()) -> None:
        self._levels: list[bytearray] = [bytearray()]
        self._size = 0
        self.extend(leaf_hashes)

    def __len__(self) -> int:
        return self._size

    def append(self, leaf_hash: bytes) -> None:
        """Add one leaf hash (already computed with `leaf_hash`) at the end of the tree."""
        if not isinstance(leaf_hash, (bytes, bytearray, memoryview)):
            raise TypeError(f"leaf hash must be bytes, not {type(leaf_hash).__name__}")
        if len(leaf_hash) != HASH_SIZE:
            raise ValueError(
                f"leaf hash must be {HASH_SIZE} bytes, got {len(leaf_hash)}; hash the leaf data with leaf_hash() first"
            )
        self._levels[0] += leaf_hash
        self._size += 1
        self._complete_subtrees()

    def extend(self, leaf_hashes: Iterable[bytes]) -> None:
        """Append many leaf hashes in order."""
        for value in leaf_hashes:
            self.append(value)

    def leaf(self, index: int) -> bytes:
        """The leaf hash stored at `index`."""
        if not 0 <= index < self._size:
            raise ValueError(f"leaf index {index} is out of range for a tree of size {self._size}")
        return self._cached(0, index)

    def root(self, size: int | None = None) -> bytes:
        """Merkle Tree Hash (RFC 9162 §2.1.1) of the first `size` leaves (default: all)."""
        size = self._size if size is None else size
        self._check_size(size, "size")
        if size == 0:
            return EMPTY_ROOT
        return self._subtree_hash(0, size)

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        """Audit path of leaf `index` in the tree of the first `size` leaves (§2.1.3.1)."""
        self._check_size(size, "size")
        if not 0 <= index < size:
            raise ValueError(f"leaf index {index} is out of range for a tree of size {size}")
        proof: list[bytes] = []
        start = 0
        # Walk from the root down; siblings are collected top-down and reversed at the end
        # because the proof lists them from the leaf upwards.
        while size > 1:
            k = _split_point(size)
            if index < k:
                proof.append(self._subtree_hash(start + k, size - k))
                size = k
            else:
                proof.append(self._subtree_hash(start, k))
                start, index, size = start + k, index - k, size - k
        proof.reverse()
        return proof

    def consistency_proof(self, first: int, second: int) -> list[bytes]:
        """Proof that the tree of `first` leaves is a prefix of the one of `second` (§2.1.4.1)."""
        self._check_size(second, "second size")
        if not 0 < first <= second:
            raise ValueError(f"consistency proof needs 0 < first <= second, got first={first}, second={second}")
        proof: list[bytes] = []
        start = 0
        first_is_whole_subtree = True  # the RFC's flag `b` in SUBPROOF
        while first != second:
            k = _split_point(second)
            if first <= k:
                proof.append(self._subtree_hash(start + k, second - k))
                second = k
            else:
                proof.append(self._subtree_hash(start, k))
                start, first, second = start + k, first - k, second - k
                first_is_whole_subtree = False
        if not first_is_whole_subtree:
            # The verifier cannot rebuild this subtree from the old root alone.
            proof.append(self._subtree_hash(start, second))
        proof.reverse()
        return proof

    def _check_size(self, size: int, name: str) -> None:
        if not 0 <= size <= self._size:
            raise ValueError(f"{name} {size} is out of range: the tree has size {self._size}")

    def _cached(self, height: int, position: int) -> bytes:
        offset = position * HASH_SIZE
        return bytes(self._levels[height][offset : offset + HASH_SIZE])

    def _complete_subtrees(self) -> None:
        """After an append, hash every pair of complete subtrees the new leaf just closed."""
        height = 0
        while len(self._levels[height]) // HASH_SIZE % 2 == 0:
            level = self._levels[height]
            parent = node_hash(bytes(level[-2 * HASH_SIZE : -HASH_SIZE]), bytes(level[-HASH_SIZE:]))
            if height + 1 == len(self._levels):
                self._levels.append(bytearray())
            self._levels[height + 1] += parent
            height += 1

    def _subtree_hash(self, start: int, size: int) -> bytes:
        """MTH of leaves [start, start + size); a subtree the RFC's recursion produces.

        Every power-of-two sized subtree met in that recursion starts at a multiple of its
        size, so it is found in the cache; only the ragged right edge is hashed here.
        """
        if _is_power_of_two(size):
            height = size.bit_length() - 1
            return self._cached(height, start >> height)
        k = _split_point(size)
        return node_hash(self._subtree_hash(start, k), self._subtree_hash(start + k, size - k))


# --- Verification (needs no tree) -------------------------------------------------------


def _check_hash(value: bytes, what: str) -> None:
    if not isinstance(value, (bytes, bytearray)):
        raise ProofError(f"{what} must be bytes, not {type(value).__name__}")
    if len(value) != HASH_SIZE:
        raise ProofError(f"{what} must be a {HASH_SIZE}-byte SHA-256 hash, got {len(value)} bytes")


def _check_integer(value: int, what: str) -> None:
    # bool is an int subclass, but True as a tree size is always a caller's mistake.
    if isinstance(value, bool) or not isinstance(value, int):
        raise ProofError(f"{what} must be an integer, got {value!r}")


def _check_proof_hashes(proof: Sequence[bytes]) -> None:
    if not isinstance(proof, (list, tuple)):
        raise ProofError(f"proof must be a list of hashes, not {type(proof).__name__}")
    for position, value in enumerate(proof):
        _check_hash(value, f"proof hash #{position}")


def _count(hashes: int) -> str:
    return "1 hash" if hashes == 1 else f"{hashes} hashes"


def _inclusion_proof_length(index: int, size: int) -> int:
    """Number of hashes in the audit path of `index` in a tree of `size` leaves (size >= 1)."""
    # Below the level where the paths to `index` and to the last leaf part, every level
    # contributes one sibling ("inner"); above it, the path runs along the ragged right
    # edge and only levels where it turns right contribute one ("border").
    inner = (index ^ (size - 1)).bit_length()
    border = (index >> inner).bit_count()
    return inner + border


def _consistency_proof_length(first: int, second: int) -> int:
    """Number of hashes in the consistency proof between sizes 0 < first < second."""
    # The proof is the audit path of the last node of the old tree's largest complete
    # right-edge subtree (height `shift`), plus that node itself unless it is the old root.
    shift = (first & -first).bit_length() - 1
    subtree_is_old_root = first == 1 << shift
    return _inclusion_proof_length(first - 1, second) - shift + (0 if subtree_is_old_root else 1)


def root_from_inclusion_proof(leaf_hash: bytes, index: int, tree_size: int, proof: Sequence[bytes]) -> bytes:
    """Recompute the tree root implied by an audit path (RFC 9162 §2.1.3.2, steps 1-4)."""
    _check_integer(index, "leaf index")
    _check_integer(tree_size, "tree size")
    if not 0 <= index < tree_size:
        raise ProofError(f"leaf index {index} is not inside a tree of size {tree_size}")
    _check_hash(leaf_hash, "leaf hash")
    _check_proof_hashes(proof)
    expected = _inclusion_proof_length(index, tree_size)
    if len(proof) != expected:
        raise ProofError(
            f"inclusion proof has {_count(len(proof))}; leaf {index} of a tree of size "
            f"{tree_size} needs exactly {_count(expected)}"
        )
    fn, sn, result = index, tree_size - 1, bytes(leaf_hash)
    for sibling in proof:
        if fn & 1 or fn == sn:
            result = node_hash(sibling, result)
            # Skip levels where this node has no right sibling (ragged right edge).
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            result = node_hash(result, sibling)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("inclusion proof is shorter than the tree requires")
    return result


def verify_inclusion(leaf_hash: bytes, index: int, tree_size: int, proof: Sequence[bytes], root: bytes) -> None:
    """Check that `leaf_hash` is leaf `index` of the tree with `root`; raise ProofError if not."""
    _check_hash(root, "root hash")
    computed = root_from_inclusion_proof(leaf_hash, index, tree_size, proof)
    if not hmac.compare_digest(computed, root):
        raise ProofError(
            f"inclusion proof for leaf {index} does not lead to the given root of the tree "
            f"of size {tree_size} (computed {computed.hex()}, expected {bytes(root).hex()})"
        )


def verify_consistency(first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]) -> None:
    """Check that tree `first_root` is a prefix of tree `second_root` (RFC 9162 §2.1.4.2)."""
    _check_integer(first, "first tree size")
    _check_integer(second, "second tree size")
    if first < 0 or second < 0:
        raise ProofError(f"tree sizes cannot be negative (first={first}, second={second})")
    if first > second:
        raise ProofError(f"first tree size {first} is larger than second tree size {second}")
    if first == 0:
        # Every tree extends the empty tree, so such a proof would prove nothing.
        raise ProofError("a consistency proof from an empty tree (size 0) is refused")
    if first == second:
        _check_equal_sizes(first, first_root, second_root, proof)
        return
    _check_hash(first_root, "first root")
    _check_hash(second_root, "second root")
    _check_proof_hashes(proof)
    expected = _consistency_proof_length(first, second)
    if len(proof) != expected:
        raise ProofError(
            f"consistency proof has {_count(len(proof))}; sizes {first} -> {second} need exactly {_count(expected)}"
        )
    computed_first, computed_second = _roots_from_consistency_proof(first, second, first_root, proof)
    if not hmac.compare_digest(computed_first, first_root):
        raise ProofError(f"consistency proof does not match the root of the first tree (size {first})")
    if not hmac.compare_digest(computed_second, second_root):
        raise ProofError(f"consistency proof does not match the root of the second tree (size {second})")


def _check_equal_sizes(size: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]) -> None:
    # Nothing is hashed between equal sizes, so only the two roots' equality is checked.
    if not all(isinstance(root, (bytes, bytearray)) for root in (first_root, second_root)):
        raise ProofError("both roots must be bytes")
    _check_proof_hashes(proof)
    if len(proof) != 0:
        raise ProofError(f"both trees have size {size}, so the consistency proof must be empty")
    if not hmac.compare_digest(bytes(first_root), bytes(second_root)):
        raise ProofError(f"both trees have size {size} but their roots differ")


def _roots_from_consistency_proof(
    first: int, second: int, first_root: bytes, proof: Sequence[bytes]
) -> tuple[bytes, bytes]:
    """RFC 9162 §2.1.4.2 steps 2-6: rebuild both roots from the proof."""
    path = list(proof)
    if _is_power_of_two(first):
        # The old tree is itself a complete subtree of the new one; its root starts the path.
        path.insert(0, bytes(first_root))
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    first_hash = second_hash = path[0]
    for value in path[1:]:
        if sn == 0:
            raise ProofError("consistency proof is longer than the trees allow")
        if fn & 1 or fn == sn:
            first_hash = node_hash(value, first_hash)
            second_hash = node_hash(value, second_hash)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            second_hash = node_hash(second_hash, value)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("consistency proof is shorter than the trees require")
    return first_hash, second_hash
