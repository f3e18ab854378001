"""The business package's parts in the app and in `pracha worker`: its hooks into lower layers
(renewal reminders, the data tracker's rows, ...), each added by the module that owns it."""

from __future__ import annotations

from pracha.config import Settings
from pracha.hooks import Registry
from pracha.services.catalog import Catalog


def install(registry: Registry, catalog: Catalog, settings: Settings) -> None:
    """Register the business package's hooks (the app and `pracha worker` both call this)."""
