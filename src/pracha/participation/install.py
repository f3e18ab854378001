"""Participation's parts in the app and in `pracha worker`: the automation's reminders and
escalations (complaint and petition deadlines), the LINE report handler and the open-data statistics."""

from __future__ import annotations

from pracha.config import Settings
from pracha.hooks import Registry
from pracha.participation import moderation_install
from pracha.participation.rules import load_rules
from pracha.services.catalog import Catalog


def install(registry: Registry, catalog: Catalog, settings: Settings) -> None:
    """Register participation's hooks (the app and `pracha worker` both call this)."""
    load_rules(settings.catalog_dir.resolve())  # a broken rule file fails at start-up
    moderation_install.install_line_reports(registry)
    moderation_install.install_complaint_statistics(registry, settings)
