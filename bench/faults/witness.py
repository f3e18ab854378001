"""The witness driver: acknowledged writes under load, every acknowledgement kept.

Lanes run concurrently, each doing one kind of write over and over (or a mediated registry read):

- application: `POST /api/v1/applications` with an `Idempotency-Key`; a transport error or a 5xx is
  retried with the same key until a 201 (its reference is the acknowledgement), so a retried submit that
  had in fact been applied must come back as the same draft, never a second one;
- consent: `POST /api/v1/me/consents` with an `Idempotency-Key`, retried as applications are until a 201
  (its id is the acknowledgement), so a retried grant that had in fact been applied must come back as the
  same consent, never a second one;
- payment: a bank's signed callback for a due fee (as the demo bank sends it), retried (signed afresh)
  after a transport error, a 5xx or a 401 until 200 `accepted` or `duplicate`;
- exchange: a mediated registry call `GET /exchange/r1/…` through `pracha serve` (no acknowledgement:
  its status and latency show 502/504 within the mediator's timeout).

Every attempt is an `Attempt` (start, end, kind, outcome); the acknowledgements are kept by kind."""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from bench.common import BIRTH_FORM

from pracha.exchange import httpsig

GIVE_UP_SECONDS = 90.0  # a write still not acknowledged after this long stays unknown
PAYMENTS_PER_SECOND = 2.0  # the due fees are seeded beforehand: spend them slowly


@dataclass(frozen=True)
class Attempt:
    kind: str
    started: float  # time.monotonic()
    ended: float
    outcome: str  # "ok", an HTTP status ("503"), or an exception's name

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"


@dataclass(frozen=True)
class Citizen:
    cookie: str
    csrf: str
    user_id: int


@dataclass
class Acks:
    """What the system acknowledged, and what it may or may not have done."""

    applications: dict[str, str] = field(default_factory=dict)  # idempotency key -> reference
    consents: dict[str, tuple[int, int]] = field(default_factory=dict)  # idempotency key -> (consent id, user id)
    payments: dict[str, str] = field(default_factory=dict)  # bank transaction id -> payment public id
    payment_duplicates: int = 0  # callbacks answered `duplicate` (an earlier try had been applied)
    unacknowledged: list[str] = field(default_factory=list)  # writes given up on


@dataclass
class Exchange:
    url: str
    headers: Callable[[], dict[str, str]]


class Witness:
    """Runs the lanes in an event loop of its own thread until `stop()`."""

    def __init__(
        self,
        base: str,
        citizens: list[Citizen],
        callbacks: list[tuple[dict[str, Any], Any]],
        exchange: Exchange,
        offer: dict[str, str],
    ) -> None:
        self.base = base
        self.citizens = citizens
        self.callbacks = callbacks  # (body, bank key), spent from the front
        self.exchange = exchange
        self.offer = offer
        self.attempts: list[Attempt] = []
        self.acks = Acks()
        self.paused = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # --- running --------------------------------------------------------------------------------

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._run()), daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop starting new writes and wait for those under way (with their retries) to finish."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=GIVE_UP_SECONDS + 30)

    async def _run(self) -> None:
        limits = httpx.Limits(max_connections=32, max_keepalive_connections=32)
        async with httpx.AsyncClient(base_url=self.base, timeout=10, limits=limits) as http:
            lanes: list[Awaitable[None]] = [
                self._lane(http, "application", self._application, c) for c in self.citizens[:2]
            ]
            lanes.append(self._lane(http, "consent", self._consent, self.citizens[2]))
            lanes.append(self._lane(http, "payment", self._payment, None, 1 / PAYMENTS_PER_SECOND))
            lanes.append(self._lane(http, "exchange", self._exchange, None))
            await asyncio.gather(*lanes)

    async def _lane(
        self,
        http: httpx.AsyncClient,
        kind: str,
        op: Callable[..., Awaitable[None]],
        citizen: Citizen | None,
        spacing: float = 0.0,
    ) -> None:
        while not self._stop.is_set():
            began = time.monotonic()
            await op(http, citizen)
            if spacing:
                await asyncio.sleep(max(0.0, spacing - (time.monotonic() - began)))

    async def _try(
        self,
        http: httpx.AsyncClient,
        kind: str,
        method: str,
        url: str,
        *,
        content: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response | None:
        """One attempt, recorded; None when no HTTP answer came back."""
        started = time.monotonic()
        try:
            response = await http.request(method, url, content=content, headers=headers)
        except httpx.HTTPError as exc:
            self.attempts.append(Attempt(kind, started, time.monotonic(), type(exc).__name__))
            return None
        outcome = "ok" if response.status_code < 300 else str(response.status_code)
        self.attempts.append(Attempt(kind, started, time.monotonic(), outcome))
        return response

    async def _until_acknowledged(
        self,
        attempt: Callable[[], Awaitable[httpx.Response | None]],
        done: Callable[[httpx.Response], bool],
        also: tuple[int, ...] = (),
    ) -> httpx.Response | None:
        """Retry after a transport error, a 5xx or a status in `also` (backing off to 1 s) until `done`;
        None on giving up."""
        deadline, pause = time.monotonic() + GIVE_UP_SECONDS, 0.05
        while time.monotonic() < deadline:
            response = await attempt()
            if response is not None and done(response):
                return response
            if response is not None and response.status_code < 500 and response.status_code not in also:
                return response  # refused for good (a 4xx): nothing to retry
            await asyncio.sleep(pause)
            pause = min(1.0, pause * 2)
        return None

    # --- the writes -----------------------------------------------------------------------------

    async def _application(self, http: httpx.AsyncClient, citizen: Citizen) -> None:
        body = {"service_id": "birth-registration", "data": BIRTH_FORM}
        key, response = await self._write_once(http, citizen, "application", "/api/v1/applications", body)
        if response is not None:
            self.acks.applications[key] = str(response.json()["reference"])

    async def _consent(self, http: httpx.AsyncClient, citizen: Citizen) -> None:
        key, response = await self._write_once(http, citizen, "consent", "/api/v1/me/consents", self.offer)
        if response is not None:
            self.acks.consents[key] = (int(response.json()["id"]), citizen.user_id)

    async def _write_once(
        self, http: httpx.AsyncClient, citizen: Citizen, kind: str, path: str, body: Any
    ) -> tuple[str, httpx.Response | None]:
        """POST with a fresh `Idempotency-Key`, retried with the same key until a 201 (the response), else
        None and the write counted as given up on."""
        key = uuid.uuid4().hex
        content = json.dumps(body).encode()
        headers = {
            "Cookie": citizen.cookie,
            "X-CSRF-Token": citizen.csrf,
            "Content-Type": "application/json",
            "Idempotency-Key": key,
        }
        response = await self._until_acknowledged(
            lambda: self._try(http, kind, "POST", path, content=content, headers=headers),
            lambda r: r.status_code == 201,
        )
        if response is not None and response.status_code == 201:
            return key, response
        self.acks.unacknowledged.append(f"{kind} {key}: {_said(response)}")
        return key, None

    async def _payment(self, http: httpx.AsyncClient, _: Citizen | None) -> None:
        if not self.callbacks:
            await asyncio.sleep(0.5)
            return
        body, key = self.callbacks.pop(0)
        raw = json.dumps(body).encode()
        path = "/payments/callbacks/bench-bank"

        def signed() -> Awaitable[httpx.Response | None]:
            headers = {"Content-Type": "application/json"}
            headers |= httpsig.sign_request("POST", f"{self.base}{path}", headers, raw, key_id="bench-bank", key=key)
            return self._try(http, "payment", "POST", path, content=raw, headers=headers)

        response = await self._until_acknowledged(
            signed,
            lambda r: r.status_code == 200 and r.json().get("status") in ("accepted", "duplicate"),
            also=(401,),  # a bank retries a refused signature (say, our clock was off) with a fresh one
        )
        status = response.json().get("status") if response is not None and response.status_code == 200 else None
        if status in ("accepted", "duplicate"):
            self.acks.payments[str(body["transaction_id"])] = str(body["ref2"])
            self.acks.payment_duplicates += status == "duplicate"
        else:
            self.acks.unacknowledged.append(f"payment {body['transaction_id']}: {_said(response)}")

    async def _exchange(self, http: httpx.AsyncClient, _: Citizen | None) -> None:
        response = await self._try(http, "exchange", "GET", self.exchange.url, headers=self.exchange.headers())
        if response is None or response.status_code >= 500:
            await asyncio.sleep(0.1)


def _said(response: httpx.Response | None) -> str:
    return "no answer" if response is None else f"{response.status_code} {response.text[:200]}"
