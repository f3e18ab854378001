"""What the five registries share: the app factory, JSON errors, the session dependency, seeding.

Each registry module (civil, business, welfare, land, revenue) has its own SQLAlchemy MetaData (not the
portal's Base, no Alembic: `create_all` on start), a `people` table of the citizens it knows, a
`router` and `seed(session, world)`. On first start the tables are made and filled from the demo world
(`registries.world`), which is drawn from the same people as `pracha seed --demo`.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import yaml
from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import Engine, MetaData, Table, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from starlette.exceptions import HTTPException

from pracha import __version__
from pracha.calendar import BANGKOK
from pracha.config import Settings
from pracha.db import begin_write, make_engine, make_sessionmaker
from pracha.demo import demo_people
from pracha.exchange.keys import key_path, load_or_create
from pracha.identity import thai_id
from pracha.registries import MEDIATOR, Registry
from pracha.registries.signing import SignatureMiddleware
from pracha.registries.world import World, build_world


class RegistryModule(Protocol):
    metadata: MetaData
    router: APIRouter
    DESCRIPTION: str

    def seed(self, session: Session, world: World) -> None: ...


def people_table(metadata: MetaData) -> Table:
    return next(t for n, t in metadata.tables.items() if n.endswith("_people"))


def add_known_people(session: Session, metadata: MetaData, world: World) -> None:
    session.execute(people_table(metadata).insert(), [{"national_id": p.national_id} for p in world.people])


class ErrorBody(BaseModel):
    error: str = Field(description="not_found, invalid_national_id, unauthorized, too_large or internal")
    reason: str | None = Field(None, description="Why a signature was refused (401 only).")


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "Not a valid 13-digit national ID."},
    401: {"model": ErrorBody, "description": "Not signed by the exchange mediator (RFC 9421)."},
    404: {"model": ErrorBody, "description": "This registry does not know the citizen."},
}
_CODES = {400: "invalid_request", 401: "unauthorized", 404: "not_found", 405: "method_not_allowed"}


class RegistryError(Exception):
    def __init__(self, status: int, code: str) -> None:
        super().__init__(code)
        self.status, self.code = status, code


@dataclass(frozen=True)
class RegistryState:
    """What a registry app holds (`app.state.registry`)."""

    registry: Registry
    engine: Engine
    sessions: sessionmaker[Session]


def registry_state(app: FastAPI) -> RegistryState:
    state: RegistryState = app.state.registry
    return state


def db(request: Request) -> Iterator[Session]:
    with registry_state(request.app).sessions() as session:
        yield session


def known_citizen(session: Session, metadata: MetaData, cid: str) -> str:
    """`cid` if this registry knows that citizen; 400 if it is no national ID, 404 if unknown."""
    if not thai_id.is_valid(cid):
        raise RegistryError(400, "invalid_national_id")
    table = people_table(metadata)
    if session.scalar(select(table.c.national_id).where(table.c.national_id == cid)) is None:
        raise RegistryError(404, "not_found")
    return cid


@lru_cache(maxsize=4)
def load_world(catalog_dir: Path, citizens: int, seed: int, today: dt.date) -> World:
    agencies = [entry["code"] for entry in yaml.safe_load((catalog_dir / "agencies.yaml").read_text("utf-8"))]
    return build_world(demo_people(agencies, citizens=citizens, seed=seed, today=today), today=today, seed=seed)


def seed_once(sessions: Callable[[], Session], module: RegistryModule, world: Callable[[], World]) -> bool:
    """Fill an empty registry; False if it already had data (or another process filled it first)."""
    table = people_table(module.metadata)
    with sessions() as session:
        begin_write(session)
        if session.scalar(select(func.count()).select_from(table)):
            return False
        try:
            module.seed(session, world())
            session.commit()
        except IntegrityError:  # PostgreSQL: another process seeded the same database meanwhile
            session.rollback()
            return False
    return True


def create_registry_app(registry: Registry, settings: Settings, database_url: str, *, citizens: int = 500,
                        seed: int = 2569) -> FastAPI:
    module: RegistryModule = importlib.import_module(f"pracha.registries.{registry.name}")
    engine = make_engine(database_url)
    module.metadata.create_all(engine)
    sessions = make_sessionmaker(engine)
    today = dt.datetime.now(BANGKOK).date()
    seed_once(sessions, module, lambda: load_world(settings.catalog_dir.resolve(), citizens, seed, today))
    app = FastAPI(title=f"{registry.title_en} — {registry.agency_th}", version=__version__,
                  description=f"{module.DESCRIPTION}\n\nMember `{registry.subsystem}` ({registry.agency_en}). "
                  "Every request must be signed by the exchange mediator (`TH/GOV/PRACHA/mediator`) with "
                  "HTTP Message Signatures (RFC 9421, Ed25519, covering `@method`, `@target-uri`, "
                  "`content-digest` and the `X-Road-*` headers); every response is signed with this "
                  "registry's key and bound to the request's signature. Demo data.",
                  docs_url=None, redoc_url=None)
    app.state.registry = RegistryState(registry, engine, sessions)

    @app.get("/healthz", summary="Health check", description="Open: no signature needed.", tags=["meta"])
    def healthz() -> dict[str, str]:
        return {"status": "ok", "registry": registry.name, "subsystem": registry.subsystem}

    app.include_router(module.router, responses=ERRORS)
    _install_errors(app)
    app.add_middleware(SignatureMiddleware, key_id=registry.subsystem,
                       key=load_or_create(key_path(settings.var_dir, registry.subsystem)), client_id=MEDIATOR,
                       client_key=load_or_create(key_path(settings.var_dir, MEDIATOR)).public_key())
    return app


def _install_errors(app: FastAPI) -> None:
    @app.exception_handler(RegistryError)
    async def registry_error(_: Request, exc: RegistryError) -> JSONResponse:
        return JSONResponse({"error": exc.code}, status_code=exc.status)

    @app.exception_handler(HTTPException)
    async def http_error(_: Request, exc: HTTPException) -> JSONResponse:
        return JSONResponse({"error": _CODES.get(exc.status_code, "error")}, status_code=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"error": "invalid_request"}, status_code=400)
