"""Route matching by a direct lookup instead of a walk.

FastAPI tries an app's routes in order, and each included router tries each of its own: with ~370
routes behind ~55 routers, matching alone cost a status poll about as much as its SQL. `index_routes`
puts an index in front of the app's router. It files each top-level route (an included router, the
static files, the OpenAPI document) under the literal starts of its paths (`api/v1/applications` for
`/api/v1/applications/{reference}/status`), and hands a request to a view of the router that holds
only the routes filed under a start of the request's path, in their order. A route filed elsewhere
cannot match the path, so the view picks the route the whole router would have picked. What the view
does not answer (no route matches: a slash to add or drop, a 404) goes to the whole router, as before.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from dataclasses import dataclass, field

from fastapi import FastAPI
from fastapi.routing import APIRouter, iter_route_contexts
from starlette._utils import get_route_path
from starlette.routing import BaseRoute
from starlette.types import Receive, Scope, Send


def literal_start(path_format: str) -> tuple[str, ...]:
    """The path's segments before the first one with a parameter: `/a/b/{c}/d` → ("a", "b")."""
    start = []
    for segment in path_format.split("/")[1:]:
        if "{" in segment:
            break
        start.append(segment)
    return tuple(start)


def starts_of(route: BaseRoute) -> set[tuple[str, ...]]:
    return {literal_start(context.path_format or "/") for context in iter_route_contexts([route])}


@dataclass
class _Node:
    """A literal start of some routes' paths: the view of the routes filed here or at a shorter start."""

    view: APIRouter
    children: dict[str, _Node] = field(default_factory=dict)


class RouteIndex:
    def __init__(self, router: APIRouter) -> None:
        self.router = router
        self._routes: list[BaseRoute] = []
        self._size = 0
        self._root: _Node | None = None

    def _build(self) -> _Node:
        routes = self.router.routes
        by_start: dict[tuple[str, ...], set[int]] = defaultdict(set)
        for i, route in enumerate(routes):
            for start in starts_of(route):
                by_start[start].add(i)
        views: dict[tuple[int, ...], APIRouter] = {}

        def node(start: tuple[str, ...]) -> _Node:
            positions = tuple(sorted(set().union(*(by_start.get(start[:n], set()) for n in range(len(start) + 1)))))
            if positions not in views:
                views[positions] = self._view([routes[i] for i in positions])
            return _Node(views[positions])

        root = node(())
        for start in sorted(by_start, key=len):
            parent = root
            for n in range(1, len(start) + 1):
                if start[n - 1] not in parent.children:
                    parent.children[start[n - 1]] = node(start[:n])
                parent = parent.children[start[n - 1]]
        self._routes, self._size, self._root = routes, len(routes), root
        return root

    def _view(self, routes: list[BaseRoute]) -> APIRouter:
        view = copy.copy(self.router)
        view.routes = routes
        view.redirect_slashes = False
        view.default = self.router.app  # nothing here matched: the whole router answers
        return view

    def view_for(self, path: str) -> APIRouter:
        """A router with the routes that could match `path`, in order."""
        root = self._root
        if root is None or self._routes is not self.router.routes or self._size != len(self._routes):
            root = self._build()  # routes were added (tests do) since the index was built
        node = root
        for segment in path.split("/")[1:]:
            child = node.children.get(segment)
            if child is None:
                break
            node = child
        return node.view

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.router.app(scope, receive, send)
            return
        scope.setdefault("router", self.router)  # url_for looks up every route, not the view's
        await self.view_for(get_route_path(scope)).app(scope, receive, send)


def index_routes(app: FastAPI) -> None:
    """Match `app`'s routes through a `RouteIndex` (call it once its routers are included)."""
    app.router.middleware_stack = RouteIndex(app.router)
