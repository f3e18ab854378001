"""What `/readyz` checks for the exchange: the health URL of every provider (registry) the mediator
forwards to. None when the exchange has no provider with an address (not configured)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.exchange.models import ExchangeService, Subsystem

HEALTH_PATH = "/healthz"  # every registry answers it without a signature (pracha.registries.base)


def registry_health_urls(session: Session) -> dict[str, str]:
    """{"registry:<subsystem id>": "<base url>/healthz"} for every provider with a base URL."""
    providers = select(ExchangeService.subsystem_id)
    rows = session.execute(select(Subsystem.id, Subsystem.base_url)
                           .where(Subsystem.base_url.is_not(None), Subsystem.id.in_(providers)).order_by(Subsystem.id))
    return {f"registry:{subsystem}": f"{url.rstrip('/')}{HEALTH_PATH}" for subsystem, url in rows if url}
