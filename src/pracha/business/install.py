"""The business package's parts in the app and in `pracha worker`: its hooks into lower layers
(renewal reminders, the data tracker's rows, ...), each added by the module that owns it."""

from __future__ import annotations

from pracha.automation import schedules
from pracha.business import reminders
from pracha.business.bundle_catalog import BUNDLES, load_bundles
from pracha.config import Settings
from pracha.hooks import Registry
from pracha.services.catalog import Catalog


def install(registry: Registry, catalog: Catalog, settings: Settings) -> None:
    """Register the business package's hooks (the app and `pracha worker` both call this)."""
    registry.provide(BUNDLES, load_bundles(settings.catalog_dir.resolve() / "bundles", catalog))  # fails at start
    registry.add(schedules.DAILY, reminders.daily_job(catalog))  # renewal reminders 60 and 30 days ahead
