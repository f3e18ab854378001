"""The migrations and the models describe the same schema: after `alembic upgrade head`, Alembic's
autogenerate comparison of the database with `Base.metadata` finds nothing, on SQLite and PostgreSQL.
A model change without its migration (or the reverse) fails here with the difference spelled out."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

from pracha.migrate import alembic_config, upgrade
from pracha.models import Base


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Procrastinate's job-queue tables live in the same PostgreSQL database, but its own installer
    (`pracha.automation.pgqueue.install_schema`) owns them, not our metadata: leave them out."""
    table = obj if type_ == "table" else getattr(obj, "table", None)
    table_name = getattr(table, "name", name) or ""
    return not (reflected and compare_to is None and table_name.startswith("procrastinate_"))


def test_upgrade_head_leaves_no_drift(database_url: str) -> None:
    upgrade(database_url)
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True,
                                                                   "compare_server_default": True,
                                                                   "include_object": include_object})
            head = ScriptDirectory.from_config(alembic_config(database_url)).get_current_head()
            assert context.get_current_revision() == head
            diff: list[Any] = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    assert diff == [], "\n".join(map(str, diff))
