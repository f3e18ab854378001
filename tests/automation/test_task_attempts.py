"""A task enqueued without its own count of attempts fails after the `automation_max_attempts` setting
(the setting used to be ignored: the column's default of 5 decided)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.automation import tasks
from pracha.automation.models import Task
from pracha.config import Settings
from pracha.web.app import create_app
from tests.automation.helpers import context


@tasks.handler("test-always-fails")
def _always_fails(session: Session, context: tasks.Context, payload: dict[str, Any]) -> None:
    raise RuntimeError("registry down")


def test_the_setting_decides_how_often_a_task_is_tried(make_settings: Callable[..., Settings]) -> None:
    app = create_app(make_settings(automation_max_attempts=1))
    try:
        with app.state.pracha.db.sessions() as db:
            tasks.enqueue(db, "test-always-fails", "test-always-fails:1")
            db.commit()
            assert tasks.run_one(app.state.pracha.db.sessions, context(app))
            task = db.scalar(select(Task).where(Task.key == "test-always-fails:1"))
            assert task is not None and task.status == tasks.FAILED and task.attempts == 1
    finally:
        app.state.pracha.db.engine.dispose()
