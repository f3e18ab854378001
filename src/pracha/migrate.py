"""Bring a database to the newest schema with Alembic (used by `pracha migrate`, tests and benches)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str) -> None:
    """Alembic to head; on PostgreSQL then Procrastinate's schema (the automation workers' job queue)."""
    command.upgrade(alembic_config(url), "head")
    if url.startswith("postgresql"):
        from sqlalchemy import create_engine

        from pracha.automation import pgqueue

        engine = create_engine(url)
        try:
            with engine.begin() as connection:
                pgqueue.install_schema(connection)
        finally:
            engine.dispose()
