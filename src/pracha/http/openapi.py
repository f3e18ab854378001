"""The OpenAPI document says every status a route can answer, each with the body Pracha really sends
(`Error`: `{"error": code, "message": text in the caller's language, "fields": {...}?, ...}`).

Most statuses come from plumbing every route shares, so they are added here to every operation, from
what the route declares (`document_errors`, run once when the document is first built):

    every operation          401 (a bearer token or session that is not valid), 422 (parameters,
                             text that is not text), 500
    not public               403 (role or token scope)
    unsafe method            403 (CSRF, for requests with the session cookie or a form body),
                             400 (a body that cannot be parsed), 413 (body over the limit)
    path parameters          404
    paged lists              400 (invalid_cursor, invalid_limit)
    declared by the route    `responses=errors(409, 429)`: conflicts, quotas, rate limits, …

FastAPI's own 422 (`HTTPValidationError`) is replaced: the app answers validation errors in the
`Error` shape (`pracha.http.errors`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from fastapi.routing import APIRoute, iter_route_contexts
from starlette.routing import BaseRoute

from pracha.http.access import PUBLIC, SAFE_METHODS, Rule
from pracha.paging import page_request

ERROR_SCHEMA: dict[str, Any] = {
    "title": "Error",
    "type": "object",
    "required": ["error"],  # OAuth endpoints answer RFC 6749 errors: `error` and `error_description`
    "properties": {
        "error": {"type": "string", "description": "A stable code, e.g. `not_found`, `csrf_failed`, `too_large`."},
        "message": {"type": "string", "description": "What went wrong, in the caller's language (Thai first); "
                    "every error but OAuth's has it."},
        "error_description": {"type": "string", "description": "OAuth endpoints (RFC 6749): what went wrong."},
        "fields": {"type": "object", "additionalProperties": {"type": "string"},
                   "description": "Per field, what is wrong with it."},
    },
    "additionalProperties": True,
}
ERROR_REF = {"$ref": "#/components/schemas/Error"}
DESCRIPTIONS = {
    400: "The body could not be read.", 401: "Not signed in, or the token or session is not valid.",
    403: "Not allowed: role, token scope, or CSRF check.", 404: "Not found (or not yours).",
    409: "Not possible in the current state, or a quota is used up.", 413: "The body is over the size limit.",
    422: "Some input is not valid (`fields` says which); text that is not text; NaN; JSON nested too deep.",
    429: "Too many requests: wait as `Retry-After` says.", 500: "Something went wrong on our side.",
    503: "A service this call depends on is unavailable.",
}


def foreign_errors(schema: dict[str, Any], *statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route that answers in another API's shape (`schema`), which may also be ours
    where a shared guard answers first (bad text, a body over the limit)."""
    either = {"anyOf": [schema, ERROR_REF]}
    return {status: {"description": DESCRIPTIONS.get(status, "Error."), "x-own-schema": True,
                     "content": {"application/json": {"schema": either}}} for status in statuses}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for statuses particular to a route (the shared ones are added for every route)."""
    return {status: {"description": DESCRIPTIONS.get(status, "Error."),
                     "content": {"application/json": {"schema": ERROR_REF}}} for status in statuses}


def api_routes(routes: Sequence[BaseRoute]) -> Iterator[tuple[str, set[str], Any]]:
    """(path as the document shows it, methods, the route with its dependant) of every FastAPI route,
    through included routers."""
    for context in iter_route_contexts(routes):
        if isinstance(context.original_route, APIRoute) and context.path_format:
            yield context.path_format, set(context.methods or ()), context


def rule_of(route: Any) -> Rule | None:
    stack = [route.dependant]
    while stack:
        dependant = stack.pop()
        if isinstance(dependant.call, Rule):
            return dependant.call
        stack.extend(dependant.dependencies)
    return None


def statuses_of(route: Any, method: str) -> set[int]:
    found = {401, 422, 500}
    rule = rule_of(route)
    if rule is None or PUBLIC not in rule.roles:
        found.add(403)
    if method not in SAFE_METHODS:
        found |= {400, 403, 413}
    if route.dependant.path_params:
        found.add(404)
    if uses(route, page_request):
        found.add(400)  # invalid_cursor, invalid_limit
    return found


def uses(route: Any, dependency: Any) -> bool:
    stack = [route.dependant]
    while stack:
        dependant = stack.pop()
        if dependant.call is dependency:
            return True
        stack.extend(dependant.dependencies)
    return False


def document_errors(schema: dict[str, Any], routes: list[BaseRoute]) -> dict[str, Any]:
    """Add the shared statuses and the `Error` schema to every operation of `schema`, in place."""
    schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for path, methods, route in api_routes(routes):
        if not route.include_in_schema:
            continue
        for method in methods:
            operation = schema.get("paths", {}).get(path, {}).get(method.lower())
            if operation is None:
                continue
            responses = operation.setdefault("responses", {})
            for status in sorted(statuses_of(route, method)):
                responses.setdefault(str(status), {"description": DESCRIPTIONS[status]})
            for status, response in responses.items():
                if response.pop("x-own-schema", False):  # a route that speaks another API's errors (CKAN)
                    continue
                if status[0] in "45":
                    response["content"] = {"application/json": {"schema": ERROR_REF}}
                    if not path.startswith("/api/"):  # a browser (no JSON in Accept) gets the error page
                        response["content"]["text/html"] = {"schema": {"type": "string"}}
    for name in ("HTTPValidationError", "ValidationError"):
        schema["components"]["schemas"].pop(name, None)
    return schema
