"""Participation's parts in the app and in `pracha worker`: the automation's reminders and
escalations (complaint and petition deadlines), the LINE report handler and the open-data statistics."""

from __future__ import annotations

from pracha.assistant.line_hooks import LINE_HANDLERS
from pracha.automation import schedules
from pracha.config import Settings
from pracha.hooks import Registry
from pracha.opendata.platform import PLATFORM_STATISTICS
from pracha.participation import complaint_deadlines, petitions_schedule, statistics
from pracha.participation.line_reports import handle_line_event
from pracha.participation.privacy_parts import erase_participation, export_participation
from pracha.participation.rules import load_rules
from pracha.privacy.parts import ERASURE_PARTS, EXPORT_PARTS
from pracha.services.catalog import Catalog


def install(registry: Registry, catalog: Catalog, settings: Settings) -> None:
    """Register participation's hooks (the app and `pracha worker` both call this)."""
    rules = load_rules(settings.catalog_dir.resolve())  # a broken rule file fails at start-up
    registry.add(EXPORT_PARTS, export_participation)  # PDPA export and erasure
    registry.add(ERASURE_PARTS, erase_participation)
    registry.add(schedules.HOURLY, complaint_deadlines.complaint_deadlines)  # remind, then escalate, once each
    registry.add(schedules.HOURLY, petitions_schedule.hourly_job(settings))  # petitions: close, remind, escalate
    registry.add(LINE_HANDLERS, handle_line_event)  # "แจ้งปัญหา" on LINE
    registry.add(PLATFORM_STATISTICS, lambda: statistics.platform_statistic(rules))  # complaints as open data
