"""The application factory: settings → engine, catalogue, templates, middleware, routes."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from pracha import __version__
from pracha.config import Settings, get_settings
from pracha.db import make_engine, make_sessionmaker
from pracha.services.catalog import load_catalog
from pracha.web.errors import install_error_handlers
from pracha.web.middleware import PrachaMiddleware
from pracha.web.rendering import make_environment

STATIC_DIR = Path(__file__).parent / "static"


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


def create_app(settings: Settings | None = None) -> FastAPI:
    from pracha.identity import routes as identity_routes
    from pracha.services import api as services_api
    from pracha.services import routes as services_routes
    from pracha.web import routes as web_routes

    settings = settings or get_settings()
    app = FastAPI(
        title="Pracha API",
        version=__version__,
        description="One-stop digital government: identity, service catalogue and applications.",
        docs_url=None,
        redoc_url=None,
    )
    engine = make_engine(settings.database_url)
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = make_sessionmaker(engine)
    app.state.secret = load_secret(settings)
    app.state.templates = make_environment()
    app.state.catalog = load_catalog(settings.catalog_dir)

    app.add_middleware(
        PrachaMiddleware,
        default_language=settings.default_language,
        max_body=settings.max_upload_bytes + 256 * 1024,
        force_secure=settings.force_secure_cookies,
    )
    install_error_handlers(app)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for module in (web_routes, identity_routes, services_routes, services_api):
        app.include_router(module.router)
    return app
