"""Ed25519 keys of the exchange members: one PEM file per subsystem under var/exchange/keys/.

    key_path(var_dir, subsystem_id) -> Path       var_dir/exchange/keys/<id with "/" → "_">.key
    load_or_create(path) -> Ed25519PrivateKey     PEM PKCS#8, mode 0600, created atomically
    public_key_text(key) -> str                   base64 of the raw 32-byte public key
    public_key_from_text(text) -> Ed25519PublicKey  (ValueError on anything else)

Several processes (the portal and the registries) may start at once and all ask for the mediator's
key: the file is written under a temporary name and linked into place, so a reader never sees half a
key and exactly one creator wins.
"""

from __future__ import annotations

import base64
import binascii
import re
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from pracha.secretfile import create_once

_SUBSYSTEM = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)+$")


def key_path(var_dir: Path, subsystem_id: str) -> Path:
    if not _SUBSYSTEM.match(subsystem_id):
        raise ValueError(f"not a subsystem id: {subsystem_id!r}")
    return Path(var_dir) / "exchange" / "keys" / (subsystem_id.replace("/", "_") + ".key")


def load_or_create(path: Path) -> Ed25519PrivateKey:
    """The private key in `path`, made first if there is none."""
    path = Path(path)
    if not path.exists():
        _create(path)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} does not hold an Ed25519 private key")
    return key


def _create(path: Path) -> None:
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    create_once(path, pem)


def public_key_text(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def public_key_from_text(text: str) -> Ed25519PublicKey:
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("a public key is the base64 of 32 bytes") from exc
    if len(raw) != 32:
        raise ValueError("a public key is the base64 of 32 bytes")
    return Ed25519PublicKey.from_public_bytes(raw)
