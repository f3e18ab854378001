"""A secret file (a key) made once, readable only by us, that appears whole or not at all."""

from __future__ import annotations

import os
from pathlib import Path


def create_once(path: Path, content: bytes) -> None:
    """Write `content` to `path` (mode 0600) unless a file is there already. It is written aside, synced,
    then linked into place: a process starting beside this one never reads half a key, and when two
    make one at once the first link wins and the other keeps the winner's."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(content)
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
    finally:
        tmp.unlink(missing_ok=True)
