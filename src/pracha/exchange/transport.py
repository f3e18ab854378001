"""The HTTP gateway's forward, on the event loop: one `httpx.AsyncClient` per event loop and timeout,
whose pool keeps keep-alive connections per registry (origin). No worker thread waits on a registry.

A registry that restarted leaves dead connections in the pool: httpcore drops a pooled connection the
peer closed before reusing it, so the next request opens a new one (no restart of the mediator).
"""

from __future__ import annotations

import asyncio
import weakref

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from pracha.exchange.checks import Ask, ServiceInfo
from pracha.exchange.errors import ProviderTimeout, ProviderUnavailable
from pracha.exchange.mediator import Forwarded, answer_of, outgoing

_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[float, httpx.AsyncClient]] = (
    weakref.WeakKeyDictionary())


def client(timeout: float) -> httpx.AsyncClient:
    """This event loop's client for `timeout` (a client's connections belong to the loop that made them)."""
    per_loop = _clients.setdefault(asyncio.get_running_loop(), {})
    found = per_loop.get(timeout)
    if found is None:
        found = per_loop[timeout] = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout), limits=httpx.Limits(max_connections=100, max_keepalive_connections=50))
    return found


async def forward(ask: Ask, service: ServiceInfo, provider: Ed25519PublicKey | None, *, key: Ed25519PrivateKey,
                  timeout: float) -> Forwarded:
    """As `mediator.forward`: ProviderTimeout (504) past `timeout`, ProviderUnavailable or
    BadProviderSignature (502). `provider` is the registry's public key, read with the checks."""
    url, headers = outgoing(ask, service, key)
    try:
        response = await client(timeout).request(ask.method, url, headers=headers)
    except httpx.TimeoutException:
        raise ProviderTimeout() from None
    except httpx.HTTPError:
        raise ProviderUnavailable() from None
    return answer_of(response, headers, service, provider)
