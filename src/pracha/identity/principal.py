"""Who is acting: a signed-in user, an agency's API token, or nobody. Plain values, no web."""

from __future__ import annotations

from dataclasses import dataclass

from pracha.http.access import PUBLIC
from pracha.identity.models import CITIZEN, ApiToken, User

__all__ = ["API_TOKEN", "AUTHORISED", "COUNTER", "DELEGATE", "DIRECTOR", "FOR_A_PERSON", "PUBLIC",
           "SECOND_FACTOR_PENDING", "SYSTEM", "Acting", "ActingPerson", "Principal"]
API_TOKEN = "api_token"  # noqa: S105 - a role name, not a secret
SYSTEM = "system"  # a bot acting for an agency (pracha.automation)
SECOND_FACTOR_PENDING = "second_factor_pending"  # staff who gave the password but not the second factor
DIRECTOR = "director"  # acting for a juristic person the business registry lists them as a director of
AUTHORISED = "authorised"  # acting for it under a director's authorisation (identity.models.ActingGrant)
DELEGATE = "delegate"  # a citizen acting for another person under their authorisation (identity.models.Delegation)
COUNTER = "counter"  # an officer serving a visitor at the counter (identity.models.CounterSession)
# The roles that use the citizen's side of services: the person, or someone acting for them. A route opts
# in to acting for someone with allow(*FOR_A_PERSON); every other citizen route refuses DELEGATE and
# COUNTER (403), so a person's account, privacy rights, consents and voice stay their own.
FOR_A_PERSON = (CITIZEN, DELEGATE, COUNTER)


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
class ActingPerson:
    """The person whose affairs are handled: by a delegate (their live delegations) or by an officer at
    the counter (an open counter session)."""

    person: User
    kind: str  # DELEGATE | COUNTER
    services: frozenset[str] | None = None  # None or "*" in it: all services
    counter_session_id: int | None = None
    office: str | None = None  # the counter's office (catalog/offices.yaml)

    def may_use(self, service_id: str) -> bool:
        return self.services is None or "*" in self.services or service_id in self.services


@dataclass(frozen=True)
class Principal:
    user: User | None = None
    token: ApiToken | None = None
    system_agency: str | None = None  # set for the agency's bot, which has no user or token
    pending: User | None = None  # staff between the password and the second factor: no role's rights
    acting: Acting | None = None  # a citizen acting for a juristic person; None: for themself
    for_person: ActingPerson | None = None  # a delegate or a counter officer acting for a person

    @property
    def role(self) -> str:
        if self.system_agency is not None:
            return SYSTEM
        if self.for_person is not None:
            return self.for_person.kind
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
        """Who is acting (the delegate, the officer at the counter, or the person themself)."""
        return self.user.id if self.user is not None else None

    @property
    def citizen_side(self) -> bool:
        """The citizen's side of services: the person, or someone acting for them (pages show the
        citizen's buttons, not the staff's)."""
        return self.role in FOR_A_PERSON

    @property
    def subject(self) -> User | None:
        """Whose affairs: the person acted for, else the signed-in user."""
        return self.for_person.person if self.for_person is not None else self.user

    @property
    def subject_id(self) -> int | None:
        return self.subject.id if self.subject is not None else None

    @property
    def on_behalf_of(self) -> int | None:
        """The person acted for, when someone else acts (recorded on timelines)."""
        return self.for_person.person.id if self.for_person is not None else None

    def has_scope(self, scope: str) -> bool:
        return self.token is None or scope in self.token.scopes
