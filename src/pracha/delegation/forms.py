"""Delegations made at the counter, for a grantor who cannot use the portal: the officer serving them
(an open counter session; the visitor is the grantor) registers the delegation with the scanned
power-of-attorney document (หนังสือมอบอำนาจ: PDF, JPEG or PNG, required). The scan is checked by its
first bytes (`services.uploads`) and kept under `var/delegation-forms` by its SHA-256 — not under
var/uploads, whose files are deleted when no application document names them. The grantor, and an
officer serving the grantor at a counter, may open it again."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlalchemy.orm import Session

from pracha.delegation.errors import DelegationNotFound
from pracha.delegation.service import check, create, invalid
from pracha.errors import Forbidden, PrachaError
from pracha.identity.models import CITIZEN, Delegation
from pracha.identity.principal import COUNTER, Principal
from pracha.services import uploads
from pracha.services.catalog import Catalog

FIELD = "power_of_attorney"


@dataclass(frozen=True)
class Scan:
    """The uploaded scan as the route received it."""

    stream: BinaryIO
    filename: str
    content_type: str


def forms_dir(var_dir: Path) -> Path:
    return var_dir / "delegation-forms"


def register_at_counter(session: Session, catalog: Catalog, principal: Principal, var_dir: Path, *,
                        national_id: str, relationship: str, services: list[str], valid_from: dt.date | None,
                        valid_until: dt.date | None, scan: Scan | None, max_bytes: int) -> Delegation:
    """The officer at the counter registers the visitor's delegation: every field is checked first
    (one 422 naming each field's problem, the scan's too), then the scan is kept and the delegation made."""
    for_person = principal.for_person
    if principal.role != COUNTER or for_person is None or principal.user is None:
        raise Forbidden()
    grantor, directory = for_person.person, forms_dir(var_dir)
    incoming, problem = None, None
    if scan is None or not scan.filename:
        problem = invalid(FIELD, "กรุณาแนบสำเนาหนังสือมอบอำนาจที่สแกนไว้ (PDF, JPEG หรือ PNG)",
                          "Attach the scanned power-of-attorney document (PDF, JPEG or PNG).").fields
    else:
        try:
            incoming = uploads.receive(directory, scan.stream, filename=scan.filename,
                                       declared_type=scan.content_type, max_bytes=max_bytes)
        except PrachaError as exc:
            problem = {FIELD: {"th": exc.message_th, "en": exc.message_en}}
    try:
        checked = check(session, catalog, grantor, national_id, relationship, services, valid_from, valid_until,
                        more=problem)
        assert incoming is not None  # else `check` refused with the scan's problem
        row = create(session, catalog, grantor, principal.user, checked,
                     counter_session_id=for_person.counter_session_id, power_of_attorney=incoming.sha256)
    except BaseException:
        if incoming is not None:
            uploads.discard(incoming)
        raise
    uploads.keep(directory, incoming)
    return row


def power_of_attorney(session: Session, principal: Principal, var_dir: Path, delegation_id: int
                      ) -> tuple[Path, str]:
    """(path, content type) of the delegation's scan, for its grantor or an officer serving the grantor
    at a counter; 404 `delegation_not_found` for anyone else, or when there is no scan."""
    row = session.get(Delegation, delegation_id)
    if row is None or row.power_of_attorney is None:
        raise DelegationNotFound()
    if principal.role == CITIZEN:
        allowed = principal.user_id == row.grantor_id
    else:
        allowed = principal.role == COUNTER and principal.subject_id == row.grantor_id
    path = uploads.path_of(forms_dir(var_dir), row.power_of_attorney)
    if not allowed or not path.is_file():
        raise DelegationNotFound()
    with path.open("rb") as f:
        kind = uploads.sniff(f.read(16))
    return path, kind or "application/octet-stream"
