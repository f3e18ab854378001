"""Receipts: an entry, its inclusion proof and the signed checkpoint it is proven against — enough for
anyone holding the log's verifier key to check, offline, that the entry is in the log."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from pracha.ledger import merkle, note

FORMAT = "pracha-receipt/v1"


def make_receipt(
    *, index: int, data: bytes, proof: list[bytes], tree_size: int, checkpoint_note: str
) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "index": index,
        "entry": base64.b64encode(data).decode(),
        "leaf": json.loads(data),
        "tree_size": tree_size,
        "inclusion_proof": [h.hex() for h in proof],
        "checkpoint": checkpoint_note,
    }


@dataclass(frozen=True)
class Check:
    ok: bool
    message_th: str
    message_en: str
    index: int | None = None
    tree_size: int | None = None


def _bad(th: str, en: str) -> Check:
    return Check(False, th, en)


def verify_receipt(receipt: Any, verifier_key: str) -> Check:
    """Never raises on bad input: a receipt that does not check out says why."""
    try:
        verifier = note.new_verifier(verifier_key)
    except (ValueError, TypeError):
        return _bad("กุญแจตรวจสอบไม่ถูกต้อง", "The verifier key is not valid.")
    if not isinstance(receipt, dict) or receipt.get("format") != FORMAT:
        return _bad("ไม่ใช่ใบรับรองของประชา", "This is not a Pracha receipt.")
    try:
        data = base64.b64decode(receipt["entry"], validate=True)
        index, size = int(receipt["index"]), int(receipt["tree_size"])
        proof = [bytes.fromhex(h) for h in receipt["inclusion_proof"]]
        signed = note.open_note(receipt["checkpoint"], [verifier])
        checkpoint = note.parse_checkpoint(signed.text)
    except note.NoteError:
        return _bad("ลายมือชื่อของจุดตรวจสอบ (checkpoint) ไม่ถูกต้อง", "The checkpoint's signature does not verify.")
    except (KeyError, TypeError, ValueError):
        return _bad("ใบรับรองไม่สมบูรณ์หรือรูปแบบไม่ถูกต้อง", "The receipt is incomplete or malformed.")
    if checkpoint.origin != verifier.name:
        return _bad("จุดตรวจสอบมาจากบัญชีแยกประเภทอื่น", "The checkpoint is from another log.")
    if checkpoint.size != size:
        return _bad("ขนาดต้นไม้ไม่ตรงกับจุดตรวจสอบ", "The tree size does not match the checkpoint.")
    try:
        same_leaf = receipt.get("leaf") == json.loads(data)
    except (ValueError, RecursionError):  # entry bytes that are not JSON, or nested beyond the stack
        same_leaf = False
    if not same_leaf:
        return _bad("ข้อมูลรายการไม่ตรงกับที่บันทึก", "The readable entry does not match the recorded bytes.")
    if not merkle.verify_inclusion(merkle.leaf_hash(data), index, size, proof, checkpoint.root):
        return _bad("หลักฐานการบันทึกไม่ถูกต้อง: รายการนี้ไม่อยู่ในบัญชีแยกประเภทตามจุดตรวจสอบ",
                    "The inclusion proof fails: this entry is not in the log at that checkpoint.")
    return Check(True, f"ถูกต้อง: รายการที่ {index} อยู่ในบัญชีแยกประเภทขนาด {size} รายการ ลงนามโดย {checkpoint.origin}",
                 f"Valid: entry {index} is in the log of {size} entries signed by {checkpoint.origin}.", index, size)
