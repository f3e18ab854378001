"""Display settings (text size, high contrast, reduced motion): the form on every page, the cookie that
remembers them, the attributes the server puts on <html>, and a way back that never leaves the site."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from pracha.http.display import DISPLAY_COOKIE, Display, parse_display, same_site_path
from tests.factories import create_citizen, csrf_token, sign_in


def save(client: TestClient, **form: str) -> tuple[int, str, str]:
    form.setdefault("csrf_token", csrf_token(client))
    response = client.post("/settings/display", data=form)
    return response.status_code, response.headers.get("location", ""), response.headers.get("set-cookie", "")


def html_tag(page: str) -> str:
    match = re.search(r"<html[^>]*>", page)
    assert match
    return match.group(0)


def test_every_page_offers_the_settings_in_thai_first(client: TestClient) -> None:
    for path in ("/", "/services", "/signin", "/ledger", "/no-such-page"):
        page = client.get(path).text
        assert '<form method="post" action="/settings/display"' in page, path
        assert "การแสดงผล" in page and "ขนาดตัวอักษร" in page and "ความคมชัดสูง" in page and "ลดการเคลื่อนไหว" in page
    english = client.get("/services?lang=en").text
    assert "Text size" in english and "High contrast" in english and "Reduce motion" in english
    assert 'name="back" value="/services"' in client.get("/services?lang=th").text.replace("?lang=th", "")


def test_saved_settings_are_a_long_lived_lax_cookie_and_go_on_html(client: TestClient) -> None:
    status, location, cookie = save(client, text="150", contrast="high", motion="reduce", back="/services?q=x")
    assert status == 303 and location == "/services?q=x"
    assert cookie.startswith(f"{DISPLAY_COOKIE}=") and "Max-Age=31536000" in cookie
    assert "samesite=lax" in cookie.lower() and "Path=/" in cookie
    tag = html_tag(client.get("/services").text)  # the cookie sticks in the client
    assert 'data-text="150"' in tag and 'data-contrast="high"' in tag and 'data-motion="reduce"' in tag
    page = client.get("/").text
    assert 'value="150" id="display-text-150" checked' in page and 'id="display-contrast" checked' in page
    # back to the defaults: unchecked boxes are not sent
    status, _, _ = save(client, text="100", back="/")
    assert status == 303 and html_tag(client.get("/").text) == '<html lang="th">'


@pytest.mark.parametrize("back", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "\\\\evil.example",
                                  "javascript:alert(1)", "/ok\r\nSet-Cookie: x=1", "", "services", "http:/evil"])
def test_finding_open_redirect_the_way_back_stays_on_the_site(client: TestClient, back: str) -> None:
    status, location, _ = save(client, text="125", back=back)
    assert status == 303 and location == "/"


def test_bad_values_fall_back_to_the_defaults_never_an_error(client: TestClient) -> None:
    status, _, cookie = save(client, text="9999", contrast="<script>", motion="x" * 16)
    assert status == 303 and f"{DISPLAY_COOKIE}=text:100|contrast:normal|motion:normal;" in cookie
    client.cookies.set(DISPLAY_COOKIE, "text:abc||contrast:high:1|garbage")
    assert client.get("/").status_code == 200
    assert save(client, text="1" * 50)[0] == 422  # too long for a size: refused like any other bad form
    assert parse_display("text:175|contrast:high|motion:reduce") == Display(175, True, True)
    assert parse_display('"text:200"') == Display(200)
    assert parse_display(None) == Display() and parse_display("text:-1|contrast:HIGH") == Display()


def test_the_form_needs_its_csrf_token(client: TestClient) -> None:
    csrf_token(client)  # the CSRF cookie exists, but the form does not carry the token
    response = client.post("/settings/display", data={"text": "200", "back": "/"})
    assert response.status_code == 403 and DISPLAY_COOKIE not in response.headers.get("set-cookie", "")


def test_settings_page_without_javascript_and_for_a_signed_in_citizen(client: TestClient, db: Session) -> None:
    page = client.get("/settings/display", params={"back": "/services"})
    assert page.status_code == 200 and "ตั้งค่าการแสดงผล" in page.text
    assert 'href="/services"' in page.text and 'id="page-text-200"' in page.text  # ids unique beside the header's
    assert 'href="//evil' not in client.get("/settings/display", params={"back": "//evil.example"}).text
    citizen = create_citizen(db)
    sign_in(db, client, citizen)
    status, location, _ = save(client, text="200", back="/me")
    assert status == 303 and location == "/me"
    assert 'data-text="200"' in html_tag(client.get("/me").text)


def test_same_site_path() -> None:
    assert same_site_path("/services/elderly-allowance?lang=en#x") == "/services/elderly-allowance?lang=en#x"
    assert same_site_path("/%2F%2Fevil.example") == "/%2F%2Fevil.example"  # a path here, not a host
    assert same_site_path(None, "/me") == "/me" and same_site_path("///evil", "/") == "/"
