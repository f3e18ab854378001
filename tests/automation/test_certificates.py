"""Certificates: the PDF (Thai text, font, QR, metadata), the /verify page and JSON, revocation,
unknown numbers, and `pracha cert verify FILE.pdf` run as a real process."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from pracha.automation import certificates
from pracha.automation.models import Certificate
from pracha.identity.principal import Principal
from pracha.ledger.deps import LEDGER
from pracha.services import service
from pracha.services.hooks import CATALOG
from pracha.services.models import Application
from tests.automation.helpers import submit
from tests.factories import create_citizen, create_staff, sign_in

TITLE = "หนังสือรับรองการลงทะเบียนรับเบี้ยยังชีพผู้สูงอายุ"
MARKS = re.compile("[\u0e31\u0e34-\u0e3a\u0e47-\u0e4e\\s]")


def skeleton(text: str) -> str:
    """Thai text without its above/below marks and spaces (SARA AM counted as its SARA AA part)."""
    return MARKS.sub("", text.replace("\u0e33", "\u0e32"))


def issued(db: Session, app: FastAPI) -> Certificate:
    application = submit(db, app, create_citizen(db, first_name="สมชาย", last_name="ใจดี"))
    officer = Principal(user=create_staff(db, "officer", application.agency))
    catalog = app.state.pracha.registry.get(CATALOG)
    service.act(db, catalog, officer, application, "review")
    service.act(db, catalog, officer, application, "approve")
    certificate = certificates.issue(db, catalog, application, signer=app.state.pracha.registry.get(LEDGER).signer,
                                     base_url="http://portal.test")
    db.commit()
    return certificate


def test_pdf_has_the_thai_text_font_and_metadata(db: Session, app: FastAPI, tmp_path: Path) -> None:
    certificate = issued(db, app)
    pdf = tmp_path / "c.pdf"
    if os.environ.get("PRACHA_KEEP_PDF"):
        Path(os.environ["PRACHA_KEEP_PDF"]).write_bytes(certificate.pdf)
    pdf.write_bytes(certificate.pdf)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert certificate.id in text and certificate.application.reference in text
    assert "สมชาย ใจดี" in text and "วันที่ออก" in text
    # Every consonant and vowel letter of the Thai text is there, in order. The marks are not checked:
    # WeasyPrint maps each glyph to one piece of text, so where shaping stacks or decomposes marks
    # (ผู้, ประจำ) the text layer can lose or swap them, while the page itself is drawn correctly.
    for expected in (TITLE, "เลขประจำตัวประชาชน", "งานสวัสดิการผู้สูงอายุ", "ได้รับลงทะเบียน สมชาย ใจดี",
                     "เริ่มรับเงินตั้งแต่เดือน", "นายกเทศมนตรีนครเชียงใหม่"):
        assert skeleton(expected) in skeleton(text), expected
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "Loma" in fonts
    assert certificates.read_metadata(pdf) == {
        "prachacertificate": certificate.id, "prachacontentsha256": certificate.content_sha256,
        "prachasignature": certificate.signature}
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
                   check=True)
    assert (tmp_path / "page-1.png").stat().st_size > 2000  # a drawn page, not a blank one


def test_verify_page_valid_then_revoked_and_unknown_is_404(
        db: Session, app: FastAPI, make_client: type[TestClient]) -> None:
    certificate = issued(db, app)
    client = make_client()
    page = client.get(f"/verify/{certificate.id}")
    assert page.status_code == 200 and 'id="verdict"' in page.text and "ถูกต้อง" in page.text
    assert client.get(f"/api/v1/certificates/{certificate.id}").json()["status"] == "valid"
    officer = create_staff(db, "officer", certificate.application.agency)
    csrf = sign_in(db, client, officer)
    refused = client.post(f"/certificates/{certificate.id}/revoke", data={"csrf_token": csrf, "reason": ""})
    assert refused.status_code == 422
    done = client.post(f"/certificates/{certificate.id}/revoke", data={"csrf_token": csrf, "reason": "ออกผิดคน"})
    assert done.status_code == 303
    body = make_client().get(f"/api/v1/certificates/{certificate.id}").json()
    assert body["status"] == "revoked" and body["revoked_at"]
    assert "ออกผิดคน" in make_client().get(f"/verify/{certificate.id}").text
    missing = make_client().get("/verify/nosuchcertificate2")
    assert missing.status_code == 404 and "ไม่พบ" in missing.text
    assert make_client().get("/api/v1/certificates/x").status_code == 404


def test_pdf_download_is_for_the_holder_and_the_agency(db: Session, app: FastAPI,
                                                       make_client: type[TestClient]) -> None:
    certificate = issued(db, app)
    holder = make_client()
    sign_in(db, holder, certificate.application.citizen)
    assert holder.get(f"/certificates/{certificate.id}.pdf").content == certificate.pdf
    stranger = make_client()
    sign_in(db, stranger, create_citizen(db))
    assert stranger.get(f"/certificates/{certificate.id}.pdf").status_code == 404


def _cli(settings_env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **settings_env, "PYTHAINLP_OFFLINE": "1", "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "pracha.cli", *args], capture_output=True, text=True, env=env,
                          timeout=120, check=False)


@pytest.mark.usefixtures("db")
def test_cli_verifies_a_file_and_sees_tampering_and_revocation(db: Session, app: FastAPI, tmp_path: Path) -> None:
    certificate = issued(db, app)
    settings = app.state.pracha.settings
    env = {"PRACHA_DATABASE_URL": settings.database_url, "PRACHA_VAR_DIR": str(settings.var_dir),
           "PRACHA_SECRET_KEY": settings.secret_key.get_secret_value()}
    good = tmp_path / "good.pdf"
    good.write_bytes(certificate.pdf)
    result = _cli(env, "cert", "verify", str(good))
    assert result.returncode == 0 and "VALID" in result.stdout, result.stdout + result.stderr
    altered = tmp_path / "altered.pdf"
    altered.write_bytes(certificate.pdf.replace(b"%%EOF", b"%%EOF\n% changed\n"))
    result = _cli(env, "cert", "verify", str(altered))
    assert result.returncode == 1 and "ALTERED" in result.stdout and "file: FAILED" in result.stdout
    plain = tmp_path / "plain.pdf"
    plain.write_bytes(b"%PDF-1.4\n%%EOF\n")
    assert _cli(env, "cert", "verify", str(plain)).returncode == 2
    assert _cli(env, "cert", "revoke", certificate.id, "--reason", "issued in error").returncode == 0
    result = _cli(env, "cert", "verify", str(good))
    assert result.returncode == 1 and "REVOKED" in result.stdout and "issued in error" in result.stdout


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)  # SQLite's writers take turns already
def test_two_issuers_at_once_take_consecutive_numbers(db: Session, app: FastAPI) -> None:
    """Issuer A holds its transaction open; issuer B of the same series waits for A's commit and takes the
    next number, instead of both reading the same highest number and one failing at commit."""
    catalog = app.state.pracha.registry.get(CATALOG)
    signer = app.state.pracha.registry.get(LEDGER).signer
    ids = []
    for name in ("สมชาย", "สมหญิง"):
        application = submit(db, app, create_citizen(db, first_name=name, last_name="ใจดี"))
        officer = Principal(user=create_staff(db, "officer", application.agency))
        service.act(db, catalog, officer, application, "review")
        service.act(db, catalog, officer, application, "approve")
        ids.append(application.id)
    db.commit()
    sessions = app.state.pracha.db.sessions

    def issue(application_id: int) -> str:
        with sessions() as session:
            application = session.get(Application, application_id)
            number = certificates.issue(session, catalog, application, signer=signer,
                                        base_url="http://portal.test").number
            session.commit()
            return number

    with sessions() as first, ThreadPoolExecutor(1) as pool:
        a = certificates.issue(first, catalog, first.get(Application, ids[0]), signer=signer,
                               base_url="http://portal.test").number
        b = pool.submit(issue, ids[1])
        deadline = time.monotonic() + 30
        while not db.scalar(text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")):
            db.rollback()
            assert time.monotonic() < deadline and not b.done(), "the second issuer did not wait for the first"
        first.commit()
        second = b.result(timeout=60)
    first_n, second_n = (int(re.search(r" (\d+)/\d+$", n).group(1)) for n in (a, second))  # type: ignore[union-attr]
    assert second_n == first_n + 1
