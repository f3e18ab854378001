"""Passkeys (WebAuthn, the `webauthn` package) and the assurance of a browser session.

A session signed in with a password has acr `password`; proving a passkey on top (step-up), or
signing in with a user-verified passkey, raises it to `passkey`. The WebAuthn challenge travels in a
short-lived cookie MACed with the app secret and bound to its purpose.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import bytes_to_base64url
from webauthn.helpers.exceptions import InvalidAuthenticationResponse, InvalidRegistrationResponse
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from pracha.db import utcnow
from pracha.errors import InvalidInput, NotFound
from pracha.identity import factors
from pracha.identity.models import User, WebSession
from pracha.identity.oidc.authorize import ACR_PASSKEY, ACR_PASSWORD, SignedIn
from pracha.identity.oidc.clients import digest
from pracha.identity.oidc.models import Passkey, SessionAssurance

CHALLENGE_COOKIE = "pracha_webauthn"
CHALLENGE_SECONDS = 300
FAILED = InvalidInput("ยืนยันด้วยพาสคีย์ไม่สำเร็จ กรุณาลองใหม่", "The passkey could not be verified. Please try again.")


# --- the challenge cookie -------------------------------------------------------------------------


def seal(secret: bytes, purpose: str, challenge: bytes) -> str:
    body = f"{purpose}.{int(time.time()) + CHALLENGE_SECONDS}.{bytes_to_base64url(challenge)}"
    mac = hmac.new(secret, body.encode(), hashlib.sha256).hexdigest()
    return f"{body}.{mac}"


def unseal(secret: bytes, purpose: str, value: str) -> bytes:
    body, _, mac = value.rpartition(".")
    parts = body.split(".")
    if len(parts) != 3 or not hmac.compare_digest(mac, hmac.new(secret, body.encode(), hashlib.sha256).hexdigest()) \
            or parts[0] != purpose or int(parts[1]) < time.time():
        raise FAILED
    return base64.urlsafe_b64decode(parts[2] + "==")


# --- session assurance ----------------------------------------------------------------------------


def signed_in(session: Session, cookie: str | None) -> SignedIn | None:
    if not cookie:
        return None
    web = session.get(WebSession, digest(cookie))
    if web is None or web.expires_at <= utcnow():
        return None
    if factors.needs_factor(web.user) and not factors.factor_passed(web.amr):
        return None  # staff who have not given the second factor are not signed in yet
    extra = session.get(SessionAssurance, web.token_hash)
    if extra is None:
        return SignedIn(web.user, ACR_PASSWORD, web.created_at)
    return SignedIn(web.user, extra.acr, max(extra.passkey_at, web.created_at))


def raise_assurance(session: Session, cookie: str, *, passkey_only: bool = False) -> None:
    web = session.get(WebSession, digest(cookie))
    if web is not None and "hwk" not in web.amr.split():
        web.amr = "hwk" if passkey_only else f"{web.amr} hwk"
    row = session.get(SessionAssurance, digest(cookie))
    if row is None:
        row = SessionAssurance(token_hash=digest(cookie), acr=ACR_PASSKEY, passkey_at=utcnow())
        session.add(row)
    row.acr, row.passkey_at, row.passkey_only = ACR_PASSKEY, utcnow(), passkey_only


# --- registration ---------------------------------------------------------------------------------


def list_passkeys(session: Session, user: User) -> list[Passkey]:
    return list(session.scalars(select(Passkey).where(Passkey.user_id == user.id).order_by(Passkey.created_at)))


def registration_options(session: Session, user: User, *, rp_id: str) -> tuple[dict[str, Any], bytes]:
    options = generate_registration_options(
        rp_id=rp_id, rp_name="Pracha", user_name=user.national_id or user.username or str(user.id),
        user_id=hashlib.sha256(f"pracha-user|{user.id}".encode()).digest(), user_display_name=user.display_name,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED, user_verification=UserVerificationRequirement.PREFERRED),
        exclude_credentials=[PublicKeyCredentialDescriptor(id=base64.urlsafe_b64decode(p.credential_id + "=="))
                             for p in list_passkeys(session, user)])
    return json.loads(options_to_json(options)), options.challenge


def register(session: Session, user: User, credential: dict[str, Any], *, challenge: bytes, rp_id: str,
             origin: str, name: str) -> Passkey:
    try:
        verified = verify_registration_response(credential=credential, expected_challenge=challenge,
                                                expected_rp_id=rp_id, expected_origin=origin)
    except (InvalidRegistrationResponse, ValueError, KeyError, TypeError) as exc:
        raise FAILED from exc
    passkey = Passkey(user_id=user.id, credential_id=bytes_to_base64url(verified.credential_id),
                      public_key=verified.credential_public_key, sign_count=verified.sign_count,
                      name=(name.strip() or "passkey")[:100])
    session.add(passkey)
    session.flush()
    return passkey


def delete_passkey(session: Session, user: User, passkey_id: int) -> None:
    passkey = session.get(Passkey, passkey_id)
    if passkey is None or passkey.user_id != user.id:
        raise NotFound()
    session.delete(passkey)


# --- authentication -------------------------------------------------------------------------------


def authentication_options(session: Session, user: User | None, *, rp_id: str) -> tuple[dict[str, Any], bytes]:
    allow = [PublicKeyCredentialDescriptor(id=base64.urlsafe_b64decode(p.credential_id + "=="))
             for p in list_passkeys(session, user)] if user is not None else []
    options = generate_authentication_options(rp_id=rp_id, challenge=secrets.token_bytes(32), allow_credentials=allow,
                                              user_verification=UserVerificationRequirement.PREFERRED)
    return json.loads(options_to_json(options)), options.challenge


def authenticate(session: Session, credential: dict[str, Any], *, challenge: bytes, rp_id: str, origin: str,
                 user: User | None) -> Passkey:
    """Check an assertion. With `user` (step-up) the passkey must be theirs; without (passkey sign-in)
    the authenticator must have verified the person (PIN or biometrics)."""
    passkey = session.scalar(select(Passkey).where(Passkey.credential_id == str(credential.get("id", ""))))
    if passkey is None or (user is not None and passkey.user_id != user.id):
        raise FAILED
    try:
        verified = verify_authentication_response(
            credential=credential, expected_challenge=challenge, expected_rp_id=rp_id, expected_origin=origin,
            credential_public_key=passkey.public_key, credential_current_sign_count=passkey.sign_count,
            require_user_verification=user is None)
    except (InvalidAuthenticationResponse, ValueError, KeyError, TypeError) as exc:
        raise FAILED from exc
    passkey.sign_count, passkey.last_used_at = verified.new_sign_count, utcnow()
    return passkey
