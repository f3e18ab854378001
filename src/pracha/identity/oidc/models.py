"""Tables of the OpenID Connect provider: relying-party clients, signing keys, codes, tokens,
consents, passkeys and the assurance level of a browser session."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pracha.db import Base, UTCDateTime, utcnow
from pracha.identity.models import User

CONFIDENTIAL = "confidential"
PUBLIC_CLIENT = "public"
SECRET_BASIC = "client_secret_basic"  # noqa: S105 - an RFC method name
PRIVATE_KEY_JWT = "private_key_jwt"
AUTH_NONE = "none"
PAIRWISE = "pairwise"
PUBLIC_SUB = "public"


class OidcClient(Base):
    """A relying party (an agency's app) registered by a platform admin."""

    __tablename__ = "oidc_clients"

    client_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    redirect_uris: Mapped[list[Any]] = mapped_column(JSON)
    post_logout_redirect_uris: Mapped[list[Any]] = mapped_column(JSON, default=list)
    scopes: Mapped[list[Any]] = mapped_column(JSON)
    logo: Mapped[str | None] = mapped_column(Text)  # a data: URI (CSP allows no other origin)
    client_type: Mapped[str] = mapped_column(String(16))
    auth_method: Mapped[str] = mapped_column(String(32))
    secret_hash: Mapped[str | None] = mapped_column(String(64))
    jwks: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    subject_type: Mapped[str] = mapped_column(String(16), default=PAIRWISE)
    sector: Mapped[str] = mapped_column(String(255))
    thai_id_legal_basis: Mapped[str | None] = mapped_column(Text)  # set: approved for the thai_id scope
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    disabled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    @property
    def thai_id_approved(self) -> bool:
        return bool(self.thai_id_legal_basis)

    # Authlib's ClientMixin (authlib.oauth2.rfc6749.ClientMixin)
    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str | None:
        return None  # redirect_uri is always required and matched exactly

    def get_allowed_scope(self, scope: str) -> str | None:
        """The scope as asked (without repeats), or None (invalid_scope) if it names one not allowed."""
        wanted = list(dict.fromkeys((scope or "").split()))
        return " ".join(wanted) if all(s in self.scopes for s in wanted) else None

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        given = hashlib.sha256(client_secret.encode()).hexdigest()
        return bool(self.secret_hash) and hmac.compare_digest(self.secret_hash or "", given)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method == self.auth_method

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in ("authorization_code", "refresh_token")


class OidcSigningKey(Base):
    """An ES256 key. The newest unretired key signs; retired keys stay in the JWKS until
    `publish_until`, when the last ID token they signed has expired."""

    __tablename__ = "oidc_signing_keys"

    kid: Mapped[str] = mapped_column(String(64), primary_key=True)
    private_pem: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    retired_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    publish_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class OidcCode(Base):
    __tablename__ = "oidc_codes"

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    client_id: Mapped[str] = mapped_column(ForeignKey("oidc_clients.client_id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    redirect_uri: Mapped[str] = mapped_column(Text)
    scope: Mapped[str] = mapped_column(Text)
    nonce: Mapped[str | None] = mapped_column(Text)
    code_challenge: Mapped[str] = mapped_column(String(128))
    acr: Mapped[str] = mapped_column(String(64))
    auth_time: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    family: Mapped[str] = mapped_column(String(64))  # the token family its exchange starts

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope


class OidcToken(Base):
    """An access or refresh token (only its SHA-256 is kept). Refreshing rotates within a family;
    presenting a used refresh token again revokes the whole family."""

    __tablename__ = "oidc_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(8))  # access | refresh
    family: Mapped[str] = mapped_column(String(64), index=True)
    client_id: Mapped[str] = mapped_column(ForeignKey("oidc_clients.client_id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    scope: Mapped[str] = mapped_column(Text)
    acr: Mapped[str] = mapped_column(String(64))
    auth_time: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(lazy="joined")

    def check_client(self, client: OidcClient) -> bool:
        return self.client_id == client.client_id

    def get_scope(self) -> str:
        return self.scope


class OidcAssertion(Base):
    """`jti` of private_key_jwt client assertions already used (replay protection) until they expire."""

    __tablename__ = "oidc_assertions"

    jti: Mapped[str] = mapped_column(String(200), primary_key=True)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class OidcConsent(Base):
    __tablename__ = "oidc_consents"
    __table_args__ = (UniqueConstraint("user_id", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[str] = mapped_column(ForeignKey("oidc_clients.client_id", ondelete="CASCADE"))
    scopes: Mapped[list[Any]] = mapped_column(JSON)
    granted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    client: Mapped[OidcClient] = relationship(lazy="joined")


class Passkey(Base):
    __tablename__ = "passkeys"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    credential_id: Mapped[str] = mapped_column(String(1400), unique=True)  # base64url
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    sign_count: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class SessionAssurance(Base):
    """A browser session that also proved a passkey (the higher `acr`), and when."""

    __tablename__ = "session_assurance"

    token_hash: Mapped[str] = mapped_column(ForeignKey("web_sessions.token_hash", ondelete="CASCADE"),
                                            primary_key=True)
    acr: Mapped[str] = mapped_column(String(64))
    passkey_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    passkey_only: Mapped[bool] = mapped_column(Boolean, default=False)


class PublicSubject(Base):
    """The `sub` that clients with public subjects see: random and stable, unrelated to the user's
    number (which counts sign-ups and appears elsewhere); made on first use, or by migration 0011."""

    __tablename__ = "oidc_public_subjects"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    subject: Mapped[str] = mapped_column(String(43), unique=True)
