"""Identity API shapes."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field


class SignupIn(BaseModel):
    national_id: str = Field(examples=["1-2345-67890-12-1"])  # no demo person's
    first_name: str
    last_name: str
    birth_date: str | None = Field(
        None, max_length=20, examples=["2543-02-29"],
        description="YYYY-MM-DD or DD/MM/YYYY; a year above 2400 is the Buddhist Era (2543-02-29 is 29 February "
        "2000). A day that does not exist is refused with 422.")
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
    second_factor: Literal["required", "enrol"] | None = Field(
        None, description="Staff only: the password was right, the second factor is still owed (`required`: "
        "send a code to POST /api/v1/session/factor; `enrol`: set up the authenticator app at /staff/factor).")


class FactorIn(BaseModel):
    code: str = Field(max_length=32, description="The 6-digit TOTP code, or a recovery code (XXXXX-XXXXX).")


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


class ResetRequestIn(BaseModel):
    national_id: str = Field(max_length=40, examples=["1-2345-67890-12-1"])


class ResetRequestOut(BaseModel):
    """The same answer for every well-formed ID, whether or not it has an account or a channel."""

    status: Literal["sent_if_known"] = "sent_if_known"
    message_th: str
    message_en: str
    expires_in: int = Field(description="Seconds a code sent now stays valid.")


class ResetConfirmIn(BaseModel):
    national_id: str = Field(max_length=40)
    code: str = Field(max_length=20, examples=["123456"])
    new_password: str = Field(max_length=1024)


class ResetConfirmOut(BaseModel):
    status: Literal["password_changed"] = "password_changed"
