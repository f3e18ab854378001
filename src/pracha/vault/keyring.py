"""The keyring of one database engine: AES-GCM envelope encryption of field values, blind indexes.

Ciphertext layout (bytes): `01` format, kind (`S` shared, `P` a person's key), key version (2 bytes,
big-endian), for `P` the person's data-key handle (16 bytes), then a 12-byte nonce and the AES-GCM
ciphertext with its tag; everything before the nonce is authenticated as associated data.

Shared values are encrypted with a data key derived per key version (a rotation starts a new one);
a person's values with their own random data key, stored wrapped in `vault_data_keys`, so deleting that
row makes them unreadable (crypto-shredding). Unwrapped personal keys are cached for `CACHE_SECONDS`.

Several processes share one database (`pracha serve --workers N`, many machines): an erasure writes an
`Erasure` row in its transaction, and each keyring reads the erasures of the last `CACHE_SECONDS` at
most every `ERASURE_CHECK_SECONDS` before it uses a cached key, so a person erased through one process
reads as erased in every other within that second (one small indexed query a second, per process).

Keys are read on the keyring's own small connection pool, never the app's: a request holding the last
connection of the app's pool while it decrypts would otherwise wait for a connection only it can free.

The keyring hangs on the engine's dialect (`attach_keyring`), which SQLAlchemy passes to every type's
bind and result processing: each app (and each test's app) has its own, without a process global.
An engine nobody attached gets one from the process settings when it first connects.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import secrets
import struct
import threading
import time
import weakref
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Engine, create_engine, event, inspect, select
from sqlalchemy.exc import DBAPIError

from pracha.config import Settings, get_settings
from pracha.db import make_engine, utcnow
from pracha.vault.keys import KeyFileProvider, KeyProvider, UnknownKeyVersion, data_key_path
from pracha.vault.models import DataKey, Erasure

log = logging.getLogger(__name__)
FORMAT = 1
SHARED, PERSONAL = b"S", b"P"
CACHE_SECONDS = 300.0
CACHE_SIZE = 20_000
ERASURE_CHECK_SECONDS = 1.0
# The keyring's own pool on PostgreSQL: each read is one primary-key lookup, released at once
READER_POOL, READER_OVERFLOW, READER_WAIT_SECONDS = 2, 6, 10
_HEAD = struct.Struct(">BcH")


class Keyring:
    def __init__(self, provider: KeyProvider, engine: Engine | None = None) -> None:
        self.provider = provider
        self.engine: Engine | None = None
        self.bind(engine)
        self._shared: dict[int, AESGCM] = {}
        self._personal: dict[str, tuple[float, AESGCM]] = {}
        self._forgotten: set[str] = set()  # handles are random, never reused: a tombstone stays true
        self._lock = threading.Lock()
        self._index = provider.index_key()
        self.erasure_check_seconds = ERASURE_CHECK_SECONDS
        self._next_check = 0.0

    def bind(self, engine: Engine | None) -> None:
        """Where personal keys are read from: a reader engine of its own over the same database."""
        if engine is not None and self.engine is None:
            self.engine = reader_for(engine)

    # -- keys --------------------------------------------------------------------------------------
    def _shared_key(self, version: int) -> AESGCM:
        aead = self._shared.get(version)
        if aead is None:
            aead = self._shared[version] = AESGCM(self.provider.derive(version, "shared-data-key"))
        return aead

    def new_personal_key(self) -> DataKey:
        """A fresh data key for one person, wrapped; the caller adds the row to its transaction."""
        raw = secrets.token_bytes(32)
        version, wrapped = self.provider.wrap(raw)
        handle = secrets.token_hex(16)
        self._remember(handle, AESGCM(raw))
        return DataKey(handle=handle, key_version=version, wrapped=wrapped)

    def _remember(self, handle: str, aead: AESGCM) -> None:
        with self._lock:
            if len(self._personal) >= CACHE_SIZE:
                self._personal.clear()
            self._personal[handle] = (time.monotonic() + CACHE_SECONDS, aead)

    def personal_key(self, handle: str) -> AESGCM | None:
        self.catch_up_erasures()
        if handle in self._forgotten:
            return None
        cached = self._personal.get(handle)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        if self.engine is None:
            return None
        with self.engine.connect() as connection:  # a reader of its own: never waits for a writer
            row = connection.execute(select(DataKey.key_version, DataKey.wrapped)
                                     .where(DataKey.handle == handle)).first()
        if row is None:
            self.forget(handle)
            return None
        try:
            aead = AESGCM(self.provider.unwrap(row.key_version, row.wrapped))
        except (InvalidTag, UnknownKeyVersion):  # wrapped by another key file: unreadable here, not a 500
            log.warning("data key %s cannot be unwrapped with this key file", handle[:8])
            return None
        self._remember(handle, aead)
        return aead

    def forget(self, handle: str, tombstone: bool = False) -> None:
        with self._lock:
            self._personal.pop(handle, None)
            if tombstone:
                self._forgotten.add(handle)

    def unforget(self, handle: str) -> None:
        self._forgotten.discard(handle)

    def catch_up_erasures(self) -> None:
        """Tombstone the keys other processes erased (at most once per `erasure_check_seconds`). The
        window is the cache's lifetime, not "since the last check": ids are not handed out in commit order."""
        now = time.monotonic()
        if self.engine is None or now < self._next_check:
            return
        self._next_check = now + self.erasure_check_seconds  # one thread of the process does it
        since = utcnow() - dt.timedelta(seconds=CACHE_SECONDS)
        try:
            with self.engine.connect() as connection:
                erased = connection.scalars(select(Erasure.handle).where(Erasure.erased_at > since)).all()
        except DBAPIError:
            if inspect(self.engine).has_table(Erasure.__tablename__):
                raise
            return  # a schema older than the table (a migration running): nothing erased through it yet
        with self._lock:
            for handle in erased:
                self._personal.pop(handle, None)
            self._forgotten.update(erased)

    # -- values ------------------------------------------------------------------------------------
    def encrypt(self, plaintext: bytes, handle: str | None = None) -> bytes:
        aead = self.personal_key(handle) if handle else None
        version = self.provider.current_version()
        if aead is None:
            head = _HEAD.pack(FORMAT, SHARED, version)
            aead = self._shared_key(version)
        else:
            head = _HEAD.pack(FORMAT, PERSONAL, version) + bytes.fromhex(handle or "")
        nonce = secrets.token_bytes(12)
        return head + nonce + aead.encrypt(nonce, plaintext, head)

    def decrypt(self, blob: bytes) -> bytes | None:
        """The plaintext, or None when its key is gone (erased) or the value is not ours."""
        try:
            fmt, kind, version = _HEAD.unpack_from(blob)
            if fmt != FORMAT:
                return None
            if kind == PERSONAL:
                head, aead = blob[:20], self.personal_key(blob[4:20].hex())
            else:
                head, aead = blob[:4], self._shared_key(version)
            if aead is None:
                return None
            return aead.decrypt(blob[len(head):len(head) + 12], blob[len(head) + 12:], head)
        except (InvalidTag, UnknownKeyVersion, struct.error, ValueError):
            return None

    def blind_index(self, normalised: str) -> str:
        return hmac.new(self._index, normalised.encode(), hashlib.sha256).hexdigest()


def reader_for(engine: Engine) -> Engine:
    """A small pool of plain readers (never BEGIN IMMEDIATE on SQLite, which would wait behind the very
    transaction that asks), disposed with `engine`. A memory database has no second door: it shares."""
    url = engine.url
    if url.get_backend_name() == "sqlite":
        if url.database in (None, "", ":memory:"):
            return engine.execution_options(pracha_write=False)
        reader = make_engine(url.render_as_string(hide_password=False))
    else:
        reader = create_engine(url, pool_size=READER_POOL, max_overflow=READER_OVERFLOW,
                               pool_timeout=READER_WAIT_SECONDS, pool_pre_ping=True)
    event.listen(engine, "engine_disposed", lambda _engine: reader.dispose())
    return reader


def describe(blob: bytes) -> tuple[str, int]:
    """("shared" | "personal", key version) of a ciphertext."""
    _, kind, version = _HEAD.unpack_from(blob)
    return ("personal" if kind == PERSONAL else "shared"), version


def open_keyring(settings: Settings, engine: Engine | None = None) -> Keyring:
    return Keyring(KeyFileProvider(data_key_path(settings)), engine)


def attach_keyring(engine: Engine, keyring: Keyring | None = None, settings: Settings | None = None) -> Keyring:
    """Give an engine its keyring (by default from `settings`' key file); returns it."""
    if keyring is None:
        keyring = open_keyring(settings or get_settings(), engine)
    keyring.bind(engine)
    engine.dialect.pracha_keyring = keyring  # type: ignore[attr-defined]
    return keyring


def keyring_of(dialect: Any) -> Keyring:
    keyring = getattr(dialect, "pracha_keyring", None)
    if keyring is None:
        engine_ref = getattr(dialect, "pracha_engine", None)
        engine = engine_ref() if engine_ref is not None else None
        if engine is None:
            raise RuntimeError("this engine has no keyring: call pracha.vault.attach_keyring(engine)")
        keyring = attach_keyring(engine)
    return keyring


@event.listens_for(Engine, "engine_connect")
def _note_engine(connection: Any) -> None:
    """Remember the engine on its dialect, so that an engine nobody attached a keyring to gets the
    process settings' one when it first encrypts or decrypts (the CLI's and Alembic's engines)."""
    dialect = connection.engine.dialect
    if getattr(dialect, "pracha_engine", None) is None:
        dialect.pracha_engine = weakref.ref(connection.engine)
