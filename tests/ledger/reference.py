"""A slow reference for pracha.ledger.merkle, written straight from RFC 9162 §2.1.1-§2.1.4.

Recursive definitions over lists, exactly as the RFC states them, with nothing shared with the module
under test (not even its hash functions). Quadratic and slow on purpose: it is the yardstick.
"""

from __future__ import annotations

import hashlib


def _hash(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _k(n: int) -> int:
    # "let k be the largest power of two smaller than n (i.e., k < n <= 2k)"
    k = 1
    while k * 2 < n:
        k *= 2
    assert k < n <= 2 * k
    return k


def mth(d: list[bytes]) -> bytes:
    """§2.1.1 Merkle Tree Hash."""
    n = len(d)
    if n == 0:
        return _hash(b"")  # "The hash of an empty list is the hash of an empty string"
    if n == 1:
        return _hash(b"\x00" + d[0])
    k = _k(n)
    return _hash(b"\x01" + mth(d[0:k]) + mth(d[k:n]))


def path(m: int, d: list[bytes]) -> list[bytes]:
    """§2.1.3.1 PATH(m, D_n), 0 <= m < n."""
    n = len(d)
    assert 0 <= m < n
    if n == 1:
        return []
    k = _k(n)
    if m < k:
        return path(m, d[0:k]) + [mth(d[k:n])]
    return path(m - k, d[k:n]) + [mth(d[0:k])]


def subproof(m: int, d: list[bytes], b: bool) -> list[bytes]:
    """§2.1.4.1 SUBPROOF(m, D_n, b)."""
    n = len(d)
    if m == n:
        return [] if b else [mth(d)]
    k = _k(n)
    if m <= k:
        return subproof(m, d[0:k], b) + [mth(d[k:n])]
    return subproof(m - k, d[k:n], False) + [mth(d[0:k])]


def proof(m: int, d: list[bytes]) -> list[bytes]:
    """§2.1.4.1 PROOF(m, D_n) = SUBPROOF(m, D_n, true), defined for 0 < m < n (here also m == n)."""
    assert 0 < m <= len(d)
    return subproof(m, d, True)


# Which side of the running hash each proof element stands on, read off the same recursions. A verifier
# given (index, size) or (m, n) performs exactly this sequence of combinations, so two argument sets with
# equal shapes verify the same proofs: roots do not commit to the tree size (hence CT signs size and root
# together), and the tests use these shapes to say exactly when a "wrong" size must fail.


def path_sides(m: int, n: int) -> list[str]:
    """For PATH(m, D_n): 'R' where MTH(D[k:n]) is appended (a right sibling), 'L' for MTH(D[0:k])."""
    if n == 1:
        return []
    k = _k(n)
    return path_sides(m, k) + ["R"] if m < k else path_sides(m - k, n - k) + ["L"]


def proof_shape(m: int, n: int, b: bool = True) -> list[str]:
    """For SUBPROOF(m, D_n, b): 'R'/'L' as above, and 'start' for the subtree hash SUBPROOF(m, D[m], false)
    emits; when b survives to the bottom the verifier starts from the old root itself ('old-root')."""
    if m == n:
        return ["old-root"] if b else ["start"]
    k = _k(n)
    return proof_shape(m, k, b) + ["R"] if m <= k else proof_shape(m - k, n - k, False) + ["L"]
