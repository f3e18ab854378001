"""The citizen's notice settings over HTTP: the page `/me/notifications` (LINE link code, unlink,
which kinds of notice go to which channel) and its JSON API under `/api/v1/me/`. Thin: parse, call
`pracha.notices`, commit, render."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from pracha.http.access import allow, get_db
from pracha.http.openapi import errors
from pracha.http.rendering import render
from pracha.identity.models import CITIZEN, User
from pracha.identity.principal import Principal
from pracha.notices import line_links, preferences

router = APIRouter()


class PreferenceIn(BaseModel):
    kind: str = Field(max_length=32, description="status | payment | appointment | document | general")
    channel: str = Field(max_length=10, description="line | sms | email | inapp")
    enabled: bool


class PreferencesIn(BaseModel):
    preferences: list[PreferenceIn] = Field(max_length=40)


class PreferenceOut(PreferenceIn):
    available: bool = Field(description="the citizen has this channel (LINE linked, a phone, an e-mail address)")
    locked: bool = Field(description="cannot be turned off (status notices in the inbox)")


class PreferencesOut(BaseModel):
    line_linked: bool
    line_linked_at: dt.datetime | None
    preferences: list[PreferenceOut]


class LinkCodeOut(BaseModel):
    code: str = Field(description='"PR-" and 6 digits: send it as a message to the Pracha LINE account')
    expires_at: dt.datetime


def _user(p: Principal) -> User:
    assert p.user is not None  # allow(CITIZEN) signed them in
    return p.user


def settings_of(db: Session, user: User) -> dict[str, Any]:
    link = line_links.line_link_of(db, user.id)
    return {"line_linked": link is not None, "line_linked_at": link.linked_at if link else None,
            "preferences": [vars(pref) for pref in preferences.preferences_of(db, user)]}


def notifications_page(request: Request, db: Session, user: User, **extra: Any) -> Response:
    return render(request, "automation/notifications.html", {
        **settings_of(db, user), "kinds": preferences.KINDS, "channels": preferences.CHANNELS, **extra})


@router.get("/me/notifications", response_class=HTMLResponse, include_in_schema=False)
def notifications_view(request: Request, p: Principal = allow(CITIZEN), db: Session = Depends(get_db)) -> Response:
    return notifications_page(request, db, _user(p), saved=request.query_params.get("saved") == "1",
                              unlinked=request.query_params.get("unlinked") == "1")


@router.post("/me/notifications", response_class=HTMLResponse, include_in_schema=False)
async def notifications_save(request: Request, p: Principal = allow(CITIZEN), db: Session = Depends(get_db)
                             ) -> Response:
    """The form sends a checkbox `<kind>.<channel>` for each setting that is on; unticked ones are off."""
    form = await request.form()
    user, on = _user(p), {str(name) for name in form.keys()}
    choices = [(kind, channel, f"{kind}.{channel}" in on) for kind in preferences.KINDS
               for channel in preferences.CHANNELS if (kind, channel) not in preferences.LOCKED]
    preferences.set_preferences(db, user, choices)
    db.commit()
    return RedirectResponse("/me/notifications?saved=1", status_code=303)


@router.post("/me/notifications/line-code", response_class=HTMLResponse, include_in_schema=False)
def notifications_code(request: Request, p: Principal = allow(CITIZEN), db: Session = Depends(get_db)) -> Response:
    user = _user(p)
    code, expires_at = line_links.issue_code(db, user.id)
    db.commit()
    return notifications_page(request, db, user, code=code, code_expires_at=expires_at)


@router.post("/me/notifications/line-unlink", response_class=HTMLResponse, include_in_schema=False)
def notifications_unlink(request: Request, p: Principal = allow(CITIZEN), db: Session = Depends(get_db)) -> Response:
    line_links.unlink(db, _user(p).id)
    db.commit()
    return RedirectResponse("/me/notifications?unlinked=1", status_code=303)


@router.get("/api/v1/me/notice-preferences", response_model=PreferencesOut, tags=["notices"])
def get_preferences(p: Principal = allow(CITIZEN), db: Session = Depends(get_db)) -> dict[str, Any]:
    """Every kind × channel with whether it is on (defaults: all on), whether the citizen has the channel,
    and whether it may be turned off; and whether a LINE account is linked."""
    return settings_of(db, _user(p))


@router.put("/api/v1/me/notice-preferences", response_model=PreferencesOut, tags=["notices"], responses=errors(422))
def put_preferences(body: PreferencesIn, p: Principal = allow(CITIZEN), db: Session = Depends(get_db)
                    ) -> dict[str, Any]:
    """Change some settings (others stay): 422 `invalid_preference` for an unknown kind or channel, or
    for turning off status notices in the inbox."""
    user = _user(p)
    preferences.set_preferences(db, user, [(i.kind, i.channel, i.enabled) for i in body.preferences])
    db.commit()
    return settings_of(db, user)


@router.post("/api/v1/me/line-link-code", response_model=LinkCodeOut, status_code=201, tags=["notices"])
def post_line_code(p: Principal = allow(CITIZEN), db: Session = Depends(get_db)) -> dict[str, Any]:
    """A one-time code, valid 10 minutes, to send to the Pracha LINE account from the LINE account to link."""
    code, expires_at = line_links.issue_code(db, _user(p).id)
    db.commit()
    return {"code": code, "expires_at": expires_at}


@router.delete("/api/v1/me/line-link", status_code=204, tags=["notices"])
def delete_line_link(p: Principal = allow(CITIZEN), db: Session = Depends(get_db)) -> Response:
    """Unlink the LINE account (nothing happens when none is linked)."""
    line_links.unlink(db, _user(p).id)
    db.commit()
    return Response(status_code=204)
