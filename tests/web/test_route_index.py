"""The route index (`pracha.http.routeindex`) picks the route the whole router would pick, for every
route of the app, and leaves what no route matches to the whole router (redirects, 404s)."""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from starlette.routing import BaseRoute, Match

from pracha.http.routeindex import RouteIndex, literal_start

_PARAM = re.compile(r"{[^}]+}")


def first_match(routes: list[BaseRoute], method: str, path: str) -> BaseRoute | None:
    """The route a Starlette router takes: the first full match, else the first partial one."""
    partial = None
    for route in routes:
        scope: dict[str, Any] = {"type": "http", "method": method, "path": path, "root_path": "", "headers": []}
        match, _ = route.matches(scope)
        if match is Match.FULL:
            return route
        if match is Match.PARTIAL and partial is None:
            partial = route
    return partial


def test_literal_start() -> None:
    assert literal_start("/api/v1/applications/{reference}/status") == ("api", "v1", "applications")
    assert literal_start("/") == ("",)
    assert literal_start("/static/{path}") == ("static",)
    assert literal_start("/{anything}") == ()


def test_the_index_picks_the_route_the_router_picks(app: FastAPI) -> None:
    index = app.router.middleware_stack
    assert isinstance(index, RouteIndex)
    checked = 0
    for context in iter_route_contexts(app.router.routes):
        path = _PARAM.sub("x1", context.path_format or "/")
        for method in sorted(getattr(context, "methods", None) or {"GET"}):
            expected = first_match(app.router.routes, method, path)
            assert expected is not None, path
            assert first_match(index.view_for(path).routes, method, path) is expected, (method, path)
            checked += 1
    assert checked > 300  # every route of the app, not a few


def test_what_no_route_matches_is_answered_as_before(client: TestClient) -> None:
    assert client.get("/services").status_code == 200
    moved = client.get("/services/")  # a slash to drop: the whole router redirects
    assert moved.status_code == 307 and moved.headers["location"].endswith("/services")
    missing = client.get("/api/v1/no-such-thing")
    assert missing.status_code == 404 and missing.json()["error"] == "http_404"
    assert client.get("/no/such/page").status_code == 404
    assert client.delete("/healthz").status_code == 405  # a route with the path but not the method
    assert client.get("/static/pracha.css").status_code == 200


def test_routes_added_later_are_indexed(app: FastAPI, client: TestClient) -> None:
    assert client.get("/added-later").status_code == 404

    @app.get("/added-later")
    def added() -> dict[str, str]:
        return {"added": "yes"}

    assert client.get("/added-later").json() == {"added": "yes"}
