"""The application factory: settings → engine, catalogue, templates, middleware, routes."""

from __future__ import annotations

import os
import secrets
import weakref
from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

from pracha import __version__
from pracha.config import Settings, get_settings
from pracha.db import WRITE, is_sqlite, make_engine, make_sessionmaker
from pracha.exchange.prefill import prefill_form
from pracha.ledger import note
from pracha.ledger.keys import load_or_create_signer, verifier_key
from pracha.services.catalog import load_catalog
from pracha.web.errors import install_error_handlers
from pracha.web.lifespan import lifespan
from pracha.web.middleware import PrachaMiddleware
from pracha.web.rendering import make_environment

STATIC_DIR = Path(__file__).parent / "static"


# Reading and indexing the catalogue takes most of a second; processes that build several apps
# (tests, benchmarks) share one copy. It is immutable.
_catalog = lru_cache(maxsize=4)(load_catalog)


def load_secret(settings: Settings) -> bytes:
    if settings.secret_key:
        return settings.secret_key.encode()
    path = settings.var_dir / "secret.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    return path.read_text().strip().encode()


def routers() -> list[APIRouter]:
    """Every router of the app, in mounting order (tests walk these to check each route's access rule)."""
    from pracha.assistant import line as assistant_line
    from pracha.assistant import routes as assistant_routes
    from pracha.automation import routes as automation_routes
    from pracha.exchange import api as exchange_api
    from pracha.exchange import gateway as exchange_gateway
    from pracha.exchange import routes as exchange_routes
    from pracha.identity import routes as identity_routes
    from pracha.identity.oidc import pages as oidc_pages
    from pracha.identity.oidc import routes as oidc_routes
    from pracha.identity.oidc import sessions as oidc_sessions
    from pracha.ledger import routes as ledger_routes
    from pracha.services import api as services_api
    from pracha.services import routes as services_routes
    from pracha.web import routes as web_routes

    # The mediator first: FastAPI tries routes in order, and this one is the hot path between agencies.
    return [exchange_gateway.router, web_routes.router, identity_routes.router, services_routes.router,
            services_api.router, ledger_routes.router, oidc_routes.router, oidc_sessions.router,
            oidc_pages.router, exchange_routes.router, exchange_api.router, assistant_routes.router,
            assistant_line.router, automation_routes.router]


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(
        title="Pracha API",
        version=__version__,
        description="One-stop digital government: identity, service catalogue, applications and the ledger.",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    engine = make_engine(settings.database_url)
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = make_sessionmaker(engine)
    app.state.write_engine = engine.execution_options(**WRITE)
    # SQLite only: writers queue per event loop before taking a thread (see web/access.py).
    app.state.write_lock = weakref.WeakKeyDictionary() if is_sqlite(engine) else None
    app.state.secret = load_secret(settings)
    app.state.templates = make_environment()
    app.state.catalog = _catalog(settings.catalog_dir.resolve())
    app.state.ledger_signer = load_or_create_signer(settings.var_dir, settings.ledger_origin)
    app.state.ledger_signer_verifier = note.new_verifier(verifier_key(app.state.ledger_signer))
    app.state.form_prefill = prefill_form  # once-only: the services' apply form asks the exchange (a hook)
    from pracha.automation import service as automation

    automation.install(app.state.catalog)  # queues bots on submit; fails here on a broken `auto` step
    app.state.automation_extra = {}
    app.state.ledger_witnesses = [note.new_verifier(k.strip()) for k in settings.ledger_witnesses.split(",")
                                  if k.strip()]

    app.add_middleware(
        PrachaMiddleware,
        default_language=settings.default_language,
        max_body=settings.max_upload_bytes + 256 * 1024,
        force_secure=settings.force_secure_cookies,
    )
    install_error_handlers(app)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for router in routers():
        app.include_router(router)
    return app
