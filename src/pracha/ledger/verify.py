"""`pracha ledger verify`: check a log from outside, over HTTP, trusting only its verifier key.

1. The checkpoint's signature. 2. Consistency with the last checkpoint this verifier saw (kept in a
state file): a log that shrank, forked or rewrote history fails here. 3. With `full`, every entry
bundle and every level-0 tile is fetched, each entry is hashed and compared with its tile hash, and
the root is recomputed and compared with the signed one; the first bad index is named.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx

from pracha.ledger import merkle, note, tiles

Progress = Callable[[int], None]


@dataclass(frozen=True)
class Result:
    ok: bool
    size: int
    message: str
    first_bad_index: int | None = None


def fetch_checkpoint(http: httpx.Client, verifier: note.Verifier) -> tuple[str, note.Checkpoint]:
    text = http.get("/ledger/checkpoint").raise_for_status().text
    return text, note.parse_checkpoint(note.open_note(text, [verifier]).text)


def check_consistency(
    http: httpx.Client, verifier: note.Verifier, old_text: str, new: note.Checkpoint
) -> Result | None:
    old = note.parse_checkpoint(note.open_note(old_text, [verifier]).text)
    if new.size < old.size:
        return Result(False, new.size, f"the log shrank: {old.size} entries before, {new.size} now", new.size)
    if new.size == old.size:
        return None if new.root == old.root else Result(False, new.size, "a different tree of the same size")
    if old.size == 0:
        return None
    reply = http.get("/api/v1/ledger/proof/consistency", params={"first": old.size, "second": new.size})
    proof = [bytes.fromhex(h) for h in reply.raise_for_status().json()["proof"]]
    if not merkle.verify_consistency(old.size, new.size, old.root, new.root, proof):
        return Result(False, new.size, f"not consistent with the checkpoint of {old.size} entries seen before")
    return None


def parse_bundle(data: bytes) -> list[bytes]:
    entries, offset = [], 0
    while offset < len(data):
        (length,) = struct.unpack_from(">H", data, offset)
        entries.append(data[offset + 2: offset + 2 + length])
        offset += 2 + length
    return entries


def _entry(http: httpx.Client, index: int) -> bytes | None:
    reply = http.get(f"/api/v1/ledger/entries/{index}")
    return str(reply.json()["canonical"]).encode() if reply.status_code == 200 else None


def _bundle(http: httpx.Client, tile_index: int, width: int) -> list[bytes]:
    reply = http.get("/ledger/" + tiles.entries_path(tile_index, width))
    return parse_bundle(reply.content) if reply.status_code == 200 else []


def _tile(http: httpx.Client, level: int, index: int, width: int) -> bytes:
    reply = http.get("/ledger/" + tiles.tile_path(tiles.Tile(level, index, width)))
    return reply.content if reply.status_code == 200 else b""


def _first_bad(http: httpx.Client, size: int, first: int, width: int, entries: list[bytes]) -> Result | None:
    """Compare one bundle entry by entry with the log's level-0 tile; name the first that differs."""
    served = _tile(http, 0, first // tiles.TILE_WIDTH, width)
    for offset in range(width):
        if offset >= len(entries):  # the bundle is incomplete: find which entry is gone
            data = _entry(http, first + offset)
            if data is None:
                return Result(False, size, f"entry {first + offset} is missing", first + offset)
            entries.append(data)
        if served[offset * 32:(offset + 1) * 32] != merkle.leaf_hash(entries[offset]):
            return Result(False, size, f"entry {first + offset} does not match the log's hashes", first + offset)
    return None


def _root_from_bundles(bundle_roots: list[bytes], tail: list[bytes], size: int) -> bytes:
    """The tree root from the roots of the full 256-entry bundles and the leaf hashes of the last,
    partial one: every hash above the bundles is computed once, none below them twice."""
    upper = [bundle_roots]
    while len(upper[-1]) > 1:
        below = upper[-1]
        upper.append([merkle.node_hash(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)])

    def node(height: int, index: int) -> bytes:
        if height >= tiles.TILE_HEIGHT:
            return upper[height - tiles.TILE_HEIGHT][index]
        start = (index << height) - len(bundle_roots) * tiles.TILE_WIDTH
        return merkle.root_from_hashes(tail[start:start + (1 << height)])

    return merkle.root_from(node, size)


def full_check(http: httpx.Client, checkpoint: note.Checkpoint, progress: Progress | None = None,
               parallel: int = 8) -> Result:
    """Every entry bundle is fetched (`parallel` at a time) and hashed. A full bundle's subtree root is
    checked against the log's level-1 tile (one request per 65,536 entries); only a bundle that does
    not match, or the last partial one, is compared entry by entry with its level-0 tile."""
    size = checkpoint.size

    def width_of(tile_index: int) -> int:
        return min(tiles.TILE_WIDTH, size - tile_index * tiles.TILE_WIDTH)

    count = (size + tiles.TILE_WIDTH - 1) // tiles.TILE_WIDTH
    full_level1 = size // tiles.TILE_WIDTH  # level-1 hashes that exist: one per full bundle
    level1: dict[int, bytes] = {}
    bundle_roots: list[bytes] = []
    tail: list[bytes] = []
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        for chunk in range(0, count, 64):
            indexes = range(chunk, min(chunk + 64, count))
            bundles = list(pool.map(lambda t: _bundle(http, t, width_of(t)), indexes))
            for tile_index, fetched in zip(indexes, bundles, strict=True):
                entries = list(fetched)
                first, width = tile_index * tiles.TILE_WIDTH, width_of(tile_index)
                leaves = [merkle.leaf_hash(e) for e in entries[:width]]
                root = merkle.root_from_hashes(leaves) if width == tiles.TILE_WIDTH == len(leaves) else None
                if root is not None:
                    group, slot = divmod(tile_index, tiles.TILE_WIDTH)
                    if group not in level1:
                        level1[group] = _tile(http, 1, group, min(tiles.TILE_WIDTH, full_level1 - group * 256))
                    if level1[group][slot * 32:(slot + 1) * 32] != root:
                        root = None
                if root is None:
                    problem = _first_bad(http, size, first, width, entries)  # fills in what is missing
                    if problem is not None:
                        return problem
                    leaves = [merkle.leaf_hash(e) for e in entries[:width]]
                if width == tiles.TILE_WIDTH:
                    bundle_roots.append(root or merkle.root_from_hashes(leaves))
                else:
                    tail = leaves
                if progress:
                    progress(width)
    if _root_from_bundles(bundle_roots, tail, size) != checkpoint.root:
        return Result(False, size, "the recomputed root differs from the signed checkpoint", None)
    return Result(True, size, f"all {size} entries verified against the signed root")


def verify_log(url: str, key: str, *, state: Path | None = None, full: bool = False,
               progress: Progress | None = None, client: httpx.Client | None = None) -> Result:
    http = client or httpx.Client(base_url=url.rstrip("/"), timeout=60)
    verifier = note.new_verifier(key)
    try:
        text, checkpoint = fetch_checkpoint(http, verifier)
    except note.NoteError as exc:
        return Result(False, 0, f"the checkpoint's signature does not verify: {exc}")
    if state is not None and state.exists():
        problem = check_consistency(http, verifier, state.read_text(), checkpoint)
        if problem is not None:
            return problem
    if full:
        result = full_check(http, checkpoint, progress)
        if not result.ok:
            return result
    if state is not None:
        state.parent.mkdir(parents=True, exist_ok=True)
        state.write_text(text)
    return Result(True, checkpoint.size, f"checkpoint of {checkpoint.size} entries verified"
                  + (" and every entry checked" if full else ""))
