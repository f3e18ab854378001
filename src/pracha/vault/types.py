"""Column types: encrypted values (`Encrypted`, `EncryptedJSON`, `EncryptedDate`) and keyed blind
indexes (`BlindIndex`). Each finds its engine's keyring on the dialect SQLAlchemy hands it.

A value to be encrypted under a person's own key carries that key's handle: the flush listener
(`pracha.vault.subjects`) swaps the attribute for an equal `str`/`dict`/`list`/`date` subclass with a
`vault_handle`. A plain value (a Core statement, a model without a subject) gets the shared key.
Reading a value whose key was erased gives the type's `erased` value, never an error.
"""

from __future__ import annotations

import abc
import datetime as dt
import json
import unicodedata
from collections.abc import Callable
from typing import Any

from sqlalchemy import LargeBinary, String
from sqlalchemy.sql import operators
from sqlalchemy.types import TypeDecorator

from pracha.vault.keyring import keyring_of

ERASED = "[erased]"


class _Tagged:
    vault_handle: str = ""


class SubjectStr(str, _Tagged):
    pass


class SubjectDict(dict[str, Any], _Tagged):
    pass


class SubjectList(list[Any], _Tagged):
    pass


class SubjectDate(dt.date, _Tagged):
    pass


def tag(value: Any, handle: str) -> Any:
    """An equal copy of `value` marked for the person's key `handle` (unchanged if it cannot be)."""
    tagged: Any
    if isinstance(value, str):
        tagged = SubjectStr(value)
    elif isinstance(value, dict):
        tagged = SubjectDict(value)
    elif isinstance(value, list):
        tagged = SubjectList(value)
    elif isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        tagged = SubjectDate(value.year, value.month, value.day)
    else:
        return value
    tagged.vault_handle = handle
    return tagged


def handle_of(value: Any) -> str | None:
    return getattr(value, "vault_handle", None) or None


class _NoComparison(TypeDecorator.Comparator[Any]):
    """Ciphertexts are random: comparing one with a value finds nothing, silently. Refuse it (only
    IS [NOT] NULL makes sense), so a lookup that needs the blind index fails loudly in tests."""

    def operate(self, op: Any, *other: Any, **kwargs: Any) -> Any:
        if op in (operators.is_, operators.is_not) or (op in (operators.eq, operators.ne) and other == (None,)):
            return super().operate(op, *other, **kwargs)
        raise TypeError("an encrypted column cannot be compared: use its blind index")


class _EncryptedBase(TypeDecorator[Any], abc.ABC):
    impl = LargeBinary
    cache_ok = True
    comparator_factory = _NoComparison

    def __init__(self, erased: Any = None) -> None:
        super().__init__()
        self.erased = erased

    @abc.abstractmethod
    def encode(self, value: Any) -> bytes:
        """The value as the bytes to encrypt."""

    @abc.abstractmethod
    def decode(self, raw: bytes) -> Any:
        """The value back from the decrypted bytes."""

    def erased_value(self) -> Any:
        return self.erased() if callable(self.erased) else self.erased

    def process_bind_param(self, value: Any, dialect: Any) -> bytes | None:
        if value is None:
            return None
        return keyring_of(dialect).encrypt(self.encode(value), handle_of(value))

    def process_result_value(self, value: bytes | None, dialect: Any) -> Any:
        if value is None:
            return None
        plain = keyring_of(dialect).decrypt(bytes(value))
        return self.erased_value() if plain is None else self.decode(plain)


class Encrypted(_EncryptedBase):
    """Text; `erased` is what a read of an erased value gives (default "[erased]")."""

    cache_ok = True

    def __init__(self, erased: Any = ERASED) -> None:
        super().__init__(erased)

    def encode(self, value: Any) -> bytes:
        return str(value).encode("utf-8", "surrogatepass")

    def decode(self, raw: bytes) -> Any:
        return raw.decode("utf-8", "surrogatepass")


class EncryptedJSON(_EncryptedBase):
    """A JSON document (dict or list); `erased` may be a factory such as `dict`."""

    cache_ok = True

    def encode(self, value: Any) -> bytes:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass")

    def decode(self, raw: bytes) -> Any:
        return json.loads(raw.decode("utf-8", "surrogatepass"))


class EncryptedDate(_EncryptedBase):
    cache_ok = True

    def encode(self, value: Any) -> bytes:
        return value.isoformat().encode()

    def decode(self, raw: bytes) -> Any:
        return dt.date.fromisoformat(raw.decode())


def digits_only(value: str) -> str:
    """The digits of `value` in ASCII, whatever script they were typed in (Thai ๐-๙, full-width…)."""
    return "".join(str(unicodedata.digit(c)) for c in value if unicodedata.digit(c, None) is not None)


class BlindIndex(TypeDecorator[str]):
    """HMAC-SHA-256 (the keyring's index key) of the normalised value, in hex. A value compared with
    such a column is hashed the same way, so `where(User.national_id_index == "1-2345-…")` finds it."""

    impl = String(64)
    cache_ok = True

    def __init__(self, normalise: Callable[[str], str] = digits_only) -> None:
        super().__init__()
        self.normalise = normalise

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        if value is None:
            return None
        return keyring_of(dialect).blind_index(self.normalise(str(value)))

    def process_result_value(self, value: Any, dialect: Any) -> Any:
        return value
