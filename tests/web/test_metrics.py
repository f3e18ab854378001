"""GET /metrics: Prometheus text that parses, counters that move where the events happen, gauges read
from the database, and only platform admins or the metrics token may read it. Counters are
process-wide (pracha.http.metrics explains why), so these tests compare before and after."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.orm import Session

from pracha.automation import tasks
from pracha.config import Settings
from pracha.http.metrics import bearer_matches
from pracha.identity import service as identity
from pracha.ledger import log as ledger
from pracha.ledger.deps import LEDGER
from pracha.services.catalog import Catalog
from tests.exchange.helpers import OFFICE, PERSONS, client_key, seed, signed_headers
from tests.factories import PASSWORD, create_citizen, create_staff, csrf_token, sign_in

TOKEN = "scrape-" + "x" * 24  # noqa: S105 - a test value
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


@pytest.fixture
def settings(make_settings: Callable[..., Settings]) -> Settings:
    return make_settings(metrics_token=TOKEN, signin_lock_after=2, signin_slowdown_after=5,
                         signin_lock_minutes=60)


def scrape(client: TestClient) -> tuple[str, Samples]:
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    samples: Samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return response.text, samples


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def total(samples: Samples, name: str, **labels: str) -> float:
    """The sum over every series of `name` whose labels include `labels`."""
    wanted = set(labels.items())
    return sum(v for (n, ls), v in samples.items() if n == name and wanted <= ls)


def test_requests_are_counted_by_route_template_and_status(client: TestClient) -> None:
    _, before = scrape(client)
    for _ in range(3):
        assert client.get("/services").status_code == 200
    assert client.get("/services/elderly-allowance").status_code == 200
    assert client.get("/applications/PR-SECRET-REF", headers={"Accept": "application/json"}).status_code == 401
    assert client.get("/nothing/1101700203451?national_id=1101700203451").status_code == 404
    assert client.get("/static/no-such-file.css").status_code == 404
    text, after = scrape(client)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    ok = {"method": "GET", "route": "/services", "status": "200"}
    assert moved("pracha_http_requests_total", **ok) == 3
    assert moved("pracha_http_request_duration_seconds_count", **ok) == 3
    assert moved("pracha_http_request_duration_seconds_bucket", le="+Inf", **ok) == 3
    assert value(after, "pracha_http_request_duration_seconds_sum", **ok) > 0
    assert moved("pracha_http_requests_total", method="GET", route="/services/{service_id}", status="200") == 1
    assert moved("pracha_http_requests_total", method="GET", route="/applications/{reference}", status="401") == 1
    assert moved("pracha_http_requests_total", method="GET", route="unmatched", status="404") == 1
    assert moved("pracha_http_requests_total", method="GET", route="/static/{path}", status="404") == 1
    for raw in ("elderly-allowance", "PR-SECRET-REF", "1101700203451", "/nothing"):
        assert raw not in text  # templates, never paths
    for family in ("pracha_ledger_pending_entries", "pracha_ledger_size", "pracha_automation_queue_depth",
                   "pracha_signin_lockouts_total", "process_resident_memory_bytes"):
        assert family in text


def test_only_platform_admins_or_the_token_may_read(make_client: Callable[..., TestClient], db: Session,
                                                     catalog: Catalog) -> None:
    json = {"Accept": "application/json"}
    anonymous = make_client()
    response = anonymous.get("/metrics", headers=json)
    assert response.status_code == 401 and response.json()["error"] == "unauthenticated"
    wrong = anonymous.get("/metrics", headers={**json, "Authorization": "Bearer " + TOKEN[:-1] + "y"})
    assert wrong.status_code == 401 and "pracha_" not in wrong.text
    assert anonymous.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
    for role in ("citizen", "officer", "agency_admin", "auditor"):
        user = create_citizen(db) if role == "citizen" else create_staff(db, role, None if role == "auditor"
                                                                         else "cm-elderly-welfare")
        client = make_client()
        sign_in(db, client, user)
        refused = client.get("/metrics", headers=json)
        assert refused.status_code == 403 and refused.json()["error"] == "forbidden", role
    admin = make_client()
    sign_in(db, admin, create_staff(db, "platform_admin"))
    allowed = admin.get("/metrics")
    assert allowed.status_code == 200 and "pracha_http_requests_total" in allowed.text
    agency_admin = create_staff(db, "agency_admin", "cm-elderly-welfare")
    _, raw = identity.create_api_token(db, agency_admin, name="t", agency="cm-elderly-welfare",
                                       scopes=["applications:read"], agencies=catalog.agencies)
    db.commit()
    assert make_client().get("/metrics", headers={**json, "Authorization": f"Bearer {raw}"}).status_code == 403


def test_an_empty_token_setting_lets_no_token_in(make_settings: Callable[..., Settings]) -> None:
    from pracha.web.app import create_app

    app = create_app(make_settings())  # PRACHA_METRICS_TOKEN unset
    try:
        with TestClient(app) as client:
            assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 401
    finally:
        app.state.pracha.db.engine.dispose()
    assert bearer_matches(f"Bearer {TOKEN}", TOKEN) and bearer_matches(f"bearer  {TOKEN} ", TOKEN)
    assert not bearer_matches(f"Basic {TOKEN}", TOKEN) and not bearer_matches("Bearer ", "")


def _fail(session: Session, context: tasks.Context, payload: dict[str, Any]) -> None:
    raise RuntimeError("a bot that always fails")


tasks.handler("test-metrics-fail")(_fail)


def test_domain_events_move_their_counters_and_gauges(client: TestClient, db: Session, app: FastAPI,
                                                      settings: Settings, catalog: Catalog,
                                                      closed_port: int) -> None:
    _, before = scrape(client)
    # sign-in: two failures lock the account (signin_lock_after=2); the next attempt is refused unchecked
    citizen = create_citizen(db)
    headers = {"X-CSRF-Token": csrf_token(client)}
    for _ in range(2):
        assert client.post("/api/v1/session", headers=headers,
                           json={"national_id": citizen.national_id, "password": "wrong"}).status_code == 401
    locked = client.post("/api/v1/session", headers=headers,
                         json={"national_id": citizen.national_id, "password": PASSWORD})
    assert locked.status_code == 429
    # the mediator: a refusal (wrong purpose) and a forward to a registry that is down
    seed(db, settings, catalog, {"civil": f"http://127.0.0.1:{closed_port}"})
    key = client_key(settings, OFFICE)
    for purpose, status in (("marketing", 403), ("eligibility-check", 502)):
        url = f"http://testserver/exchange/r1/{PERSONS}/{citizen.national_id}"
        assert client.get(url, headers=signed_headers(url, key=key, purpose=purpose)).status_code == status
    # the assistant
    answer = client.post("/api/v1/assistant/messages", headers=headers,
                         json={"text": "เบี้ยยังชีพผู้สูงอายุต้องใช้เอกสารอะไร"})
    assert answer.status_code == 200
    # automation: a task that fails its only attempt
    tasks.enqueue(db, "test-metrics-fail", f"test-metrics-{citizen.id}", max_attempts=1)
    db.commit()
    tasks.run_until_idle(app.state.pracha.db.sessions, tasks.Context(catalog, settings))
    _, after = scrape(client)

    def moved(name: str, **labels: str) -> float:
        return total(after, name, **labels) - total(before, name, **labels)

    assert moved("pracha_signin_lockouts_total", account="citizen") == 1
    assert moved("pracha_signin_throttled_total", account="citizen", state="locked") == 1
    assert moved("pracha_exchange_decisions_total", decision="denied", reason="wrong_purpose") == 1
    assert moved("pracha_exchange_decisions_total", decision="denied", reason="provider_unavailable") == 1
    assert moved("pracha_assistant_answers_total", channel="web") == 1
    assert moved("pracha_automation_task_failures_total", kind="test-metrics-fail", outcome="failed") == 1
    assert value(after, "pracha_automation_queue_depth", status="failed", kind="test-metrics-fail") == 1
    # the mediator's decisions are in the ledger, waiting for the sequencer
    assert value(after, "pracha_ledger_pending_entries") >= 2
    ledger.sequence(db, app.state.pracha.registry.get(LEDGER).signer, settings.ledger_origin)
    db.commit()
    _, sequenced = scrape(client)
    assert value(sequenced, "pracha_ledger_pending_entries") == 0
    assert value(sequenced, "pracha_ledger_size") >= 2
    assert 0 <= value(sequenced, "pracha_ledger_checkpoint_age_seconds") < 600


@pytest.fixture
def closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_clock_offset_to_the_database_is_a_gauge_on_postgresql(client: TestClient, database_url: str) -> None:
    _, samples = scrape(client)
    if database_url.startswith("sqlite"):
        assert not any(name == "pracha_clock_offset_seconds" for name, _ in samples)  # one machine, one clock
    else:
        offset = samples[("pracha_clock_offset_seconds", frozenset())]
        assert abs(offset) < 5  # the test's server runs on this machine
