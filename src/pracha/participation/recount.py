"""`pracha ledger recount-petition`: recount a petition from the PUBLIC log alone, over HTTP.

1. The signed checkpoint, verified with the log's key (asking for it makes the portal sequence what waits).
2. The petition's published count and the ledger range its tally claims (`GET /api/v1/petitions/{id}`).
   If the claimed range reaches past the checkpoint, the count includes entries nobody can check yet:
   "wait for the next checkpoint".
3. Every entry bundle up to the checkpoint; the root recomputed from the entries must be the signed
   one (so no entry was added, dropped or changed), as `pracha ledger verify --full` does.
4. Up to the claimed last index, per commitment: supports minus withdrawals for the objects
   `petition:<id>/…`; a commitment counts when it ends supported. The sum must equal the count.

Without --key the log's own key (/ledger/key) is used: that checks consistency, not authenticity."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass

import httpx

from pracha.ledger import merkle, note, tiles
from pracha.ledger.verify import fetch_checkpoint, parse_bundle
from pracha.participation.tally import PETITION_SUPPORT, PETITION_WITHDRAW

__all__ = ["Recount", "recount_petition"]


@dataclass(frozen=True)
class Recount:
    ok: bool
    message: str
    counted: int | None = None
    published: int | None = None
    first_index: int | None = None  # found in the log
    last_index: int | None = None
    wait: bool = False  # the published count includes entries not yet under a signed checkpoint


def fetch_entries(http: httpx.Client, size: int) -> list[bytes]:
    """Every entry of the first `size`, bundle by bundle."""
    entries: list[bytes] = []
    for tile_index in range((size + tiles.TILE_WIDTH - 1) // tiles.TILE_WIDTH):
        width = min(tiles.TILE_WIDTH, size - tile_index * tiles.TILE_WIDTH)
        reply = http.get("/ledger/" + tiles.entries_path(tile_index, width))
        bundle = parse_bundle(reply.content) if reply.status_code == 200 else []
        if len(bundle) < width:
            raise LookupError(f"the entry bundle {tile_index} is missing or short")
        entries.extend(bundle[:width])
    return entries


def tally_of(entries: list[bytes], petition_id: int, last: int) -> tuple[int, int | None, int | None]:
    """(live supports, first index, last index) of the petition's tally entries up to index `last`."""
    prefix = f"petition:{petition_id}/"
    balance: Counter[str] = Counter()
    first = found_last = None
    for index, data in enumerate(entries[:last + 1]):
        leaf = json.loads(data)
        kind, obj = leaf.get("category") or leaf.get("kind"), str(leaf.get("object") or "")
        if kind not in (PETITION_SUPPORT, PETITION_WITHDRAW) or not obj.startswith(prefix):
            continue
        commitment = obj[len(prefix):]
        balance[commitment] = 1 if kind == PETITION_SUPPORT else 0  # the latest entry of a commitment wins
        first = index if first is None else first
        found_last = index
    return sum(balance.values()), first, found_last


def recount_petition(url: str, petition_id: int, key: str | None = None,
                     client: httpx.Client | None = None) -> Recount:
    http = client or httpx.Client(base_url=url.rstrip("/"), timeout=60)
    try:
        verifier = note.new_verifier(key or http.get("/ledger/key").raise_for_status().text.strip())
        _, checkpoint = fetch_checkpoint(http, verifier)
    except (note.NoteError, ValueError, httpx.HTTPError) as exc:
        return Recount(False, f"the checkpoint's signature does not verify: {exc}")
    reply = http.get(f"/api/v1/petitions/{petition_id}")
    if reply.status_code != 200:
        return Recount(False, f"the petition could not be read (HTTP {reply.status_code})")
    petition = reply.json()
    published, claimed = int(petition["support_count"]), petition.get("ledger") or {}
    last = claimed.get("last_index")
    if published and (last is None or not claimed.get("sequenced", True) or last >= checkpoint.size):
        return Recount(False, "the published count includes entries not yet in a signed checkpoint: "
                       "wait for the next checkpoint", published=published, wait=True)
    try:
        entries = fetch_entries(http, checkpoint.size)
    except LookupError as exc:
        return Recount(False, str(exc), published=published)
    if merkle.root_from_hashes([merkle.leaf_hash(e) for e in entries]) != checkpoint.root:
        return Recount(False, "the entries do not give the signed root: the log was changed", published=published)
    counted, first, found_last = tally_of(entries, petition_id, checkpoint.size - 1 if last is None else last)
    if counted != published:
        return Recount(False, f"does not match: {counted} counted in the log, {published} published",
                       counted, published, first, found_last)
    return Recount(True, f"matches: {counted} supports", counted, published, first, found_last)
