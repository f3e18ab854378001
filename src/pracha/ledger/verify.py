"""`pracha ledger verify`: check a log from outside, over HTTP, trusting only its verifier key.

1. The checkpoint's signature. 2. Consistency with the last checkpoint this verifier saw (kept in a
state file): a log that shrank, forked or rewrote history fails here. 3. With `full`, every entry
bundle and every hash tile is fetched, each entry is hashed, every tile of every level (0 upward) is
recomputed from the entries and compared with the served one, and the root is recomputed and compared
with the signed one; the first bad index (or the corrupt tile) is named.

A full check of a large log is thousands of small GETs (two per 256 entries), so against a URL they go
through `Fetcher`: the standard library's HTTP client, one keep-alive connection per thread, which
costs a fraction of httpx's time per request. A given httpx client (tests: the app's TestClient) is used as is.
"""

from __future__ import annotations

import http.client
import struct
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from pracha.ledger import merkle, note, tiles

Progress = Callable[[int], None]
Get = Callable[[str], tuple[int, bytes]]  # a path → (status, body)


class Fetcher:
    """GETs on keep-alive connections, one per thread, reopened once if the server closed one."""

    def __init__(self, url: str, timeout: float = 60) -> None:
        parts = urlsplit(url)
        self.https, self.host, self.port = parts.scheme == "https", parts.hostname or "localhost", parts.port
        self.prefix, self.timeout = parts.path.rstrip("/"), timeout
        self._local = threading.local()
        self._opened: list[http.client.HTTPConnection] = []

    def _connection(self) -> http.client.HTTPConnection:
        connection: http.client.HTTPConnection | None = getattr(self._local, "connection", None)
        if connection is None:
            kind = http.client.HTTPSConnection if self.https else http.client.HTTPConnection
            connection = self._local.connection = kind(self.host, self.port, timeout=self.timeout)
            self._opened.append(connection)
        return connection

    def close(self) -> None:
        for connection in self._opened:
            connection.close()

    def __call__(self, path: str) -> tuple[int, bytes]:
        for attempt in (1, 2):
            connection = self._connection()
            try:
                connection.request("GET", self.prefix + path)
                reply = connection.getresponse()
                return reply.status, reply.read()
            except (http.client.HTTPException, ConnectionError):
                connection.close()
                self._local.connection = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


def httpx_get(http: httpx.Client) -> Get:
    def get(path: str) -> tuple[int, bytes]:
        reply = http.get(path)
        return reply.status_code, reply.content

    return get


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


def _bundle(get: Get, tile_index: int, width: int) -> list[bytes]:
    status, body = get("/ledger/" + tiles.entries_path(tile_index, width))
    return parse_bundle(body) if status == 200 else []


def _tile(get: Get, level: int, index: int, width: int) -> bytes:
    status, body = get("/ledger/" + tiles.tile_path(tiles.Tile(level, index, width)))
    return body if status == 200 else b""


def _complete(http: httpx.Client, size: int, first: int, width: int, entries: list[bytes],
              served: bytes) -> Result | None:
    """A bundle that came back short: walk it entry by entry against the level-0 tile, fetching each
    entry alone, and name the first that is gone or differs."""
    for offset in range(width):
        if offset >= len(entries):
            data = _entry(http, first + offset)
            if data is None:
                return Result(False, size, f"entry {first + offset} is missing", first + offset)
            entries.append(data)
        if served[offset * 32:(offset + 1) * 32] != merkle.leaf_hash(entries[offset]):
            return Result(False, size, f"entry {first + offset} does not match the log's hashes", first + offset)
    return None


@dataclass
class Mismatch:
    level: int
    tile_index: int
    offset: int

    @property
    def first_entry(self) -> int:
        return (self.tile_index * tiles.TILE_WIDTH + self.offset) * tiles.TILE_WIDTH ** self.level

    def describe(self) -> str:
        path = tiles.tile_path(tiles.Tile(self.level, self.tile_index))
        what = (f"entry {self.first_entry}'s hash" if self.level == 0 else
                f"the subtree of entries from {self.first_entry} ({tiles.TILE_WIDTH ** self.level} entries)")
        return f"hash tile {path} (level {self.level}) disagrees with {what} at position {self.offset}"


class TileCheck:
    """Every served hash tile, level 0 upward, against the hashes recomputed from the entry bundles: the
    level-0 hashes of each bundle go in with `add_bundle`, each full tile's root is carried a level up,
    and `finish` compares the partial tiles on the right edge. Remembers the first disagreement."""

    def __init__(self, fetch: Callable[[int, int, int], bytes]) -> None:
        self.fetch = fetch
        self.pending: list[list[bytes]] = []  # per level: hashes of the tile being filled
        self.done: list[int] = []  # per level: full tiles compared
        self.first: Mismatch | None = None

    def compare(self, level: int, index: int, hashes: list[bytes], served: bytes) -> None:
        if self.first is not None:
            return
        for offset, value in enumerate(hashes):
            if served[offset * 32:(offset + 1) * 32] != value:
                self.first = Mismatch(level, index, offset)
                return
        if len(served) != len(hashes) * 32:
            self.first = Mismatch(level, index, len(served) // 32)

    def add_bundle(self, index: int, hashes: list[bytes], served: bytes) -> None:
        self.compare(0, index, hashes, served)
        if len(hashes) == tiles.TILE_WIDTH:
            self._carry(1, merkle.root_from_hashes(hashes))

    def _carry(self, level: int, value: bytes) -> None:
        while len(self.pending) < level:
            self.pending.append([])
            self.done.append(0)
        row = self.pending[level - 1]
        row.append(value)
        if len(row) == tiles.TILE_WIDTH:
            index = self.done[level - 1]
            self.compare(level, index, row, self.fetch(level, index, tiles.TILE_WIDTH))
            self.done[level - 1] += 1
            self.pending[level - 1] = []
            self._carry(level + 1, merkle.root_from_hashes(row))

    def finish(self) -> None:
        for position, row in enumerate(self.pending):
            if row:
                level, index = position + 1, self.done[position]
                self.compare(level, index, row, self.fetch(level, index, len(row)))


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
               parallel: int = 4, get: Get | None = None) -> Result:
    """Every entry bundle and every level-0 tile is fetched (`parallel` at a time); each entry is hashed,
    and every hash tile of every level is recomputed from those hashes and compared with the one the
    log serves (a corrupt tile would give its readers proofs that fail). The root is recomputed from the
    entries and compared with the signed one. When the entries do not give the signed root, the first
    entry that disagrees with the log's level-0 tile is named; when they do but a tile disagrees, the
    tile is named as corrupt."""
    size = checkpoint.size
    get = get or httpx_get(http)

    def width_of(tile_index: int) -> int:
        return min(tiles.TILE_WIDTH, size - tile_index * tiles.TILE_WIDTH)

    def fetch(tile_index: int) -> tuple[list[bytes], bytes]:
        width = width_of(tile_index)
        return _bundle(get, tile_index, width), _tile(get, 0, tile_index, width)

    count = (size + tiles.TILE_WIDTH - 1) // tiles.TILE_WIDTH
    check = TileCheck(lambda level, index, width: _tile(get, level, index, width))
    bundle_roots: list[bytes] = []
    tail: list[bytes] = []
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        for chunk in range(0, count, 64):
            indexes = range(chunk, min(chunk + 64, count))
            for tile_index, (fetched, served) in zip(indexes, pool.map(fetch, indexes), strict=True):
                first, width = tile_index * tiles.TILE_WIDTH, width_of(tile_index)
                entries = list(fetched[:width])
                problem = _complete(http, size, first, width, entries, served) if len(entries) < width else None
                if problem is not None:
                    return problem
                leaves = [merkle.leaf_hash(e) for e in entries]
                check.add_bundle(tile_index, leaves, served)
                if width == tiles.TILE_WIDTH:
                    bundle_roots.append(merkle.root_from_hashes(leaves))
                else:
                    tail = leaves
                if progress:
                    progress(width)
    check.finish()
    root_ok = _root_from_bundles(bundle_roots, tail, size) == checkpoint.root
    if not root_ok and check.first is not None and check.first.level == 0:
        index = check.first.first_entry
        return Result(False, size, f"entry {index} does not match the log's hashes", index)
    if not root_ok:
        return Result(False, size, "the recomputed root differs from the signed checkpoint", None)
    if check.first is not None:
        return Result(False, size, f"{check.first.describe()}: the entries give the signed root, so this "
                      "served tile is corrupt and proofs built from it fail", check.first.first_entry)
    return Result(True, size, f"all {size} entries and every hash tile verified against the signed root")


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
        fetcher = None if client else Fetcher(url)
        try:
            result = full_check(http, checkpoint, progress, get=fetcher)
        finally:
            if fetcher is not None:
                fetcher.close()
        if not result.ok:
            return result
    if state is not None:
        state.parent.mkdir(parents=True, exist_ok=True)
        state.write_text(text)
    return Result(True, checkpoint.size, f"checkpoint of {checkpoint.size} entries verified"
                  + (" and every entry checked" if full else ""))
