"""Documents ("certificates"): what an approval issues, as its service's `document` block declares
(documents.py): the holder, the certified facts (from the form, the registry facts the bot read and the
holder's profile), the issuer, a number and a validity. A PDF (WeasyPrint, Thai font, shaped by Pango)
with a QR code to `/verify/{id}`, signed and recorded in the ledger; revocation is a ledger entry too.

The signed content is the canonical JSON of the document's facts, kept (encrypted under the holder's
key) with the certificate so /verify can recompute it; its SHA-256 and an Ed25519
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
from functools import lru_cache
from pathlib import Path
from typing import Any

import rfc8785
import segno
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from pracha.automation.documents import DocumentSpec, certify, compile_document, masked_id, nested
from pracha.automation.evaluate import Fact
from pracha.automation.models import BotDecision, Certificate
from pracha.calendar import BANGKOK, format_date
from pracha.db import utcnow
from pracha.errors import NotFound
from pracha.identity.models import User
from pracha.ledger import audit as ledger_audit
from pracha.ledger import log as ledger
from pracha.ledger import note
from pracha.services.catalog import Catalog
from pracha.services.models import Application, ApplicationEvent

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
    return masked_id(national_id)


def masked_name(first_name: str, last_name: str) -> str:
    """The holder's name as /verify shows it to anyone: the first name and one letter ("สมชาย ใ***")."""
    return f"{first_name} {last_name[:1]}***".strip() if last_name else first_name


@lru_cache(maxsize=8)
def specs(catalog: Catalog) -> dict[str, DocumentSpec]:
    """The compiled `document` block of every service that has one (raises DocumentSpecError)."""
    return {s.id: compile_document(s.id, s.document, s.form_schema)
            for s in catalog.services.values() if s.document is not None}


def issuer_of(session: Session, application: Application) -> dict[str, Any]:
    """Who approved: the officer (name; the position the catalogue gives the signatory) or the system."""
    event = session.scalar(select(ApplicationEvent).where(ApplicationEvent.application_id == application.id,
                                                          ApplicationEvent.action == "approve")
                           .order_by(ApplicationEvent.id.desc()).limit(1))
    officer = session.get(User, event.actor_id) if event is not None and event.actor_id is not None else None
    if officer is None or not officer.is_staff:
        return {"automatic": True, "name": None}
    return {"automatic": False, "name": officer.display_name}


def registry_facts(session: Session, application: Application) -> dict[str, Fact]:
    """The registry values the bot's last decision read ("civil.birth_date" …), as facts again."""
    decision = session.scalar(select(BotDecision).where(BotDecision.application_id == application.id)
                              .order_by(BotDecision.id.desc()).limit(1))
    reads = [(v["path"], v["value"]) for f in (decision.findings if decision else []) for v in f.get("values", [])
             if v.get("source") not in ("form", None) and not str(v.get("source", "")).startswith("application:")]
    return {name: Fact(value, f"registry:{name}") for name, value in nested(reads).items()
            if name not in ("form", "app", "holder", "document")}


def next_number(session: Session, spec: DocumentSpec, on: dt.date) -> str:
    """"<prefix> <n>/<B.E. year>", n one more than the highest of this prefix and year so far."""
    year = on.year + 543
    taken = session.scalars(select(Certificate.number).where(Certificate.number.like(f"{spec.number_prefix} %/{year}")))
    highest = max((int(m.group(1)) for n in taken if n and (m := re.search(r" (\d+)/\d+$", n))), default=0)
    return f"{spec.number_prefix} {highest + 1}/{year}"


def content(session: Session, spec: DocumentSpec, application: Application, cert_id: str, now: dt.datetime,
            fields: dict[str, Any]) -> dict[str, Any]:
    """The signed content of a document: holder, certified facts, issuer and validity."""
    citizen = application.citizen
    decided = (application.decided_at or now).astimezone(BANGKOK).date()
    holder: dict[str, Any] = {"first_name": citizen.first_name, "last_name": citizen.last_name,
                              "name": citizen.display_name, "national_id": citizen.national_id}
    if citizen.birth_date is not None:
        holder["birth_date"] = citizen.birth_date
    app = {"submitted_on": (application.submitted_at or now).astimezone(BANGKOK).date(), "decided_on": decided,
           "reference": application.reference, "service_id": application.service_id}
    names = {"form": Fact(application.data, "form"), "app": Fact(app, f"application:{application.reference}"),
             "holder": Fact(holder, "holder"), **registry_facts(session, application)}
    facts, until = certify(spec, names, fields)
    return {"id": cert_id, "number": next_number(session, spec, now.astimezone(BANGKOK).date()),
            "reference": application.reference, "service_id": application.service_id, "agency": application.agency,
            "title": {"th": spec.title_th, "en": spec.title_en}, "issued_at": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "valid_until": until.isoformat() if until else None,
            "holder": {"name": citizen.display_name, "national_id": masked_id(citizen.national_id or ""),
                       **({"organisation": application.organisation_id} if application.organisation_id else {})},
            "statement": {lang: text.replace("{holder}", citizen.display_name) for lang, text in
                          (("th", spec.statement_th), ("en", spec.statement_en))},
            "facts": facts, "issuer": issuer_of(session, application),
            "signatory": {"th": spec.signatory_th, "en": spec.signatory_en},
            "to_confirm": spec.validity_to_confirm or any(f["to_confirm"] for f in facts)}


def render_pdf(template: str, values: dict[str, Any]) -> bytes:
    from weasyprint import HTML  # imported here: loading Pango takes a moment and only workers need it

    html = _env.get_template(f"{template}.html").render(**values)
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


def digest_of(body: dict[str, Any]) -> str:
    return hashlib.sha256(rfc8785.dumps(body)).hexdigest()


def prepare(session: Session, catalog: Catalog, application: Application, *, signer: note.Signer,
            base_url: str) -> PreparedCertificate:
    """Gather, render and sign the document: slow, reads only, so the runner does it outside the write lock."""
    spec = specs(catalog)[application.service_id]
    service = catalog.get(application.service_id)
    cert_id, now = new_id(), utcnow()
    body = content(session, spec, application, cert_id, now, service.form_schema.get("properties", {})
                   if service else {})
    digest = digest_of(body)
    signature = "ed25519:" + base64.b64encode(signer.sign(bytes.fromhex(digest))).decode()
    agency = catalog.agencies.get(application.agency)
    url = f"{base_url.rstrip('/')}/verify/{cert_id}"
    until = dt.date.fromisoformat(body["valid_until"]) if body["valid_until"] else None
    values = {
        "body": body, "spec": spec, "content_sha256": digest, "signature": signature, "verify_url": url,
        "agency_th": agency.name.th if agency else application.agency,
        "agency_en": agency.name.en if agency else application.agency,
        "issued_th": format_date(now, "th"), "issued_en": format_date(now, "en"),
        "until_th": format_date(until, "th") if until else "ไม่มีวันหมดอายุ",
        "until_en": format_date(until, "en") if until else "No expiry",
        "qr": segno.make(url, error="m").svg_data_uri(scale=4),
    }
    return PreparedCertificate(application.id, cert_id, now, body, digest, signature, render_pdf(spec.template, values))


def issue(session: Session, catalog: Catalog, application: Application, *, signer: note.Signer, base_url: str,
          prepared: PreparedCertificate | None = None) -> Certificate:
    """The application's document (the existing one if it was issued already), from `prepared` when it
    was rendered ahead for this application and its number is still free."""
    existing = session.query(Certificate).filter_by(application_id=application.id).one_or_none()
    if existing is not None:
        return existing
    _hold_numbers(session, specs(catalog)[application.service_id].number_prefix)
    if (prepared is None or prepared.application_id != application.id
            or session.scalar(select(Certificate.id).where(Certificate.number == prepared.body["number"]))):
        prepared = prepare(session, catalog, application, signer=signer, base_url=base_url)
    body = prepared.body
    citizen = application.citizen
    certificate = Certificate(id=prepared.cert_id, application=application, title_th=body["title"]["th"],
                              title_en=body["title"]["en"], issued_at=prepared.issued_at,
                              content_sha256=prepared.digest, signature=prepared.signature, pdf=prepared.pdf,
                              citizen=citizen, service_id=application.service_id, number=body["number"],
                              organisation_id=application.organisation_id,
                              valid_until=dt.date.fromisoformat(body["valid_until"]) if body["valid_until"] else None,
                              facts=body)
    session.add(certificate)
    certificate.ledger_entry = ledger.record(
        session, "certificate.issue", actor=f"bot:{application.agency}", obj=f"certificate:{prepared.cert_id}",
        record={**body, "pdf_sha256": hashlib.sha256(certificate.pdf).hexdigest()},
        subject=f"user:{citizen.id}", subject_secret=citizen.national_id)
    return certificate


def _hold_numbers(session: Session, prefix: str) -> None:
    """On PostgreSQL, issuers of one series take turns until they commit, so the number read as free is
    still free at the insert (two approvals at once had both taken "n + 1" and one failed at commit).
    SQLite's writers already take turns."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:series, 0))"),
                        {"series": f"certificate-number:{prefix}"})


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
    status: str  # valid | revoked | expired | altered
    checks: dict[str, bool]  # signature, ledger, content (when its facts are kept), file (when one was given)

    @property
    def holder(self) -> str:
        """The holder's name partly masked, for anyone checking the document."""
        citizen = self.certificate.application.citizen
        return masked_name(citizen.first_name, citizen.last_name)

    @property
    def issuer(self) -> dict[str, Any]:
        return (self.certificate.facts or {}).get("issuer") or {"automatic": True, "name": None}

    @property
    def signatory(self) -> dict[str, str] | None:
        return (self.certificate.facts or {}).get("signatory")


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
    if certificate.facts:  # kept since migration 0012, unless the holder's key was shredded
        checks["content"] = digest_of(certificate.facts) == certificate.content_sha256
    if pdf is not None:
        checks["file"] = hashlib.sha256(pdf).digest() == hashlib.sha256(certificate.pdf).digest()
    today = utcnow().astimezone(BANGKOK).date()
    status = ("altered" if not all(checks.values()) else "revoked" if certificate.revoked_at
              else "expired" if certificate.valid_until is not None and certificate.valid_until < today else "valid")
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
