"""The business package's parts in the app and in `pracha worker`: its hooks into lower layers
(renewal reminders, the data tracker's rows, ...), each added by the module that owns it."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from pracha.automation import schedules
from pracha.business import reminders, tracker
from pracha.business.bundle_catalog import BUNDLES, load_bundles
from pracha.config import Settings
from pracha.exchange.tracker import TRACKER_SOURCES
from pracha.hooks import Registry
from pracha.services import coapproval
from pracha.services.catalog import Catalog
from pracha.services.hooks import PAGE_CONTEXT
from pracha.services.models import Application


def co_approval_context(session: Session, application: Application) -> dict[str, Any]:
    """The application page's "waiting for another director" panel (business/co_approval.html)."""
    if application.organisation_id is None:
        return {}
    return {"co_approval": coapproval.pending(session, application)}


def install(registry: Registry, catalog: Catalog, settings: Settings) -> None:
    """Register the business package's hooks (the app and `pracha worker` both call this)."""
    registry.provide(BUNDLES, load_bundles(settings.catalog_dir.resolve() / "bundles", catalog))  # fails at start
    registry.add(schedules.DAILY, reminders.daily_job(catalog))  # renewal reminders 60 and 30 days ahead
    registry.add(TRACKER_SOURCES, tracker.TRACKER_SOURCE)  # authorisations given and received
    registry.add(PAGE_CONTEXT, co_approval_context)  # a held submit, and the second director's button
