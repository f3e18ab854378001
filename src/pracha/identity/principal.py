"""Who is acting: a signed-in user, an agency's API token, or nobody. Plain values, no web."""

from __future__ import annotations

from dataclasses import dataclass

from pracha.http.access import PUBLIC
from pracha.identity.models import ApiToken, User

__all__ = ["API_TOKEN", "AUTHORISED", "DIRECTOR", "PUBLIC", "SECOND_FACTOR_PENDING", "SYSTEM", "Acting", "Principal"]
API_TOKEN = "api_token"  # noqa: S105 - a role name, not a secret
SYSTEM = "system"  # a bot acting for an agency (pracha.automation)
SECOND_FACTOR_PENDING = "second_factor_pending"  # staff who gave the password but not the second factor
DIRECTOR = "director"  # acting for a juristic person the business registry lists them as a director of
AUTHORISED = "authorised"  # acting for it under a director's authorisation (identity.models.ActingGrant)


@dataclass(frozen=True)
class Acting:
    """The juristic person a citizen acts for, as chosen at the switch (pracha.business)."""

    juristic_id: str
    name_th: str
    name_en: str
    role: str  # DIRECTOR | AUTHORISED
    directors_required: int = 1  # the signing rule: directors who must approve a submit together
    services: frozenset[str] | None = None  # None: all (a director); else what live grants allow ("*": all)

    def may_use(self, service_id: str) -> bool:
        return self.services is None or "*" in self.services or service_id in self.services


@dataclass(frozen=True)
class Principal:
    user: User | None = None
    token: ApiToken | None = None
    system_agency: str | None = None  # set for the agency's bot, which has no user or token
    pending: User | None = None  # staff between the password and the second factor: no role's rights
    acting: Acting | None = None  # a citizen acting for a juristic person; None: for themself


    @property
    def role(self) -> str:
        if self.system_agency is not None:
            return SYSTEM
        if self.user is not None:
            return self.user.role
        if self.pending is not None:
            return SECOND_FACTOR_PENDING
        return API_TOKEN if self.token is not None else PUBLIC

    @property
    def agency(self) -> str | None:
        if self.system_agency is not None:
            return self.system_agency
        if self.user is not None:
            return self.user.agency
        return self.token.agency if self.token is not None else None

    @property
    def organisation_id(self) -> str | None:
        return self.acting.juristic_id if self.acting is not None else None

    @property
    def user_id(self) -> int | None:
        return self.user.id if self.user is not None else None

    def has_scope(self, scope: str) -> bool:
        return self.token is None or scope in self.token.scopes
