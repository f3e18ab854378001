"""Ledger errors.

    PrachaError
    ├── BadLedgerRequest (400)   an index beyond the tree, first > second, a malformed tile path, …
    └── LedgerBusy (503)         sequencing could not run just now; Retry-After says when to ask again
"""

from __future__ import annotations

from pracha.errors import PrachaError


class BadLedgerRequest(PrachaError):
    status_code = 400
    code = "bad_ledger_request"


class LedgerBusy(PrachaError):
    """The log could not be sequenced just now (the database stayed busy): try again in a moment."""

    status_code = 503
    code = "ledger_busy"
    message_th = "บัญชีแยกประเภทกำลังบันทึกรายการ กรุณาลองใหม่อีกครั้งในอีกสักครู่"
    message_en = "The ledger is busy recording entries. Please try again in a moment."

    def __init__(self, message_th: str | None = None, message_en: str | None = None) -> None:
        super().__init__(message_th, message_en, headers={"Retry-After": "2"})
