"""`pracha ledger verify`: check a log from outside, over HTTP, trusting only its verifier key.

1. The checkpoint's signature. 2. Consistency with the last checkpoint this verifier saw (kept in a
state file): a log that shrank, forked or rewrote history fails here. 3. With `full`, every entry
bundle and every level-0 tile is fetched, each entry is hashed and compared with its tile hash, and
the root is recomputed and compared with the signed one; the first bad index is named.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
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


def root_of_hashes(hashes: list[bytes]) -> bytes:
    """RFC 9162 root from leaf hashes, one pass per level (about n node hashes in all)."""
    levels = [hashes]
    while len(levels[-1]) > 1:
        below = levels[-1]
        levels.append([merkle.node_hash(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)])
    return merkle.root_from(lambda height, index: levels[height][index], len(hashes))


def _entry(http: httpx.Client, index: int) -> bytes | None:
    reply = http.get(f"/api/v1/ledger/entries/{index}")
    return str(reply.json()["canonical"]).encode() if reply.status_code == 200 else None


def full_check(http: httpx.Client, checkpoint: note.Checkpoint, progress: Progress | None = None) -> Result:
    hashes: list[bytes] = []
    size = checkpoint.size
    for tile_index in range((size + tiles.TILE_WIDTH - 1) // tiles.TILE_WIDTH):
        first = tile_index * tiles.TILE_WIDTH
        width = min(tiles.TILE_WIDTH, size - first)
        bundle = http.get("/ledger/" + tiles.entries_path(tile_index, width))
        served = http.get("/ledger/" + tiles.tile_path(tiles.Tile(0, tile_index, width)))
        entries = parse_bundle(bundle.content) if bundle.status_code == 200 else []
        tile_hashes = [served.content[i:i + 32] for i in range(0, len(served.content), 32)] \
            if served.status_code == 200 else []
        for offset in range(width):
            if offset >= len(entries):  # the bundle is incomplete: find which entry is gone
                data = _entry(http, first + offset)
                if data is None:
                    return Result(False, size, f"entry {first + offset} is missing", first + offset)
                entries.append(data)
            leaf = merkle.leaf_hash(entries[offset])
            if offset >= len(tile_hashes) or tile_hashes[offset] != leaf:
                return Result(False, size, f"entry {first + offset} does not match the log's hashes", first + offset)
            hashes.append(leaf)
        if progress:
            progress(width)
    if root_of_hashes(hashes) != checkpoint.root:
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
