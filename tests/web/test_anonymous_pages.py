"""The catalogue for visitors nobody signed in comes from the process's page cache
(`pracha.http.anonymous_pages`): byte for byte the page an uncached render gives the same visitor, with
that visitor's own CSRF token; signed-in visitors' pages are rendered for them; the cache is bounded.
The uncached pages come from a second app on the same database and secret with the cache switched off."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import anyio.to_thread
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from pracha.config import Settings
from pracha.http.anonymous_pages import PAGES, AnonymousPages
from pracha.http.display import DISPLAY_COOKIE
from pracha.http.middleware import CSRF_COOKIE, LANG_COOKIE
from pracha.web.app import create_app
from tests.factories import create_citizen, csrf_token, sign_in

# (URL, cookies, headers) of visitors whose pages differ
VISITS: list[tuple[str, dict[str, str], dict[str, str]]] = [
    ("/services", {}, {}),
    ("/services?q=%E0%B8%9A%E0%B9%89%E0%B8%B2%E0%B8%99&audience=citizen", {}, {}),
    ("/services?q=<b>&agency=nowhere", {}, {}),
    ("/services?event=starting-a-business&lang=en", {}, {}),
    ("/services?reported=1", {}, {}),
    ("/services", {DISPLAY_COOKIE: "text:150|contrast:high|motion:reduce"}, {}),
    ("/services", {LANG_COOKIE: "en"}, {}),
    ("/services", {}, {"Accept-Language": "en-GB,en;q=0.9"}),
]
SAME_HEADERS = ("content-type", "content-length", "content-language", "cache-control")


@pytest.fixture
def uncached(settings: Settings) -> Iterator[TestClient]:
    """The same app without the page cache: every page rendered for its request."""
    reference = create_app(settings)
    reference.state.pracha.anonymous_pages = None
    with TestClient(reference, base_url="http://testserver", follow_redirects=False) as client:
        yield client
    reference.state.pracha.db.engine.dispose()


def visitor(make_client: Callable[..., TestClient], csrf_cookie: str, **cookies: str) -> TestClient:
    client = make_client()
    client.cookies.set(CSRF_COOKIE, csrf_cookie)
    for name, value in cookies.items():
        client.cookies.set(name, value)
    return client


def tokens(page: str) -> set[str]:
    return set(re.findall(r'name="csrf_token" value="([^"]*)"', page))


def pages_of(app: FastAPI) -> AnonymousPages:
    pages = app.state.pracha.anonymous_pages
    assert isinstance(pages, AnonymousPages)
    return pages


def test_cached_pages_are_byte_for_byte_the_uncached_render(
    app: FastAPI, make_client: Callable[..., TestClient], uncached: TestClient
) -> None:
    for number, (url, cookies, headers) in enumerate(VISITS):
        csrf = f"visitor-{number}"
        cached = visitor(make_client, csrf, **cookies)
        first, again = cached.get(url, headers=headers), cached.get(url, headers=headers)  # a miss, then a hit
        uncached.cookies.clear()
        for name, value in {CSRF_COOKIE: csrf, **cookies}.items():
            uncached.cookies.set(name, value)
        expected = uncached.get(url, headers=headers)
        assert expected.status_code == first.status_code == again.status_code == 200, url
        assert first.content == again.content == expected.content, url
        assert [again.headers.get(h) for h in SAME_HEADERS] == [expected.headers.get(h) for h in SAME_HEADERS]
    assert len(pages_of(app)) == len(VISITS) - 1  # English by the cookie or by Accept-Language: one page


def test_each_visitor_gets_their_own_csrf_token_and_it_works(make_client: Callable[..., TestClient]) -> None:
    first, second = visitor(make_client, "first-visitor"), visitor(make_client, "second-visitor")
    newcomer = make_client()  # no cookie yet: the response sets one, and the page's token goes with it
    found = [tokens(client.get("/services").text) for client in (first, second, first, second, newcomer)]
    assert all(len(t) == 1 for t in found)
    assert found[0] == found[2] == {csrf_token(first)} and found[1] == found[3] == {csrf_token(second)}
    assert found[0] != found[1] and found[4] == {csrf_token(newcomer)} and found[4] not in (found[0], found[1])
    token = found[0].pop()
    saved = first.post("/settings/display", data={"csrf_token": token, "text": "125", "back": "/services"})
    assert saved.status_code == 303  # the token from the cached page is accepted


def test_a_signed_in_citizens_page_is_rendered_for_them(
    app: FastAPI, db: Session, make_client: Callable[..., TestClient], uncached: TestClient
) -> None:
    anonymous = visitor(make_client, "anonymous")
    assert "ออกจากระบบ" not in anonymous.get("/services").text and len(pages_of(app)) == 1
    citizen = visitor(make_client, "citizen")
    token = sign_in(db, citizen, create_citizen(db, first_name="มานี"))
    page = citizen.get("/services").text
    assert "ออกจากระบบ (มานี)" in page and 'action="/signout"' in page and tokens(page) == {token}
    assert len(pages_of(app)) == 1  # nothing kept for them
    uncached.cookies.clear()
    for name, value in citizen.cookies.items():
        uncached.cookies.set(name, value)
    assert uncached.get("/services").text == page


def test_thai_and_english_pages_differ_by_url_or_cookie(make_client: Callable[..., TestClient]) -> None:
    client = visitor(make_client, "bilingual")
    thai = client.get("/services").text
    english = client.get("/services?lang=en").text  # sets the language cookie
    by_cookie = client.get("/services").text
    assert '<html lang="th"' in thai and "บริการภาครัฐ" in thai
    assert '<html lang="en"' in english and "Government services" in english
    assert '<html lang="en"' in by_cookie and "Government services" in by_cookie and by_cookie != thai


def test_the_cache_is_bounded(app: FastAPI, make_client: Callable[..., TestClient]) -> None:
    assert pages_of(app).size == PAGES
    app.state.pracha.anonymous_pages = pages = AnonymousPages(size=3)
    client = visitor(make_client, "crawler")
    for n in range(20):
        assert client.get("/services", params={"q": f"word{n}"}).status_code == 200
        assert len(pages) == min(n + 1, 3)


def test_the_least_recently_used_page_goes_first() -> None:
    pages = AnonymousPages(size=2)
    pages.put("one", "1")
    pages.put("two", "2")
    assert pages.get("one") == "1"  # now the latest
    pages.put("three", "3")
    assert (pages.get("one"), pages.get("two"), pages.get("three"), len(pages)) == ("1", None, "3", 2)


def test_a_cached_page_needs_no_worker_thread(
    app: FastAPI, make_client: Callable[..., TestClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    hand_offs: list[Any] = []
    run_sync = anyio.to_thread.run_sync

    async def counting(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        hand_offs.append(func)
        return await run_sync(func, *args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counting)
    client = visitor(make_client, "quick")
    client.get("/services")
    assert len(hand_offs) == 1  # the render, once
    hand_offs.clear()
    assert client.get("/services").status_code == 200 and hand_offs == []
