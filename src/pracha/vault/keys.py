"""Key-encryption keys: the `KeyProvider` interface (what a KMS offers) and its key-file implementation.

A provider holds numbered key versions. It wraps and unwraps data keys with the current (or a named)
version, derives per-version keys for shared data, and keeps a separate key for blind indexes. Rotation
adds a version; older versions stay so that what they protect still decrypts.

The key file (JSON, mode 0600, under var/ unless `PRACHA_DATA_KEY_FILE` says otherwise) is created on
first use, like the ledger's signing key. Another process (`pracha keys rotate`) may add a version while
a server runs: the provider notices the file changed and reloads it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import threading
import time
from pathlib import Path
from typing import Protocol

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from pracha.config import Settings
from pracha.secretfile import create_once

FORMAT = "pracha-data-keys/1"
RELOAD_SECONDS = 1.0


class KeyProvider(Protocol):
    """KMS-like: the key-encryption keys never leave the provider; callers get wrapped data keys."""

    def current_version(self) -> int: ...
    def versions(self) -> list[int]: ...
    def wrap(self, data_key: bytes) -> tuple[int, bytes]: ...
    def unwrap(self, version: int, wrapped: bytes) -> bytes: ...
    def derive(self, version: int, label: str) -> bytes: ...
    def index_key(self) -> bytes: ...
    def add_version(self) -> int: ...


class UnknownKeyVersion(KeyError):
    pass


def data_key_path(settings: Settings) -> Path:
    return settings.data_key_file or settings.var_dir / "data.key"


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _new_file_content(versions: dict[int, bytes], current: int, index: bytes) -> str:
    return json.dumps({"format": FORMAT, "current": current, "index": _b64(index),
                       "versions": {str(v): _b64(k) for v, k in sorted(versions.items())}}, indent=1) + "\n"


class KeyFileProvider:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._checked = 0.0
        self._mtime = -1.0
        self._versions: dict[int, bytes] = {}
        self._current = 0
        self._index = b""
        self._load()

    def _create(self) -> None:
        create_once(self.path, _new_file_content({1: secrets.token_bytes(32)}, 1, secrets.token_bytes(32)).encode())

    def _load(self) -> None:
        if not self.path.exists():
            self._create()
        mtime = self.path.stat().st_mtime
        data = json.loads(self.path.read_text())
        if data.get("format") != FORMAT:
            raise ValueError(f"{self.path} is not a Pracha data key file")
        self._versions = {int(v): base64.b64decode(k) for v, k in data["versions"].items()}
        self._current = int(data["current"])
        self._index = base64.b64decode(data["index"])
        self._mtime = mtime
        self._checked = time.monotonic()

    def _fresh(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._checked < RELOAD_SECONDS:
            return
        with self._lock:
            self._checked = now
            if self.path.stat().st_mtime != self._mtime:
                self._load()

    def _kek(self, version: int) -> bytes:
        self._fresh()
        if version not in self._versions:
            self._fresh(force=True)
        try:
            return self._versions[version]
        except KeyError:
            raise UnknownKeyVersion(version) from None

    def current_version(self) -> int:
        self._fresh()
        return self._current

    def versions(self) -> list[int]:
        self._fresh()
        return sorted(self._versions)

    def wrap(self, data_key: bytes) -> tuple[int, bytes]:
        version = self.current_version()
        nonce = secrets.token_bytes(12)
        aad = f"pracha-dek:{version}".encode()
        return version, nonce + AESGCM(self._kek(version)).encrypt(nonce, data_key, aad)

    def unwrap(self, version: int, wrapped: bytes) -> bytes:
        aad = f"pracha-dek:{version}".encode()
        return AESGCM(self._kek(version)).decrypt(wrapped[:12], wrapped[12:], aad)

    def derive(self, version: int, label: str) -> bytes:
        return hmac.new(self._kek(version), label.encode(), hashlib.sha256).digest()

    def index_key(self) -> bytes:
        return self._index

    def add_version(self) -> int:
        """A new current version; written atomically (temp file, mode 0600, rename)."""
        with self._lock:
            self._load()
            version = max(self._versions) + 1
            versions = {**self._versions, version: secrets.token_bytes(32)}
            tmp = self.path.with_name(self.path.name + f".{os.getpid()}.tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(_new_file_content(versions, version, self._index))
            os.replace(tmp, self.path)
            self._load()
        return version
