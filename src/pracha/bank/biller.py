"""The bank's calls to the biller (Pracha), each signed with the bank's key (RFC 9421, Ed25519):

    POST {base}/payments/validations/{bank}   {"biller_id", "ref1", "ref2", "amount"} -> {"payable": ...}
    POST {base}/payments/callbacks/{bank}     the paid transaction; 200 = received

A callback that fails (no answer, or anything but 200) is retried in a background thread with growing
delays; the payment stays paid whatever happens, and its `callback` state says where it stands.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from pracha.bank.store import Store, Transaction
from pracha.exchange.httpsig import sign_request

RETRY_DELAYS = (2.0, 5.0, 15.0, 60.0, 300.0)  # seconds before each retry of a failed callback
log = logging.getLogger("pracha.bank")


class BillerUnavailable(Exception):
    """The biller did not give a usable answer; nothing was paid."""


class Biller:
    def __init__(self, base_url: str, bank_id: str, key: Ed25519PrivateKey, *, timeout: float = 5.0) -> None:
        self.base_url, self.bank_id, self.key = base_url.rstrip("/"), bank_id, key
        self.client = httpx.Client(timeout=timeout)

    def validate(self, biller_id: str, ref1: str, ref2: str, amount: Decimal) -> dict[str, Any]:
        """Pracha's answer: {"payable": true} or {"payable": false, "reason": ...}."""
        body = {"biller_id": biller_id, "ref1": ref1, "ref2": ref2, "amount": f"{amount:.2f}"}
        try:
            response = self._post(f"/payments/validations/{self.bank_id}", body)
            answer = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise BillerUnavailable(str(exc)) from exc
        if response.status_code != 200 or not isinstance(answer, dict) or not isinstance(answer.get("payable"), bool):
            raise BillerUnavailable(f"biller answered {response.status_code}")
        return answer

    def notify(self, payment: Transaction) -> bool:
        """Deliver the callback once; True if the biller answered 200."""
        body = {"transaction_id": payment.id, "biller_id": payment.biller_id, "ref1": payment.ref1,
                "ref2": payment.ref2, "amount": f"{payment.amount:.2f}", "paid_at": payment.paid_at,
                "payer_account": payment.payer_account, "channel": "thai_qr"}
        try:
            return self._post(f"/payments/callbacks/{self.bank_id}", body).status_code == 200
        except httpx.HTTPError as exc:
            log.warning("callback of %s failed: %s", payment.id, exc)
            return False

    def close(self) -> None:
        self.client.close()

    def _post(self, path: str, data: dict[str, Any]) -> httpx.Response:
        url = self.base_url + path
        body = json.dumps(data, ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json"}
        headers |= sign_request("POST", url, headers, body, key_id=self.bank_id, key=self.key)
        return self.client.post(url, content=body, headers=headers)


class CallbackRetrier:
    """Retries failed callbacks in daemon threads until delivered or the delays run out."""

    def __init__(self, store: Store, biller: Biller, delays: Sequence[float] = RETRY_DELAYS) -> None:
        self.store, self.biller, self.delays = store, biller, tuple(delays)
        self.stopping = threading.Event()
        self.threads: list[threading.Thread] = []

    def schedule(self, payment: Transaction, attempts_so_far: int = 1) -> None:
        thread = threading.Thread(target=self._retry, args=(payment, attempts_so_far), daemon=True,
                                  name=f"callback-{payment.id}")
        self.threads = [t for t in self.threads if t.is_alive()] + [thread]
        thread.start()

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=5)

    def _retry(self, payment: Transaction, attempts: int) -> None:
        for delay in self.delays:
            if self.stopping.wait(delay):
                return
            attempts += 1
            if self.biller.notify(payment):
                self.store.set_callback(payment.id, "delivered", attempts)
                return
            self.store.set_callback(payment.id, "failed", attempts)
        log.warning("callback of %s not delivered after %d attempts", payment.id, attempts)
