"""The access matrix's complaints: what the rows of complaints' routes act on (built once per engine).

The world's citizen reported a road problem (with a photo), then the complaint was forwarded to the
world's agency (AGENCY), so the world's officer and agency admin are its handlers and the other officer
and the inspector are not."""

from __future__ import annotations

import io
from typing import Any

from PIL import Image
from sqlalchemy.orm import Session

from pracha.config import Settings
from pracha.identity.models import User
from pracha.identity.principal import Principal
from pracha.participation.photos import clean_photo
from pracha.participation.reports import Report, create_complaint
from pracha.participation.rules import load_rules
from pracha.services.catalog import Catalog


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (100, 100, 100)).save(out, "JPEG")
    return out.getvalue()


def build(db: Session, catalog: Catalog, settings: Settings, users: dict[str, User]) -> dict[str, Any]:
    """Path ids for the rows ({name} in a row's path → id); `users` by matrix role."""
    rules = load_rules(settings.catalog_dir.resolve())
    complaint = create_complaint(db, Principal(user=users["citizen"]), rules, Report(
        "road", "ถนนเป็นหลุม", "หลุมลึกหน้าโรงเรียน", "ศรีภูมิ", photos=[clean_photo(_photo())]))
    complaint.agency = users["officer"].agency or ""
    db.commit()
    return {"complaint_ref": complaint.reference, "photo_id": complaint.photos[0].id}
