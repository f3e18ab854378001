"""Relying-party clients: registration by platform admins, client authentication at the token and
revocation endpoints (client_secret_basic, private_key_jwt, or none for public clients with PKCE),
and subject identifiers (pairwise per sector by default)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
from typing import Any
from urllib.parse import urlsplit

from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, object_session

from pracha.db import utcnow
from pracha.errors import InvalidInput, NotFound
from pracha.identity.models import User
from pracha.identity.oidc.models import (
    AUTH_NONE,
    CONFIDENTIAL,
    PAIRWISE,
    PRIVATE_KEY_JWT,
    PUBLIC_CLIENT,
    PUBLIC_SUB,
    SECRET_BASIC,
    OidcClient,
    OidcToken,
    PublicSubject,
)
from pracha.ledger import log as ledger
from pracha.paging import Page, PageRequest, SortKey, fetch_page

SCOPES = ("openid", "profile", "birthdate", "address", "thai_id")
ASSERTION_ALGS = ["ES256", "EdDSA", "RS256", "PS256"]
_LOGO = re.compile(r"^data:image/(png|jpeg);base64,[A-Za-z0-9+/=]+$")
MAX_LOGO = 96 * 1024


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _uri_problem(uri: str) -> bool:
    parts = urlsplit(uri)
    local = parts.hostname in ("localhost", "127.0.0.1", "::1")
    return not (parts.scheme == "https" or (parts.scheme == "http" and local)) or not parts.hostname \
        or bool(parts.fragment) or any(c.isspace() for c in uri)


def register_client(session: Session, actor: User | None, *, name: str, redirect_uris: list[str],
                    scopes: list[str], client_type: str = CONFIDENTIAL, auth_method: str = SECRET_BASIC,
                    name_en: str = "", post_logout_redirect_uris: list[str] | None = None,
                    logo: str | None = None, jwks: dict[str, Any] | str | None = None,
                    subject_type: str = PAIRWISE, thai_id_legal_basis: str = "") -> tuple[OidcClient, str | None]:
    """Check and store a client; returns it with its secret (shown once) for client_secret_basic."""
    problems: dict[str, tuple[str, str]] = {}
    redirect_uris = [u.strip() for u in redirect_uris if u.strip()]
    post_logout = [u.strip() for u in post_logout_redirect_uris or [] if u.strip()]
    if not name.strip() or len(name) > 200:
        problems["name"] = ("กรุณาระบุชื่อแอป (ไม่เกิน 200 ตัวอักษร)", "Give the app a name (at most 200 characters).")
    if not redirect_uris or any(_uri_problem(u) for u in redirect_uris):
        problems["redirect_uris"] = ("ที่อยู่ส่งกลับต้องเป็น https:// แบบเต็ม (http:// ได้เฉพาะ localhost) ไม่มี #",
                                     "Redirect URIs must be absolute https:// URLs (http:// only for localhost), "
                                     "without a fragment.")
    if any(_uri_problem(u) for u in post_logout):
        problems["post_logout_redirect_uris"] = ("ที่อยู่หลังออกจากระบบไม่ถูกต้อง", "A post-logout URI is not valid.")
    if "openid" not in scopes or any(s not in SCOPES for s in scopes):
        problems["scopes"] = ("ขอบเขตต้องมี openid และเลือกได้จากรายการเท่านั้น",
                              "Scopes must include openid and come from the list.")
    legal_basis = thai_id_legal_basis.strip()
    if "thai_id" in scopes and not legal_basis:
        problems["thai_id_legal_basis"] = ("การให้เลขประจำตัวประชาชนต้องระบุฐานทางกฎหมาย",
                                           "Releasing the national ID needs its legal basis recorded.")
    methods = {CONFIDENTIAL: (SECRET_BASIC, PRIVATE_KEY_JWT), PUBLIC_CLIENT: (AUTH_NONE,)}
    if auth_method not in methods.get(client_type, ()):
        problems["auth_method"] = ("วิธียืนยันตัวตนของแอปไม่ตรงกับประเภทแอป",
                                   "The authentication method does not fit the client type.")
    key_set = None
    if auth_method == PRIVATE_KEY_JWT:
        try:
            key_set = json.loads(jwks) if isinstance(jwks, str) else jwks
            KeySet.import_key_set(key_set)  # type: ignore[arg-type]
        except (ValueError, TypeError, JoseError, KeyError):
            problems["jwks"] = ("กรุณาใส่ JWKS (JSON) ของกุญแจสาธารณะของแอป",
                                "Give the app's public keys as a JWKS (JSON).")
    if logo and (not _LOGO.match(logo) or len(logo) > MAX_LOGO):
        problems["logo"] = ("โลโก้ต้องเป็นไฟล์ PNG หรือ JPEG ไม่เกิน 64 KB",
                            "The logo must be a PNG or JPEG of at most 64 KB.")
    hosts = {urlsplit(u).hostname for u in redirect_uris}
    if subject_type not in (PAIRWISE, PUBLIC_SUB):
        problems["subject_type"] = ("ประเภทตัวระบุผู้ใช้ไม่ถูกต้อง", "Unknown subject type.")
    elif subject_type == PAIRWISE and len(hosts) > 1:
        problems["redirect_uris"] = ("ที่อยู่ส่งกลับทุกรายการต้องอยู่บนโฮสต์เดียวกัน",
                                     "All redirect URIs must be on one host (the client's sector).")
    if problems:
        raise InvalidInput(fields={k: {"th": v[0], "en": v[1]} for k, v in problems.items()})
    secret = secrets.token_urlsafe(32) if auth_method == SECRET_BASIC else None
    client = OidcClient(
        client_id="c_" + secrets.token_urlsafe(12), name=name.strip(), name_en=name_en.strip(),
        redirect_uris=redirect_uris, post_logout_redirect_uris=post_logout, scopes=list(dict.fromkeys(scopes)),
        logo=logo or None, client_type=client_type, auth_method=auth_method,
        secret_hash=digest(secret) if secret else None, jwks=key_set, subject_type=subject_type,
        sector=sorted(h for h in hosts if h)[0], thai_id_legal_basis=legal_basis or None,
        created_by_id=actor.id if actor else None)
    session.add(client)
    session.flush()
    ledger.record(session, "oidc.client.registered", actor=f"user:{actor.id}" if actor else "system",
                  obj=f"oidc-client:{client.client_id}",
                  record={"scopes": client.scopes, "redirect_uris": redirect_uris, "subject_type": subject_type,
                          "thai_id_legal_basis": legal_basis or None})
    return client, secret


def disable_client(session: Session, actor: User | None, client_id: str) -> OidcClient:
    """Stop a client: no sign-ins, its tokens revoked; kept (disabled) so the ledger's references stay."""
    client = get_client(session, client_id)
    now = utcnow()
    client.disabled_at = now
    session.execute(update(OidcToken).where(OidcToken.client_id == client_id, OidcToken.revoked_at.is_(None))
                    .values(revoked_at=now).execution_options(synchronize_session=False))
    ledger.record(session, "oidc.client.disabled", actor=f"user:{actor.id}" if actor else "system",
                  obj=f"oidc-client:{client_id}", record={"client_id": client_id})
    return client


CLIENT_ORDER = (SortKey(OidcClient.created_at, descending=True), SortKey(OidcClient.client_id, descending=True))


def list_clients(session: Session, page: PageRequest = PageRequest()) -> Page[OidcClient]:
    """Registered clients, newest first."""
    return fetch_page(session, select(OidcClient), CLIENT_ORDER, page)


def get_client(session: Session, client_id: str) -> OidcClient:
    client = session.get(OidcClient, client_id) if client_id else None
    if client is None or client.disabled_at is not None:
        raise NotFound("ไม่พบแอปนี้", "No such client.")
    return client


def public_subject(session: Session, user: User) -> str:
    """The user's random public `sub`, made on first use (a savepoint keeps a concurrent first use from
    failing the caller's transaction: the loser reads the winner's)."""
    found = session.scalar(select(PublicSubject.subject).where(PublicSubject.user_id == user.id))
    if found is not None:
        return found
    value = secrets.token_urlsafe(24)
    try:
        with session.begin_nested():
            session.add(PublicSubject(user_id=user.id, subject=value))
    except IntegrityError:
        return str(session.scalar(select(PublicSubject.subject).where(PublicSubject.user_id == user.id)))
    return value


def subject(client: OidcClient, user: User, secret: bytes) -> str:
    """Pairwise: HMAC(app secret, sector host | user) — two sectors cannot correlate one citizen.
    Public: one random value per user, the same for every client (never the user's number)."""
    if client.subject_type == PUBLIC_SUB:
        session = object_session(user)
        assert session is not None, "a user loaded from the database"
        return public_subject(session, user)
    mac = hmac.new(secret, f"pairwise|{client.sector}|{user.id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()
