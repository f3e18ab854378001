"""Small-cell suppression (pracha.opendata.disclosure): worked examples and properties over random
tables. Pure: no database."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pracha.opendata.disclosure import Cell, K, enough, recoverable, share_safe, suppress, suppress_group


def cell(key: str, people: int, value: int | None = None, group: str = "g", first: int = 0) -> Cell:
    ids = frozenset(range(first, first + people))
    return Cell((group,), (key,), people if value is None else value, ids)


def test_a_small_cell_is_suppressed_and_a_large_one_published() -> None:
    shown, total = suppress_group([cell("a", 9, first=0), cell("b", 10, first=100), cell("c", 30, first=200)])
    assert [s.value for s in shown] == [None, None, 30]  # b is the next smallest: suppressed too
    assert total.value == 49


def test_the_suppressed_cells_together_cover_k_people() -> None:
    # 2 + 3 people suppressed cover only 5: the next smallest published cell goes too
    shown, total = suppress_group([cell("a", 2), cell("b", 3, first=10), cell("c", 40, first=20),
                                   cell("d", 12, first=100)])
    assert [s.value for s in shown] == [None, None, 40, None]
    assert total.value == 57


def test_a_group_of_fewer_than_k_people_publishes_nothing() -> None:
    shown, total = suppress_group([cell("a", 4), cell("b", 5, first=10)])
    assert all(s.suppressed for s in shown)
    assert total.value is None


def test_the_same_people_in_two_cells_count_once() -> None:
    # 6 people behind both cells: 6 < K, though the cells' counts add up to 12
    same = frozenset(range(6))
    shown, total = suppress_group([Cell(("g",), ("a",), 6, same), Cell(("g",), ("b",), 6, same)])
    assert total.value is None and all(s.suppressed for s in shown)


def test_empty_cells_are_suppressed_but_need_no_partner() -> None:
    shown, total = suppress_group([cell("a", 0), cell("b", 15, first=10), cell("c", 20, first=50)])
    assert [s.value for s in shown] == [None, 15, 20]
    assert total.value == 35 and recoverable(shown, total) == []


def test_shares_need_both_parts_zero_or_k() -> None:
    assert share_safe(10, 15) and share_safe(25, 0) and share_safe(0, 12)
    assert not share_safe(11, 1)  # the one late application would follow from the share
    assert not share_safe(5, 4) and not share_safe(0, 0)
    assert enough(range(10)) and not enough(9)


tables = st.lists(
    st.tuples(st.integers(0, 3), st.integers(0, 25), st.integers(0, 3)),  # group, people, extra applications
    min_size=1, max_size=30)


def build(rows: list[tuple[int, int, int]]) -> list[Cell]:
    cells, first = [], 0
    for number, (group, people, extra) in enumerate(rows):
        cells.append(Cell((f"g{group}",), (f"c{number}",), people + (extra if people else 0),
                          frozenset(range(first, first + people))))
        first += people
    return cells


@settings(max_examples=300, deadline=None)
@given(tables)
def test_property_no_published_cell_below_k(rows: list[tuple[int, int, int]]) -> None:
    shown, totals = suppress(build(rows))
    assert all(len(s.cell.people) >= K for s in shown if not s.suppressed)
    assert all(t.people >= K for t in totals if t.value is not None)


@settings(max_examples=300, deadline=None)
@given(tables)
def test_property_no_group_with_one_suppressed_cell_beside_its_total(rows: list[tuple[int, int, int]]) -> None:
    shown, totals = suppress(build(rows))
    for total in totals:
        if total.value is None:
            continue
        hidden = [s.cell for s in shown if s.cell.group == total.group and s.suppressed and s.cell.people]
        assert len(hidden) != 1
        people = set().union(*(c.people for c in hidden)) if hidden else set()
        assert not hidden or len(people) >= K  # what differencing reveals covers K people


@settings(max_examples=300, deadline=None)
@given(tables)
def test_property_no_suppressed_cell_recomputed_by_differencing(rows: list[tuple[int, int, int]]) -> None:
    """Within each group the only relation is total = Σ cells; solve it for every suppressed cell
    by brute force over whole numbers ≥ 0 and check none is pinned to one value."""
    shown, totals = suppress(build(rows))
    for total in totals:
        members = [s for s in shown if s.cell.group == total.group]
        assert recoverable(members, total) == []
        if total.value is None:
            continue
        hidden = [s for s in members if s.suppressed]
        rest = total.value - sum(s.value or 0 for s in members)
        for s in hidden:
            if not s.cell.people:
                continue
            # the others can absorb anything from 0 to `rest`, so s may be 0 … rest: more than one value
            possible = range(0, rest + 1) if len(hidden) > 1 else range(rest, rest + 1)
            assert len(possible) > 1
