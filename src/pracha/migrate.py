"""Bring a database to the newest schema with Alembic (used by `pracha migrate`, tests and benches)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from pracha.config import Settings

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str, settings: Settings | None = None) -> Config:
    config = Config()
    config.attributes["settings"] = settings
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, settings: Settings | None = None, revision: str = "head") -> None:
    """Alembic to head; on PostgreSQL then Procrastinate's schema (the automation workers' job queue).
    `settings` name the key file that encrypts existing personal data (default: the process's)."""
    command.upgrade(alembic_config(url, settings), revision)
    if url.startswith("postgresql"):
        from sqlalchemy import create_engine

        from pracha.automation import pgqueue

        engine = create_engine(url)
        try:
            with engine.begin() as connection:
                pgqueue.install_schema(connection)
        finally:
            engine.dispose()
