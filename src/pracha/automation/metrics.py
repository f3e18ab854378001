"""The automation's metrics: failed task attempts (counted where they happen, in `tasks._failed`)
and the queue's depth by status and kind (read from the database at scrape time).

Attempts that fail in a `pracha worker` process are counted in that process; the queue depth (whose
`failed` status is every task that gave up) is the same from any process."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import Counter
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pracha.automation.models import Task
from pracha.http.metrics import PROCESS, QueryCollector

TASK_FAILURES = Counter("pracha_automation_task_failures",
                        "Failed task attempts, by task kind and what follows: retry (queued again) or failed "
                        "(attempts used up).", ["kind", "outcome"], registry=PROCESS)


NOT_DONE = ("queued", "running", "failed")  # an IN list the (status, run_after) index serves; done rows pile up


class QueueCollector(QueryCollector):
    name = "automation_queue"

    def read(self, session: Session) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily("pracha_automation_queue_depth",
                                   "Tasks not done, by status (queued, running, failed) and kind.",
                                   labels=["status", "kind"])
        rows = session.execute(select(Task.status, Task.kind, func.count()).where(Task.status.in_(NOT_DONE))
                               .group_by(Task.status, Task.kind).order_by(Task.status, Task.kind))
        for status, kind, count in rows:
            family.add_metric([status, kind], count)
        yield family
