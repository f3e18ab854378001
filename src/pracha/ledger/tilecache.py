"""Full hash tiles, kept per process. Pure: no database; `log` fills it and reads from it.

A full tile (256 hashes) never changes: its hashes are subtrees of entries that are append-only, so
a copy is right for as long as the log exists, in every worker process, without any invalidation.
A partial tile (the right edge of each level) grows, so it is never kept here: a tile is admitted
only with exactly 256 hashes. With each full tile the cache keeps the tile's inner tree (its 8 levels
of pairwise hashes, 255 hashes), so a proof reads any node inside it by slicing, without hashing.

The bound: at most MAX_TILES tiles per database (16 KiB each with the inner tree: 32 MiB at 2,048).
Every proof reads one tile per level; the upper levels are few (one level-1 tile per 65,536 entries)
and every proof touches them, so the least-recently-used order keeps them, and the whole log while it
is under ~500,000 entries. A level-0 tile that was evicted costs its 8 KiB in the proof's one query
(`log`), never an extra query: the bound trades memory for bytes read, not for round trips.

A partial tile is never kept, but the perfect subtrees inside it whose leaves all exist never change
either: their hashes (32 bytes each, at most MAX_NODES) are kept, so the right edge is not rehashed by
every proof.

Tiles are kept per database (keyed by its connection pool), so two apps in one process (tests,
benchmarks) never mix their logs.
"""

from __future__ import annotations

import hashlib
import threading
import weakref
from collections import OrderedDict

TILE_WIDTH = 256
HASH = 32
FULL = TILE_WIDTH * HASH  # bytes of a full tile
MAX_TILES = 2048
MAX_NODES = 4096  # 32-byte hashes of perfect subtrees inside partial tiles (see TileCache.node)
_NODE = b"\x01"


def pair_up(hashes: bytes) -> bytes:
    """The next level up of an even run of hashes: node_hash of each pair (RFC 9162 §2.1.1)."""
    sha256 = hashlib.sha256
    return b"".join([sha256(_NODE + hashes[i : i + 2 * HASH]).digest() for i in range(0, len(hashes), 2 * HASH)])


def subtree_root(hashes: bytes) -> bytes:
    """The root of a perfect subtree given its 2^k leaf-level hashes, concatenated."""
    while len(hashes) > HASH:
        hashes = pair_up(hashes)
    return hashes


class FullTile:
    """A full tile's 256 hashes and its inner tree: `levels[s]` holds the 256 >> s subtree hashes of 2^s
    tile hashes each, concatenated; `levels[8]` is the tile's root."""

    __slots__ = ("levels",)

    def __init__(self, hashes: bytes) -> None:
        if len(hashes) != FULL:
            raise ValueError(f"a full tile has {FULL} bytes, not {len(hashes)}")
        levels = [bytes(hashes)]
        while len(levels[-1]) > HASH:
            levels.append(pair_up(levels[-1]))
        self.levels = tuple(levels)

    @property
    def hashes(self) -> bytes:
        return self.levels[0]

    @property
    def root(self) -> bytes:
        return self.levels[-1]

    def node(self, offset: int, count: int) -> bytes:
        """The subtree over `count` (a power of two, aligned) of the tile's hashes from `offset`."""
        shift = count.bit_length() - 1
        at = (offset >> shift) * HASH
        return self.levels[shift][at : at + HASH]


class TileCache:
    """Least recently used full tiles of one database, at most `limit`; safe across threads."""

    def __init__(self, limit: int = MAX_TILES) -> None:
        self.limit = limit
        self._tiles: OrderedDict[tuple[int, int], FullTile] = OrderedDict()
        self._nodes: OrderedDict[tuple[int, int, int, int], bytes] = OrderedDict()
        self._lock = threading.Lock()

    def node(self, key: tuple[int, int, int, int]) -> bytes | None:
        """A perfect subtree's hash inside a partial tile, kept by `keep_node`: (level, index, offset, count)."""
        return self._nodes.get(key)

    def keep_node(self, key: tuple[int, int, int, int], value: bytes) -> None:
        with self._lock:
            self._nodes[key] = value
            while len(self._nodes) > MAX_NODES:
                self._nodes.popitem(last=False)

    def get(self, level: int, index: int) -> FullTile | None:
        key = (level, index)
        with self._lock:
            tile = self._tiles.get(key)
            if tile is not None:
                self._tiles.move_to_end(key)
            return tile

    def admit(self, level: int, index: int, hashes: bytes) -> FullTile | None:
        """Keep a tile read from the database if it is full (returning it with its inner tree)."""
        if len(hashes) != FULL:
            return None
        tile = FullTile(hashes)
        with self._lock:
            self._tiles[(level, index)] = tile
            self._tiles.move_to_end((level, index))
            while len(self._tiles) > self.limit:
                self._tiles.popitem(last=False)
        return tile

    def __len__(self) -> int:
        return len(self._tiles)

    def __contains__(self, key: tuple[int, int]) -> bool:
        return key in self._tiles

    def clear(self) -> None:
        with self._lock:
            self._tiles.clear()
            self._nodes.clear()


_caches: weakref.WeakKeyDictionary[object, TileCache] = weakref.WeakKeyDictionary()
_caches_lock = threading.Lock()


def for_database(pool: object) -> TileCache:
    """The cache of the database behind `pool` (an engine's connection pool), made on first use."""
    with _caches_lock:
        cache = _caches.get(pool)
        if cache is None:
            cache = _caches[pool] = TileCache()
        return cache
