"""Member keys: where they live, created once with mode 0600, shared by racing processes."""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from pracha.exchange import keys


def test_key_path_per_subsystem(tmp_path: Path) -> None:
    assert keys.key_path(tmp_path, "TH/GOV/DOPA/civil-registry") == \
        tmp_path / "exchange" / "keys" / "TH_GOV_DOPA_civil-registry.key"
    for bad in ("", "../etc/passwd", "TH/GOV/../x", "TH", "/TH/GOV"):
        with pytest.raises(ValueError):
            keys.key_path(tmp_path, bad)


def test_load_or_create_makes_a_private_file_once(tmp_path: Path) -> None:
    path = keys.key_path(tmp_path, "TH/GOV/PRACHA/mediator")
    key = keys.load_or_create(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text().startswith("-----BEGIN PRIVATE KEY-----")
    again = keys.load_or_create(path)
    assert keys.public_key_text(again) == keys.public_key_text(key)
    assert list(path.parent.iterdir()) == [path]  # no temporary files left behind


def test_public_key_text_round_trip() -> None:
    key = Ed25519PrivateKey.generate()
    text = keys.public_key_text(key)
    assert len(text) == 44 and text == keys.public_key_text(key.public_key())
    public = keys.public_key_from_text(text)
    signature = key.sign(b"data")
    public.verify(signature, b"data")
    for bad in ("", "not base64!", "AAAA", text[:-4]):
        with pytest.raises(ValueError):
            keys.public_key_from_text(bad)


def test_not_an_ed25519_key_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.key"
    path.write_text("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
    with pytest.raises(ValueError):
        keys.load_or_create(path)


def test_racing_processes_agree_on_one_key(tmp_path: Path) -> None:
    path = keys.key_path(tmp_path, "TH/GOV/PRACHA/mediator")
    code = ("import sys; from pathlib import Path; from pracha.exchange import keys; "
            "print(keys.public_key_text(keys.load_or_create(Path(sys.argv[1]))))")
    procs = [subprocess.Popen([sys.executable, "-c", code, str(path)], stdout=subprocess.PIPE, text=True)
             for _ in range(4)]
    outputs = {proc.communicate(timeout=60)[0].strip() for proc in procs}
    assert all(proc.returncode == 0 for proc in procs)
    assert outputs == {keys.public_key_text(keys.load_or_create(path))}
