"""Participation's parts in the app and in `pracha worker`: the automation's reminders and
escalations (complaint and petition deadlines), the LINE report handler and the open-data statistics."""

from __future__ import annotations

from pracha.automation import schedules
from pracha.config import Settings
from pracha.hooks import Registry
from pracha.participation import petitions_schedule
from pracha.participation.rules import load_rules
from pracha.services.catalog import Catalog


def install(registry: Registry, catalog: Catalog, settings: Settings) -> None:
    """Register participation's hooks (the app and `pracha worker` both call this)."""
    load_rules(settings.catalog_dir.resolve())  # a broken rule file fails at start-up
    registry.add(schedules.HOURLY, petitions_schedule.hourly_job(settings))  # petitions: close, remind, escalate
