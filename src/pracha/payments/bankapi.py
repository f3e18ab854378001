"""Pracha calling a bank: refunds and daily statements, each request signed with Pracha's payments key
(RFC 9421, Ed25519, key id `pracha-payments`), as the bank requires."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx

from pracha.config import Settings
from pracha.exchange import httpsig
from pracha.payments.errors import BankUnavailable, NotRefundable
from pracha.payments.keys import pracha_key
from pracha.payments.models import Bank

KEY_ID = "pracha-payments"
TIMEOUT = httpx.Timeout(10.0, read=60.0)


def _signed(settings: Settings, method: str, url: str, body: bytes = b"") -> dict[str, str]:
    headers = {"Content-Type": "application/json"} if body else {}
    return {**headers, **httpsig.sign_request(method, url, headers, body, key_id=KEY_ID,
                                              key=pracha_key(settings.var_dir))}


def refund(settings: Settings, bank: Bank, *, transaction_id: str, amount: str, reason: str) -> dict[str, Any]:
    """Ask the bank to give the money back; its answer (refund_id, refunded_at) or NotRefundable / BankUnavailable."""
    url = f"{bank.base_url.rstrip('/')}/refunds"
    body = json.dumps({"transaction_id": transaction_id, "amount": amount, "reason": reason[:500]}).encode()
    try:
        response = httpx.post(url, content=body, headers=_signed(settings, "POST", url, body), timeout=TIMEOUT)
    except httpx.HTTPError as exc:
        raise BankUnavailable() from exc
    if response.status_code in (404, 409, 422):
        raise NotRefundable()
    if response.status_code != 201:
        raise BankUnavailable()
    answer: dict[str, Any] = response.json()
    return answer


def statement_lines(settings: Settings, bank: Bank, day: str) -> Iterator[str]:
    """The bank's statement of `day` (YYYY-MM-DD), line by line as it streams (header first)."""
    url = f"{bank.base_url.rstrip('/')}/statements/{day}"
    try:
        with httpx.stream("GET", url, headers=_signed(settings, "GET", url), timeout=TIMEOUT) as response:
            if response.status_code != 200:
                raise BankUnavailable()
            yield from response.iter_lines()
    except httpx.HTTPError as exc:
        raise BankUnavailable() from exc
