"""The catalogue for harvesters: DCAT-AP 3 as Turtle and JSON-LD, and Project Open Data's data.json.
Public, cacheable for five minutes, built once per catalogue version (feedcache)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from pracha.http.access import PUBLIC, Caller, allow, get_db
from pracha.http.state import part
from pracha.opendata.deps import open_data
from pracha.opendata.feedcache import FEEDS

router = APIRouter(tags=["open data"])
CACHE = "public, max-age=300"
MEDIA = {"ttl": "text/turtle; charset=utf-8", "jsonld": "application/ld+json", "json": "application/json"}


def serve(request: Request, db: Session, feed: str) -> Response:
    body, etag = part(request, FEEDS).feed(db, open_data(request), feed)
    headers = {"Cache-Control": CACHE, "ETag": etag, "Access-Control-Allow-Origin": "*"}
    if etag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=MEDIA[feed], headers=headers)


@router.get("/catalog.ttl", response_class=Response, responses={200: {"content": {"text/turtle": {}}}})
def catalog_turtle(request: Request, _: Caller = allow(PUBLIC), db: Session = Depends(get_db)) -> Response:
    """The catalogue as DCAT-AP 3 (Turtle): every public dataset and its distributions."""
    return serve(request, db, "ttl")


@router.get("/catalog.jsonld", response_class=Response, responses={200: {"content": {"application/ld+json": {}}}})
def catalog_jsonld(request: Request, _: Caller = allow(PUBLIC), db: Session = Depends(get_db)) -> Response:
    """The catalogue as DCAT-AP 3 (JSON-LD, compacted)."""
    return serve(request, db, "jsonld")


@router.get("/data.json", response_class=Response, responses={200: {"content": {"application/json": {}}}})
def catalog_pod(request: Request, _: Caller = allow(PUBLIC), db: Session = Depends(get_db)) -> Response:
    """The catalogue as a Project Open Data v1.1 catalog (what data.gov's harvester reads)."""
    return serve(request, db, "json")
