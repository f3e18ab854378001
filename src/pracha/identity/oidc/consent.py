"""The citizen's consent per client: remembered, listed on "apps connected to my ID", withdrawable.
Every grant and withdrawal goes to the ledger as a keyed commitment (no personal data)."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from pracha.db import utcnow
from pracha.errors import NotFound
from pracha.identity.models import User
from pracha.identity.oidc.models import OidcClient, OidcConsent, OidcToken
from pracha.ledger import log as ledger

# What each scope releases, for the consent screen and the connected-apps page.
SCOPE_TEXT = {
    "openid": ("ตัวระบุบัญชีของท่านสำหรับแอปนี้ (ไม่ใช่เลขประจำตัวประชาชน)",
               "An identifier of your account for this app (not your national ID)"),
    "profile": ("ชื่อและนามสกุลภาษาไทยและภาษาอังกฤษ", "Your name in Thai and English"),
    "birthdate": ("วันเกิด", "Your date of birth"),
    "address": ("ที่อยู่", "Your address"),
    "thai_id": ("เลขประจำตัวประชาชน 13 หลัก", "Your 13-digit national ID number"),
}


def describe(scopes: list[str], lang: str) -> list[str]:
    return [SCOPE_TEXT[s][1 if lang == "en" else 0] for s in scopes if s in SCOPE_TEXT]


def active_consent(session: Session, user: User, client: OidcClient) -> OidcConsent | None:
    row = session.scalar(select(OidcConsent).where(OidcConsent.user_id == user.id,
                                                   OidcConsent.client_id == client.client_id))
    return row if row is not None and row.withdrawn_at is None else None


def covers(consent: OidcConsent | None, scopes: list[str]) -> bool:
    return consent is not None and set(scopes) <= set(consent.scopes)


def _record(session: Session, kind: str, user: User, client: OidcClient, scopes: list[str]) -> None:
    ledger.record(session, kind, actor=f"user:{user.id}", obj=f"oidc-client:{client.client_id}",
                  record={"client_id": client.client_id, "scopes": sorted(scopes),
                          "thai_id_legal_basis": client.thai_id_legal_basis if "thai_id" in scopes else None},
                  subject=f"user:{user.id}", subject_secret=user.national_id)


def grant(session: Session, user: User, client: OidcClient, scopes: list[str]) -> OidcConsent:
    row = session.scalar(select(OidcConsent).where(OidcConsent.user_id == user.id,
                                                   OidcConsent.client_id == client.client_id))
    if row is None:
        row = OidcConsent(user_id=user.id, client_id=client.client_id, scopes=[])
        session.add(row)
    kept = [] if row.withdrawn_at is not None else list(row.scopes)
    row.scopes = list(dict.fromkeys(kept + scopes))
    row.granted_at, row.withdrawn_at = utcnow(), None
    session.flush()
    _record(session, "oidc.consent.granted", user, client, row.scopes)
    return row


def withdraw(session: Session, user: User, client_id: str) -> OidcConsent:
    """Forget the consent and revoke every token the client holds for this citizen."""
    row = session.scalar(select(OidcConsent).where(OidcConsent.user_id == user.id, OidcConsent.client_id == client_id))
    if row is None or row.withdrawn_at is not None:
        raise NotFound("ไม่พบแอปที่เชื่อมต่อนี้", "This app is not connected to your account.")
    now = utcnow()
    row.withdrawn_at = now
    session.execute(update(OidcToken).where(OidcToken.user_id == user.id, OidcToken.client_id == client_id,
                                            OidcToken.revoked_at.is_(None)).values(revoked_at=now))
    _record(session, "oidc.consent.withdrawn", user, row.client, list(row.scopes))
    return row


def connected(session: Session, user: User) -> list[OidcConsent]:
    return list(session.scalars(select(OidcConsent).where(OidcConsent.user_id == user.id,
                                                          OidcConsent.withdrawn_at.is_(None))
                                .order_by(OidcConsent.granted_at.desc())))
