"""Small-cell suppression for the platform's statistics: pure functions over cells, no database.

A cell is a count (`value`, e.g. applications) and the distinct people behind it (`people`: any
hashable ids; a count of exchange requests without a known subject counts each request as one). A
cell is published only when at least `k` (10) distinct people are behind it (primary suppression).

Cells belong to a `group` whose total is published too (a service and month: the total over its
districts). A total minus the published cells equals the sum of the suppressed ones, so within each
group (secondary suppression):
- while the suppressed cells that hold anyone cover fewer than `k` distinct people together, the
  smallest published cell is suppressed too; so a group never has exactly one suppressed non-empty
  cell beside a published total, and what differencing reveals (the suppressed cells' sum) always
  covers at least `k` people, or is 0 when every suppressed cell is empty;
- a group's total is published only when the whole group covers at least `k` people.
The cells of a table form the full grid (every district for every service-month, zeros included), so
the presence of a row reveals nothing; an empty cell is suppressed like any small one.

Groups are disjoint and only one margin (the group total) is published, so these equations are the
only linear relations between published numbers: no suppressed cell can be recomputed from one file.
Across versions, `platform` publishes only complete months, which never change afterwards.

For figures that are not counts (median, percentile, a share), `enough` says whether they may be shown,
and `share_safe` whether a share may be (its part and its complement are each 0 or ≥ `k` people,
since share × total gives back the part).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field

K = 10  # decided for Pracha: 10 distinct people per published figure


@dataclass(frozen=True)
class Cell:
    group: tuple[str, ...]  # the margin the cell adds up to, e.g. (service, month)
    key: tuple[str, ...]  # the cell's own labels within the group, e.g. (province, district)
    value: int  # what is published: a count
    people: frozenset[Hashable] = field(default_factory=frozenset)  # the distinct people behind it


@dataclass(frozen=True)
class Shown:
    """A cell after suppression: `value` is None when it is suppressed."""

    cell: Cell
    value: int | None

    @property
    def suppressed(self) -> bool:
        return self.value is None


@dataclass(frozen=True)
class Total:
    group: tuple[str, ...]
    value: int | None  # None: suppressed (the group covers fewer than k people)
    people: int  # distinct people behind the whole group (never published; for checks)


def enough(people: Iterable[Hashable] | int, k: int = K) -> bool:
    """May a figure computed over these people be published?"""
    count = people if isinstance(people, int) else len(set(people))
    return count >= k


def share_safe(part: int, rest: int, k: int = K) -> bool:
    """May a share be published whose part and rest (the complement) cover these numbers of distinct
    people? Each must be 0 or ≥ k, not both 0: a share times its published count gives back the part."""
    return part + rest > 0 and all(n == 0 or n >= k for n in (part, rest))


def union_size(cells: Iterable[Cell]) -> int:
    people: set[Hashable] = set()
    for cell in cells:
        people |= cell.people
    return len(people)


def suppress_group(cells: Sequence[Cell], k: int = K) -> tuple[list[Shown], Total]:
    """Primary and secondary suppression of one group's cells, and its total."""
    hidden = {i for i, cell in enumerate(cells) if len(cell.people) < k}
    while True:
        nonempty = [cells[i] for i in hidden if cells[i].people]
        if not nonempty or union_size(nonempty) >= k:
            break
        shown = [i for i in range(len(cells)) if i not in hidden]
        if not shown:
            break
        hidden.add(min(shown, key=lambda i: (cells[i].value, len(cells[i].people), cells[i].key)))
    everyone = union_size(cells)
    group = cells[0].group if cells else ()
    total = Total(group, sum(c.value for c in cells) if everyone >= k else None, everyone)
    return [Shown(cell, None if i in hidden else cell.value) for i, cell in enumerate(cells)], total


def suppress(cells: Iterable[Cell], k: int = K) -> tuple[list[Shown], list[Total]]:
    """Suppress every group of `cells`; the cells keep their order, the totals follow the groups' first
    appearance."""
    groups: dict[tuple[str, ...], list[Cell]] = defaultdict(list)
    for cell in cells:
        groups[cell.group].append(cell)
    shown: dict[tuple[tuple[str, ...], tuple[str, ...]], Shown] = {}
    totals = []
    for members in groups.values():
        done, total = suppress_group(members, k)
        totals.append(total)
        shown.update({(s.cell.group, s.cell.key): s for s in done})
    return [shown[(c.group, c.key)] for group in groups.values() for c in group], totals


def recoverable(shown: Sequence[Shown], total: Total) -> list[Cell]:
    """The suppressed cells of one group whose value follows from the published numbers (a check, for
    tests and audits): with a published total, the suppressed cells' sum is known; each unknown is a
    whole number ≥ 0, so a suppressed cell is recovered exactly when it is the only unknown, or when
    the known sum is 0."""
    hidden = [s.cell for s in shown if s.suppressed]
    if total.value is None or not hidden:
        return []
    rest = total.value - sum(s.value for s in shown if s.value is not None)
    if len(hidden) == 1 or rest == 0:
        return [c for c in hidden if c.people]
    return []
