"""Engine, sessions and the declarative base; one schema for SQLite and PostgreSQL.

SQLite runs in WAL mode. A session that will write starts its transaction with BEGIN IMMEDIATE, so
two writers queue on the lock (busy_timeout) instead of failing when one upgrades a read to a write.
Within one server process writers also queue on an asyncio lock (`WriteLock`) *before* they take a
worker thread: threads blocked inside SQLite's busy wait would otherwise fill the thread pool while
the lock holder waits for a thread to finish its request (`pracha.http.access` takes it for routes,
the ledger sequencer and the automation runner for their own writes).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from pracha.hooks import EMPTY, Registry

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timezone-aware UTC datetimes on both engines (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


WRITE = {"pracha_write": True}


def make_engine(url: str, *, var_dir: Path | None = None) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_size=20, max_overflow=20, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, pool_size=20)
    _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        for pragma in (
            "journal_mode=WAL",
            "synchronous=NORMAL",
            "foreign_keys=ON",
            "busy_timeout=30000",
            "cache_size=-20000",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        write = connection.get_execution_options().get("pracha_write")
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def make_sessionmaker(engine: Engine, registry: Registry | None = None) -> sessionmaker[Session]:
    """Sessions of an app carry its hook registry in `info`, so plain service functions that take only
    a session (`services.service.act`) reach the hooks of the app they run in (`registry_of`)."""
    return sessionmaker(engine, expire_on_commit=False, info={"registry": registry or EMPTY})


def registry_of(session: Session) -> Registry:
    registry = session.info.get("registry")
    return registry if isinstance(registry, Registry) else EMPTY


class WriteLock:
    """SQLite only: this process's writers queue here, one asyncio lock per event loop (a server has
    one loop; a test client may run several)."""

    def __init__(self) -> None:
        self._locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = weakref.WeakKeyDictionary()

    def current(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        lock = self._locks.get(loop)
        if lock is None:
            lock = self._locks[loop] = asyncio.Lock()
        return lock


@dataclass(frozen=True)
class Database:
    """One database as an app uses it: the engine, its sessions, a writing engine (BEGIN IMMEDIATE on
    SQLite) and, on SQLite only, the process's write lock."""

    engine: Engine
    sessions: sessionmaker[Session]
    write_engine: Engine
    write_lock: WriteLock | None

    @property
    def is_sqlite(self) -> bool:
        return is_sqlite(self.engine)


def open_database(url: str, registry: Registry | None = None) -> Database:
    engine = make_engine(url)
    return Database(engine, make_sessionmaker(engine, registry), engine.execution_options(**WRITE),
                    WriteLock() if is_sqlite(engine) else None)


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def begin_write(session: Session) -> None:
    """Call first in a unit of work that writes: on SQLite it takes the write lock up front."""
    if not session.in_transaction():
        session.connection(execution_options=WRITE)

