"""The log's signing key: created on first start under var/ (mode 0600), never leaves the machine."""

from __future__ import annotations

import os
from pathlib import Path

from pracha.ledger import note


def key_path(var_dir: Path) -> Path:
    return var_dir / "ledger.key"


def load_or_create_signer(var_dir: Path, origin: str) -> note.Signer:
    path = key_path(var_dir)
    if not path.exists():
        skey, _ = note.generate_key(origin)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(skey + "\n")
        try:  # a link appears whole: a process starting beside this one never reads half a key
            os.link(tmp, path)
        except FileExistsError:  # another process made it first; use theirs
            pass
        finally:
            tmp.unlink()
    signer = note.new_signer(path.read_text().strip())
    if signer.name != origin:
        raise ValueError(f"{path} is the key of {signer.name!r}, but the ledger origin is {origin!r}")
    return signer


def verifier_key(signer: note.Signer) -> str:
    """The public verifier key, `name+hash+base64`, as Go's note package prints it."""
    return note.verifier_key(signer)
