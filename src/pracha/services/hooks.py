"""The services' extension points: the catalogue an app serves, and the hooks other packages (the
automation, the exchange) register at the composition root."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from pracha.config import Settings
from pracha.hooks import Hook, Slot
from pracha.identity.models import User
from pracha.identity.principal import Principal
from pracha.services.catalog import Catalog, Service
from pracha.services.models import Application

if TYPE_CHECKING:
    from pracha.services.eligibility import RuleCheck

CATALOG: Slot[Catalog] = Slot("catalog")
# Called with (session, application, action) after every status change, in its transaction (the
# automation queues its bot on submit and its certificate on approval).
AFTER_ACTION: Hook[Callable[[Session, Application, str], None]] = Hook("after_action")
# Called with (session, application) when the application page is drawn; each returns more context.
PAGE_CONTEXT: Hook[Callable[[Session, Application], dict[str, Any]]] = Hook("page_context")
# Called with (session, the applications of an officer's queue page); each returns a short note per
# application id to show beside its status (the payments: "awaiting payment", "paid").
QUEUE_NOTES: Hook[Callable[[Session, Sequence[Application]], dict[int, dict[str, str]]]] = Hook("queue_notes")
# Once-only: (session, settings, citizen, form schema, fetch) → values the registries already hold. With
# fetch=False (a GET) nothing is fetched or written: only what could be fetched and what needs consent.
FORM_PREFILL: Slot[Callable[[Session, Settings, Principal, dict[str, Any], bool], Any]] = Slot("form_prefill")
# The eligibility pre-check: (session, settings, catalogue, citizen, service) → each rule of the service's
# automated step checked on what the state already knows (registry reads written in the session), or
# None when the service has none. The automation provides it.
ELIGIBILITY: Slot[Callable[[Session, Settings, Catalog, User, Service], Sequence[RuleCheck] | None]] = Slot(
    "eligibility")
