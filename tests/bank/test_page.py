"""The demo bank's hand page: Thai first, English with ?lang=en, a plain form taken only from itself."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from fastapi.testclient import TestClient

from pracha.bank.page import REFUSALS, WORDS
from tests.bank.conftest import BILLER, Receiver

OWN = {"Origin": "http://bank.test"}


class Labels(HTMLParser):
    """Every form control is labelled or hidden; the page says its language."""

    def __init__(self) -> None:
        super().__init__()
        self.labels: set[str] = set()
        self.controls: list[dict[str, str | None]] = []
        self.lang: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "html":
            self.lang = values.get("lang")
        if tag == "label" and values.get("for"):
            self.labels.add(str(values["for"]))
        if tag in ("input", "textarea", "select") and values.get("type") != "hidden":
            self.controls.append(values)


def check_accessible(html: str, lang: str) -> None:
    page = Labels()
    page.feed(html)
    assert page.lang == lang
    assert all(control.get("id") in page.labels for control in page.controls)
    assert "<h1>" in html


def test_without_a_payload_the_page_asks_for_one(bank: TestClient) -> None:
    page = bank.get("/pay")
    assert page.status_code == 200 and "<textarea" in page.text
    assert WORDS["paste_label"][0] in page.text and WORDS["bank"][0] in page.text
    check_accessible(page.text, "th")
    english = bank.get("/pay?lang=en")
    assert WORDS["paste_label"][1] in english.text
    check_accessible(english.text, "en")


def test_the_bill_is_shown_then_paid(bank: TestClient, receiver: Receiver) -> None:
    payload = receiver.payable("CR69-HAND01", "PHAND01")
    shown = bank.get("/pay", params={"payload": payload})
    assert shown.status_code == 200
    for text in (BILLER, "CR69-HAND01", "PHAND01", "50.00", "ชำระเงิน", 'action="/pay/confirm"'):
        assert text in shown.text
    check_accessible(shown.text, "th")
    assert receiver.validations == []  # looking is not paying
    assert "Pay" in bank.get("/pay", params={"payload": payload, "lang": "en"}).text
    done = bank.post("/pay/confirm", data={"payload": payload, "lang": "th"}, headers=OWN)
    assert done.status_code == 200
    assert WORDS["heading_paid"][0] in done.text
    transaction = re.search(r'id="transaction-id">(DB[0-9A-Z]{14})<', done.text)
    assert transaction and receiver.callbacks[0]["transaction_id"] == transaction.group(1)
    again = bank.post("/pay/confirm", data={"payload": payload, "lang": "en"}, headers=OWN)
    assert again.status_code == 409 and REFUSALS["already_paid"][1] in again.text


def test_refusals_are_said_in_words(bank: TestClient, receiver: Receiver) -> None:
    expired = receiver.payable("CR69-OLD", "POLD", {"payable": False, "reason": "expired"})
    page = bank.post("/pay/confirm", data={"payload": expired}, headers=OWN)
    assert page.status_code == 410 and REFUSALS["expired"][0] in page.text
    wrong = receiver.payable("CR69-AMT", "PAMT", {"payable": False, "reason": "amount"})
    page = bank.post("/pay/confirm", data={"payload": wrong, "lang": "en"}, headers=OWN)
    assert page.status_code == 422 and REFUSALS["wrong_amount"][1] in page.text
    bad = bank.get("/pay", params={"payload": "000201"})
    assert bad.status_code == 422 and REFUSALS["bad_payload"][0] in bad.text
    assert "missing_tag" not in bad.text and "bad_tlv" not in bad.text  # no codes shown to people
    assert receiver.callbacks == []


def test_a_confirmation_is_taken_only_from_the_bank_itself(bank: TestClient, receiver: Receiver) -> None:
    payload = receiver.payable("CR69-CSRF", "PCSRF")
    for headers in ({"Origin": "http://evil.test"}, {"Referer": "http://evil.test/pay"}, {},
                    {"Origin": "null"}, {"Referer": "http://bank.test.evil.test/pay"}):
        page = bank.post("/pay/confirm", data={"payload": payload}, headers=headers)
        assert page.status_code == 403 and REFUSALS["forbidden"][0] in page.text
    assert receiver.validations == []
    by_referer = bank.post("/pay/confirm", data={"payload": payload}, headers={"Referer": "http://bank.test/pay?x=1"})
    assert by_referer.status_code == 200


def test_the_way_back_leads_only_to_the_portal(bank: TestClient, receiver: Receiver) -> None:
    payload = receiver.payable("CR69-BACK", "PBACK")
    back = f"{receiver.url}/applications/CR69-BACK/payment"
    shown = bank.get("/pay", params={"payload": payload, "return": back})
    assert f'href="{back}"' in shown.text and WORDS["back"][0] in shown.text
    done = bank.post("/pay/confirm", data={"payload": payload, "return": back}, headers=OWN)
    assert f'href="{back}"' in done.text
    for elsewhere in ("http://evil.test/", f"{receiver.url}.evil.test/x", "javascript:alert(1)", "/pay"):
        page = bank.get("/pay", params={"payload": payload, "return": elsewhere})
        assert f'href="{elsewhere}"' not in page.text and WORDS["back"][0] not in page.text
        assert "return=" not in page.text  # not even carried through the language switch


def test_the_page_is_escaped_and_not_cached(bank: TestClient) -> None:
    page = bank.get("/pay", params={"payload": '<script>alert(1)</script>"'})
    assert "<script>alert" not in page.text and "&lt;script&gt;" in page.text
    assert page.headers["cache-control"] == "no-store"
