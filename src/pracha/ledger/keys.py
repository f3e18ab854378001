"""The log's signing key: created on first start under var/ (mode 0600), never leaves the machine."""

from __future__ import annotations

from pathlib import Path

from pracha.ledger import note
from pracha.secretfile import create_once


def key_path(var_dir: Path) -> Path:
    return var_dir / "ledger.key"


def load_or_create_signer(var_dir: Path, origin: str) -> note.Signer:
    path = key_path(var_dir)
    if not path.exists():
        skey, _ = note.generate_key(origin)
        create_once(path, (skey + "\n").encode())
    signer = note.new_signer(path.read_text().strip())
    if signer.name != origin:
        raise ValueError(f"{path} is the key of {signer.name!r}, but the ledger origin is {origin!r}")
    return signer


def verifier_key(signer: note.Signer) -> str:
    """The public verifier key, `name+hash+base64`, as Go's note package prints it."""
    return note.verifier_key(signer)
