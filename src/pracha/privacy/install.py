"""What the privacy package adds to an app's (or a worker's) registry: its rows in the data tracker,
the DPO's daily reminders of the law's deadlines, the retention schedule and the breach deadlines."""

from __future__ import annotations

from pracha.automation import schedules
from pracha.exchange.tracker import TRACKER_SOURCES
from pracha.hooks import Registry
from pracha.privacy import deadlines, events, retention
from pracha.services.catalog import Catalog


def install(registry: Registry, catalog: Catalog) -> None:
    registry.add(TRACKER_SOURCES, events.TRACKER_SOURCE)  # exports and PDPA requests in the data tracker
    registry.add(schedules.DAILY, deadlines.run_daily)  # the DPO's reminders of the law's deadlines
    retention.install(registry, catalog)  # retention daily, breach deadlines hourly
