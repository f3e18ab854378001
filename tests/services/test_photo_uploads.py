"""Phone photos as documents (issue 14, "Why" bullet 8): up to 15 MB accepted and stored downscaled
without EXIF; too large or the wrong kind answered on the page, beside the file field, form kept."""

from __future__ import annotations

import os
from collections.abc import Callable
from io import BytesIO

from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pracha.config import Settings
from pracha.services import uploads
from pracha.services.models import Document
from tests.factories import create_citizen, sign_in
from tests.services.helpers import ELDERLY_FORM, PDF, image_bytes, upload

GPS = {1: "N", 2: (18.0, 47.0, 0.0), 3: "E", 4: (98.0, 59.0, 0.0)}  # Chiang Mai


def phone_photo(width: int = 4000, height: int = 3000, quality: int = 80) -> bytes:
    """A 12-megapixel camera JPEG (noise compresses badly, like a real photo): sideways (EXIF orientation
    6, "rotate to show") and with a GPS position."""
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x8825] = GPS
    exif[0x010F] = "PhoneMaker"
    out = BytesIO()
    Image.frombytes("RGB", (width, height), os.urandom(width * height * 3)).save(
        out, "JPEG", quality=quality, exif=exif.tobytes())
    return out.getvalue()


def draft(client: TestClient, csrf: str) -> str:
    response = client.post("/api/v1/applications", headers={"X-CSRF-Token": csrf},
                           json={"service_id": "elderly-allowance", "data": ELDERLY_FORM})
    return str(response.json()["reference"])


def page_upload(client: TestClient, csrf: str, reference: str, content: bytes, name: str = "photo.jpg",
                content_type: str = "image/jpeg") -> object:
    return client.post(f"/applications/{reference}/documents", follow_redirects=False,
                       headers={"Accept": "text/html"}, data={"csrf_token": csrf, "requirement": "house-registration"},
                       files={"file": (name, content, content_type)})


def test_finding_7_a_phone_photo_over_6_mb_is_accepted_and_stored_small(db: Session, client: TestClient,
                                                                        settings: Settings) -> None:
    csrf = sign_in(db, client, create_citizen(db))
    reference = draft(client, csrf)
    photo = phone_photo()
    assert len(photo) > 6 * 1024 * 1024
    response = page_upload(client, csrf, reference, photo, name="IMG_2041.JPG")
    assert response.status_code == 303, response.text  # type: ignore[attr-defined]
    document = client.get(f"/api/v1/applications/{reference}").json()["documents"][0]
    assert document["content_type"] == "image/jpeg" and document["size"] < len(photo) / 4
    with Image.open(uploads.path_of(settings.upload_dir, document["sha256"])) as stored:
        assert stored.size == (1500, 2000)  # turned upright, long side 2000
        assert not stored.getexif() and "exif" not in stored.info  # no GPS, no camera
    shown = client.get(f"/applications/{reference}/documents/{document['id']}")
    assert shown.status_code == 200 and shown.content[:3] == b"\xff\xd8\xff"


def test_small_images_and_pdfs_keep_their_size_pngs_stay_png(db: Session, client: TestClient,
                                                             settings: Settings) -> None:
    csrf = sign_in(db, client, create_citizen(db))
    reference = draft(client, csrf)
    png = image_bytes((2400, 600), "PNG")
    stored = upload(client, csrf, reference, "id-card", name="scan.png", content=png, content_type="image/png").json()
    with Image.open(uploads.path_of(settings.upload_dir, stored["sha256"])) as image:
        assert image.format == "PNG" and image.size == (2000, 500)
    pdf = upload(client, csrf, reference, "house-registration").json()
    assert uploads.path_of(settings.upload_dir, pdf["sha256"]).read_bytes() == PDF  # byte for byte
    broken = upload(client, csrf, reference, "bank-book", name="x.jpg", content=b"\xff\xd8\xff" + b"\x00" * 100,
                    content_type="image/jpeg")
    assert broken.status_code == 415 and "fields" in broken.json()


def test_finding_7_too_large_on_the_page_is_answered_beside_the_field(
        db: Session, make_client: Callable[..., TestClient], make_settings: Callable[..., Settings]) -> None:
    from pracha.web.app import create_app

    settings = make_settings(max_upload_bytes=300_000)
    with TestClient(create_app(settings)) as client:
        csrf = sign_in(db, client, create_citizen(db))
        reference = draft(client, csrf)
        for size in (320_000, 1_200_000):  # over the file limit; over the whole body's limit (cut short)
            answer = page_upload(client, csrf, reference, image_bytes((8, 8), "JPEG") + b"\x00" * size)
            assert answer.status_code == 413, size  # type: ignore[attr-defined]
            html = answer.text  # type: ignore[attr-defined]
            assert answer.headers["content-type"].startswith("text/html")  # type: ignore[attr-defined]
            assert 'id="error-file"' in html and "ไฟล์ใหญ่เกิน 0.286102 MB" not in html
            assert "ไฟล์ใหญ่เกิน" in html and 'href="#field-file"' in html
            assert 'id="field-phone"' in html  # the application's form is still there, as it was
        wrong = page_upload(client, csrf, reference, b"GIF89a" + b"\x00" * 100, name="x.gif", content_type="image/gif")
        assert wrong.status_code == 415 and 'id="error-file"' in wrong.text  # type: ignore[attr-defined]
        # the API and other routes still refuse a body over the limit outright
        api = upload(client, csrf, reference, "id-card", content=PDF + b"0" * 1_200_000)
        assert api.status_code == 413 and api.json()["error"] == "too_large"
        db.rollback()
        assert db.scalar(select(func.count(Document.id))) == 0
        assert not [p for p in settings.upload_dir.rglob("*") if p.is_file()]  # no temporary file left
    client.app.state.pracha.db.engine.dispose()  # type: ignore[attr-defined]
