"""What the operator and an auditor with the database can do that the public cannot: open an entry
(read its private statement, for a receipt or a certificate check) and recount the whole log.

`audit` walks every sequenced entry in index order and, for each:
- checks its leaf hash against the level-0 tile (what the signed roots are built from);
- format 2 with an opening: re-derives the commitment from the salt and the statement
  (`leaves.open_leaf`) and checks that the statement's kind is the kind the server filed it under;
- format 2 without an opening: an erased subject's entry (PDPA), counted as such; a public kind
  must never lack its opening;
- format 1: counted by the kind its leaf shows in clear.
It counts kinds (`by_kind`) and public categories (`public`, what anyone can count from the tiles).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.ledger import leaves, log, merkle
from pracha.ledger.models import LedgerEntry, LedgerOpening, LedgerTile


def statement_of(session: Session, entry: LedgerEntry) -> dict[str, Any] | None:
    """What an entry says, checked against its leaf: the opened statement of a format-2 entry, the leaf
    itself of a format-1 one; None when it cannot be opened (erased, or the opening does not match)."""
    leaf = json.loads(entry.data)
    if leaves.version_of(leaf) < leaves.VERSION:
        return dict(leaf)
    opening = session.get(LedgerOpening, entry.id)
    if opening is None:
        return None
    try:
        return leaves.open_leaf(entry.data, opening.salt, opening.body)
    except leaves.OpeningInvalid:
        return None


def opening_of(session: Session, entry: LedgerEntry) -> dict[str, str] | None:
    """The opening to hand to the holder of a receipt: the salt (hex) and the statement as stored."""
    opening = session.get(LedgerOpening, entry.id)
    if opening is None:
        return None
    return {"salt": opening.salt.hex(), "statement": opening.body.decode()}


@dataclass
class Audit:
    size: int = 0
    by_kind: Counter[str] = field(default_factory=Counter)
    public: Counter[str] = field(default_factory=Counter)
    formats: Counter[int] = field(default_factory=Counter)
    erased: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def audit(session: Session, *, chunk: int = 5000, max_problems: int = 100) -> Audit:
    """Recount the sequenced log from the stored openings (see the module docstring)."""
    result = Audit(size=log.head(session).size)
    for first in range(0, result.size, chunk):
        rows = session.execute(
            select(LedgerEntry.index, LedgerEntry.kind, LedgerEntry.data, LedgerOpening.salt, LedgerOpening.body)
            .outerjoin(LedgerOpening, LedgerOpening.entry_id == LedgerEntry.id)
            .where(LedgerEntry.index >= first, LedgerEntry.index < first + chunk)
            .order_by(LedgerEntry.index)).all()
        if len(rows) != min(chunk, result.size - first) or any(r[0] != first + i for i, r in enumerate(rows)):
            result.problems.append((first, "entries are missing in this range"))
            continue
        level0: dict[int, bytes] = {}
        for row_index, kind, data, salt, body in rows:
            assert row_index is not None  # the query asks for a range of indexes
            index = row_index
            tile_index, offset = divmod(index, log.TILE_WIDTH)
            if tile_index not in level0:
                level0[tile_index] = _tile(session, tile_index)
            if level0[tile_index][offset * log.HASH:(offset + 1) * log.HASH] != merkle.leaf_hash(data):
                result.problems.append((index, "the leaf does not match the log's level-0 tile"))
                continue
            problem = _check(result, kind, data, salt, body)
            if problem is not None:
                result.problems.append((index, problem))
        if len(result.problems) >= max_problems:
            break
    return result


def _tile(session: Session, tile_index: int) -> bytes:
    hashes = session.scalar(select(LedgerTile.hashes).where(LedgerTile.level == 0, LedgerTile.index == tile_index))
    return hashes or b""


def _check(result: Audit, kind: str, data: bytes, salt: bytes | None, body: bytes | None) -> str | None:
    try:
        leaf = json.loads(data)
    except ValueError:
        return "the leaf is not JSON"
    version = leaves.version_of(leaf)
    result.formats[version] += 1
    result.public[leaves.category_of(leaf)] += 1
    if version < leaves.VERSION:
        result.by_kind[str(leaf.get("kind"))] += 1
        return None
    if salt is None or body is None:
        if leaf.get("category") != leaves.SEALED:
            return "a public entry has lost its opening"
        result.erased += 1
        return None
    try:
        stated = leaves.open_leaf(data, salt, body)
    except leaves.OpeningInvalid as exc:
        return f"the opening fails: {exc}"
    if stated["kind"] != kind:
        return f"the statement says {stated['kind']}, the server filed {kind}"
    result.by_kind[kind] += 1
    return None
