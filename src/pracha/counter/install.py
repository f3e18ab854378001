"""What pracha.counter adds to an app's (or a worker's) registry: counter sessions in the visitor's data
tracker, the officer and office on the timeline's steps made at the counter, and the hourly tidy-up."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from pracha.appointments.offices import offices_for
from pracha.automation import schedules
from pracha.config import Settings
from pracha.counter import service, tracker
from pracha.exchange.tracker import TRACKER_SOURCES
from pracha.hooks import Registry
from pracha.services.catalog import Catalog
from pracha.services.hooks import PAGE_CONTEXT


def install(registry: Registry, catalog: Catalog, settings: Settings) -> None:
    offices = offices_for(settings.catalog_dir, catalog)

    def hourly(session: Session, settings_: Settings, at: dt.datetime) -> None:
        service.tidy(session, at, offices)  # open > 8 hours, or waiting for consent > 15 minutes

    registry.add(TRACKER_SOURCES, tracker.tracker_source(catalog, offices))
    registry.add(PAGE_CONTEXT, tracker.page_context(offices))
    registry.add(schedules.HOURLY, hourly)
