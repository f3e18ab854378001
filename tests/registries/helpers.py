"""Helpers for the registry tests: settings with a private var dir (so keys are per test), the
mediator's key, signing a request as the mediator, and checking a registry's signed answer."""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from pracha.calendar import BANGKOK
from pracha.config import Settings
from pracha.demo import demo_people
from pracha.exchange import httpsig, keys
from pracha.registries import MEDIATOR, REGISTRIES
from pracha.registries.base import load_world
from pracha.registries.world import World
from pracha.services.catalog import Catalog, default_catalog_dir

SOMCHAI_ID, SOMYING_ID = "1101700203450", "1103700456121"
UNKNOWN_ID = "3100000000004"  # a valid national ID no demo citizen has


def make_registry_settings(var_dir: Path, **overrides: Any) -> Settings:
    return Settings(var_dir=var_dir, catalog_dir=default_catalog_dir(), secret_key="test-secret", **overrides)


def mediator_key(settings: Settings) -> Ed25519PrivateKey:
    return keys.load_or_create(keys.key_path(settings.var_dir, MEDIATOR))


def registry_public_key(settings: Settings, name: str) -> Ed25519PublicKey:
    return keys.load_or_create(keys.key_path(settings.var_dir, REGISTRIES[name].subsystem)).public_key()


def signed_headers(url: str, key: Ed25519PrivateKey, *, key_id: str = MEDIATOR, created: int | None = None,
                   message_id: str = "msg-1") -> dict[str, str]:
    headers = {"X-Road-Client": "TH/GOV/PRACHA/portal", "X-Road-Id": message_id}
    return headers | httpsig.sign_request("GET", url, headers, b"", key_id=key_id, key=key, created=created)


def verify_answer(settings: Settings, name: str, response: httpx.Response,
                  request_headers: Mapping[str, str] | None = None) -> str:
    """The registry's keyid, after checking its signature on `response` (bound to the request)."""
    subsystem = REGISTRIES[name].subsystem
    return httpsig.verify_response(response.status_code, response.headers, response.content,
                                   resolve_key={subsystem: registry_public_key(settings, name)}.get,
                                   request_headers=request_headers)


def today() -> dt.date:
    return dt.datetime.now(BANGKOK).date()


def world(citizens: int = 500) -> World:
    return load_world(default_catalog_dir().resolve(), citizens, 2569, today())


def free_ports(count: int) -> int:
    """The first of `count` consecutive free loopback ports."""
    for _ in range(100):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            first = int(s.getsockname()[1])
        if first + count >= 65535:
            continue
        try:
            sockets = []
            for p in range(first, first + count):
                s = socket.socket()
                sockets.append(s)
                s.bind(("127.0.0.1", p))
            return first
        except OSError:
            continue
        finally:
            for s in sockets:
                s.close()
    raise RuntimeError("no consecutive free ports")


def people_of(catalog: Catalog, citizens: int = 500) -> Callable[[], list[Any]]:
    return lambda: demo_people(list(catalog.agencies), citizens=citizens, seed=2569, today=today())
