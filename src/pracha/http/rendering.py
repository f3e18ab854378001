"""Server-rendered pages: one Jinja2 environment over every capability's `templates/` folder."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context
from starlette.concurrency import run_in_threadpool

from pracha import calendar, i18n
from pracha.http.access import PUBLIC, csrf_token
from pracha.http.display import DISPLAY_COOKIE, TEXT_SIZES, Display, parse_display
from pracha.http.state import app_state

OWN_TEMPLATES = Path(__file__).resolve().parent / "templates"


@pass_context
def _gettext(context: Context, message: str, **params: Any) -> str:
    text = i18n.gettext(context.get("lang", "th"), message)
    return text.format(**params) if params else text


@pass_context
def _date(context: Context, value: Any, short: bool = False) -> str:
    if isinstance(value, str):  # ISO dates kept in application form data
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            return value
    return calendar.format_date(value, context.get("lang", "th"), short=short)


@pass_context
def _datetime(context: Context, value: Any) -> str:
    return calendar.format_datetime(value, context.get("lang", "th"))


@pass_context
def _baht(context: Context, value: Any) -> str:
    return i18n.format_baht(value, context.get("lang", "th"))


@pass_context
def _text(context: Context, value: Any) -> str:
    """A catalogue Text (or {'th':…, 'en':…}) in the page's language."""
    lang = context.get("lang", "th")
    if isinstance(value, dict):
        return str(value.get(lang) or value.get("th") or "")
    return str(value.get(lang)) if value is not None else ""


@pass_context
def _say(context: Context, value: Any, fallback: Any = "") -> str:
    """Stored text (`pracha.i18n`: a phrase, {"th", "en"} or a typed str) in the page's language;
    `fallback` when there is none or its phrase is no longer defined."""
    try:
        text = i18n.render(value, context.get("lang", "th"))
    except i18n.UnknownPhrase:
        text = ""
    return text or ("" if fallback is None else str(fallback))


def make_environment(template_dirs: list[Path], page_globals: dict[str, Any] | None = None) -> Environment:
    """One environment over the layout templates here and each capability's `templates/` folder.
    `page_globals` are what every page may use, given by the composition root: the catalogue, and
    `widgets` (templates included at the end of every page, such as the assistant's chat)."""
    env = Environment(
        loader=FileSystemLoader([str(OWN_TEMPLATES), *(str(d) for d in template_dirs)]),
        autoescape=select_autoescape(["html", "xml"], default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # templates change with a release (a restart): no stat() of each one per page
    )
    env.globals.update(_=_gettext, tr=_text, say=_say, widgets=[], stylesheets=[], scripts=[],
                       display=Display(), text_sizes=TEXT_SIZES)
    env.globals.update(page_globals or {})
    env.filters.update(date=_date, datetime=_datetime, baht=_baht, tojson_pretty=lambda v: json.dumps(
        v, ensure_ascii=False, indent=2))
    return env


def render(request: Request, name: str, context: dict[str, Any] | None = None, *,
           status_code: int = 200) -> HTMLResponse:
    return HTMLResponse(_page(request, name, context, csrf_token(request)), status_code=status_code)


async def render_public(request: Request, name: str, context: Callable[[], dict[str, Any]]) -> HTMLResponse:
    """`render(request, name, context())` for a page that, for visitors nobody signed in, depends only on the
    request's method, path, query string, language and display settings (and on what changes only with a
    restart): those visitors get it from this process's `AnonymousPages`, on a hit without a worker thread."""
    pages = app_state(request).anonymous_pages
    if pages is None or getattr(getattr(request.state, "principal", None), "role", PUBLIC) != PUBLIC:
        return await run_in_threadpool(lambda: render(request, name, context()))
    scope = request.scope
    key = (name, request.method, scope.get("root_path", ""), scope["path"], scope["query_string"],
           request.state.lang, parse_display(request.cookies.get(DISPLAY_COOKIE)))
    page = pages.get(key)
    if page is None:
        page = await run_in_threadpool(lambda: _page(request, name, context(), pages.placeholder))
        pages.put(key, page)
    return HTMLResponse(page.replace(pages.placeholder, csrf_token(request)))


def _page(request: Request, name: str, context: dict[str, Any] | None, csrf: str) -> str:
    env = app_state(request).templates
    principal = getattr(request.state, "principal", None)
    base = {
        "request": request,
        "lang": request.state.lang,
        "user": getattr(principal, "user", None),
        "acting": getattr(principal, "acting", None),  # the juristic person a citizen acts for (the banner)
        "for_person": getattr(principal, "for_person", None),  # the person a delegate or a counter acts for
        "role": getattr(principal, "role", PUBLIC),  # the role in force (a counter officer's is "counter")
        "citizen_side": getattr(principal, "citizen_side", False),  # the citizen, or someone acting for them
        "csrf_token": csrf,
        "display": parse_display(request.cookies.get(DISPLAY_COOKIE)),  # text size, contrast, motion
    }
    base.update(context or {})
    return env.get_template(name).render(base)
