"""Identity API shapes."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field


class SignupIn(BaseModel):
    national_id: str = Field(examples=["1-2345-67890-12-1"])  # no demo person's
    first_name: str
    last_name: str
    birth_date: dt.date | None = None
    password: str
    email: str = ""
    phone: str = ""


class SigninIn(BaseModel):
    national_id: str = ""
    username: str = ""
    password: str


class UserOut(BaseModel):
    id: int
    role: str
    first_name: str
    last_name: str
    agency: str | None = None


class SessionOut(BaseModel):
    user: UserOut | None
    csrf_token: str


class TokenIn(BaseModel):
    name: str
    agency: str | None = None
    scopes: list[str]


class TokenOut(BaseModel):
    id: int
    name: str
    agency: str
    scopes: list[str]
    created_at: dt.datetime
    revoked_at: dt.datetime | None = None


class NewTokenOut(TokenOut):
    token: str = Field(description="Shown once; only its hash is kept.")
