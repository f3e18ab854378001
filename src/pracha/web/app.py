"""The composition root: settings → database, catalogue, ledger, templates, middleware, routes, and
the hooks by which the packages reach each other. The only module that knows every package."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.trustedhost import TrustedHostMiddleware

from pracha import __version__
from pracha.appointments import install as appointments
from pracha.assistant import service as assistant_service
from pracha.assistant.deps import ASSISTANT, AssistantPart
from pracha.automation import service as automation
from pracha.automation.metrics import QueueCollector
from pracha.business import install as business
from pracha.config import Settings, get_settings
from pracha.counter import install as counter
from pracha.db import open_database
from pracha.delegation import install as delegation
from pracha.exchange.health import registry_health_urls
from pracha.exchange.prefill import prefill_form
from pracha.hooks import Registry
from pracha.http.access import CALLERS
from pracha.http.errors import install_error_handlers
from pracha.http.guard import check_request_text
from pracha.http.metrics import ClockCollector, app_registry
from pracha.http.middleware import PrachaMiddleware
from pracha.http.observe import ObserveMiddleware
from pracha.http.openapi import document_errors
from pracha.http.rendering import make_environment
from pracha.http.routeindex import index_routes
from pracha.http.state import AppState
from pracha.identity.deps import AGENCIES
from pracha.identity.recovery import RESET_MESSENGER
from pracha.identity.service import principal_for
from pracha.ledger.deps import LEDGER, open_ledger
from pracha.ledger.metrics import LedgerCollector
from pracha.notices.recovery import NoticeResetMessenger
from pracha.opendata import install as opendata
from pracha.participation import install as participation
from pracha.payments import install as payments
from pracha.privacy import install as privacy
from pracha.secretfile import create_once
from pracha.services.catalog import load_catalog
from pracha.services.hooks import CATALOG, FORM_PREFILL
from pracha.vault import attach_keyring
from pracha.web.lifespan import lifespan
from pracha.web.menu import MENU, STAFF_PAGES, with_roles
from pracha.web.ops import OPS, Ops

PACKAGE = Path(__file__).resolve().parent.parent
STATIC_DIR = Path(__file__).parent / "static"
TEMPLATE_DIRS = [PACKAGE / name / "templates" for name in ("web", "identity", "identity/oidc", "services", "ledger",
                                                              "exchange", "assistant", "automation", "payments",
                                                              "privacy", "business", "opendata",
                                                              "participation", "appointments", "delegation",
                                                              "counter")]

# Reading and indexing the catalogue takes most of a second; processes that build several apps
# (tests, benchmarks) share one copy. It is immutable.
_catalog = lru_cache(maxsize=4)(load_catalog)


def load_secret(settings: Settings) -> bytes:
    if key := settings.secret_key.get_secret_value():
        return key.encode()
    path = settings.var_dir / "secret.key"
    if not path.exists():
        create_once(path, secrets.token_hex(32).encode())
    return path.read_text().strip().encode()


def routers() -> list[APIRouter]:
    """Every router of the app, in mounting order (tests walk these to check each route's access rule)."""
    from pracha.appointments import api as appointments_api
    from pracha.appointments import routes as appointments_routes
    from pracha.assistant import line as assistant_line
    from pracha.assistant import routes as assistant_routes
    from pracha.automation import notice_routes, wallet_routes
    from pracha.automation import routes as automation_routes
    from pracha.business import api as business_api
    from pracha.business import bundle_api, bundle_routes, dashboard_routes
    from pracha.business import routes as business_routes
    from pracha.counter import api as counter_api
    from pracha.counter import routes as counter_routes
    from pracha.delegation import api as delegation_api
    from pracha.delegation import routes as delegation_routes
    from pracha.exchange import api as exchange_api
    from pracha.exchange import gateway as exchange_gateway
    from pracha.exchange import routes as exchange_routes
    from pracha.identity import factor_routes, recovery_routes
    from pracha.identity import routes as identity_routes
    from pracha.identity.oidc import pages as oidc_pages
    from pracha.identity.oidc import routes as oidc_routes
    from pracha.identity.oidc import sessions as oidc_sessions
    from pracha.ledger import routes as ledger_routes
    from pracha.opendata import ckan as opendata_ckan
    from pracha.opendata import feeds as opendata_feeds
    from pracha.opendata import publish_routes as opendata_publish
    from pracha.opendata import routes as opendata_routes
    from pracha.opendata import versions_routes as opendata_versions
    from pracha.participation import (
        complaint_api,
        complaint_pages,
        hearings_api,
        hearings_pages,
        moderation_api,
        moderation_routes,
        petitions_api,
        petitions_routes,
    )
    from pracha.participation import hub as participation_hub
    from pracha.participation import line_pages as participation_line
    from pracha.payments import api as payments_api
    from pracha.payments import routes as payments_routes
    from pracha.privacy import accountability_routes
    from pracha.privacy import rights_api as privacy_api
    from pracha.privacy import routes as privacy_routes
    from pracha.services import api as services_api
    from pracha.services import casework_api, casework_routes
    from pracha.services import routes as services_routes
    from pracha.services import submitting as services_submitting
    from pracha.web import display as web_display
    from pracha.web import ops, staff
    from pracha.web import routes as web_routes

    # The mediator first: FastAPI tries routes in order, and this one is the hot path between agencies;
    # then the banks' callbacks and CKAN's Action API (what every open-data client calls: behind the
    # ~200 other routes, matching alone took half its time).
    # participation's fixed paths (/complaints/statistics, /complaints/line/…) before any /complaints/{reference}
    return [exchange_gateway.router, payments_api.router, opendata_ckan.router, web_routes.router, web_display.router,
            participation_hub.router, participation_line.router, moderation_api.router, moderation_routes.router,
            identity_routes.router,
            factor_routes.router,
            recovery_routes.router,
            services_routes.router, services_submitting.router, services_api.router, ledger_routes.router,
            oidc_routes.router, oidc_sessions.router,
            oidc_pages.router, exchange_routes.router, exchange_api.router, assistant_routes.router,
            assistant_line.router, automation_routes.router, wallet_routes.router, notice_routes.router,
            privacy_routes.router,
            privacy_api.router, accountability_routes.router, ops.router, casework_routes.router,
             casework_api.router, payments_routes.router, staff.router, bundle_api.router,
             bundle_routes.router, dashboard_routes.router, business_api.router, business_routes.router,
             opendata_routes.router, opendata_publish.router,
             opendata_feeds.router, opendata_versions.router, complaint_api.router, complaint_pages.router,
             petitions_api.router, petitions_routes.router, hearings_api.router, hearings_pages.router,
             appointments_api.router, appointments_routes.router, delegation_api.router, delegation_routes.router,
             counter_api.router, counter_routes.router]


def build_state(settings: Settings) -> AppState:
    """Everything the app holds, with every package's parts and hooks registered."""
    registry = Registry()
    database = open_database(settings.database_url, registry)
    attach_keyring(database.engine, settings=settings)  # personal data at rest: this app's key file
    catalog = _catalog(settings.catalog_dir.resolve())
    registry.provide(CALLERS, principal_for)
    registry.provide(CATALOG, catalog)
    registry.provide(AGENCIES, frozenset(catalog.agencies))
    registry.provide(RESET_MESSENGER, NoticeResetMessenger())  # recovery's codes and notices go out as notices
    registry.provide(LEDGER, open_ledger(database.sessions, settings.var_dir, settings.ledger_origin,
                                         settings.ledger_witnesses, database.write_lock))
    registry.provide(FORM_PREFILL, prefill_form)  # once-only: the services' apply form asks the exchange
    registry.provide(ASSISTANT, AssistantPart(catalog, settings.catalog_dir.resolve(),
                                              assistant_service.RateLimiter(settings.assistant_rate_limit)))
    automation.install(registry, catalog)  # queues bots on submit; fails here on a broken `auto` step
    privacy.install(registry, catalog)  # tracker rows, PDPA deadlines, retention, breach deadlines
    appointments.install(registry, catalog, settings)  # the booking on the application page; reminders; no-shows
    payments.install(registry, catalog, settings)  # fees hold the automation until paid; receipts; reconciliation
    business.install(registry, catalog, settings)  # renewal reminders; authorisations in the data tracker
    opendata.install(registry, catalog, settings)  # the platform's statistics daily; the feeds' cache
    participation.install(registry, catalog, settings)  # complaint/petition deadlines; LINE reports; statistics
    delegation.install(registry, catalog, settings)  # delegations in the data tracker and the PDPA export
    counter.install(registry, catalog, settings)  # counter sessions in the data tracker
    # Operations: gauges read from the database at scrape time; what /readyz checks besides the database
    registry.provide(OPS, Ops(app_registry([LedgerCollector(database.sessions), QueueCollector(database.sessions),
                                             ClockCollector(database.sessions)]),
                              [registry_health_urls]))
    staff_pages = with_roles(STAFF_PAGES, routers())  # who may open each: its route's own access rule
    registry.provide(MENU, staff_pages)
    templates = make_environment(TEMPLATE_DIRS, {
        "catalog": catalog, "staff_pages": staff_pages, "widgets": ["assistant_widget.html"],
        "stylesheets": ["/static/assistant.css"], "scripts": ["/static/assistant.js"]})
    return AppState(settings, database, load_secret(settings), templates, registry)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(
        title="Pracha API",
        version=__version__,
        description="One-stop digital government: identity, service catalogue, applications and the ledger.",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
        dependencies=[Depends(check_request_text)],  # every route: query and path must be valid text
    )
    app.state.pracha = build_state(settings)
    # Innermost: its 400 for a foreign Host still gets the security headers and a request id
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=settings.trusted_hosts)
    app.add_middleware(
        PrachaMiddleware,
        default_language=settings.default_language,
        max_body=settings.max_upload_bytes + 256 * 1024,
        force_secure=settings.force_secure_cookies,
    )
    app.add_middleware(ObserveMiddleware)  # added last: outermost, so it times and ids everything
    install_error_handlers(app)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for router in routers():
        app.include_router(router)
    index_routes(app)
    install_openapi(app)
    return app


def install_openapi(app: FastAPI) -> None:
    """The generated document, with every status the shared plumbing can answer (`pracha.http.openapi`)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_errors(generate(), app.routes)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
