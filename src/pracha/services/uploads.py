"""Uploaded documents: checked by their first bytes (never by the name or label alone), stored once
under var/uploads by SHA-256."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import BinaryIO

from pracha.services.errors import UnsupportedUpload, UploadTooLarge

KINDS = {  # content type: (magic prefix, file extensions)
    "application/pdf": (b"%PDF-", (".pdf",)),
    "image/jpeg": (b"\xff\xd8\xff", (".jpg", ".jpeg")),
    "image/png": (b"\x89PNG\r\n\x1a\n", (".png",)),
}
CHUNK = 64 * 1024


def sniff(head: bytes) -> str | None:
    return next((kind for kind, (magic, _) in KINDS.items() if head.startswith(magic)), None)


def store(upload_dir: Path, stream: BinaryIO, *, filename: str, declared_type: str, max_bytes: int
          ) -> tuple[str, int, str]:
    """Save the stream; returns (sha256, size, content type). Refuses oversize or mislabelled files."""
    upload_dir.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    head = b""
    fd, tmp_name = tempfile.mkstemp(dir=upload_dir, prefix=".incoming-")
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(CHUNK):
                if len(head) < 16:
                    head += chunk[:16]
                size += len(chunk)
                if size > max_bytes:
                    mb = max_bytes / (1024 * 1024)
                    raise UploadTooLarge(f"ไฟล์ใหญ่เกิน {mb:g} MB", f"The file is larger than {mb:g} MB.")
                digest.update(chunk)
                out.write(chunk)
        kind = sniff(head)
        extension = Path(filename).suffix.lower()
        declared = declared_type.split(";")[0].strip().lower()
        if size == 0 or kind is None or declared != kind or extension not in KINDS[kind][1]:
            raise UnsupportedUpload()
        sha = digest.hexdigest()
        final = upload_dir / sha[:2] / sha
        final.parent.mkdir(exist_ok=True)
        os.replace(tmp_name, final)
        return sha, size, kind
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)


def path_of(upload_dir: Path, sha256: str) -> Path:
    return upload_dir / sha256[:2] / sha256
