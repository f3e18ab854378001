"""Personal data encrypted at rest: envelope encryption (AES-GCM) with rotatable key versions, keyed
blind indexes for lookups, and per-person data keys for crypto-shredding. See the modules:

    keys       KeyProvider (KMS-like interface), KeyFileProvider (var/data.key, mode 0600)
    keyring    Keyring of one engine; attach_keyring(engine, settings=…) / keyring_of(dialect)
    types      Encrypted, EncryptedJSON, EncryptedDate, BlindIndex (SQLAlchemy column types)
    subjects   __vault_subject__ on models; forget_subject(session, user_id)
    rotation   rotate(keyring), reencrypt(sessions, metadata, batch)
"""

from __future__ import annotations

from pracha.vault.keyring import Keyring, attach_keyring, keyring_of, open_keyring
from pracha.vault.keys import KeyFileProvider, KeyProvider, data_key_path
from pracha.vault.subjects import ensure_person_key, forget_subject, keyring_for
from pracha.vault.types import ERASED, BlindIndex, Encrypted, EncryptedDate, EncryptedJSON, digits_only

__all__ = ["ERASED", "BlindIndex", "Encrypted", "EncryptedDate", "EncryptedJSON", "KeyFileProvider", "KeyProvider",
           "Keyring", "attach_keyring", "data_key_path", "digits_only", "ensure_person_key", "forget_subject",
           "keyring_for", "keyring_of", "open_keyring"]
