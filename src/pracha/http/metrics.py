"""Prometheus metrics: the process-wide counters, one registry per app for `GET /metrics`, and the
HTTP request metrics (recorded by `pracha.http.observe`).

Why both kinds of registry. prometheus-client's default registry refuses a second metric of the same
name, and tests (and benchmarks) build many apps in one process. Events are counted deep inside the
capabilities' service functions (a sign-in lockout, a mediator decision), which know no app, so
counters are module-level objects, defined once at import in `PROCESS` (our own registry, not the
library's global one) and shared by every app of the process, as a Prometheus target is a process.
What comes from the database (queue depth, pending ledger entries) is read at scrape time by
collectors that hold one app's sessions; those go in the app's own registry, `app_registry(...)`,
which also forwards `PROCESS`. Tests therefore compare counters before and after, never absolute.

Several uvicorn workers are several processes: scrape each (or run one worker per container).
"""

from __future__ import annotations

import hmac
import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    GC_COLLECTOR,
    CollectorRegistry,
    Counter,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)
CONTENT_TYPE = CONTENT_TYPE_LATEST
UNMATCHED = "unmatched"  # the route label of requests no route matched (404s): raw paths would be unbounded
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

disable_created_metrics()  # no `_created` twin of every counter series
PROCESS = CollectorRegistry()

HTTP_REQUESTS = Counter("pracha_http_requests", "HTTP requests answered, by route template and status.",
                        ["method", "route", "status"], registry=PROCESS)
HTTP_DURATION = Histogram("pracha_http_request_duration_seconds",
                          "Time from the request's arrival to the end of the response, by route template and status.",
                          ["method", "route", "status"], registry=PROCESS,
                          buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0))


def route_template(scope: Mapping[str, Any], root_path: str = "") -> str:
    """The matched route's path format (`/applications/{reference}`), or UNMATCHED. Call it after the
    app has answered (routing fills the scope in); `root_path` is the scope's before routing."""
    template = getattr(scope.get("route"), "path_format", None)
    if isinstance(template, str) and template:
        return template
    mounted = str(scope.get("root_path", ""))
    if "endpoint" in scope and len(mounted) > len(root_path) and mounted.startswith(root_path):
        return f"{mounted[len(root_path):]}/{{path}}"  # a mounted app (/static): FastAPI sets no "route"
    return UNMATCHED


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    labels = (method if method in METHODS else "other", route, str(status))
    HTTP_REQUESTS.labels(*labels).inc()
    HTTP_DURATION.labels(*labels).observe(seconds)


class _Forward:
    """Lets an app's registry show the process-wide metrics."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry

    def collect(self) -> Iterable[Metric]:
        return self.registry.collect()


class QueryCollector(ABC):
    """Base of the collectors that read gauges from the database at scrape time (one short read
    transaction). If the database does not answer, the scrape still succeeds without these series."""

    name = "query"

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    @abstractmethod
    def read(self, session: Session) -> Iterable[Metric]:
        """The gauges, read in `session`."""

    def collect(self) -> Iterator[Metric]:
        try:
            with self.sessions() as session:
                metrics = list(self.read(session))
        except SQLAlchemyError as exc:
            log.warning("metrics collector %s could not read the database: %s", self.name, type(exc).__name__)
            return
        yield from metrics


class ClockCollector(QueryCollector):
    """This process's wall clock minus the database server's (PostgreSQL), in seconds. A clock stepped
    away from the others makes the RFC 9421 signatures of banks and agencies look too old or from the
    future, and stamps the ledger's entries out of order: alert on it before the refusals begin.
    Absent on SQLite, whose clock is this machine's own."""

    name = "clock"

    def read(self, session: Session) -> Iterator[GaugeMetricFamily]:
        if session.get_bind().dialect.name != "postgresql":
            return
        before = time.time()
        theirs = session.scalar(text("SELECT extract(epoch FROM clock_timestamp())"))
        ours = (before + time.time()) / 2  # the middle of the round trip
        yield GaugeMetricFamily("pracha_clock_offset_seconds",
                                "This process's wall clock minus the database server's (positive: ahead).",
                                value=ours - float(theirs))


def app_registry(collectors: Iterable[Collector] = ()) -> CollectorRegistry:
    """One app's registry: the process-wide metrics, the process's own (CPU, memory, file
    descriptors, garbage collector), and this app's collectors."""
    registry = CollectorRegistry()
    for collector in (_Forward(PROCESS), ProcessCollector(registry=None), PlatformCollector(registry=None),
                      GC_COLLECTOR, *collectors):
        registry.register(collector)
    return registry


def render(registry: CollectorRegistry) -> bytes:
    """The registry in the Prometheus text format (runs the collectors: call it in a worker thread)."""
    return generate_latest(registry)


def bearer_matches(authorization: str, secret: str) -> bool:
    """Whether an `Authorization: Bearer …` header carries `secret` (compared in constant time)."""
    if not secret or authorization[:7].lower() != "bearer ":
        return False
    return hmac.compare_digest(authorization[7:].strip().encode(), secret.encode())
