"""The Ed25519 keys payments are signed with: a bank's (`TH/BANK/<bank id>`, key id = the bank id) and
Pracha's payments key (`TH/GOV/pracha-payments`, key id `pracha-payments`). Both sides of a signed call
read the other's public key from the same var_dir, as the registries read the mediator's."""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from pracha.exchange.keys import key_path, load_or_create

PRACHA_KEY_ID = "pracha-payments"


def bank_key(var_dir: Path, bank_id: str) -> Ed25519PrivateKey:
    return load_or_create(key_path(var_dir, f"TH/BANK/{bank_id}"))


def pracha_key(var_dir: Path) -> Ed25519PrivateKey:
    return load_or_create(key_path(var_dir, f"TH/GOV/{PRACHA_KEY_ID}"))
