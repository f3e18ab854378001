"""Who may publish for which organisation: an agency admin (signed in, or through an API token of
their agency with the scope `opendata:publish`) for their agency; the platform admin and the
automation for any. Everyone else reads only what is public."""

from __future__ import annotations

from dataclasses import dataclass

from pracha.identity.models import AGENCY_ADMIN, PLATFORM_ADMIN
from pracha.identity.principal import SYSTEM, Principal

PUBLISH_SCOPE = "opendata:publish"


@dataclass(frozen=True)
class Publisher:
    actor: str  # "user:12", "token:3", "system"
    organisations: frozenset[str] | None  # None: every organisation

    def may_publish(self, organisation: str) -> bool:
        return self.organisations is None or organisation in self.organisations


SYSTEM_PUBLISHER = Publisher("system", None)


def publisher_of(principal: Principal) -> Publisher | None:
    if principal.role == SYSTEM:
        return SYSTEM_PUBLISHER
    if principal.user is not None and principal.user.role == PLATFORM_ADMIN:
        return Publisher(f"user:{principal.user.id}", None)
    if principal.user is not None and principal.user.role == AGENCY_ADMIN and principal.user.agency:
        return Publisher(f"user:{principal.user.id}", frozenset({principal.user.agency}))
    if principal.token is not None and principal.has_scope(PUBLISH_SCOPE):
        return Publisher(f"token:{principal.token.id}", frozenset({principal.token.agency}))
    return None
