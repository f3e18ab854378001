"""The open-data package's parts in the app and in `pracha worker`: the daily refresh of the
platform's own statistics (a `schedules.DAILY` job) and the feeds' cache."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy.orm import Session

from pracha.automation import schedules
from pracha.config import Settings
from pracha.hooks import Registry
from pracha.opendata import platform
from pracha.opendata.catalogue import OpenData
from pracha.opendata.feedcache import FEEDS, FeedCache
from pracha.services.catalog import Catalog


def daily_job(catalog: Catalog) -> Callable[[Session, Settings, dt.date], None]:
    def refresh_statistics(session: Session, settings: Settings, today: dt.date) -> None:
        od = OpenData(catalog, settings.catalog_dir.resolve(), settings.public_base_url)
        platform.refresh(session, od, today)

    return refresh_statistics


def install(registry: Registry, catalog: Catalog, settings: Settings) -> None:
    """Register the open-data package's hooks (the app and `pracha worker` both call this)."""
    registry.add(schedules.DAILY, daily_job(catalog))  # the platform statistics, once a day
    registry.provide(FEEDS, FeedCache())  # DCAT and data.json, built once per catalogue version
