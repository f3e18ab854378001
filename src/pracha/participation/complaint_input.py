"""Reading what a complaint's API call or page form sends: a JSON object or a multipart form (with
`photos` files), into plain values and cleaned photos. Bad input is a 422, never a 500."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from starlette.datastructures import UploadFile

from pracha.errors import InvalidInput
from pracha.participation.photos import MAX_PHOTO_BYTES, MAX_PHOTOS, BadPhoto, SafePhoto, clean_photo
from pracha.participation.reports import Report

__all__ = ["Sent", "read_sent", "report_of"]

_TRUE = ("1", "true", "on", "yes")


@dataclass
class Sent:
    values: dict[str, Any]
    photos: list[bytes] = field(default_factory=list)

    def text(self, name: str) -> str:
        value = self.values.get(name)
        return value.strip() if isinstance(value, str) else ""

    def flag(self, name: str) -> bool:
        value = self.values.get(name)
        return value is True or (isinstance(value, str) and value.lower() in _TRUE)

    def number(self, name: str) -> float | None:
        value = self.values.get(name)
        if value is None or value == "" or isinstance(value, bool):
            return None
        try:
            return float(value)
        except (TypeError, ValueError):
            raise InvalidInput(fields={name: {"th": "ต้องเป็นตัวเลข", "en": "Must be a number."}}) from None

    def integer(self, name: str) -> int | None:
        value = self.values.get(name)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) < 4:
            return int(value.strip())
        return None

    def cleaned_photos(self) -> list[SafePhoto]:
        if len(self.photos) > MAX_PHOTOS:
            raise InvalidInput(fields={"photos": {"th": f"แนบรูปได้ไม่เกิน {MAX_PHOTOS} รูป",
                                                  "en": f"At most {MAX_PHOTOS} photos."}})
        return [clean_photo(data) for data in self.photos]


async def read_sent(request: Request) -> Sent:
    """A JSON object, or a form (urlencoded or multipart; files in `photos`, empty file inputs skipped)."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media in ("multipart/form-data", "application/x-www-form-urlencoded"):
        form = await request.form(max_files=MAX_PHOTOS + 1)
        values: dict[str, Any] = {}
        photos: list[bytes] = []
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                if key == "photos" and value.filename:
                    data = await value.read(MAX_PHOTO_BYTES + 1)
                    if len(data) > MAX_PHOTO_BYTES:
                        raise BadPhoto()
                    if data:
                        photos.append(data)
            else:
                values[key] = value
        return Sent(values, photos)
    try:
        body = json.loads(await request.body() or b"{}")
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise InvalidInput("ข้อมูลที่ส่งไม่ใช่ JSON ที่ถูกต้อง", "The body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise InvalidInput("ข้อมูลที่ส่งต้องเป็นออบเจกต์ JSON", "The body must be a JSON object.")
    return Sent(body)


def report_of(sent: Sent, channel: str) -> Report:
    """The `reports.Report` of a new complaint (photos cleaned: their EXIF position read, then dropped)."""
    return Report(category=sent.text("category"), title=sent.text("title"), description=sent.text("description"),
                  tambon=sent.text("tambon"), latitude=sent.number("latitude"), longitude=sent.number("longitude"),
                  private_place=sent.flag("private_place"), anonymous=sent.flag("anonymous"),
                  photos=sent.cleaned_photos(), channel=channel)
