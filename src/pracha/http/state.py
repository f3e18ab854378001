"""What an app holds, as one typed object (`request.app.state.pracha`), instead of loose `app.state`
attributes. What belongs to a capability (the catalogue, the ledger's keys …) sits in `registry`
under a `Slot` that the capability declares; hooks between packages are registered there too."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeVar

from jinja2 import Environment
from starlette.requests import HTTPConnection

from pracha.config import Settings
from pracha.db import Database
from pracha.hooks import Registry, Slot
from pracha.http.anonymous_pages import AnonymousPages

T = TypeVar("T")


@dataclass
class AppState:
    settings: Settings
    db: Database
    secret: bytes
    templates: Environment
    registry: Registry
    # None: every page rendered for each request, as for signed-in visitors
    anonymous_pages: AnonymousPages | None = field(default_factory=AnonymousPages)


def app_state(connection: HTTPConnection) -> AppState:
    state: AppState = connection.app.state.pracha
    return state


def part(connection: HTTPConnection, slot: Slot[T]) -> T:
    """The value a capability put in this app's registry under `slot`."""
    return app_state(connection).registry.get(slot)
