"""The assistant without JavaScript: the widget is a form on every page; /assistant answers it."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.factories import csrf_token


def test_widget_on_every_page_is_a_plain_form(client: TestClient) -> None:
    for path in ("/", "/services", "/services/elderly-allowance", "/signin"):
        html = client.get(path).text
        assert 'action="/assistant"' in html and 'aria-live="polite"' in html
        assert '<script src="/static/assistant.js" defer>' in html
    assert client.get("/static/assistant.js").status_code == 200


def test_form_page_answers_without_javascript(client: TestClient) -> None:
    csrf = csrf_token(client)
    response = client.post("/assistant", data={"csrf_token": csrf, "text": "จดทะเบียนร้านค้าเสียเงินเท่าไหร่"})
    assert response.status_code == 200
    assert 'href="/services/commercial-registration"' in response.text
    assert "จดทะเบียนพาณิชย์: " in response.text
    english = client.post("/assistant?lang=en", data={"csrf_token": csrf_token(client), "text": "hello"})
    assert english.status_code == 200
    assert client.post("/assistant", data={"csrf_token": csrf, "text": ""}).status_code == 422
    assert client.post("/assistant", data={"text": "แจ้งเกิด"}).status_code == 403  # no CSRF token


def test_faq_page_has_an_anchor_per_entry(client: TestClient) -> None:
    html = client.get("/assistant/faq").text
    assert 'id="elderly-allowance-documents"' in html and 'id="building-permit-planfee"' in html
