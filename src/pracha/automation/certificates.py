"""Certificates: a PDF (WeasyPrint, Thai font, shaped by Pango) with a QR code to `/verify/{id}`,
signed and recorded in the ledger; revocation is a ledger entry too.

The signed content is the canonical JSON of the certificate's facts; its SHA-256 and an Ed25519
signature (the ledger's key) are embedded in the PDF's metadata with the id. Verifying a file checks
that the id is known, the file is byte for byte the one issued, the signature holds, the ledger entry
exists, and whether it was revoked.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
import secrets
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import rfc8785
import segno
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.orm import Session

from pracha.automation.models import Certificate
from pracha.calendar import format_date
from pracha.db import utcnow
from pracha.errors import NotFound
from pracha.ledger import audit as ledger_audit
from pracha.ledger import log as ledger
from pracha.ledger import note
from pracha.services.catalog import Catalog
from pracha.services.models import Application

PDF_DIR = Path(__file__).parent / "pdf"
_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"
_env = Environment(loader=FileSystemLoader(str(PDF_DIR)), autoescape=select_autoescape(["html"]))


class CertificateNotFound(NotFound):
    code = "certificate_not_found"
    message_th = "ไม่พบหนังสือรับรองเลขที่นี้ในระบบ"
    message_en = "No certificate with this number was issued."


def new_id() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(20))


def masked(national_id: str) -> str:
    return f"{national_id[0]}-xxxx-xxxxx-{national_id[10:12]}-{national_id[12]}" if len(national_id) == 13 else "-"


def content(cert_id: str, application: Application, title_th: str, issued: str) -> dict[str, Any]:
    citizen = application.citizen
    return {"id": cert_id, "reference": application.reference, "service_id": application.service_id,
            "agency": application.agency, "title": title_th, "issued_at": issued,
            "holder": f"{citizen.first_name} {citizen.last_name}", "national_id": masked(citizen.national_id or "")}


def render_pdf(values: dict[str, Any]) -> bytes:
    from weasyprint import HTML  # imported here: loading Pango takes a moment and only workers need it

    html = _env.get_template("certificate.html").render(**values)
    pdf: bytes = HTML(string=html, base_url=str(PDF_DIR)).write_pdf(custom_metadata=True)
    return pdf


@dataclass(frozen=True)
class PreparedCertificate:
    """A certificate rendered and signed ahead of its write transaction (the PDF takes a while)."""

    application_id: int
    cert_id: str
    issued_at: dt.datetime
    body: dict[str, Any]
    digest: str
    signature: str
    pdf: bytes


def prepare(catalog: Catalog, application: Application, *, title_th: str, title_en: str, signer: note.Signer,
            base_url: str) -> PreparedCertificate:
    """Render and sign the certificate: slow, reads only, so the runner does it outside the write lock."""
    cert_id, now = new_id(), utcnow()
    body = content(cert_id, application, title_th, now.strftime("%Y-%m-%dT%H:%M:%SZ"))
    digest = hashlib.sha256(rfc8785.dumps(body)).hexdigest()
    signature = "ed25519:" + base64.b64encode(signer.sign(bytes.fromhex(digest))).decode()
    service = catalog.get(application.service_id)
    agency = catalog.agencies.get(application.agency)
    url = f"{base_url.rstrip('/')}/verify/{cert_id}"
    values = {
        "id": cert_id, "title_th": title_th, "title_en": title_en, "content_sha256": digest, "signature": signature,
        "agency_th": agency.name.th if agency else application.agency,
        "agency_en": agency.name.en if agency else application.agency,
        "service_th": service.name.th if service else application.service_id,
        "service_en": service.name.en if service else application.service_id,
        "holder_th": body["holder"], "national_id_masked": body["national_id"], "reference": application.reference,
        "issued_th": format_date(now, "th"), "issued_en": format_date(now, "en"), "verify_url": url,
        "qr": segno.make(url, error="m").svg_data_uri(scale=4),
        "statement_th": f"ขอรับรองว่า {body['holder']} ได้รับอนุมัติตามคำขอเลขที่ {application.reference}",
        "statement_en": f"This certifies that application {application.reference} of the person named below "
                        "was approved.",
    }
    return PreparedCertificate(application.id, cert_id, now, body, digest, signature, render_pdf(values))


def issue(session: Session, catalog: Catalog, application: Application, *, title_th: str, title_en: str,
          signer: note.Signer, base_url: str, prepared: PreparedCertificate | None = None) -> Certificate:
    """The application's certificate (the existing one if it was issued already), from `prepared` when
    it was rendered ahead for this application."""
    existing = session.query(Certificate).filter_by(application_id=application.id).one_or_none()
    if existing is not None:
        return existing
    if prepared is None or prepared.application_id != application.id:
        prepared = prepare(catalog, application, title_th=title_th, title_en=title_en, signer=signer,
                           base_url=base_url)
    certificate = Certificate(id=prepared.cert_id, application=application, title_th=title_th, title_en=title_en,
                              issued_at=prepared.issued_at, content_sha256=prepared.digest,
                              signature=prepared.signature, pdf=prepared.pdf)
    session.add(certificate)
    citizen = application.citizen
    certificate.ledger_entry = ledger.record(
        session, "certificate.issue", actor=f"bot:{application.agency}", obj=f"certificate:{prepared.cert_id}",
        record={**prepared.body, "pdf_sha256": hashlib.sha256(certificate.pdf).hexdigest()},
        subject=f"user:{citizen.id}", subject_secret=citizen.national_id)
    return certificate


def revoke(session: Session, certificate: Certificate, *, actor: str, reason: str) -> Certificate:
    if certificate.revoked_at is None:
        certificate.revoked_at = utcnow()
        certificate.revoked_reason = reason
        certificate.revocation_entry = ledger.record(
            session, "certificate.revoke", actor=actor, obj=f"certificate:{certificate.id}",
            record={"id": certificate.id, "reason": reason})
    return certificate


@dataclass(frozen=True)
class Verification:
    certificate: Certificate
    status: str  # valid | revoked | altered
    checks: dict[str, bool]


def verify(session: Session, cert_id: str, verifier: note.Verifier, pdf: bytes | None = None) -> Verification:
    """Check a certificate (and, given one, a PDF file claiming to be it) against its ledger entry."""
    certificate = session.get(Certificate, cert_id.strip().lower()) if re.fullmatch(r"[a-z0-9]{8,32}",
                                                                                      cert_id.strip().lower()) else None
    if certificate is None:
        raise CertificateNotFound()
    try:
        raw = base64.b64decode(certificate.signature.removeprefix("ed25519:"))
        signed = verifier.verify(bytes.fromhex(certificate.content_sha256), raw)
    except ValueError:
        signed = False
    entry = certificate.ledger_entry
    stated = ledger_audit.statement_of(session, entry) if entry is not None else None
    checks = {
        "signature": signed,
        "ledger": stated is not None and stated.get("kind") == "certificate.issue"
        and stated.get("object") == f"certificate:{certificate.id}",
    }
    if pdf is not None:
        checks["file"] = hashlib.sha256(pdf).digest() == hashlib.sha256(certificate.pdf).digest()
    status = "altered" if not all(checks.values()) else "revoked" if certificate.revoked_at else "valid"
    return Verification(certificate, status, checks)


def read_metadata(path: Path) -> dict[str, str]:
    """The pracha-* entries of a PDF's document information (poppler's pdfinfo reads them)."""
    tool = shutil.which("pdfinfo")
    if tool is None:
        raise RuntimeError("pdfinfo (Debian package poppler-utils) is needed to read a PDF's metadata")
    result = subprocess.run([tool, "-custom", str(path)], capture_output=True, text=True, timeout=30,  # noqa: S603
                            check=False)  # a fixed tool and a file path, no shell
    found: dict[str, str] = {}
    for line in result.stdout.splitlines():
        key, _, value = line.partition(":")
        if key.strip().lower().startswith("pracha"):
            found[key.strip().lower().replace("-", "")] = value.strip()
    return found
