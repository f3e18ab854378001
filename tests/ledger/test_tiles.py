"""pracha.ledger.tiles against c2sp.org/tlog-tiles: path vectors (testdata/tiles_paths.txt), round trips, and
the tiles of a tree checked against a slow reference written from the spec's definition of a tile."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pracha.ledger import tiles
from pracha.ledger.tiles import Tile


def load_paths() -> list[tuple[str, list[str], str]]:
    cases = []
    for raw in (Path(__file__).parent / "testdata" / "tiles_paths.txt").read_text().splitlines():
        if raw.strip() and not raw.startswith("#"):
            fields, _, description = raw.partition("# ")
            path, *expect = fields.split()
            cases.append((path, expect, description))
    return cases


PATHS = load_paths()


@pytest.mark.parametrize(("path", "expect", "description"), PATHS, ids=[c[2] for c in PATHS])
def test_path_vectors(path: str, expect: list[str], description: str) -> None:
    kind, numbers = expect[0], [int(x) for x in expect[1:]]
    if kind == "tile":
        t = Tile(*numbers)
        assert tiles.parse_tile_path(path) == t and tiles.tile_path(t) == path
    elif kind == "entries":
        t = Tile(tiles.ENTRIES_LEVEL, *numbers)
        assert tiles.parse_tile_path(path) == t and tiles.tile_path(t) == path == tiles.entries_path(*numbers)
    else:
        assert kind == "reject"
        with pytest.raises(ValueError):
            tiles.parse_tile_path(path)


def test_full_tile_has_no_suffix() -> None:
    assert tiles.tile_path(Tile(0, 1234067)) == "tile/0/x001/x234/067"
    assert tiles.tile_path(Tile(3, 1234067, 1)) == "tile/3/x001/x234/067.p/1"
    assert tiles.entries_path(1234067) == "tile/entries/x001/x234/067"


@pytest.mark.parametrize(("level", "index", "width"), [(-2, 0, 1), (64, 0, 1), (0, -1, 1), (0, 0, 0), (0, 0, 257),
                                                       (0, 2**63, 1)])
def test_no_such_tile(level: int, index: int, width: int) -> None:
    with pytest.raises(ValueError):
        Tile(level, index, width)
    if level == 0:
        with pytest.raises(ValueError):
            tiles.entries_path(index, width)


TILE = st.builds(Tile, st.integers(-1, 63), st.integers(0, 2**63 - 1) | st.integers(0, 2000), st.integers(1, 256))


@given(TILE)
def test_tile_path_round_trip(t: Tile) -> None:
    assert tiles.parse_tile_path(tiles.tile_path(t)) == t


@given(st.integers(0, 2**63 - 1), st.integers(1, 256))
def test_entries_path_round_trip(index: int, width: int) -> None:
    assert tiles.parse_tile_path(tiles.entries_path(index, width)) == Tile(tiles.ENTRIES_LEVEL, index, width)


@settings(max_examples=500)
@given(st.text("tile/entrisx.p0123456789", max_size=30) | st.builds(lambda t, s: tiles.tile_path(t) + s, TILE,
                                                                     st.text("/.xp0", max_size=3)))
def test_parse_is_canonical(path: str) -> None:
    """Whatever parses is exactly what the writer writes (Go's ParseTilePath: path == t.Path())."""
    try:
        t = tiles.parse_tile_path(path)
    except ValueError:
        return
    assert tiles.tile_path(t) == path


# --- the tiles of a tree ------------------------------------------------------------------------


def reference_tiles(size: int) -> list[Tile]:
    """Straight from §Merkle Tree: the i-th hash of tile n at level l is MTH(D[(n·256+i)·256^l :
    (n·256+i+1)·256^l]). Every such hash whose leaves all exist is in some tile; group them by tile."""
    out = []
    for level in range(64):
        span = 256**level
        hashes = [j for j in range(size // span + 1) if (j + 1) * span <= size]
        if not hashes:
            break
        for n, group in itertools.groupby(hashes, key=lambda j: j // 256):
            out.append(Tile(level, n, len(list(group))))
    return out


@pytest.mark.parametrize("size", [0, 1, 2, 255, 256, 257, 511, 512, 65535, 65536, 65537, 70000, 1_000_000])
def test_tiles_for_size(size: int) -> None:
    got = tiles.tiles_for_size(size)
    assert got == reference_tiles(size)
    for level in range(8):  # §Partial Tiles: the partial tile at level l has floor(s / 256^l) mod 256 hashes
        partial = [t.width for t in got if t.level == level and not t.is_full]
        assert partial == ([size // 256**level % 256] if size // 256**level % 256 else [])


def test_spec_examples() -> None:
    """§Partial Tiles: 70,000 is 273 full level-0 tiles, a partial one of 112, a full level-1 tile, a
    partial one of 17, and a level-2 tile of width 1; 256 is a full level-0 tile and a level-1 tile of 1."""
    t70k = tiles.tiles_for_size(70000)
    assert t70k == [Tile(0, n) for n in range(273)] + [Tile(0, 273, 112), Tile(1, 0), Tile(1, 1, 17), Tile(2, 0, 1)]
    assert tiles.tiles_for_size(256) == [Tile(0, 0), Tile(1, 0, 1)]
    assert tiles.tiles_for_size(0) == []


@settings(max_examples=300)
@given(st.integers(0, 200_000), st.integers(0, 200_000))
def test_new_tiles_are_the_difference(a: int, b: int) -> None:
    old, new = min(a, b), max(a, b)
    got = tiles.new_tiles(old, new)
    assert set(got) == set(tiles.tiles_for_size(new)) - set(tiles.tiles_for_size(old))
    assert got == sorted(got, key=lambda t: (t.level, t.index)) and len(set(got)) == len(got)


def test_new_tiles_refusals() -> None:
    assert tiles.new_tiles(5, 5) == []
    for old, new in [(6, 5), (-1, 5), (0, 2**63)]:
        with pytest.raises(ValueError):
            tiles.new_tiles(old, new)


# --- where a node lives -------------------------------------------------------------------------


@pytest.mark.parametrize(("height", "index", "want"), [
    (0, 0, (0, 0, 0, 1)),  # a leaf hash
    (0, 300, (0, 1, 44, 1)),
    (1, 5, (0, 0, 10, 2)),  # a node inside a level-0 tile: hash of two leaf hashes
    (7, 3, (0, 1, 128, 128)),  # the right half of the second level-0 tile
    (8, 0, (1, 0, 0, 1)),  # a full level-0 tile's root is a level-1 hash
    (8, 257, (1, 1, 1, 1)),
    (9, 3, (1, 0, 6, 2)),
    (16, 2, (2, 0, 2, 1)),
    (63, 0, (7, 0, 0, 128)),
])
def test_tile_for_node(height: int, index: int, want: tuple[int, int, int, int]) -> None:
    assert tiles.tile_for_node(height, index) == want


NODES = st.integers(1, 1 << 20).flatmap(
    lambda size: st.tuples(st.just(size), st.integers(0, size.bit_length() - 1)).flatmap(
        lambda sh: st.tuples(st.just(sh[0]), st.just(sh[1]), st.integers(0, (sh[0] >> sh[1]) - 1))))


@settings(max_examples=300)
@given(NODES)
def test_tile_for_node_is_in_the_tree(node: tuple[int, int, int]) -> None:
    """A perfect subtree within a tree of `size` is stored in one of that tree's tiles, wide enough, and its
    hashes at level L are exactly its leaves grouped in runs of 256^L."""
    size, height, index = node
    assert (index + 1) << height <= size
    level, tile_index, offset, count = tiles.tile_for_node(height, index)
    span = 256**level
    assert offset + count <= 256 and level == height // 8
    assert (tile_index * 256 + offset) * span == index << height  # first leaf
    assert (tile_index * 256 + offset + count) * span == (index + 1) << height  # end of leaves
    widths = {(t.level, t.index): t.width for t in tiles.tiles_for_size(size)}
    assert widths[(level, tile_index)] >= offset + count


def test_tile_for_node_refusals() -> None:
    for height, index in [(-1, 0), (512, 0), (0, -1)]:
        with pytest.raises(ValueError):
            tiles.tile_for_node(height, index)
