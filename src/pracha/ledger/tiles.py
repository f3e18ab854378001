"""Path arithmetic of tiled transparency logs (c2sp.org/tlog-tiles), tile height 8.

Pure: imports nothing of ours and touches no database.

- §Merkle Tree: a tile is served at "tile/<L>/<N>[.p/<W>]". <L> is the level, 0..63 in decimal with no
  leading zeros; <N> the index within the level, in zero-padded 3-digit path elements of which all but
  the last begin with "x" (1234067 is "x001/x234/067"); ".p/<W>" only for a partial tile, W in 1..255.
  A full tile holds 256 hashes; the n-th tile at level l holds, for i in 0..255,
  MTH(D[(n·256 + i)·256^l : (n·256 + i + 1)·256^l]), so a level-l hash is a perfect subtree of height 8·l.
- §Partial Tiles: the partial tile at level l of a tree of size s has floor(s / 256^l) mod 256 hashes;
  empty tiles do not exist. A tree of 256 entries has a full level-0 tile and a level-1 tile of width 1.
- §Log entries: entry bundles at "tile/entries/<N>[.p/<W>]", with <N> and <W> as above.

This is Go's tlog.Tile.Path and ParseTilePath (golang.org/x/mod/sumdb/tlog/tile.go) with H = 8 and the
height element dropped, and NewTiles for the list of tiles a tree has. As in Go, where level -1 is the
"data" tile, an entry bundle is a Tile at level ENTRIES_LEVEL = -1. Malformed paths raise ValueError;
a path parses only if it is the one `tile_path` would write.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

TILE_HEIGHT = 8
TILE_WIDTH = 1 << TILE_HEIGHT  # 256 hashes, 8,192 bytes
MAX_LEVEL = 63
ENTRIES_LEVEL = -1  # an entry bundle, "tile/entries/..."
MAX_INDEX = 2**63 - 1  # Go's int64
_PATH = re.compile(r"tile/(entries|[0-9]{1,2})/((?:x[0-9]{3}/)*[0-9]{3})(?:\.p/([0-9]{1,3}))?")


@dataclass(frozen=True)
class Tile:
    level: int  # 0..63, or ENTRIES_LEVEL for an entry bundle
    index: int
    width: int = TILE_WIDTH  # 1..255 for a partial tile, 256 for a full one

    def __post_init__(self) -> None:
        if not (ENTRIES_LEVEL <= self.level <= MAX_LEVEL and 0 <= self.index <= MAX_INDEX
                and 1 <= self.width <= TILE_WIDTH):
            raise ValueError(f"no such tile: {self}")

    @property
    def is_full(self) -> bool:
        return self.width == TILE_WIDTH


def _index_path(index: int, width: int) -> str:
    if not 0 <= index <= MAX_INDEX or not 1 <= width <= TILE_WIDTH:
        raise ValueError(f"no such tile index {index} or width {width}")
    groups = [f"{index % 1000:03d}"]
    while index >= 1000:
        index //= 1000
        groups.append(f"x{index % 1000:03d}")
    return "/".join(reversed(groups)) + ("" if width == TILE_WIDTH else f".p/{width}")


def tile_path(t: Tile) -> str:
    """§Merkle Tree: "tile/<L>/<N>[.p/<W>]"; §Log entries: "tile/entries/<N>[.p/<W>]" at ENTRIES_LEVEL."""
    level = "entries" if t.level == ENTRIES_LEVEL else str(t.level)
    return f"tile/{level}/{_index_path(t.index, t.width)}"


def entries_path(index: int, width: int = TILE_WIDTH) -> str:
    """§Log entries: "tile/entries/<N>[.p/<W>]"."""
    return f"tile/entries/{_index_path(index, width)}"


def parse_tile_path(path: str) -> Tile:
    """The tile (or, at ENTRIES_LEVEL, entry bundle) at a path, which must be what `tile_path` writes."""
    m = _PATH.fullmatch(path)
    if m is None:
        raise ValueError(f"malformed tile path {path!r}")
    level, digits, width = m.groups()
    index = int(digits.replace("x", "").replace("/", ""))
    w = TILE_WIDTH if width is None else int(width)
    if (width is not None and w >= TILE_WIDTH) or level not in ("entries", *map(str, range(MAX_LEVEL + 1))):
        raise ValueError(f"malformed tile path {path!r}")
    if index > MAX_INDEX or path != f"tile/{level}/{_index_path(index, w)}":
        raise ValueError(f"non-canonical tile path {path!r}")
    return Tile(ENTRIES_LEVEL if level == "entries" else int(level), index, w)


def new_tiles(old_size: int, new_size: int) -> list[Tile]:
    """Go's tlog.NewTiles: the tiles (all levels, level by level) a tree of `new_size` has and one of
    `old_size` has not, including the wider version of each tile that grew. §Partial Tiles widths."""
    if not 0 <= old_size <= new_size <= MAX_INDEX:
        raise ValueError(f"bad tree sizes {old_size} -> {new_size}")
    tiles: list[Tile] = []
    level = 0
    while new_size >> (TILE_HEIGHT * level):
        old_n, new_n = old_size >> (TILE_HEIGHT * level), new_size >> (TILE_HEIGHT * level)
        if old_n != new_n:
            full, partial = divmod(new_n, TILE_WIDTH)
            tiles += [Tile(level, n) for n in range(old_n // TILE_WIDTH, full)]
            if partial:
                tiles.append(Tile(level, full, partial))
        level += 1
    return tiles


def tiles_for_size(size: int) -> list[Tile]:
    """Every tile of a tree of `size` entries, level by level, the last of each level maybe partial."""
    return new_tiles(0, size)


def tile_for_node(height: int, index: int) -> tuple[int, int, int, int]:
    """Where the perfect subtree of `height` over leaves [index·2^height, (index+1)·2^height) is stored:
    level L = height // 8 holds the hashes of height 8·L, and the subtree covers 2^(height − 8·L) of
    them, [index·2^(height−8L), (index+1)·2^(height−8L)), all within one tile (aligned, at most 128).
    Returns (level, tile index, offset of the first hash in the tile, count of hashes)."""
    level = height // TILE_HEIGHT
    if not 0 <= level <= MAX_LEVEL or index < 0:
        raise ValueError(f"no such node ({height}, {index})")
    shift = height - TILE_HEIGHT * level
    tile_index, offset = divmod(index << shift, TILE_WIDTH)
    return level, tile_index, offset, 1 << shift
