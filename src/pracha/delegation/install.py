"""What pracha.delegation adds to an app's registry."""

from __future__ import annotations

from pracha.config import Settings
from pracha.hooks import Registry
from pracha.services.catalog import Catalog


def install(registry: Registry, catalog: Catalog, settings: Settings) -> None:
    pass
