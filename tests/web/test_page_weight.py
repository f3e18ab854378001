"""Light pages: no page is heavier than 150 KB before images. Each page's HTML plus every same-origin
stylesheet and script it links is summed, uncompressed (what a phone on a slow line would fetch on a
first visit, before gzip). Every public GET route (walked from `routers()`, so new pages are weighed
too), every service page and the signed-in citizen's main pages."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from pracha.services.catalog import Catalog
from pracha.web.app import routers
from tests.factories import create_citizen, sign_in
from tests.services.helpers import act, ready_application

LIMIT = 150 * 1024
ASSET = re.compile(r"""<(?:link[^>]*\brel="stylesheet"[^>]*\bhref|script[^>]*\bsrc)="([^"]+)\"""")
CITIZEN_PAGES = ("/me", "/inbox", "/me/apps", "/me/data-tracker", "/me/documents", "/me/privacy",
                 "/services/elderly-allowance/apply", "/settings/display")  # /me/organisations asks a registry


def weigh(client: TestClient, path: str, assets: dict[str, int]) -> tuple[int, int] | None:
    """(status, bytes of the HTML and its same-origin CSS/JS), or None when it is not an HTML page."""
    response = client.get(path)
    if not response.headers.get("content-type", "").startswith("text/html"):
        return None
    total = len(response.content)
    for href in set(ASSET.findall(response.text)):
        parts = urlsplit(href)
        if parts.netloc:  # another origin: not ours to weigh (and Pracha links none)
            continue
        if href not in assets:
            asset = client.get(href)
            assert asset.status_code == 200, href
            assets[href] = len(asset.content)
        total += assets[href]
    return response.status_code, total


def public_pages(catalog: Catalog) -> list[str]:
    paths = {f"/services/{sid}" for sid in catalog.services} | {f"/services/{sid}/privacy" for sid in catalog.services}
    for route in (r for router in routers() for r in router.routes if isinstance(r, APIRoute)):
        if "GET" in (route.methods or ()) and "{" not in route.path and not route.path.startswith("/api/"):
            paths.add(route.path)
    return sorted(paths)


def test_every_page_weighs_at_most_150_kb(client: TestClient, db: Session, catalog: Catalog) -> None:
    assets: dict[str, int] = {}
    weights: dict[str, int] = {}
    for path in public_pages(catalog):
        if (weighed := weigh(client, path, assets)) and weighed[0] == 200:
            weights[path] = weighed[1]
    for section in sorted(set(re.findall(r'href="(/docs/[a-z0-9-]+)"', client.get("/docs").text))):
        weighed = weigh(client, section, assets)  # the API reference: one page per tag, and the schemas
        assert weighed and weighed[0] == 200, section
        weights[section] = weighed[1]
    assert {"/", "/services", "/docs/schemas", "/signin", "/ledger", "/services/elderly-allowance"} <= weights.keys()
    assert len(weights) >= 30, sorted(weights)
    citizen = create_citizen(db)
    csrf = sign_in(db, client, citizen)
    reference = ready_application(client, csrf)
    assert act(client, csrf, reference, "submit").status_code == 200
    for path in (*CITIZEN_PAGES, f"/applications/{reference}"):
        weighed = weigh(client, path, assets)
        assert weighed and weighed[0] == 200, path
        weights[f"citizen {path}"] = weighed[1]
    assert "/static/pracha.css" in assets and "/static/assistant.js" in assets  # the assets were counted
    print("heaviest:", sorted(weights.items(), key=lambda kv: -kv[1])[:5])
    heavy = {path: weight for path, weight in weights.items() if weight > LIMIT}
    assert not heavy, heavy
