"""What the CKAN Action API takes from the request: the catalogue's deployment values (`OpenData`, built
per request so its URLs carry the address the client used) and the caller, known only by an API token.

The API ignores session cookies: a browser's cookies never authorise a write here, so no cross-site
page can forge one and CSRF does not apply. The token comes as CKAN clients send it: `Authorization:
<token>` (ckanapi), `Authorization: Bearer <token>`, or `X-CKAN-API-Key: <token>`."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from pracha.http.access import PUBLIC, Rule, get_db
from pracha.http.state import app_state
from pracha.identity.errors import TokenInvalid
from pracha.identity.principal import Principal
from pracha.identity.service import principal_for
from pracha.opendata.catalogue import OpenData
from pracha.opendata.errors import NotPublisher
from pracha.opendata.publishers import Publisher, publisher_of
from pracha.services.deps import catalog_of

API_KEY_HEADER = "x-ckan-api-key"


class TokenRefused(NotPublisher):
    code = "token_invalid"
    message_th = "โทเค็น API ไม่ถูกต้องหรือถูกเพิกถอนแล้ว"
    message_en = "The API token is not valid or has been revoked."


class ApiTokenRule(Rule):
    """The access rule of the CKAN API: public, no cookies, no CSRF. The caller is not resolved here
    (an action that needs a publisher asks `publisher_for`), so a bad token is answered in CKAN's
    error shape by the route, and a read costs no lookup."""

    def __init__(self) -> None:
        super().__init__((PUBLIC,), None, csrf=False, write=False)

    async def __call__(self, request: Request, db: Session = Depends(get_db)) -> Any:
        principal = Principal()
        request.state.principal = principal
        return principal


def api_token_access() -> Any:
    return Depends(ApiTokenRule())


def open_data(request: Request) -> OpenData:
    return OpenData(catalog_of(request), resolved(app_state(request).settings.catalog_dir), str(request.base_url))


@lru_cache(maxsize=8)
def resolved(directory: Path) -> Path:
    """The catalogue folder's real path, worked out once (resolving reads the file system: not on every
    request of the hot API)."""
    return directory.resolve()


def token_of(request: Request) -> str | None:
    """The raw token the client sent, if any."""
    auth = request.headers.get("authorization", "").strip()
    if auth[:7].lower() == "bearer ":
        auth = auth[7:].strip()
    token = auth or request.headers.get(API_KEY_HEADER, "").strip()
    return token or None


def publisher_for(request: Request, db: Session) -> Publisher | None:
    """The caller's rights to publish (None: a reader). Runs in a worker thread (it reads the database)."""
    token = token_of(request)
    if token is None:
        return None
    try:
        principal = principal_for(db, token, None)
    except TokenInvalid as exc:  # say it in CKAN's words: an Authorization Error
        raise TokenRefused() from exc
    return publisher_of(principal)
