"""Sign-up, sign-in (throttled in `throttle`), browser sessions, staff accounts and API tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from collections.abc import Collection

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from pracha.calendar import BANGKOK, parse_day
from pracha.db import utcnow
from pracha.errors import Forbidden, InvalidInput, NotFound
from pracha.identity import factors, thai_id, throttle
from pracha.identity.errors import (
    AccountExists,
    SignInFailed,
    SignInThrottled,
    TokenInvalid,
)
from pracha.identity.metrics import SIGNIN_LOCKOUTS, SIGNIN_THROTTLED
from pracha.identity.models import (
    AGENCY_ADMIN,
    CITIZEN,
    FINANCE_OFFICER,
    INSPECTOR,
    OFFICER,
    PLATFORM_ADMIN,
    STAFF_ROLES,
    ActingGrant,
    ApiToken,
    CounterSession,
    Delegation,
    User,
    WebSession,
)
from pracha.identity.passwords import hash_password, password_problem, verify_password
from pracha.identity.principal import AUTHORISED, COUNTER, DELEGATE, DIRECTOR, Acting, ActingPerson, Principal
from pracha.identity.throttle import Attempt, attempt_for
from pracha.identity.throttle import ThrottlePolicy as ThrottlePolicy  # callers build it from the settings
from pracha.paging import Page, PageRequest, SortKey, fetch_page

TOKEN_SCOPES = ("applications:read", "applications:write", "payments:read", "opendata:publish")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- citizens -------------------------------------------------------------------------------------


def _name_problem(value: str) -> tuple[str, str] | None:
    if not value.strip():
        return ("กรุณากรอกข้อมูลช่องนี้", "This field is required.")
    if len(value) > 100 or _CONTROL.search(value):
        return ("ข้อมูลยาวเกินไปหรือมีอักขระที่ใช้ไม่ได้", "Too long, or contains characters that are not allowed.")
    return None


def _birth_date_problem(value: dt.date | None, today: dt.date, typed: str) -> tuple[str, str] | None:
    if value is None and typed.strip():
        return ("วันเกิดไม่ถูกต้อง ไม่มีวันที่นี้ในปฏิทิน (กรอกเป็น วว/ดด/ปปปป ปี พ.ศ. หรือ ค.ศ.)",
                "There is no such day. Enter the date of birth as DD/MM/YYYY (Buddhist or Common Era).")
    if value is None:
        return ("กรุณากรอกวันเกิด", "Please enter your date of birth.")
    if value > today:
        return ("วันเกิดต้องไม่อยู่ในอนาคต", "The date of birth cannot be in the future.")
    if value.year < today.year - 130:
        return ("วันเกิดไม่ถูกต้อง", "The date of birth is not valid.")
    return None


def signup_citizen(
    session: Session,
    *,
    national_id: str,
    first_name: str,
    last_name: str,
    birth_date: dt.date | str | None,
    password: str,
    email: str = "",
    phone: str = "",
    language: str = "th",
) -> User:
    national_id = thai_id.tidy(national_id)
    problems: dict[str, tuple[str, str]] = {}
    if (id_problem := thai_id.problem(national_id)) is not None:
        problems["national_id"] = thai_id.MESSAGES[id_problem]
    for field, value in (("first_name", first_name), ("last_name", last_name)):
        if (p := _name_problem(value)) is not None:
            problems[field] = p
    typed = birth_date if isinstance(birth_date, str) else ""
    if isinstance(birth_date, str):
        birth_date = parse_day(birth_date)
    if (p := _birth_date_problem(birth_date, dt.date.today(), typed)) is not None:
        problems["birth_date"] = p
    if (p := password_problem(password)) is not None:
        problems["password"] = p
    if email and not _EMAIL.match(email):
        problems["email"] = ("รูปแบบอีเมลไม่ถูกต้อง", "The e-mail address is not valid.")
    if phone and not re.fullmatch(r"0\d{8,9}", phone.replace("-", "")):
        problems["phone"] = ("หมายเลขโทรศัพท์ต้องเป็นตัวเลข 9–10 หลัก ขึ้นต้นด้วย 0", "Phone: 9–10 digits starting with 0.")
    if problems:
        raise InvalidInput(fields={k: {"th": v[0], "en": v[1]} for k, v in problems.items()})
    digits = thai_id.normalize(national_id)
    if session.scalar(select(User.id).where(User.national_id_index == digits)) is not None:
        raise AccountExists()
    user = User(
        role=CITIZEN,
        national_id=digits,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        birth_date=birth_date,
        email=email or None,
        phone=phone.replace("-", "") or None,
        language=language if language in ("th", "en") else "th",
        password_hash=hash_password(password),
    )
    session.add(user)
    session.flush()
    return user


def create_staff(
    session: Session,
    *,
    username: str,
    password: str,
    role: str,
    first_name: str,
    last_name: str,
    agency: str | None = None,
    password_hash: str | None = None,
) -> User:
    if role not in STAFF_ROLES:
        raise ValueError(f"not a staff role: {role}")
    if role in (OFFICER, AGENCY_ADMIN, FINANCE_OFFICER, INSPECTOR) and not agency:
        raise ValueError("officers and agency admins belong to an agency")
    username = username.strip().lower()  # sign-in compares lower-cased
    if not re.fullmatch(r"[a-z0-9._-]{3,64}", username):
        raise ValueError(f"usernames are 3-64 of a-z 0-9 . _ -: {username!r}")
    user = User(
        role=role,
        username=username,
        first_name=first_name,
        last_name=last_name,
        agency=agency,
        password_hash=password_hash or hash_password(password),
    )
    session.add(user)
    session.flush()
    return user


# --- sign-in --------------------------------------------------------------------------------------


def signin_key(identifier: str, *, staff: bool) -> str:
    """The identifier as stored and throttled: a lower-cased username, or 13 digits (SignInFailed if not)."""
    if staff:
        key = identifier.strip().lower()[:64]
        if not key:
            problem = {"th": "กรุณากรอกชื่อผู้ใช้", "en": "Please enter your username."}
            raise SignInFailed(problem["th"], problem["en"], fields={"username": problem})
        return key
    tidied = thai_id.tidy(identifier)
    if (p := thai_id.problem(tidied)) is not None:
        th, en = thai_id.MESSAGES[p]
        raise SignInFailed(th, en, fields={"national_id": {"th": th, "en": en}})
    return thai_id.normalize(tidied)


def signin_attempt(identifier: str, *, staff: bool, client: str, secret: bytes) -> Attempt:
    return attempt_for(secret, client, ("staff:" if staff else "citizen:") + signin_key(identifier, staff=staff))


def authenticate(
    session: Session,
    identifier: str,
    password: str,
    *,
    staff: bool,
    policy: ThrottlePolicy,
    client: str,
    secret: bytes,
    now: dt.datetime | None = None,
) -> User:
    """The user with these credentials, unless this client must wait (see `pracha.identity.throttle`).
    A failure is committed (it must outlive the error raised)."""
    now = now or utcnow()
    key = signin_key(identifier, staff=staff)
    attempt = attempt_for(secret, client, ("staff:" if staff else "citizen:") + key)
    account = "staff" if staff else "citizen"
    try:
        throttle.check_attempt(session, attempt, policy, now)
    except SignInThrottled as exc:
        SIGNIN_THROTTLED.labels(account, exc.details.get("reason", "slowed")).inc()
        raise
    column = User.username if staff else User.national_id_index
    user = session.scalar(select(User).where(column == key))
    if user is not None and staff != user.is_staff:
        user = None
    if not verify_password(user.password_hash if user else None, password) or user is None:
        locks = throttle.record_failure(session, attempt, policy, now)
        session.commit()
        if locks:
            SIGNIN_LOCKOUTS.labels(account).inc()
        raise SignInFailed(
            None if not staff else "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง",
            None if not staff else "The username or the password is not correct.",
        )
    throttle.clear_failures(session, attempt)
    return user


def start_web_session(session: Session, user: User, *, hours: float, amr: str = "pwd") -> str:
    """A new session; `hours` may be a fraction (a staff session waiting for its second factor)."""
    token = secrets.token_urlsafe(32)
    session.add(
        WebSession(
            token_hash=digest(token), user=user, expires_at=utcnow() + dt.timedelta(hours=hours), amr=amr
        )
    )
    return token


def web_session_for(session: Session, token: str) -> WebSession | None:
    web_session = session.get(WebSession, digest(token))
    if web_session is None or web_session.expires_at <= utcnow():
        return None
    return web_session


def promote_web_session(session: Session, token: str, *, hours: float, method: str = "otp") -> str:
    """Replace a password-only session by one that passed the second factor `method`; a new token,
    so a token seen before the factor is worth nothing after it."""
    web_session = web_session_for(session, token)
    if web_session is None:
        raise SignInFailed()
    new = start_web_session(session, web_session.user, hours=hours, amr=f"{web_session.amr} {method}")
    session.delete(web_session)
    return new


def user_for_web_session(session: Session, token: str) -> User | None:
    web_session = web_session_for(session, token)
    return None if web_session is None else web_session.user


def end_web_session(session: Session, token: str) -> None:
    session.execute(delete(WebSession).where(WebSession.token_hash == digest(token)))


# --- API tokens -----------------------------------------------------------------------------------


def _may_manage_tokens(actor: User, agency: str) -> bool:
    return actor.role == PLATFORM_ADMIN or (actor.role == AGENCY_ADMIN and actor.agency == agency)


def create_api_token(
    session: Session, actor: User, *, name: str, agency: str, scopes: list[str], agencies: Collection[str]
) -> tuple[ApiToken, str]:
    if agency not in agencies:
        raise InvalidInput("ไม่พบหน่วยงานนี้", "Unknown agency.",
                            fields={"agency": {"th": "ไม่พบหน่วยงานนี้", "en": "Unknown agency."}})
    if not _may_manage_tokens(actor, agency):
        raise Forbidden()
    bad = [s for s in scopes if s not in TOKEN_SCOPES]
    if bad or not scopes or not name.strip() or len(name) > 100:
        raise InvalidInput(
            "กรุณาระบุชื่อโทเค็นและขอบเขตการใช้งานที่ถูกต้อง",
            "Give the token a name and valid scopes.",
            fields={"scopes": {"th": "ขอบเขตไม่ถูกต้อง", "en": "Unknown scope."}} if bad or not scopes else {},
        )
    raw = "pracha_" + secrets.token_urlsafe(32)
    token = ApiToken(
        name=name.strip(), token_hash=digest(raw), agency=agency, scopes=sorted(set(scopes)),
        created_by_id=actor.id,
    )
    session.add(token)
    session.flush()
    return token, raw


TOKEN_ORDER = (SortKey(ApiToken.created_at, descending=True), SortKey(ApiToken.id, descending=True))


def list_api_tokens(session: Session, actor: User, page: PageRequest = PageRequest()) -> Page[ApiToken]:
    """The tokens the actor may manage (every agency's for a platform admin), newest first."""
    query = select(ApiToken)
    if actor.role != PLATFORM_ADMIN:
        query = query.where(ApiToken.agency == actor.agency)
    return fetch_page(session, query, TOKEN_ORDER, page)


def revoke_api_token(session: Session, actor: User, token_id: int) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFound()
    if not _may_manage_tokens(actor, token.agency):
        raise Forbidden()
    if token.revoked_at is None:
        token.revoked_at = utcnow()
    return token


def token_for_bearer(session: Session, raw: str) -> ApiToken:
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(raw)))
    if token is None or token.revoked_at is not None:
        raise TokenInvalid()
    return token


def principal_for(session: Session, bearer: str | None, cookie: str | None) -> Principal:
    """Who is calling, from a bearer token or a session cookie (neither: nobody); the access rule's
    `CALLERS` part, wired by the app."""
    if bearer is not None:
        return Principal(token=token_for_bearer(session, bearer))
    web_session = web_session_for(session, cookie) if cookie else None
    if web_session is None:
        return Principal()
    if factors.needs_factor(web_session.user) and not factors.factor_passed(web_session.amr):
        return Principal(pending=web_session.user)  # staff who gave the password only: no role yet
    for_person = person_acted_for(session, web_session)
    return Principal(user=web_session.user, acting=None if for_person else acting_of(session, web_session),
                     for_person=for_person)


def person_acted_for(session: Session, web_session: WebSession) -> ActingPerson | None:
    """The person this browser acts for, checked on each request: an officer's open counter session
    (pracha.counter), or a citizen's live delegations from that person (pracha.delegation). A session
    closed, or a delegation revoked or expired, stops it at once: the user is themself again."""
    if web_session.counter_session_id is not None:
        counter = session.get(CounterSession, web_session.counter_session_id)
        if counter is None or not counter.is_open or counter.officer_id != web_session.user_id:
            return None
        return ActingPerson(counter.visitor, COUNTER, None, counter.id, counter.office)
    if web_session.acting_for_person is None or web_session.user.role != CITIZEN:
        return None
    services = live_delegated_services(session, web_session.acting_for_person, web_session.user_id)
    if not services:
        return None
    grantor = session.get(User, web_session.acting_for_person)
    return None if grantor is None else ActingPerson(grantor, DELEGATE, frozenset(services))


def citizen_with_id(session: Session, national_id: str) -> User | None:
    """The citizen account of a national ID as typed (with or without dashes); None for a number that
    is not valid, is unknown, or is a staff account's."""
    digits = thai_id.normalize(thai_id.tidy(national_id or ""))
    if not thai_id.is_valid(digits):
        return None
    user = session.scalar(select(User).where(User.national_id_index == digits))
    return user if user is not None and user.role == CITIZEN else None


def live_delegations(session: Session, delegate_id: int, grantor_id: int | None = None) -> list[Delegation]:
    """The delegations to this user in force today (not revoked, between their first and last day),
    from one grantor or from anyone."""
    today = utcnow().astimezone(BANGKOK).date()
    query = select(Delegation).where(Delegation.delegate_id == delegate_id, Delegation.revoked_at.is_(None),
                                     Delegation.valid_from <= today, Delegation.valid_until >= today)
    if grantor_id is not None:
        query = query.where(Delegation.grantor_id == grantor_id)
    return list(session.scalars(query))


def live_delegated_services(session: Session, grantor_id: int, delegate_id: int) -> set[str]:
    """The services the grantor's delegations live today let the delegate use ("*": all); empty: none."""
    return {service for row in live_delegations(session, delegate_id, grantor_id) for service in row.services}


def acting_of(session: Session, web_session: WebSession) -> Acting | None:
    """The juristic person the session acts for; an authorised person's services are read from the
    grants live today on each request, so a revoked or expired grant stops them at once."""
    if web_session.acting_for is None or web_session.user.role != CITIZEN:
        return None
    detail = web_session.acting or {}
    role = detail.get("role", AUTHORISED)
    services: frozenset[str] | None = None
    if role != DIRECTOR:
        today = utcnow().astimezone(BANGKOK).date()
        grants = session.scalars(select(ActingGrant.services).where(
            ActingGrant.grantee_id == web_session.user_id, ActingGrant.juristic_id == web_session.acting_for,
            ActingGrant.revoked_at.is_(None), ActingGrant.valid_from <= today, ActingGrant.valid_until >= today))
        services = frozenset(s for granted in grants for s in granted)
    return Acting(web_session.acting_for, detail.get("name_th", web_session.acting_for),
                  detail.get("name_en", web_session.acting_for), role,
                  int(detail.get("directors_required", 1)), services)
