"""Display settings (text size, high contrast, reduced motion): a form on every page and a page of its
own, remembered in a cookie; no JavaScript. The settings themselves: pracha.http.display."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from pracha.http.access import PUBLIC, allow
from pracha.http.display import DISPLAY_COOKIE, TEXT_SIZES, make_display, same_site_path
from pracha.http.middleware import YEAR, is_https
from pracha.http.rendering import render
from pracha.http.state import app_state
from pracha.identity.principal import Principal

router = APIRouter()


@router.get("/settings/display", response_class=HTMLResponse, include_in_schema=False)
def display_page(request: Request, back: Annotated[str, Query(max_length=2000)] = "/",
                 _: Principal = allow(PUBLIC)) -> Response:
    return render(request, "display_settings.html", {"back": same_site_path(back), "sizes": TEXT_SIZES})


@router.post("/settings/display", include_in_schema=False)
def save_display(request: Request, text: Annotated[str, Form(max_length=8)] = "100",
                 contrast: Annotated[str, Form(max_length=16)] = "normal",
                 motion: Annotated[str, Form(max_length=16)] = "normal",
                 back: Annotated[str, Form(max_length=2000)] = "/",
                 _: Principal = allow(PUBLIC, write=False)) -> Response:
    """Remember the settings for a year and go back to the page the form was on (same site only)."""
    display = make_display(text, contrast, motion)
    response = RedirectResponse(same_site_path(back), status_code=303)
    secure = app_state(request).settings.force_secure_cookies or is_https(request.scope)
    response.set_cookie(DISPLAY_COOKIE, display.cookie_value(), max_age=YEAR, path="/", samesite="lax",
                        secure=secure, httponly=True)
    return response
