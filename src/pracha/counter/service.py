"""Help at the counter (assisted digital): an officer serves a visitor through Pracha.

A counter session is started by an officer (or agency admin, second factor passed) who checked the
visitor's ID card, at one of the offices of catalog/offices.yaml (their agency's; any office when their
agency has none), with the visitor's consent, one of:

- `otp`: a 6-digit code sent by SMS to the phone on the visitor's account, valid 15 minutes; the visitor
  reads it out and the officer types it. 5 wrong codes refuse the session (start again);
- `form`: the consent form signed by the visitor, scanned (PDF, JPEG or PNG) and kept under
  var/counter-forms by SHA-256; the session opens at once.

A national ID without a Pracha account: the officer may make the account from the ID card (name and
birth date; phone and e-mail optional), without a usable password (the visitor sets one at the counter
or by recovery later); such a first visit needs the signed form (a phone typed at the counter proves
nothing yet).

Opening points the officer's browser session at the counter session (`WebSession.counter_session_id`;
acting for anyone else is cleared), so the officer acts in the COUNTER role for the visitor on the
service pages, and every step records the session. One counter session per officer: starting another
closes the officer's earlier ones. Closing ends it at once, tells the visitor what was done, and leads
to the printable summary. Opening and closing are ledger entries (references only).
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from pracha.appointments.offices import Office
from pracha.counter import summary
from pracha.counter.errors import (
    ConsentExpired,
    ConsentFailed,
    CounterSessionClosed,
    CounterSessionNotFound,
    NoAccountForId,
    NoPhoneForCode,
    WrongConsentCode,
)
from pracha.db import utcnow
from pracha.errors import Forbidden, InvalidInput, PrachaError
from pracha.identity import recovery, thai_id
from pracha.identity import service as identity
from pracha.identity.models import AGENCY_ADMIN, CITIZEN, OFFICER, CounterSession, User, WebSession
from pracha.identity.principal import COUNTER, Principal
from pracha.ledger import log as ledger
from pracha.notices.models import OutboxMessage
from pracha.services import uploads

OTP, FORM = "otp", "form"
METHODS = (OTP, FORM)
CODE_MINUTES = 15
MAX_TRIES = 5
MAX_OPEN_HOURS = 8
FORMS_DIR = "counter-forms"  # under settings.var_dir: the signed consent forms, by SHA-256
NO_PASSWORD = "!counter"  # noqa: S105 - not a hash: no password verifies against it (set one later)
OFFICERS = (OFFICER, AGENCY_ADMIN)


@dataclass(frozen=True)
class StartForm:
    """What the officer typed on the start form (`national_id` … `consent_method`), and for a visitor
    without an account, what the ID card says (and a phone or e-mail if they gave one)."""

    national_id: str
    id_card_checked: bool
    office_id: str
    consent_method: str
    first_name: str = ""
    last_name: str = ""
    birth_date: str = ""
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class Scan:
    """The signed consent form as uploaded."""

    filename: str
    content_type: str
    stream: BinaryIO


def _problem(th: str, en: str) -> dict[str, str]:
    return {"th": th, "en": en}


def offices_for_officer(offices: dict[str, Office], agency: str | None) -> list[Office]:
    """The offices an officer may serve at: their agency's, or every office when it has none."""
    own = [o for o in offices.values() if o.agency == agency]
    return own or list(offices.values())


def officer_of(principal: Principal) -> User:
    """The officer behind the caller (also while serving in the COUNTER role)."""
    user = principal.user
    if user is None or user.role not in OFFICERS or principal.role not in (*OFFICERS, COUNTER):
        raise Forbidden()
    return user


def code_hash(secret: bytes, counter_id: int, code: str) -> str:
    return recovery.keyed(secret, "counter-consent", f"{counter_id}|{code.strip()}")


def _visitor(session: Session, digits: str) -> User | None:
    return session.scalar(select(User).where(User.national_id_index == digits))


def _check(form: StartForm, offices: list[Office], scan: Scan | None) -> dict[str, dict[str, str]]:
    problems: dict[str, dict[str, str]] = {}
    if (id_problem := thai_id.problem(thai_id.tidy(form.national_id))) is not None:
        problems["national_id"] = _problem(*thai_id.MESSAGES[id_problem])
    if not form.id_card_checked:
        problems["id_card_checked"] = _problem("กรุณาตรวจบัตรประจำตัวประชาชนของผู้มาติดต่อ แล้วทำเครื่องหมายในช่องนี้",
                                               "Check the visitor's ID card, then tick this box.")
    if form.office_id not in {o.id for o in offices}:
        problems["office_id"] = _problem("กรุณาเลือกสำนักงานที่ให้บริการ", "Choose the office you serve at.")
    if form.consent_method not in METHODS:
        problems["consent_method"] = _problem("กรุณาเลือกวิธีขอความยินยอม", "Choose how the visitor consents.")
    elif form.consent_method == FORM and (scan is None or not scan.filename):
        problems["consent_form"] = _problem("กรุณาแนบแบบฟอร์มความยินยอมที่ลงลายมือชื่อแล้ว (สแกนเป็น PDF, JPEG หรือ PNG)",
                                            "Attach the signed consent form (scanned as PDF, JPEG or PNG).")
    return problems


def _new_account(session: Session, form: StartForm, digits: str) -> User:
    """The visitor's account from the ID card, with no usable password (see the module docstring)."""
    given = {"first_name": form.first_name, "last_name": form.last_name, "birth_date": form.birth_date}
    if not all(v.strip() for v in given.values()):
        missing = _problem("กรอกตามบัตรประจำตัวประชาชนเพื่อสร้างบัญชี", "As on the ID card, to create the account.")
        raise NoAccountForId(fields={k: missing for k, v in given.items() if not v.strip()})
    if form.consent_method != FORM:
        th, en = ("การสร้างบัญชีใหม่ที่เคาน์เตอร์ต้องใช้แบบฟอร์มความยินยอมที่ลงลายมือชื่อ",
                  "A new account made at the counter needs the signed consent form.")
        raise InvalidInput(th, en, fields={"consent_method": _problem(th, en)})
    user = identity.signup_citizen(session, national_id=digits, first_name=form.first_name,
                                   last_name=form.last_name, birth_date=form.birth_date,
                                   password=secrets.token_urlsafe(24), email=form.email.strip(),
                                   phone=form.phone.strip())
    user.password_hash = NO_PASSWORD
    return user


def start_session(session: Session, offices: dict[str, Office], principal: Principal, form: StartForm, *,
                  web_session: WebSession, secret: bytes, forms_dir: Path, max_bytes: int,
                  scan: Scan | None = None, now: dt.datetime | None = None) -> CounterSession:
    """Start serving a visitor (see the module docstring): open at once with a signed form, or wait for
    the code sent to the visitor's phone (`confirm_consent`). The caller commits."""
    officer = officer_of(principal)
    now = now or utcnow()
    problems = _check(form, offices_for_officer(offices, officer.agency), scan)
    if problems:
        raise InvalidInput(fields=problems)
    digits = thai_id.normalize(thai_id.tidy(form.national_id))
    visitor = _visitor(session, digits)
    if visitor is not None and visitor.role != CITIZEN:
        th, en = "เลขนี้ไม่ใช่บัญชีของประชาชน", "This national ID is not a citizen's account."
        raise InvalidInput(th, en, fields={"national_id": _problem(th, en)})
    if visitor is None:
        visitor = _new_account(session, form, digits)
    if form.consent_method == OTP and not visitor.phone:
        raise NoPhoneForCode(fields={"consent_method": _problem(NoPhoneForCode.message_th, NoPhoneForCode.message_en)})
    for earlier in session.scalars(select(CounterSession).where(
            CounterSession.officer_id == officer.id, CounterSession.closed_at.is_(None))):
        close_session(session, earlier, now=now, offices=offices)  # one session per officer at a time
    counter = CounterSession(officer_id=officer.id, visitor_id=visitor.id, office=form.office_id,
                             agency=officer.agency or offices[form.office_id].agency, id_card_checked=True,
                             consent_method=form.consent_method, consent_tries=0, started_at=now)
    session.add(counter)
    session.flush()
    if form.consent_method == FORM:
        assert scan is not None
        counter.consent_file = keep_scan(forms_dir, scan, max_bytes)
        _open(session, counter, web_session, now)
    else:
        _send_code(session, counter, visitor, secret)
    return counter


def keep_scan(forms_dir: Path, scan: Scan, max_bytes: int) -> str:
    try:
        incoming = uploads.receive(forms_dir, scan.stream, filename=scan.filename, declared_type=scan.content_type,
                                   max_bytes=max_bytes)
    except PrachaError as exc:  # the upload's own refusals (413, 415): beside the form's file field
        if "file" in exc.fields:
            exc.fields = {"consent_form": exc.fields["file"]}
        raise
    try:
        uploads.keep(forms_dir, incoming)
    finally:
        uploads.discard(incoming)
    return incoming.sha256


def scan_path(forms_dir: Path, sha256: str) -> Path:
    return uploads.path_of(forms_dir, sha256)


def _send_code(session: Session, counter: CounterSession, visitor: User, secret: bytes) -> None:
    code = f"{secrets.randbelow(10**6):06d}"
    counter.consent_code_hash = code_hash(secret, counter.id, code)
    sms = (f"Pracha: รหัสยืนยันให้เจ้าหน้าที่ช่วยทำรายการแทนท่านที่เคาน์เตอร์ {code} (ใช้ได้ {CODE_MINUTES} นาที "
           f"บอกรหัสนี้เฉพาะเจ้าหน้าที่ที่อยู่ตรงหน้าท่าน) / counter consent code {code}")
    session.add(OutboxMessage(channel="sms", recipient=visitor.phone or "", user_id=visitor.id,
                              subject="รหัสยืนยัน Pracha / Pracha consent code", body=sms))


def _open(session: Session, counter: CounterSession, web_session: WebSession, now: dt.datetime) -> None:
    counter.consented_at = now
    serve_in(web_session, counter)
    visitor = counter.visitor
    entry = ledger.record(session, "counter.opened", actor=f"user:{counter.officer_id}",
                          obj=f"counter_session:{counter.id}",
                          record={"office": counter.office, "agency": counter.agency,
                                  "consent": counter.consent_method},
                          subject=f"user:{visitor.id}", subject_secret=visitor.national_id)
    session.flush()
    counter.ledger_entry_id = entry.id


def serve_in(web_session: WebSession, counter: CounterSession) -> None:
    """The officer's browser now serves the visitor (and acts for nobody else)."""
    web_session.counter_session_id = counter.id
    web_session.acting_for_person = None
    web_session.acting_for = None
    web_session.acting = None


def session_of_officer(session: Session, principal: Principal, counter_id: int, *, for_update: bool = False
                       ) -> CounterSession:
    """The officer's own counter session (someone else's is not found)."""
    officer = officer_of(principal)
    query = select(CounterSession).where(CounterSession.id == counter_id)
    counter = session.scalar(query.with_for_update() if for_update else query)
    if counter is None or counter.officer_id != officer.id:
        raise CounterSessionNotFound()
    return counter


def confirm_consent(session: Session, principal: Principal, counter_id: int, code: str, *,
                    web_session: WebSession, secret: bytes, now: dt.datetime | None = None) -> CounterSession:
    """Open the session with the code the visitor read out. Refusals count: commit before answering."""
    counter = session_of_officer(session, principal, counter_id, for_update=True)
    now = now or utcnow()
    if counter.consented_at is not None and counter.closed_at is None:
        serve_in(web_session, counter)
        return counter
    if counter.closed_at is not None:
        raise ConsentFailed() if counter.consent_tries >= MAX_TRIES else CounterSessionClosed()
    if now > counter.started_at + dt.timedelta(minutes=CODE_MINUTES):
        counter.closed_at = now
        raise ConsentExpired()
    typed = code_hash(secret, counter.id, code)
    if counter.consent_code_hash is None or not hmac.compare_digest(counter.consent_code_hash, typed):
        counter.consent_tries += 1
        if counter.consent_tries >= MAX_TRIES:
            counter.closed_at = now
            raise ConsentFailed()
        left = MAX_TRIES - counter.consent_tries
        th, en = f"รหัสไม่ถูกต้อง ลองได้อีก {left} ครั้ง", f"Not the code sent. {left} tries left."
        raise WrongConsentCode(th, en, fields={"code": _problem(th, en)}, tries_left=left)
    _open(session, counter, web_session, now)
    return counter


def close_session(session: Session, counter: CounterSession, *, now: dt.datetime | None = None,
                  offices: dict[str, Office]) -> CounterSession:
    """End the session at once (again: nothing more). An opened one is a ledger entry and a notice to
    the visitor listing the applications made or changed; one that never opened just ends."""
    if counter.closed_at is not None:
        return counter
    now = now or utcnow()
    counter.closed_at = now
    session.execute(update(WebSession).where(WebSession.counter_session_id == counter.id)
                    .values(counter_session_id=None).execution_options(synchronize_session=False))
    if counter.consented_at is None:
        return counter
    references = [a.reference for a in summary.applications_of(session, counter.id)]
    visitor = counter.visitor
    ledger.record(session, "counter.closed", actor=f"user:{counter.officer_id}", obj=f"counter_session:{counter.id}",
                  record={"applications": references}, subject=f"user:{visitor.id}",
                  subject_secret=visitor.national_id)
    summary.tell_visitor(session, counter, offices.get(counter.office), references)
    return counter


def open_session_of(session: Session, principal: Principal) -> CounterSession:
    """The counter session the caller is serving in now (COUNTER role)."""
    for_person = principal.for_person
    if principal.role != COUNTER or for_person is None or for_person.counter_session_id is None:
        raise Forbidden()
    counter = session.get(CounterSession, for_person.counter_session_id)
    if counter is None or not counter.is_open:
        raise CounterSessionClosed()
    return counter


def reset_password(session: Session, principal: Principal, new_password: str, again: str, *,
                   messenger: recovery.ResetMessenger, now: dt.datetime | None = None) -> User:
    """Recovery at the counter: the visitor's new password, typed twice on the counter's screen."""
    counter = open_session_of(session, principal)
    if new_password != again:
        problem = _problem("รหัสผ่านทั้งสองช่องไม่ตรงกัน", "The two passwords are not the same.")
        raise InvalidInput(problem["th"], problem["en"], fields={"new_password_again": problem})
    return recovery.reset_at_counter(session, counter.visitor, new_password, officer_id=counter.officer_id or 0,
                                     counter_session_id=counter.id, messenger=messenger, now=now)


def tidy(session: Session, at: dt.datetime, offices: dict[str, Office]) -> int:
    """The hourly job: close sessions open for more than 8 hours, and those still waiting for consent
    after the code's 15 minutes. How many were closed."""
    stale = list(session.scalars(select(CounterSession).where(CounterSession.closed_at.is_(None), or_(
        CounterSession.consented_at < at - dt.timedelta(hours=MAX_OPEN_HOURS),
        CounterSession.consented_at.is_(None) & (CounterSession.started_at < at - dt.timedelta(minutes=CODE_MINUTES)),
    )).order_by(CounterSession.id)))
    for counter in stale:
        close_session(session, counter, now=at, offices=offices)
    return len(stale)
