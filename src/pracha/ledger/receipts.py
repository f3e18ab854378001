"""Receipts: an entry, its inclusion proof and the signed checkpoint it is proven against — enough for
anyone holding the log's verifier key to check, offline, that the entry is in the log — and, for a
format-2 entry, its opening (the per-entry salt and the private statement), which proves what the
sealed entry says: its kind, object, actor and exact time, and the subject commitment.

Format "pracha-receipt/v2" adds `opening` {"salt": hex, "statement": canonical JSON text} and
`statement` (the same, as an object, for reading). Receipts in format v1 (format-1 entries) still check.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from pracha.ledger import leaves, merkle, note

FORMAT = "pracha-receipt/v2"
FORMAT_V1 = "pracha-receipt/v1"


def make_receipt(
    *, index: int, data: bytes, proof: list[bytes], tree_size: int, checkpoint_note: str,
    opening: dict[str, str] | None = None,
) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "index": index,
        "entry": base64.b64encode(data).decode(),
        "leaf": json.loads(data),
        "opening": opening,
        "statement": json.loads(opening["statement"]) if opening else None,
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
    statement: dict[str, Any] | None = None


def _bad(th: str, en: str) -> Check:
    return Check(False, th, en)


def verify_receipt(receipt: Any, verifier_key: str) -> Check:
    """Never raises on bad input: a receipt that does not check out says why."""
    try:
        verifier = note.new_verifier(verifier_key)
    except (ValueError, TypeError):
        return _bad("กุญแจตรวจสอบไม่ถูกต้อง", "The verifier key is not valid.")
    if not isinstance(receipt, dict) or receipt.get("format") not in (FORMAT, FORMAT_V1):
        return _bad("ไม่ใช่ใบรับรองของประชา", "This is not a Pracha receipt.")
    try:
        data = base64.b64decode(receipt["entry"], validate=True)
        leaf = json.loads(data)
        if not isinstance(leaf, dict):
            raise ValueError("the entry is not a JSON object")
        index, size = int(receipt["index"]), int(receipt["tree_size"])
        proof = [bytes.fromhex(h) for h in receipt["inclusion_proof"]]
        signed = note.open_note(receipt["checkpoint"], [verifier])
        checkpoint = note.parse_checkpoint(signed.text)
    except note.NoteError:
        return _bad("ลายมือชื่อของจุดตรวจสอบ (checkpoint) ไม่ถูกต้อง", "The checkpoint's signature does not verify.")
    except (KeyError, TypeError, ValueError, RecursionError):
        return _bad("ใบรับรองไม่สมบูรณ์หรือรูปแบบไม่ถูกต้อง", "The receipt is incomplete or malformed.")
    if checkpoint.origin != verifier.name:
        return _bad("จุดตรวจสอบมาจากบัญชีแยกประเภทอื่น", "The checkpoint is from another log.")
    if checkpoint.size != size:
        return _bad("ขนาดต้นไม้ไม่ตรงกับจุดตรวจสอบ", "The tree size does not match the checkpoint.")
    if receipt.get("leaf") != leaf:
        return _bad("ข้อมูลรายการไม่ตรงกับที่บันทึก", "The readable entry does not match the recorded bytes.")
    if not merkle.verify_inclusion(merkle.leaf_hash(data), index, size, proof, checkpoint.root):
        return _bad("หลักฐานการบันทึกไม่ถูกต้อง: รายการนี้ไม่อยู่ในบัญชีแยกประเภทตามจุดตรวจสอบ",
                    "The inclusion proof fails: this entry is not in the log at that checkpoint.")
    stated = _open(receipt, data, leaf)
    if isinstance(stated, Check):
        return stated
    th = f"ถูกต้อง: รายการที่ {index} อยู่ในบัญชีแยกประเภทขนาด {size} รายการ ลงนามโดย {checkpoint.origin}"
    en = f"Valid: entry {index} is in the log of {size} entries signed by {checkpoint.origin}."
    if stated is not None:
        th += f" และบันทึกว่า {stated['kind']} ของ {stated['object']} เมื่อ {stated['time']}"
        en += f" It records {stated['kind']} on {stated['object']} at {stated['time']}."
    return Check(True, th, en, index, size, stated)


def _open(receipt: dict[str, Any], data: bytes, leaf: dict[str, Any]) -> dict[str, Any] | Check | None:
    """The statement the receipt's opening proves, a failed Check, or None (a format-1 entry, whose
    leaf is its own statement, or a receipt without an opening)."""
    opening = receipt.get("opening")
    if leaves.version_of(leaf) < leaves.VERSION:
        return leaf
    if opening is None:
        return None
    try:
        stated = leaves.open_leaf(data, bytes.fromhex(opening["salt"]), str(opening["statement"]).encode())
    except (leaves.OpeningInvalid, KeyError, TypeError, ValueError, RecursionError):
        return _bad("ข้อความที่เปิดเผยไม่ตรงกับค่าผูกมัดในรายการ", "The opening does not match the entry's commitment.")
    if receipt.get("statement") not in (None, stated):
        return _bad("ข้อความที่อ่านได้ไม่ตรงกับที่เปิดเผย", "The readable statement does not match the opening.")
    return stated
