"""RFC 9162 conformance: the shared transparency-dev/merkle vectors and the README's tree.

The vectors live outside the repository, in `<parent of repo>/shared/vectors/rfc9162/`,
or wherever the environment variable LEDGER_VECTORS_DIR points (either at that
`rfc9162` directory itself or at a directory containing it). A missing directory is a
test failure, never a skip: silently skipping conformance would hide a broken setup.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from pathlib import Path
from typing import Any

import pytest

from audit.integrity.merkle import (
    EMPTY_ROOT,
    MerkleTree,
    ProofError,
    leaf_hash,
    verify_consistency,
    verify_inclusion,
)

ENV_VAR = "LEDGER_VECTORS_DIR"
DEFAULT_DIR = Path(__file__).resolve().parents[2] / "shared" / "vectors" / "rfc9162"
MISSING = "vectors-directory-missing"

# The README's eight leaf inputs (hex) and the root of the tree of the first n leaves.
README_LEAF_INPUTS = [
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
]
README_ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]


def vectors_dir() -> Path:
    """The rfc9162 vectors directory, from LEDGER_VECTORS_DIR or beside the repository."""
    configured = os.environ.get(ENV_VAR)
    if not configured:
        return DEFAULT_DIR
    base = Path(configured).expanduser().resolve()
    return base / "rfc9162" if (base / "rfc9162").is_dir() else base


def missing_message(pattern: str) -> str:
    return (
        f"RFC 9162 conformance vectors not found: expected {pattern} under {vectors_dir()}. "
        f"Put the shared vectors beside the repository or set {ENV_VAR}."
    )


def vector_params(kind: str) -> list[Any]:
    """One pytest param per JSON file under `kind/` (recursively), id = its relative path."""
    root = vectors_dir()
    files = sorted((root / kind).rglob("*.json")) if (root / kind).is_dir() else []
    if not files:
        # A single failing param, because an empty parameter set would only be skipped.
        return [pytest.param(None, id=f"{kind}-{MISSING}")]
    return [pytest.param(path, id=path.relative_to(root).with_suffix("").as_posix()) for path in files]


def load_vector(path: Path | None, kind: str) -> dict[str, Any]:
    if path is None:
        pytest.fail(missing_message(f"{kind}/**/*.json"))
    return json.loads(path.read_text(encoding="utf-8"))


def decode(value: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except binascii.Error as error:
        pytest.fail(f"vector holds invalid base64 {value!r}: {error}")


def decode_proof(values: list[str] | None) -> list[bytes]:
    # The Go vectors serialise an empty proof as null.
    return [decode(value) for value in values or []]


def test_vectors_directory_exists() -> None:
    """The shared RFC 9162 vectors directory is present and holds both kinds of vectors."""
    for kind in ("inclusion", "consistency"):
        if not list((vectors_dir() / kind).rglob("*.json")):
            pytest.fail(missing_message(f"{kind}/**/*.json"))


@pytest.mark.parametrize("path", vector_params("inclusion"))
def test_inclusion_vector_is_accepted_exactly_when_valid(path: Path | None) -> None:
    """The inclusion verifier accepts exactly the vectors marked wantErr: false."""
    vector = load_vector(path, "inclusion")
    arguments = (
        decode(vector["leafHash"]),
        vector["leafIdx"],
        vector["treeSize"],
        decode_proof(vector["proof"]),
        decode(vector["root"]),
    )
    if vector["wantErr"]:
        with pytest.raises(ProofError):
            verify_inclusion(*arguments)
    else:
        verify_inclusion(*arguments)


@pytest.mark.parametrize("path", vector_params("consistency"))
def test_consistency_vector_is_accepted_exactly_when_valid(path: Path | None) -> None:
    """The consistency verifier accepts exactly the vectors marked wantErr: false."""
    vector = load_vector(path, "consistency")
    arguments = (
        vector["size1"],
        vector["size2"],
        decode(vector["root1"]),
        decode(vector["root2"]),
        decode_proof(vector["proof"]),
    )
    if vector["wantErr"]:
        with pytest.raises(ProofError):
            verify_consistency(*arguments)
    else:
        verify_consistency(*arguments)


def readme_tree() -> MerkleTree:
    return MerkleTree(leaf_hash(bytes.fromhex(data)) for data in README_LEAF_INPUTS)


def test_empty_root_is_the_hash_of_nothing() -> None:
    """The root of the empty tree is SHA-256 of the empty string, as in the README table."""
    assert EMPTY_ROOT.hex() == README_ROOTS[0]
    assert MerkleTree().root() == EMPTY_ROOT


@pytest.mark.parametrize("size", range(len(README_ROOTS)))
def test_tree_of_readme_leaves_has_the_readme_root(size: int) -> None:
    """The tree of the first n README leaves has the root listed for n in the README table."""
    assert readme_tree().root(size).hex() == README_ROOTS[size]


def test_tree_built_one_leaf_at_a_time_has_each_readme_root() -> None:
    """Each README root is also the full-tree root right after the n-th append."""
    tree = MerkleTree()
    assert tree.root().hex() == README_ROOTS[0]
    for count, data in enumerate(README_LEAF_INPUTS, start=1):
        tree.append(leaf_hash(bytes.fromhex(data)))
        assert tree.root().hex() == README_ROOTS[count]


@pytest.mark.parametrize("size", range(1, 9))
def test_own_inclusion_proofs_of_readme_tree_verify(size: int) -> None:
    """Every inclusion proof the tree makes for sizes 1..8 verifies against the README root."""
    tree = readme_tree()
    root = bytes.fromhex(README_ROOTS[size])
    for index in range(size):
        verify_inclusion(tree.leaf(index), index, size, tree.inclusion_proof(index, size), root)


@pytest.mark.parametrize("second", range(1, 9))
def test_own_consistency_proofs_of_readme_tree_verify(second: int) -> None:
    """Every consistency proof the tree makes for 1 <= m <= n <= 8 verifies against README roots."""
    tree = readme_tree()
    for first in range(1, second + 1):
        verify_consistency(
            first,
            second,
            bytes.fromhex(README_ROOTS[first]),
            bytes.fromhex(README_ROOTS[second]),
            tree.consistency_proof(first, second),
        )


def test_readme_tree_matches_the_happy_path_vectors() -> None:
    """The tree's own proofs equal the proofs recorded in every happy-path vector of size <= 8."""
    tree = readme_tree()
    checked = 0
    for path in sorted(vectors_dir().rglob("happy-path.json")):
        vector = json.loads(path.read_text(encoding="utf-8"))
        if "leafIdx" in vector and vector["treeSize"] <= len(tree):
            own = tree.inclusion_proof(vector["leafIdx"], vector["treeSize"])
        elif "size1" in vector and vector["size2"] <= len(tree):
            own = tree.consistency_proof(vector["size1"], vector["size2"])
        else:
            continue
        assert own == decode_proof(vector["proof"]), path
        checked += 1
    if checked == 0:
        pytest.fail(missing_message("happy-path.json files of trees up to size 8"))
