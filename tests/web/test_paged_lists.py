"""The other lists are paged the same way: tokens, consents, the data tracker (its export stays
complete), the exchange's members, services and access rights, single sign-on clients, failed tasks.
Each is walked one row per page and must give what its table holds, each row once."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from pracha.automation.models import Task
from pracha.config import Settings
from pracha.exchange import consent
from pracha.exchange.models import AccessRight, ExchangeService, MessageLog, Subsystem
from pracha.exchange.vocabulary import PORTAL
from pracha.identity import service as identity
from pracha.identity.models import ApiToken
from pracha.identity.oidc import clients
from pracha.identity.principal import Principal
from pracha.services.catalog import Catalog
from tests.exchange.helpers import OFFICE, PERSONS, seed
from tests.factories import create_citizen, create_staff, sign_in

AGENCY = "cm-elderly-welfare"
NEXT = re.compile(r'^<(?P<url>[^>]+)>; rel="next"$')


def walk(client: TestClient, url: str, key: str = "id") -> list[Any]:
    """The `key` of every item, one item per page, following the Link headers."""
    seen: list[Any] = []
    while True:
        response = client.get(url)
        assert response.status_code == 200, response.text
        body = response.json()
        assert len(body["items"]) <= 1
        seen += [item[key] for item in body["items"]]
        if body["next_cursor"] is None:
            return seen
        match = NEXT.match(response.headers["link"])
        assert match
        url = match["url"]


def count(db: Session, model: Any) -> int:
    return int(db.scalar(select(func.count()).select_from(model)) or 0)


def test_admin_lists_are_paged(db: Session, settings: Settings, catalog: Catalog,
                               make_client: Callable[..., TestClient]) -> None:
    seed(db, settings, catalog)
    admin = create_staff(db, "platform_admin")
    for i in range(3):
        identity.create_api_token(db, admin, name=f"ระบบ {i}", agency=AGENCY, scopes=["applications:read"],
                                  agencies=catalog.agencies)
        clients.register_client(db, admin, name=f"แอป {i}", redirect_uris=[f"https://rp{i}.example.org/cb"],
                                scopes=["openid"])
    db.commit()
    client = make_client()
    sign_in(db, client, admin)

    tokens = walk(client, "/api/v1/tokens?limit=1")
    assert len(tokens) == len(set(tokens)) == count(db, ApiToken) == 3
    oidc = walk(client, "/api/v1/oidc/clients?limit=1", key="client_id")
    assert len(oidc) == len(set(oidc)) == 3
    members = walk(client, "/api/v1/exchange/clients?limit=1")
    assert members == sorted(db.scalars(select(Subsystem.id))) and len(members) > 2
    services = walk(client, "/api/v1/exchange/services?limit=1")
    assert services == sorted(db.scalars(select(ExchangeService.id)))
    rights = walk(client, "/api/v1/exchange/access-rights?limit=1")
    assert len(rights) == len(set(rights)) == count(db, AccessRight) > 1

    page = client.get("/admin/tokens?limit=2")
    assert page.text.count("/revoke") == 2 and re.search(r'href="/admin/tokens\?limit=2&amp;cursor=', page.text)
    assert 'rel="next"' in client.get("/admin/oidc/clients?limit=1").text
    assert 'href="/admin/exchange?limit=1&amp;cursor=' in client.get("/admin/exchange?limit=1").text


def test_consents_and_the_data_tracker_are_paged_and_the_export_is_whole(
        db: Session, settings: Settings, catalog: Catalog, make_client: Callable[..., TestClient]) -> None:
    seed(db, settings, catalog)
    citizen = create_citizen(db)
    for _ in range(3):
        consent.grant(db, Principal(user=citizen), recipient_id=PORTAL, purpose="service-application",
                      categories=["address"], notice_version="2569-1", days=30)
    now = dt.datetime.now(dt.UTC)
    db.execute(insert(MessageLog), [
        {"reference": f"ref{i:04d}", "message_id": f"m{i}", "holds_id": False, "client_id": OFFICE,
         "service_id": PERSONS, "path": "x", "purpose": "service-application", "subject_user_id": citizen.id,
         "categories": ["address"], "decision": "denied", "status": 403, "created_at": now - dt.timedelta(
             seconds=i // 2)} for i in range(55)])  # pairs share a time: the id breaks the tie
    db.commit()
    client = make_client()
    sign_in(db, client, citizen)

    consents = walk(client, "/api/v1/me/consents?limit=1")
    assert len(consents) == len(set(consents)) == 3
    first = client.get("/api/v1/me/data-tracker").json()
    assert len(first["items"]) == 50 and first["next_cursor"]
    references = walk(client, "/api/v1/me/data-tracker?limit=1", key="reference")
    # Newest first; within a shared time, the later id first.
    assert references == [f"ref{i:04d}" for i in sorted(range(55), key=lambda i: (i // 2, -i))]
    exported = client.get("/api/v1/me/data-tracker?format=csv&limit=1")  # an export is not a page
    assert exported.status_code == 200 and exported.text.count("ref00") == 55
    assert len(client.get("/api/v1/me/data-tracker?format=json").json()) == 55

    html = client.get("/me/data-tracker")
    assert html.text.count("/receipt") <= 50 and 'rel="next"' in html.text
    assert 'href="/me/consents?limit=2&amp;cursor=' in client.get("/me/consents?limit=2").text


def test_failed_tasks_on_the_dashboard_are_paged(db: Session, make_client: Callable[..., TestClient]) -> None:
    db.execute(insert(Task), [{"key": f"failed-{i}", "kind": "decide", "payload": {}, "status": "failed",
                               "attempts": 3, "last_error": f"boom {i}"} for i in range(3)])
    db.commit()
    client = make_client()
    sign_in(db, client, create_staff(db, "platform_admin"))
    first = client.get("/admin/automation?limit=2")
    assert first.status_code == 200 and "boom 2" in first.text and "boom 0" not in first.text
    found = re.search(r'<a href="(/admin/automation\?[^"]+#failed)" rel="next">', first.text)
    assert found
    second = client.get(found[1].replace("&amp;", "&").split("#")[0])
    assert "boom 0" in second.text and "boom 2" not in second.text and 'rel="next"' not in second.text
