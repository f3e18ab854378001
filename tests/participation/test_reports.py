from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy.orm import Session

from pracha.errors import InvalidInput
from pracha.identity.principal import Principal
from pracha.participation.photos import BadPhoto, clean_photo
from pracha.participation.reports import Report, create_complaint
from pracha.participation.rules import load_rules
from pracha.services.catalog import default_catalog_dir
from tests.factories import create_citizen


def phone_photo(lat: tuple[float, float, float] = (18, 47, 24.0), lon: tuple[float, float, float] = (98, 59, 6.0)
                ) -> bytes:
    """A JPEG as a phone writes it: GPS position, camera make and an orientation in the EXIF."""
    image = Image.new("RGB", (64, 48), (120, 90, 60))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x0112] = 6  # rotated: the clean copy must be upright
    exif.get_ifd(0x8825).update({1: "N", 2: lat, 3: "E", 4: lon})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_photo_position_is_read_then_every_metadata_stripped() -> None:
    photo = clean_photo(phone_photo())
    assert (photo.latitude, photo.longitude) == (pytest.approx(18.79, abs=1e-4), pytest.approx(98.985, abs=1e-4))
    with Image.open(io.BytesIO(photo.content)) as image:
        assert image.format == "JPEG" and not image.getexif() and "icc_profile" not in image.info
        assert (image.width, image.height) == (48, 64)  # turned upright before the tag was dropped
    assert b"PhoneMaker" not in photo.content


@pytest.mark.parametrize("data", [b"", b"<svg onload=alert(1)>", b"GIF89a" + b"\0" * 40, b"%PDF-1.4 ..."])
def test_what_is_not_a_photo_is_refused(data: bytes) -> None:
    with pytest.raises(BadPhoto):
        clean_photo(data)


def test_a_report_is_routed_and_placed_by_its_photo(db: Session) -> None:
    rules = load_rules(default_catalog_dir())
    citizen = Principal(user=create_citizen(db))
    complaint = create_complaint(db, citizen, rules, Report(
        "road", "ถนนเป็นหลุมลึก", "หลุมลึกประมาณ 20 ซม. หน้าซอย 5 รถจักรยานยนต์ล้มบ่อย", "แม่เหียะ",
        photos=[clean_photo(phone_photo())]))
    db.commit()
    assert complaint.agency == "maehia-municipality" and complaint.status == "new"
    assert complaint.latitude == pytest.approx(18.79, abs=1e-4) and complaint.reference.startswith("CP")
    assert [e.action for e in complaint.events] == ["submit"] and complaint.photos[0].event_id == complaint.events[0].id
    with pytest.raises(InvalidInput) as refused:
        create_complaint(db, citizen, rules, Report("ufo", "", "สั้น", "ไม่มีตำบลนี้", latitude=91.0))
    assert set(refused.value.fields) == {"category", "title", "description", "tambon", "location"}
