"""What pracha.delegation adds to an app's registry: delegations in both people's data trackers, the
delegates' names on the application page's timeline, and the notice of a submit made for the grantor.

The PDPA export's part (`tracker.export_part`) is registered by the app: `privacy.parts.EXPORT_PARTS`
sits in a layer above this package."""

from __future__ import annotations

from pracha.config import Settings
from pracha.delegation import activity, tracker
from pracha.exchange.tracker import TRACKER_SOURCES
from pracha.hooks import Registry
from pracha.services.catalog import Catalog
from pracha.services.hooks import AFTER_ACTION, PAGE_CONTEXT


def install(registry: Registry, catalog: Catalog, settings: Settings) -> None:
    registry.add(TRACKER_SOURCES, tracker.TRACKER_SOURCE)  # delegations given and received
    registry.add(PAGE_CONTEXT, activity.delegate_names)  # "<name> (delegate)" on the timeline
    registry.add(AFTER_ACTION, activity.notify_grantor)  # "<delegate> submitted <ref> for you"
