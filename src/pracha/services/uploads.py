"""Uploaded documents: checked by their first bytes (never by the name or label alone), stored once
under var/uploads by SHA-256. Photos (JPEG, PNG) are stored re-encoded: at most `MAX_SIDE` pixels on
the long side, turned upright, with no EXIF (so no GPS position or camera serial leaves the phone);
PDFs are kept byte for byte.

Storing is two steps so the caller can serialise on the file's name (`services.attachments.lock_file`)
between them: `receive` checks, normalises and hashes into a temporary file; `keep` moves it in place."""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from PIL import Image, ImageOps, UnidentifiedImageError

from pracha.services.errors import UnsupportedUpload, UploadTooLarge

KINDS = {  # content type: (magic prefix, file extensions)
    "application/pdf": (b"%PDF-", (".pdf",)),
    "image/jpeg": (b"\xff\xd8\xff", (".jpg", ".jpeg")),
    "image/png": (b"\x89PNG\r\n\x1a\n", (".png",)),
}
IMAGES = {"image/jpeg": "JPEG", "image/png": "PNG"}
MAX_SIDE = 2000  # pixels: an ID card or a house-registration page stays legible
MAX_PIXELS = 120_000_000  # a 15 MB file claiming more is a decompression bomb, not a phone photo
JPEG_QUALITY = 85
CHUNK = 64 * 1024


@dataclass(frozen=True)
class Incoming:
    """A checked upload in a temporary file of the upload directory, not yet stored."""

    path: Path
    sha256: str
    size: int
    content_type: str


def sniff(head: bytes) -> str | None:
    return next((kind for kind, (magic, _) in KINDS.items() if head.startswith(magic)), None)


def too_large(max_bytes: int) -> UploadTooLarge:
    mb = round(max_bytes / (1024 * 1024), 1)
    th = f"ไฟล์ใหญ่เกิน {mb:g} MB กรุณาเลือกไฟล์ที่เล็กกว่านี้"
    en = f"The file is larger than {mb:g} MB. Please choose a smaller file."
    return UploadTooLarge(th, en, fields={"file": {"th": th, "en": en}})


def receive(upload_dir: Path, stream: BinaryIO, *, filename: str, declared_type: str, max_bytes: int) -> Incoming:
    """Read, check and normalise the stream into a temporary file. Refuses oversize or mislabelled
    files (nothing is left behind then)."""
    upload_dir.mkdir(parents=True, exist_ok=True)
    fd, raw_name = tempfile.mkstemp(dir=upload_dir, prefix=".incoming-")
    raw = Path(raw_name)
    try:
        size, head = 0, b""
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(CHUNK):
                if len(head) < 16:
                    head += chunk[:16]
                size += len(chunk)
                if size > max_bytes:
                    raise too_large(max_bytes)
                out.write(chunk)
        kind = sniff(head)
        extension = Path(filename).suffix.lower()
        declared = declared_type.split(";")[0].strip().lower()
        if size == 0 or kind is None or declared != kind or extension not in KINDS[kind][1]:
            raise UnsupportedUpload(fields={"file": {"th": UnsupportedUpload.message_th,
                                                     "en": UnsupportedUpload.message_en}})
        if kind in IMAGES:
            final = raw.with_name(raw.name + ".img")
            try:
                _normalise_image(raw, kind, final)
            except BaseException:
                final.unlink(missing_ok=True)
                raise
            raw.unlink()
            raw = final
        return Incoming(raw, _sha256(raw), raw.stat().st_size, kind)
    except BaseException:
        raw.unlink(missing_ok=True)
        raise


def keep(upload_dir: Path, incoming: Incoming) -> None:
    """Move the checked file to its place (the same bytes may already be there: replacing is harmless)."""
    final = path_of(upload_dir, incoming.sha256)
    final.parent.mkdir(exist_ok=True)
    os.replace(incoming.path, final)


def discard(incoming: Incoming) -> None:
    incoming.path.unlink(missing_ok=True)


def store(upload_dir: Path, stream: BinaryIO, *, filename: str, declared_type: str, max_bytes: int
          ) -> tuple[str, int, str]:
    """`receive` then `keep`, for callers that need no lock; returns (sha256, size, content type)."""
    incoming = receive(upload_dir, stream, filename=filename, declared_type=declared_type, max_bytes=max_bytes)
    keep(upload_dir, incoming)
    return incoming.sha256, incoming.size, incoming.content_type


def path_of(upload_dir: Path, sha256: str) -> Path:
    return upload_dir / sha256[:2] / sha256


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _unreadable_image() -> UnsupportedUpload:
    th = "อ่านรูปภาพนี้ไม่ได้ กรุณาถ่ายใหม่หรือเลือกไฟล์อื่น"
    en = "This picture cannot be read. Please take it again or choose another file."
    return UnsupportedUpload(th, en, fields={"file": {"th": th, "en": en}})


def _normalise_image(source: Path, kind: str, target: Path) -> None:
    """Re-encode a photo: decoded at a reduced scale where JPEG allows (fast, little memory), turned
    upright by its EXIF orientation, shrunk to MAX_SIDE, saved without any metadata."""
    try:
        with Image.open(source) as image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise _unreadable_image()
            ratio = min(1.0, MAX_SIDE / max(width, height))
            if kind == "image/jpeg" and ratio < 1.0:
                image.draft("RGB", (max(1, int(width * ratio)), max(1, int(height * ratio))))
            upright = ImageOps.exif_transpose(image)
            upright.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
            upright.info = {}  # no EXIF, XMP, comments or text chunks in what we keep
            if kind == "image/jpeg":
                upright.convert("RGB").save(target, "JPEG", quality=JPEG_QUALITY, optimize=True)
            else:
                if upright.mode not in ("1", "L", "LA", "P", "RGB", "RGBA"):
                    upright = upright.convert("RGBA")
                upright.save(target, "PNG", optimize=True)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError, SyntaxError):
        raise _unreadable_image() from None
