"""Merkle tree hashes and proofs of RFC 9162 (Certificate Transparency 2.0) §2.1, with SHA-256.

Pure: imports nothing of ours and touches no database.

- §2.1.1 hashing: a leaf is SHA-256(0x00 || data), an inner node SHA-256(0x01 || left || right); the
  empty tree's root is SHA-256 of the empty string. A tree of n > 1 leaves splits at k, the largest
  power of two smaller than n: MTH(D[n]) = HASH(0x01 || MTH(D[0:k]) || MTH(D[k:n])).
- §2.1.3.1 inclusion proofs PATH(m, D[n]) and §2.1.4.1 consistency proofs PROOF(m, D[n]) =
  SUBPROOF(m, D[n], true), as lists of 32-byte hashes in the RFC's order (nearest the leaf first).
- §2.1.3.2 and §2.1.4.2: the iterative verification algorithms, used exactly as written.

Storage does not hold lists of leaves, so every root and proof is also built from a `NodeReader`:
`node(height, index)` is the hash of the *perfect, aligned* subtree over leaves
[index·2^height, (index+1)·2^height); height 0 are leaf hashes. The split at k keeps every left part
perfect and aligned, so each subtree the RFC names is a run of perfect subtrees whose hashes fold
right to left: a root needs popcount(size) reads, and a proof fewer than 2·log2(size) + 2. Only
subtrees wholly inside [0, size) are read. The list functions are thin wrappers over a reader.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

NodeReader = Callable[[int, int], bytes]

HASH_SIZE = 32
LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    """RFC 9162 §2.1.1: MTH({d(0)}) = HASH(0x00 || d(0))."""
    return hashlib.sha256(LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 9162 §2.1.1: the hash of an inner node, HASH(0x01 || left || right)."""
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def _subtree(node: NodeReader, start: int, n: int) -> bytes:
    """MTH of leaves [start, start + n) as the RFC splits them: the perfect subtrees the range
    decomposes into (largest first, each aligned), folded right to left with node_hash."""
    parts: list[bytes] = []
    while n:
        height = n.bit_length() - 1
        parts.append(node(height, start >> height))
        start += 1 << height
        n -= 1 << height
    result = parts.pop()
    while parts:
        result = node_hash(parts.pop(), result)
    return result


def _check_size(size: int, what: str) -> None:
    if size < 0:
        raise ValueError(f"{what} must not be negative, got {size}")


def root_from(node: NodeReader, size: int) -> bytes:
    """MTH(D[size]) from perfect subtrees; the empty tree's root is SHA-256 of the empty string."""
    _check_size(size, "tree size")
    return _subtree(node, 0, size) if size else EMPTY_ROOT


def inclusion_proof_from(node: NodeReader, index: int, size: int) -> list[bytes]:
    """RFC 9162 §2.1.3.1 PATH(index, D[size]): the siblings from the leaf up to the root."""
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is outside a tree of size {size}")
    top_down: list[bytes] = []
    start, n, m = 0, size, index
    while n > 1:
        k = _split(n)
        if m < k:  # PATH(m, D[0:k]) : MTH(D[k:n])
            top_down.append(_subtree(node, start + k, n - k))
            n = k
        else:  # PATH(m - k, D[k:n]) : MTH(D[0:k])
            top_down.append(_subtree(node, start, k))
            start, n, m = start + k, n - k, m - k
    return top_down[::-1]


def consistency_proof_from(node: NodeReader, old_size: int, new_size: int) -> list[bytes]:
    """RFC 9162 §2.1.4.1 PROOF(old_size, D[new_size]) = SUBPROOF(old_size, D[new_size], true).

    The RFC defines it for 0 < old_size < new_size; for old_size 0 (the empty tree is a prefix of
    every tree) and old_size == new_size the proof is empty."""
    _check_size(old_size, "old tree size")
    if old_size > new_size:
        raise ValueError(f"old tree size {old_size} is larger than the new tree size {new_size}")
    if old_size == 0 or old_size == new_size:
        return []
    top_down: list[bytes] = []
    start, n, m, whole = 0, new_size, old_size, True
    while m != n:
        k = _split(n)
        if m <= k:  # SUBPROOF(m, D[0:k], b) : MTH(D[k:n])
            top_down.append(_subtree(node, start + k, n - k))
            n = k
        else:  # SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k])
            top_down.append(_subtree(node, start, k))
            start, n, m, whole = start + k, n - k, m - k, False
    if not whole:  # SUBPROOF(m, D[m], false) = {MTH(D[m])}
        top_down.append(_subtree(node, start, n))
    return top_down[::-1]


def _reader(leaves: list[bytes]) -> NodeReader:
    """A NodeReader over raw leaf inputs, every perfect subtree hashed once up front (O(n))."""
    return _hash_reader([leaf_hash(d) for d in leaves])


def _hash_reader(hashes: list[bytes]) -> NodeReader:
    """A NodeReader over leaf hashes, every perfect subtree hashed once up front (about n hashes)."""
    levels = [hashes]
    while len(levels[-1]) > 1:
        below = levels[-1]
        levels.append([node_hash(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)])

    def node(height: int, index: int) -> bytes:
        if not (0 <= height < len(levels) and 0 <= index < len(levels[height])):
            raise ValueError(f"no perfect subtree at height {height}, index {index}")
        return levels[height][index]

    return node


def root_from_hashes(hashes: list[bytes]) -> bytes:
    """MTH of a tree given its leaf hashes rather than its leaf inputs."""
    return root_from(_hash_reader(hashes), len(hashes))


def root(leaves: list[bytes]) -> bytes:
    """MTH(D[n]) of the raw leaf inputs (RFC 9162 §2.1.1)."""
    return root_from(_reader(leaves), len(leaves))


def inclusion_proof(leaves: list[bytes], index: int) -> list[bytes]:
    """PATH(index, D[n]) over the raw leaf inputs (RFC 9162 §2.1.3.1)."""
    return inclusion_proof_from(_reader(leaves), index, len(leaves))


def consistency_proof(leaves: list[bytes], old_size: int) -> list[bytes]:
    """PROOF(old_size, D[n]) over the raw leaf inputs (RFC 9162 §2.1.4.1)."""
    return consistency_proof_from(_reader(leaves), old_size, len(leaves))


def _is_hash(h: object) -> bool:
    return isinstance(h, bytes) and len(h) == HASH_SIZE


def _is_proof(proof: object) -> bool:
    return isinstance(proof, list | tuple) and all(_is_hash(p) for p in proof)


def _is_size(n: object) -> bool:
    return isinstance(n, int) and not isinstance(n, bool) and n >= 0


def verify_inclusion(leaf_hash: bytes, index: int, size: int, proof: list[bytes], root: bytes) -> bool:
    """RFC 9162 §2.1.3.2: does `proof` show the leaf with this hash at `index` in the tree `root`?

    False, never an exception, for any malformed input."""
    if not (_is_hash(leaf_hash) and _is_hash(root) and _is_size(index) and _is_size(size)):
        return False
    if not _is_proof(proof):
        return False
    if index >= size:  # step 1
        return False
    fn, sn, r = index, size - 1, leaf_hash  # steps 2-3
    for p in proof:  # step 4
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while fn and not fn & 1:  # LSB(fn) unset: shift until it is set or fn is 0
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root  # step 5


def verify_consistency(old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: list[bytes]) -> bool:
    """RFC 9162 §2.1.4.2: does `proof` show the tree `old_root` is a prefix of the tree `new_root`?

    The RFC's algorithm covers 0 < old_size < new_size. Equal sizes need an empty proof and equal
    roots; old_size 0 needs an empty proof and old_root the empty tree's root. False, never an
    exception, for any malformed input."""
    if not (_is_hash(old_root) and _is_hash(new_root) and _is_size(old_size) and _is_size(new_size)):
        return False
    if not _is_proof(proof):
        return False
    if old_size > new_size:
        return False
    if old_size == new_size:
        return not proof and old_root == new_root and (old_size > 0 or old_root == EMPTY_ROOT)
    if old_size == 0:
        return not proof and old_root == EMPTY_ROOT
    if not proof:  # step 1
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # step 2: old_size is a power of two
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1  # step 3
    while fn & 1:  # step 4
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]  # step 5
    for c in path[1:]:  # step 6
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while fn and not fn & 1:  # LSB(fn) unset: shift until it is set or fn is 0
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return fr == old_root and sr == new_root and sn == 0  # step 7
