"""Every list is paged: 500 applications and 500 inbox messages, built once per engine, are read by
following `Link: rel="next"` (JSON) and the "next page" link (HTML) — each row exactly once, no page
over its limit; a limit over 200 and a tampered cursor are refused with a clear message, not a 500."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import insert, select

from pracha.config import Settings
from pracha.identity.models import User
from pracha.notices.models import InboxMessage
from pracha.services.catalog import default_catalog_dir
from pracha.services.models import Application
from pracha.web.app import create_app
from tests.factories import create_citizen, create_staff, sign_in

ROWS = 500
AGENCY = "cm-elderly-welfare"
T0 = dt.datetime(2026, 4, 10, 3, 0, tzinfo=dt.UTC)
NEXT = re.compile(r'^<(?P<url>[^>]+)>; rel="next"$')


@dataclass
class World:
    app: FastAPI
    citizen: User
    officer: User
    references: set[str]

    def client(self, user: User, **headers: str) -> TestClient:
        client = TestClient(self.app, base_url="http://testserver", follow_redirects=False, headers=headers)
        with self.app.state.pracha.db.sessions() as db:
            sign_in(db, client, db.merge(user))
        return client


def _database(request: pytest.FixtureRequest, tmp: Path) -> str:
    if request.param == "sqlite":
        target = tmp / "pracha.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), target)
        return f"sqlite:///{target}"
    server = request.getfixturevalue("pg_server")
    name = f"paging_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    return str(server.create_database(name, template=request.getfixturevalue("pg_template")))


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    tmp = tmp_path_factory.mktemp("paging")
    settings = Settings(database_url=_database(request, tmp), var_dir=tmp / "var", secret_key="test-secret",
                        catalog_dir=default_catalog_dir())
    app = create_app(settings)
    with app.state.pracha.db.sessions() as db:
        citizen, officer = create_citizen(db), create_staff(db, "officer", AGENCY)
        # Ties on purpose: 20 distinct update times and 13 due dates (every 7th none), so only the id
        # tie-breaker keeps the pages apart; ids are not in the same order as either column.
        rows = [{"reference": f"PG{i:05d}", "service_id": "elderly-allowance", "agency": AGENCY,
                 "citizen_id": citizen.id, "status": "submitted", "data": {},
                 "created_at": T0, "updated_at": T0 + dt.timedelta(minutes=(i * 7) % 20),
                 "due_date": None if i % 7 == 0 else dt.date(2027, 1, 1) + dt.timedelta(days=(i * 5) % 13)}
                for i in range(ROWS)]
        db.execute(insert(Application), rows)
        db.execute(insert(InboxMessage), [{"user_id": citizen.id, "subject": f"ข้อความ {i}", "body": "…",
                                           "created_at": T0} for i in range(ROWS)])
        db.commit()
        db.expunge_all()
    yield World(app, citizen, officer, {r["reference"] for r in rows})
    app.state.pracha.db.engine.dispose()


def follow(client: TestClient, url: str, limit: int) -> list[dict[str, Any]]:
    """Every item of a paged JSON list, by following its Link headers; checks each page on the way."""
    items: list[dict[str, Any]] = []
    while True:
        response = client.get(url)
        assert response.status_code == 200, response.text
        body = response.json()
        assert set(body) == {"items", "next_cursor"}
        assert len(body["items"]) <= limit
        items += body["items"]
        link = response.headers.get("link")
        if body["next_cursor"] is None:
            assert link is None
            return items
        match = NEXT.match(link or "")
        assert match, link
        url = match["url"]
        assert f"cursor={body['next_cursor']}" in url


def test_citizen_reads_all_500_applications_page_by_page(world: World) -> None:
    client = world.client(world.citizen)
    items = follow(client, "/api/v1/applications?limit=37", 37)
    references = [a["reference"] for a in items]
    assert len(references) == ROWS and set(references) == world.references
    assert [a["updated_at"] for a in items] == sorted((a["updated_at"] for a in items), reverse=True)


def test_officer_queue_pages_keep_the_filters_and_put_undated_last(world: World) -> None:
    client = world.client(world.officer)
    first = client.get("/api/v1/applications?service_id=elderly-allowance")
    assert len(first.json()["items"]) == 50  # the default limit
    assert "service_id=elderly-allowance" in first.headers["link"]
    items = follow(client, "/api/v1/applications?service_id=elderly-allowance", 50)
    assert {a["reference"] for a in items} == world.references and len(items) == ROWS
    dues = [a["due_date"] for a in items]
    dated = [d for d in dues if d is not None]
    assert dues == dated + [None] * (ROWS - len(dated)) and dated == sorted(dated)
    assert len(follow(client, "/api/v1/applications?limit=200", 200)) == ROWS  # 200, 200, 100


def test_inbox_pages_reach_every_message(world: World) -> None:
    client = world.client(world.citizen)
    items = follow(client, "/api/v1/me/inbox?limit=200", 200)
    ids = [m["id"] for m in items]
    assert len(ids) == ROWS and len(set(ids)) == ROWS and ids == sorted(ids, reverse=True)


@pytest.mark.parametrize("limit", ["0", "201", "-5", "100000"])
def test_a_limit_out_of_range_is_refused_in_both_languages(world: World, limit: str) -> None:
    thai = world.client(world.citizen).get(f"/api/v1/applications?limit={limit}")
    assert thai.status_code == 422
    assert thai.json()["error"] == "invalid_limit" and "1 ถึง 200" in thai.json()["message"]
    english = world.client(world.citizen, **{"Accept-Language": "en"}).get(f"/api/v1/me/inbox?limit={limit}")
    assert english.status_code == 422 and english.json()["message"] == "limit must be between 1 and 200."


def test_a_limit_that_is_not_a_number_is_refused(world: World) -> None:
    response = world.client(world.citizen).get("/api/v1/applications?limit=many")
    assert response.status_code == 422 and "limit" in response.json()["fields"]


@pytest.mark.parametrize("cursor", [
    "garbage",                                       # not base64 of JSON
    "WzEsMiwzXQ",                                    # [1,2,3]: three values for a two-column order
    "eyJhIjoxfQ",                                    # {"a":1}
    "WyIyMDI2LTA0LTEwVDAwOjAwOjAwKzAwOjAwIiwxXQ",   # a timestamp where the queue sorts by date
    "x" * 600,                                       # too long to be ours
])
def test_a_tampered_cursor_is_refused(world: World, cursor: str) -> None:
    client = world.client(world.officer)
    response = client.get(f"/api/v1/applications?cursor={cursor}")
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "invalid_cursor" and "cursor" in response.json()["message"]
    page = client.get(f"/officer/queue?cursor={cursor}", headers={"Accept": "text/html"})
    assert page.status_code == 400 and "text/html" in page.headers["content-type"]


def _html_next(html: str) -> str | None:
    found = re.search(r'<a href="([^"]+)" rel="next">', html)
    return found[1].replace("&amp;", "&") if found else None


def test_html_queue_links_to_the_next_page_until_every_row_is_shown(world: World) -> None:
    client = world.client(world.officer)
    url: str | None = "/officer/queue?limit=200"
    shown: list[str] = []
    while url is not None:
        response = client.get(url)
        assert response.status_code == 200
        page = re.findall(r'<a href="/applications/(PG\d{5})">', response.text)
        assert len(page) <= 200
        shown += page
        url = _html_next(response.text)
    assert len(shown) == ROWS and set(shown) == world.references


def test_html_next_link_is_a_real_link_in_thai_and_english(world: World) -> None:
    thai = world.client(world.citizen).get("/me")
    assert thai.status_code == 200
    assert re.search(r'<a href="/me\?cursor=[\w-]+" rel="next">หน้าถัดไป', thai.text)
    assert thai.text.count("/applications/PG") == 50
    english = world.client(world.citizen, **{"Accept-Language": "en"}).get("/me?limit=10")
    assert re.search(r'<a href="/me\?limit=10&amp;cursor=[\w-]+" rel="next">Next page', english.text)
    last = world.client(world.citizen).get("/me?limit=200")
    for _ in range(2):
        nxt = _html_next(last.text)
        assert nxt is not None
        last = world.client(world.citizen).get(nxt)
    assert 'rel="next"' not in last.text  # the third page of 200 is the last


def test_html_inbox_marks_only_the_shown_page_read(world: World) -> None:
    client = world.client(world.citizen)
    assert client.get("/inbox?limit=10").status_code == 200
    with world.app.state.pracha.db.sessions() as db:
        read = db.scalars(select(InboxMessage.id).where(InboxMessage.read_at.is_not(None))).all()
    assert len(read) == 10


def test_every_list_in_the_openapi_is_an_envelope(world: World) -> None:
    schema = world.app.openapi()
    paths: Callable[[str], dict[str, Any]] = lambda p: schema["paths"][p]["get"]  # noqa: E731
    for path in ("/api/v1/applications", "/api/v1/me/inbox", "/api/v1/tokens", "/api/v1/me/consents",
                 "/api/v1/me/data-tracker", "/api/v1/exchange/clients", "/api/v1/exchange/services",
                 "/api/v1/exchange/access-rights"):
        operation = paths(path)
        names = {p["name"]: p for p in operation["parameters"]}
        assert names["limit"]["schema"]["maximum"] == 200 and names["limit"]["schema"]["default"] == 50
        assert "cursor" in names
        ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        body = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
        assert set(body["properties"]) == {"items", "next_cursor"}, path
