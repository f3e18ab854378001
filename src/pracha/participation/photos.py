"""Photos of a problem, made safe to keep and to show: the GPS position a phone wrote into the EXIF is
read first (it can place the complaint), then the picture is decoded and re-encoded as a plain JPEG
from its pixels only, so no metadata (position, camera, owner), no ICC/XMP and no active content
survives. Large pictures are scaled down; anything that is not a JPEG, PNG, WebP or HEIF-free image
Pillow can decode is refused."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from pracha.errors import InvalidInput

__all__ = ["MAX_PHOTO_BYTES", "MAX_PHOTOS", "MAX_SIDE", "BadPhoto", "SafePhoto", "clean_photo"]

MAX_PHOTO_BYTES = 8 * 1024 * 1024  # what a phone sends; refused above, before decoding
MAX_PHOTOS = 4  # per complaint step
MAX_SIDE = 1600  # pixels: enough to see a pothole, small to store and to load on 3G
MAX_PIXELS = 40_000_000  # decompression bombs are refused, not decoded
_FORMATS = ("JPEG", "PNG", "WEBP")
_GPS_IFD = 0x8825
_LAT, _LAT_REF, _LON, _LON_REF = 2, 1, 4, 3


class BadPhoto(InvalidInput):
    code = "bad_photo"
    message_th = "ไฟล์รูปภาพไม่ถูกต้อง (รองรับ JPEG, PNG, WebP ไม่เกิน 8 MB)"
    message_en = "The photo is not valid (JPEG, PNG or WebP up to 8 MB)."


@dataclass(frozen=True)
class SafePhoto:
    content: bytes  # a JPEG with no metadata
    width: int
    height: int
    sha256: str
    latitude: float | None  # read from the EXIF before it was dropped; None when absent or nonsense
    longitude: float | None


def _degrees(value: object, ref: object) -> float | None:
    try:
        d, m, s = (float(part) for part in value)  # type: ignore[attr-defined]
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    result = d + m / 60 + s / 3600
    return -result if str(ref).upper() in ("S", "W") else result


def _position(image: Image.Image) -> tuple[float | None, float | None]:
    try:
        gps = image.getexif().get_ifd(_GPS_IFD)
    except Exception:  # noqa: BLE001 - a broken EXIF block only means no position
        return None, None
    lat, lon = _degrees(gps.get(_LAT), gps.get(_LAT_REF)), _degrees(gps.get(_LON), gps.get(_LON_REF))
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat, lon) == (0, 0):
        return None, None
    return round(lat, 6), round(lon, 6)


def clean_photo(data: bytes) -> SafePhoto:
    """Read the position, then re-encode the pixels as a metadata-free JPEG (BadPhoto if not a photo)."""
    if not data or len(data) > MAX_PHOTO_BYTES:
        raise BadPhoto()
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in _FORMATS or image.width * image.height > MAX_PIXELS:
                raise BadPhoto()
            latitude, longitude = _position(image)
            upright = ImageOps.exif_transpose(image)  # as the phone showed it, before the orientation tag goes
            pixels = upright.convert("RGB")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError, SyntaxError) as exc:
        raise BadPhoto() from exc
    pixels.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    pixels.save(out, "JPEG", quality=82, optimize=True)  # no exif=, no icc_profile=: nothing carried over
    content = out.getvalue()
    return SafePhoto(content, pixels.width, pixels.height, hashlib.sha256(content).hexdigest(), latitude, longitude)
