"""Merkle trees of RFC 9162 §2.1: published vectors (testdata/rfc6962_vectors.json), the slow reference
in reference.py, tampering that must fail, and the nodes the storage-facing `_from` builders read."""

from __future__ import annotations

import functools
import hashlib
import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pracha.ledger import merkle
from tests.ledger import reference

VECTORS: dict[str, Any] = json.loads((Path(__file__).parent / "testdata" / "rfc6962_vectors.json").read_text())
LEAVES = [bytes.fromhex(h) for h in VECTORS["leaves"]["hex"]]
ROOTS = {c["size"]: bytes.fromhex(c["root"]) for c in VECTORS["roots"]["cases"]}
SOME_HASH = bytes.fromhex("abacaba000000000000000000000000000000000000000000060061e00123456")
EXHAUSTIVE = 64  # every size, index and (m, n) pair up to here
SAMPLED = 300  # hypothesis samples up to here


def ids(cases: list[dict[str, Any]]) -> list[str]:
    return [c["description"] for c in cases]


def hexes(proof: list[str]) -> list[bytes]:
    return [bytes.fromhex(h) for h in proof]


def data(n: int) -> list[bytes]:
    return [b"entry %d" % i for i in range(n)]


def flip(b: bytes, bit: int) -> bytes:
    bit %= 8 * len(b)
    out = bytearray(b)
    out[bit // 8] ^= 1 << (bit % 8)
    return bytes(out)


def flip_in(proof: list[bytes], j: int, bit: int) -> list[bytes]:
    """The proof with one bit of element j flipped."""
    return [flip(p, bit) if k == j else p for k, p in enumerate(proof)]


class Reader:
    """A NodeReader over leaf hashes that checks every request is a perfect subtree inside the tree."""

    def __init__(self, size: int, node: merkle.NodeReader) -> None:
        self.size, self.node = size, node
        self.reads: list[tuple[int, int]] = []

    def __call__(self, height: int, index: int) -> bytes:
        assert height >= 0 and index >= 0 and (index + 1) << height <= self.size, (height, index, self.size)
        self.reads.append((height, index))
        return self.node(height, index)


def list_reader(leaves: list[bytes]) -> Reader:
    return Reader(len(leaves), lambda h, i: reference.mth(leaves[i << h : (i + 1) << h]))


def fake_reader(size: int) -> Reader:
    # Stands in for storage where only the nodes read matter: any deterministic hash per (height, index).
    return Reader(size, lambda h, i: hashlib.sha256(b"%d/%d" % (h, i)).digest())


PERIOD_HEIGHT = 10


@functools.cache
def _periodic(height: int, index: int) -> bytes:
    if height == 0:
        return merkle.leaf_hash(b"entry %d" % index)
    return merkle.node_hash(periodic_node(height - 1, 2 * index), periodic_node(height - 1, 2 * index + 1))


def periodic_node(height: int, index: int) -> bytes:
    """A real tree of any size, cheap to read: leaf i is "entry (i mod 1024)", so every subtree of height
    10 or more is the same and only ~2,000 distinct nodes exist."""
    return _periodic(height, index % (1 << max(PERIOD_HEIGHT - height, 0)))


def periodic_reader(size: int) -> Reader:
    return Reader(size, periodic_node)


# Published vectors ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", VECTORS["hashes"]["cases"], ids=ids(VECTORS["hashes"]["cases"]))
def test_hash_vectors(case: dict[str, Any]) -> None:
    want = bytes.fromhex(case["want"])
    if case["kind"] == "empty_root":
        assert merkle.root([]) == merkle.EMPTY_ROOT == reference.mth([]) == want
        assert merkle.root_from(fake_reader(0), 0) == want
    elif case["kind"] == "leaf":
        assert merkle.leaf_hash(bytes.fromhex(case["input"])) == want
    else:
        assert merkle.node_hash(bytes.fromhex(case["left"]), bytes.fromhex(case["right"])) == want


@pytest.mark.parametrize("case", VECTORS["roots"]["cases"], ids=ids(VECTORS["roots"]["cases"]))
def test_root_vectors(case: dict[str, Any]) -> None:
    leaves, want = LEAVES[: case["size"]], bytes.fromhex(case["root"])
    assert merkle.root(leaves) == reference.mth(leaves) == want
    assert merkle.root_from(list_reader(leaves), len(leaves)) == want


def inclusion_probes(i: int, n: int, leaf: bytes, proof: list[bytes], root: bytes) -> dict[str, tuple[Any, ...]]:
    """transparency-dev's corruptInclusionProof, as (leaf_hash, index, size, proof, root) per description."""
    probes: dict[str, tuple[Any, ...]] = {
        "index - 1": (leaf, i - 1, n, proof, root),
        "index + 1": (leaf, i + 1, n, proof, root),
        "index ^ 2": (leaf, i ^ 2, n, proof, root),
        "size * 2": (leaf, i, n * 2, proof, root),
        "size / 2": (leaf, i, n // 2, proof, root),
        "wrong leaf": (b"WrongLeaf", i, n, proof, root),
        "empty root": (leaf, i, n, proof, merkle.EMPTY_ROOT),
        "random root": (leaf, i, n, proof, SOME_HASH),
        "trailing garbage": (leaf, i, n, [*proof, b""], root),
        "trailing root": (leaf, i, n, [*proof, root], root),
        "preceding garbage": (leaf, i, n, [b"", *proof], root),
        "preceding root": (leaf, i, n, [root, *proof], root),
    }
    for j in range(len(proof)):
        probes[f"proof[{j}] bit 3 flipped"] = (leaf, i, n, flip_in(proof, j, 3), root)
    if proof:
        probes["removed component"] = (leaf, i, n, proof[:-1], root)
    if len(proof) > 1:
        probes["inserted component"] = (leaf, i, n, [proof[0], SOME_HASH, *proof[1:]], root)
    return probes


@pytest.mark.parametrize("case", VECTORS["inclusion"]["cases"], ids=ids(VECTORS["inclusion"]["cases"]))
def test_inclusion_vectors(case: dict[str, Any]) -> None:
    i, n, want = case["index"], case["size"], hexes(case["proof"])
    leaves, leaf = LEAVES[:n], merkle.leaf_hash(LEAVES[case["index"]])
    assert merkle.inclusion_proof(leaves, i) == reference.path(i, leaves) == want
    assert merkle.inclusion_proof_from(list_reader(leaves), i, n) == want
    assert merkle.verify_inclusion(leaf, i, n, want, ROOTS[n])
    accepted = [d for d, p in inclusion_probes(i, n, leaf, want, ROOTS[n]).items() if merkle.verify_inclusion(*p)]
    assert accepted == []


def consistency_probes(m: int, n: int, r1: bytes, r2: bytes, proof: list[bytes]) -> dict[str, tuple[Any, ...]]:
    """transparency-dev's corruptConsistencyProof, as (old_size, new_size, old_root, new_root, proof)."""
    probes: dict[str, tuple[Any, ...]] = {
        "old_size - 1": (m - 1, n, r1, r2, proof),
        "old_size + 1": (m + 1, n, r1, r2, proof),
        "old_size ^ 2": (m ^ 2, n, r1, r2, proof),
        "new_size * 2": (m, n * 2, r1, r2, proof),
        "new_size / 2": (m, n // 2, r1, r2, proof),
        "wrong old root": (m, n, b"WrongRoot", r2, proof),
        "wrong new root": (m, n, r1, b"WrongRoot", proof),
        "swapped roots": (m, n, r2, r1, proof),
        "empty proof": (m, n, r1, r2, []),
        "trailing garbage": (m, n, r1, r2, [*proof, b""]),
        "trailing old root": (m, n, r1, r2, [*proof, r1]),
        "trailing new root": (m, n, r1, r2, [*proof, r2]),
        "preceding garbage": (m, n, r1, r2, [b"", *proof]),
        "preceding old root": (m, n, r1, r2, [r1, *proof]),
        "preceding new root": (m, n, r1, r2, [r2, *proof]),
        "preceding proof[0]": (m, n, r1, r2, [proof[0], *proof]),
        "truncated proof": (m, n, r1, r2, proof[:-1]),
    }
    for j in range(len(proof)):
        probes[f"proof[{j}] bit 4 flipped"] = (m, n, r1, r2, flip_in(proof, j, 4))
    return probes


@pytest.mark.parametrize("case", VECTORS["consistency"]["cases"], ids=ids(VECTORS["consistency"]["cases"]))
def test_consistency_vectors(case: dict[str, Any]) -> None:
    m, n, want = case["old_size"], case["new_size"], hexes(case["proof"])
    leaves = LEAVES[:n]
    assert merkle.consistency_proof(leaves, m) == reference.proof(m, leaves) == want
    assert merkle.consistency_proof_from(list_reader(leaves), m, n) == want
    assert merkle.verify_consistency(m, n, ROOTS[m], ROOTS[n], want)
    if want:  # like transparency-dev, tamper only with non-trivial proofs
        probes = consistency_probes(m, n, ROOTS[m], ROOTS[n], want)
        assert [d for d, p in probes.items() if merkle.verify_consistency(*p)] == []


READS = VECTORS["node_reads"]


@pytest.mark.parametrize("case", READS["inclusion"], ids=ids(READS["inclusion"]))
def test_inclusion_reads_the_published_nodes(case: dict[str, Any]) -> None:
    reader = fake_reader(case["size"])
    merkle.inclusion_proof_from(reader, case["index"], case["size"])
    assert sorted(reader.reads) == sorted(map(tuple, case["nodes"]))


@pytest.mark.parametrize("case", READS["consistency"], ids=ids(READS["consistency"]))
def test_consistency_reads_the_published_nodes(case: dict[str, Any]) -> None:
    reader = fake_reader(case["new_size"])
    merkle.consistency_proof_from(reader, case["old_size"], case["new_size"])
    assert sorted(reader.reads) == sorted(map(tuple, case["nodes"]))


# Against the slow reference -------------------------------------------------------------------------------


def check_inclusion(leaves: list[bytes], i: int, bit: int) -> None:
    n, leaf, root = len(leaves), merkle.leaf_hash(leaves[i]), reference.mth(leaves)
    proof = merkle.inclusion_proof(leaves, i)
    assert proof == reference.path(i, leaves)
    assert merkle.inclusion_proof_from(list_reader(leaves), i, n) == proof
    assert merkle.verify_inclusion(leaf, i, n, proof, root)
    assert not merkle.verify_inclusion(flip(leaf, bit), i, n, proof, root)
    assert not merkle.verify_inclusion(leaf, i, n, proof, flip(root, bit))
    for j in range(len(proof)):
        assert not merkle.verify_inclusion(leaf, i, n, flip_in(proof, j, bit), root)
    for other in {i - 1, i + 1, i ^ 1, i ^ 2, 0, n - 1, n, n + 1} - {i}:
        assert not merkle.verify_inclusion(leaf, other, n, proof, root), other
    # Another size verifies only where the verifier would do the very same hashing (see reference.path_sides).
    sides = reference.path_sides(i, n)
    for size in {n - 1, n + 1, n // 2, n * 2, n ^ 1, n ^ 2, n + 7, 2 * n + 1} - {n}:
        same = i < size and reference.path_sides(i, size) == sides
        assert merkle.verify_inclusion(leaf, i, size, proof, root) == same, size


def check_consistency(leaves: list[bytes], m: int, bit: int) -> None:
    n = len(leaves)
    r1, r2 = reference.mth(leaves[:m]), reference.mth(leaves)
    proof = merkle.consistency_proof(leaves, m)
    assert proof == reference.proof(m, leaves)
    assert merkle.consistency_proof_from(list_reader(leaves), m, n) == proof
    assert merkle.verify_consistency(m, n, r1, r2, proof)
    assert not merkle.verify_consistency(m, n, flip(r1, bit), r2, proof)
    assert not merkle.verify_consistency(m, n, r1, flip(r2, bit), proof)
    for j in range(len(proof)):
        assert not merkle.verify_consistency(m, n, r1, r2, flip_in(proof, j, bit))
    if m == n:
        return
    shape = reference.proof_shape(m, n)
    for m2, n2 in {(m - 1, n), (m + 1, n), (m ^ 2, n), (m, n + 1), (m, n - 1), (m, n * 2), (m, n // 2), (n, m)}:
        if (m2, n2) != (m, n):
            same = 0 < m2 < n2 and reference.proof_shape(m2, n2) == shape
            assert merkle.verify_consistency(m2, n2, r1, r2, proof) == same, (m2, n2)


def test_every_inclusion_proof_up_to_64() -> None:
    for n in range(1, EXHAUSTIVE + 1):
        for i in range(n):
            check_inclusion(data(n), i, bit=n * 31 + i)


def test_every_consistency_proof_up_to_64() -> None:
    for n in range(1, EXHAUSTIVE + 1):
        assert merkle.consistency_proof(data(n), 0) == []
        for m in range(1, n + 1):
            check_consistency(data(n), m, bit=n * 31 + m)


@settings(max_examples=150, deadline=None)
@given(st.integers(1, SAMPLED).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n - 1))), st.integers(0, 255))
def test_sampled_inclusion_proofs(size_index: tuple[int, int], bit: int) -> None:
    n, i = size_index
    check_inclusion(data(n), i, bit)


@settings(max_examples=150, deadline=None)
@given(st.integers(1, SAMPLED).flatmap(lambda n: st.tuples(st.integers(1, n), st.just(n))), st.integers(0, 255))
def test_sampled_consistency_proofs(sizes: tuple[int, int], bit: int) -> None:
    m, n = sizes
    check_consistency(data(n), m, bit)


@settings(max_examples=100, deadline=None)
@given(st.integers(0, SAMPLED))
def test_roots(n: int) -> None:
    leaves = data(n)
    assert merkle.root(leaves) == reference.mth(leaves) == merkle.root_from(list_reader(leaves), n)


# Storage-facing builders ----------------------------------------------------------------------------------

MILLION = 10**6
BUDGET = 2 * math.log2(MILLION) + 2


@settings(max_examples=200, deadline=None)
@given(st.integers(0, MILLION - 1) | st.sampled_from([0, 1, MILLION // 2, MILLION - 2, MILLION - 1]))
def test_inclusion_from_a_million_reads_few_perfect_nodes(index: int) -> None:
    reader = periodic_reader(MILLION)  # checks every read is a perfect subtree inside the tree
    proof = merkle.inclusion_proof_from(reader, index, MILLION)
    assert len(reader.reads) <= BUDGET
    root = merkle.root_from(periodic_reader(MILLION), MILLION)
    assert merkle.verify_inclusion(periodic_node(0, index), index, MILLION, proof, root)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, MILLION) | st.sampled_from([1, 2, 2**19, 2**19 + 1, MILLION - 1, MILLION]))
def test_consistency_from_a_million_reads_few_perfect_nodes(old_size: int) -> None:
    reader = periodic_reader(MILLION)
    proof = merkle.consistency_proof_from(reader, old_size, MILLION)
    assert len(reader.reads) <= BUDGET
    r1 = merkle.root_from(periodic_reader(old_size), old_size)
    r2 = merkle.root_from(periodic_reader(MILLION), MILLION)
    assert merkle.verify_consistency(old_size, MILLION, r1, r2, proof)


def test_the_periodic_tree_is_a_real_tree() -> None:
    leaves = [b"entry %d" % (i % 1024) for i in range(3000)]
    assert merkle.root_from(periodic_reader(3000), 3000) == merkle.root(leaves)


def test_root_from_reads_one_node_per_set_bit() -> None:
    for size in (1, 2, 7, 64, 1000, MILLION, 2**40 - 1):
        reader = fake_reader(size)
        merkle.root_from(reader, size)
        assert len(reader.reads) == bin(size).count("1")


# Bad arguments --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: merkle.inclusion_proof([], 0), "outside a tree of size 0"),
        (lambda: merkle.inclusion_proof(data(3), 3), "outside a tree of size 3"),
        (lambda: merkle.inclusion_proof(data(3), -1), "leaf index -1"),
        (lambda: merkle.inclusion_proof_from(fake_reader(5), 0, -5), "outside"),
        (lambda: merkle.consistency_proof(data(3), 4), "larger than the new tree size"),
        (lambda: merkle.consistency_proof(data(3), -1), "must not be negative"),
        (lambda: merkle.consistency_proof_from(fake_reader(5), 6, 5), "larger"),
        (lambda: merkle.root_from(fake_reader(5), -1), "must not be negative"),
    ],
)
def test_builders_reject_bad_arguments(call: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


def test_edge_cases_of_verification() -> None:
    r1, r3, h = merkle.root(data(1)), merkle.root(data(3)), merkle.leaf_hash(b"entry 0")
    e = merkle.EMPTY_ROOT
    assert merkle.verify_inclusion(h, 0, 1, [], r1)  # a single leaf is its own root
    assert merkle.verify_inclusion(h, 0, 1, (), r1)  # a tuple of hashes is a proof too
    assert not merkle.verify_inclusion(h, 0, 0, [], e)  # nothing is in the empty tree
    assert merkle.verify_consistency(0, 0, e, e, [])
    assert merkle.verify_consistency(0, 3, e, r3, [])  # the empty tree is a prefix of every tree
    assert not merkle.verify_consistency(0, 3, SOME_HASH, r3, [])  # ...but its root must be the empty root
    assert not merkle.verify_consistency(0, 0, e, SOME_HASH, [])
    assert not merkle.verify_consistency(0, 3, e, r3, [e])  # and the proof must be empty
    assert merkle.verify_consistency(3, 3, r3, r3, [])
    assert not merkle.verify_consistency(3, 3, r3, r3, [r3])
    assert not merkle.verify_consistency(3, 3, r3, r1, [])
    assert not merkle.verify_consistency(3, 1, r3, r1, [])  # time travel
    proof = merkle.inclusion_proof(data(1000), 999)
    assert not merkle.verify_inclusion(merkle.leaf_hash(b"entry 999"), 999, 2**200, proof, merkle.root(data(1000)))


JUNK = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=3), st.binary(max_size=40),
    st.lists(st.binary(max_size=40), max_size=3), st.lists(st.integers(), max_size=2), st.just(-1),
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(JUNK, JUNK, JUNK, JUNK, JUNK, st.integers(0, 4))
def test_verifiers_never_raise(a: Any, b: Any, c: Any, d: Any, e: Any, keep: int) -> None:
    leaves = data(5)
    good_inclusion = [merkle.leaf_hash(leaves[1]), 1, 5, merkle.inclusion_proof(leaves, 1), merkle.root(leaves)]
    good_consistency = [2, 5, merkle.root(leaves[:2]), merkle.root(leaves), merkle.consistency_proof(leaves, 2)]
    junk = (a, b, c, d, e)
    for verify, good in ((merkle.verify_inclusion, good_inclusion), (merkle.verify_consistency, good_consistency)):
        # Junk everywhere but one position: an answer, never an exception.
        assert isinstance(verify(*[good[k] if k == keep else junk[k] for k in range(5)]), bool)
        # Junk in one position: False unless it is at least of the right type (another size may verify).
        for k in range(5):
            result = verify(*good[:k], junk[k], *good[k + 1 :])
            assert isinstance(result, bool)
            if type(junk[k]) is not type(good[k]):
                assert result is False, (verify.__name__, k, junk[k])
