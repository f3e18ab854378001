"""Ledger errors.

    PrachaError
    └── BadLedgerRequest (400)   an index beyond the tree, first > second, a malformed tile path, …
"""

from __future__ import annotations

from pracha.errors import PrachaError


class BadLedgerRequest(PrachaError):
    status_code = 400
    code = "bad_ledger_request"
