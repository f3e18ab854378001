"""The ledger in public: checkpoint and tiles (C2SP tlog-checkpoint / tlog-tiles), entries and proofs
as JSON, a page that shows the log and checks a pasted receipt, and the door for witnesses."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from pracha.http import guard
from pracha.http.access import PUBLIC, Caller, allow, get_db
from pracha.http.openapi import errors
from pracha.http.params import Index, IndexQuery
from pracha.http.rendering import render
from pracha.ledger import leaves, log, merkle, note, receipts, tiles, witness
from pracha.ledger.deps import ledger_of, sequenced
from pracha.ledger.errors import BadLedgerRequest, LedgerBusy

router = APIRouter()
IMMUTABLE = "public, max-age=31536000, immutable"


def current_checkpoint(request: Request, db: Session) -> log.LedgerCheckpoint:
    return ledger_of(request).checkpoint(db)


@router.get("/ledger/checkpoint", dependencies=[Depends(sequenced)], response_class=PlainTextResponse, tags=["ledger"])
def get_checkpoint(request: Request, _: Caller = allow(PUBLIC), db: Session = Depends(get_db)) -> Response:
    """The newest signed checkpoint (C2SP tlog-checkpoint in a signed note), with witness cosignatures.
    Never a 500: when the database is too busy to answer, 503 with Retry-After."""
    try:
        note_text = current_checkpoint(request, db).note
    except OperationalError as exc:
        raise LedgerBusy() from exc
    return PlainTextResponse(note_text, headers={"Cache-Control": "no-cache"})


@router.get("/ledger/key", response_class=PlainTextResponse, tags=["ledger"])
def get_key(request: Request, _: Caller = allow(PUBLIC)) -> Response:
    """The log's verifier key (`name+hash+base64`), for `pracha ledger verify --key`."""
    return PlainTextResponse(ledger_of(request).verifier_key + "\n")


@router.get("/ledger/tile/{path:path}", tags=["ledger"], responses=errors(400))
async def get_tile(path: str, request: Request, _: Caller = allow(PUBLIC),
                   db: Session = Depends(get_db)) -> Response:
    """Hash tiles `tile/<L>/<N>[.p/<W>]` and entry bundles `tile/entries/<N>[.p/<W>]` (C2SP tlog-tiles), as
    bytes. A full tile or bundle never changes: cached for a year as immutable; a partial one grows, so
    `no-cache`. Both carry an ETag (a hash of the bytes), and a matching If-None-Match gets 304. A full
    hash tile this process holds is answered without a worker thread or the database."""
    try:
        parsed = tiles.parse_tile_path("tile/" + path)
    except ValueError as exc:
        raise BadLedgerRequest("เส้นทางของไทล์ไม่ถูกต้อง", f"Not a tile path: {exc}") from exc
    data = log.held_tile(db, parsed.level, parsed.index, parsed.width)
    if data is None:
        data = await run_in_threadpool(_read_tile, db, parsed)
    if data is None:
        raise BadLedgerRequest("ยังไม่มีไทล์นี้", "This tile does not exist (yet).", )
    etag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
    headers = {"Cache-Control": IMMUTABLE if parsed.is_full else "no-cache", "ETag": etag}
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(data, media_type="application/octet-stream", headers=headers)


def _read_tile(db: Session, parsed: tiles.Tile) -> bytes | None:
    if parsed.level == tiles.ENTRIES_LEVEL:
        return log.entry_bundle(db, parsed.index, parsed.width)
    return log.tile_data(db, parsed.level, parsed.index, parsed.width)


@router.get("/api/v1/ledger/entries/{index}", dependencies=[Depends(sequenced)], tags=["ledger"], responses=errors(400))
def get_entry(index: Index, request: Request, _: Caller = allow(PUBLIC),
              db: Session = Depends(get_db)) -> dict[str, Any]:
    """One entry: its canonical JSON, as stored and as an object, its public category and its leaf hash.
    A format-2 entry about a person shows only "sealed", a day and a salted commitment."""
    current_checkpoint(request, db)
    entry = log.entry_at(db, index) if index >= 0 else None
    if entry is None:
        raise BadLedgerRequest("ไม่มีรายการลำดับนี้ในบัญชีแยกประเภท", "There is no entry at this index.")
    leaf = json.loads(entry.data)
    return {"index": entry.index, "kind": leaves.category_of(leaf), "entry": leaf,
            "canonical": entry.data.decode(), "leaf_hash": merkle.leaf_hash(entry.data).hex()}


@router.get("/api/v1/ledger/proof/inclusion", dependencies=[Depends(sequenced)], tags=["ledger"], responses=errors(400))
def get_inclusion(request: Request, index: IndexQuery, tree_size: IndexQuery,
                  _: Caller = allow(PUBLIC), db: Session = Depends(get_db)) -> dict[str, Any]:
    """Inclusion proof (RFC 9162 §2.1.3) of the entry at `index` in the tree of `tree_size` entries."""
    current_checkpoint(request, db)
    proof = log.inclusion_proof(db, index, tree_size)
    return {"index": index, "tree_size": tree_size, "proof": [h.hex() for h in proof]}


@router.get("/api/v1/ledger/proof/consistency", dependencies=[Depends(sequenced)], tags=["ledger"],
            responses=errors(400))
def get_consistency(request: Request, first: IndexQuery, second: IndexQuery,
                    _: Caller = allow(PUBLIC), db: Session = Depends(get_db)) -> dict[str, Any]:
    """Consistency proof (RFC 9162 §2.1.4) between the trees of `first` and `second` entries."""
    current_checkpoint(request, db)
    proof = log.consistency_proof(db, first, second)
    return {"first": first, "second": second, "proof": [h.hex() for h in proof]}


@router.post("/ledger/witness", response_class=PlainTextResponse, tags=["ledger"])
async def post_cosignature(request: Request, _: Caller = allow(PUBLIC, csrf=False),
                           db: Session = Depends(get_db)) -> Response:
    """A witness sends back the checkpoint with its cosignature added; it is kept with the checkpoint."""
    body = (await request.body()).decode("utf-8", errors="replace")
    ledger = ledger_of(request)

    def run() -> str:
        checkpoint = witness.accept_cosignature(db, body, log_signer=ledger.signer,
                                                witnesses=ledger.witnesses)
        db.commit()
        return checkpoint.note

    return PlainTextResponse(await run_in_threadpool(run))


@router.get("/ledger", response_class=HTMLResponse, include_in_schema=False, dependencies=[Depends(sequenced)])
def ledger_page(request: Request, _: Caller = allow(PUBLIC), db: Session = Depends(get_db)) -> Response:
    checkpoint = current_checkpoint(request, db)
    return render(request, "ledger.html", _page(request, checkpoint))


@router.post("/ledger/verify", response_class=HTMLResponse, include_in_schema=False,
             dependencies=[Depends(sequenced)])
def verify_pasted_receipt(request: Request, receipt: str = Form(""), _: Caller = allow(PUBLIC, write=False),
                          db: Session = Depends(get_db)) -> Response:
    try:
        parsed = guard.loads(receipt)  # too deep, NaN or broken text: a 422 with its error code
    except ValueError:
        parsed = None
    check = receipts.verify_receipt(parsed, ledger_of(request).verifier_key)
    checkpoint = current_checkpoint(request, db)
    return render(request, "ledger.html", {**_page(request, checkpoint), "check": check, "receipt": receipt},
                  status_code=200 if check.ok else 422)


def _page(request: Request, checkpoint: log.LedgerCheckpoint) -> dict[str, Any]:
    signed = note.open_note(checkpoint.note, [ledger_of(request).verifier])
    return {"checkpoint": checkpoint, "signatures": signed.signatures, "check": None, "receipt": "",
            "verifier_key": ledger_of(request).verifier_key}
