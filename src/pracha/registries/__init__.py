"""Five demo agency registries, each its own ASGI app, process and database, answering only requests
signed by the exchange mediator and signing every answer (RFC 9421, see `pracha.exchange.httpsig`).

    pracha registry serve civil|business|welfare|land|revenue --port N [--host H] [--database URL]

Their names, members and ports are declared once, in `pracha.exchange.vocabulary.REGISTRIES`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pracha.config import Settings
from pracha.exchange.vocabulary import MEDIATOR, REGISTRIES, Registry

__all__ = ["MEDIATOR", "NAMES", "REGISTRIES", "Registry", "create_app", "default_database_url"]

if TYPE_CHECKING:
    from fastapi import FastAPI

NAMES = tuple(REGISTRIES)


def default_database_url(settings: Settings, name: str) -> str:
    return f"sqlite:///{settings.var_dir / 'registries' / f'{name}.db'}"


def create_app(name: str, settings: Settings, database_url: str | None = None) -> FastAPI:
    """The registry's app; creates its tables and seeds them on first start."""
    from pracha.registries.base import create_registry_app

    return create_registry_app(REGISTRIES[name], settings, database_url or default_database_url(settings, name))
