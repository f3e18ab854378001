"""Alembic environment: the URL comes from the caller (pracha migrate) or from PRACHA_DATABASE_URL."""

from __future__ import annotations

from alembic import context

from pracha.config import get_settings
from pracha.db import make_engine
from pracha.models import Base
from pracha.opendata.tables import is_datastore_table
from pracha.vault import attach_keyring

config = context.config
url = config.get_main_option("sqlalchemy.url") or get_settings().database_url
target_metadata = Base.metadata


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """The datastore's tables (`ds_<resource>`) are made at run time, not by migrations: never in a diff."""
    return not (type_ == "table" and is_datastore_table(name))


def run_migrations_offline() -> None:
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True, render_as_batch=True,
                      include_name=include_name)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = make_engine(url)
    # The key file that encrypts existing personal data (0008): the caller's settings, else (on first
    # use only) the process's
    if (settings := config.attributes.get("settings")) is not None:
        attach_keyring(engine, settings=settings)
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            # Rebuilding a table (batch mode) drops the old one: with foreign keys on, SQLite would
            # cascade that drop to the rows that refer to it. Off for the migration, as SQLite advises.
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True,
                          include_name=include_name)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
