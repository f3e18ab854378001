"""RFC 9421 signatures: the published Ed25519 vector, round trips, and every way a message can be wrong
(each must raise SignatureError, never anything else)."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from pracha.exchange import httpsig
from pracha.exchange.httpsig import SignatureError

VECTOR = json.loads((Path(__file__).parent / "testdata" / "rfc9421_b26.json").read_text(encoding="utf-8"))
NOW = 1_800_000_000
URL = "http://127.0.0.1:8101/persons/1101700203451/address"
MEDIATOR, REGISTRY = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
KEYS = {"TH/GOV/PRACHA/mediator": MEDIATOR.public_key(), "TH/GOV/DOPA/civil-registry": REGISTRY.public_key()}
BODY = '{"house_no": "99/1", "tambon": "ศรีภูมิ"}'.encode()


def resolve(keyid: str) -> Ed25519PublicKey | None:
    return KEYS.get(keyid)


def _rfc_message() -> httpsig.Message:
    request = VECTOR["request"]
    return httpsig.Message(httpsig.fields_of([tuple(h) for h in request["headers"]]),
                           method=request["method"], url=request["url"])


def test_rfc9421_b26_signature_base_and_signature() -> None:
    key = serialization.load_pem_private_key(VECTOR["private_key_pem"].encode(), password=None)
    assert isinstance(key, Ed25519PrivateKey)
    headers = httpsig.sign_message(_rfc_message(), VECTOR["covered"], key_id=VECTOR["key_id"], key=key,
                                   created=VECTOR["created"], label=VECTOR["label"], alg=None)
    assert headers["Signature-Input"] == VECTOR["signature_input"]
    assert headers["Signature"] == VECTOR["signature"]
    inner = httpsig.parse_dictionary(VECTOR["signature_input"])[VECTOR["label"]]
    assert isinstance(inner, httpsig.InnerList)
    assert httpsig.signature_base(inner, _rfc_message()).decode() == VECTOR["signature_base"]


def test_rfc9421_b26_verifies_with_the_published_public_key() -> None:
    public = serialization.load_pem_public_key(VECTOR["public_key_pem"].encode())
    assert isinstance(public, Ed25519PublicKey)
    fields = _rfc_message().fields | {"signature-input": [VECTOR["signature_input"]],
                                      "signature": [VECTOR["signature"]]}
    message = httpsig.Message(fields, method="POST", url=VECTOR["request"]["url"])
    verified = httpsig.verify_message(message, resolve_key={VECTOR["key_id"]: public}.get, max_age=None,
                                      now=VECTOR["created"] + 1)
    assert (verified.keyid, verified.label, verified.created) == ("test-key-ed25519", "sig-b26", 1618884473)
    tampered = httpsig.Message(fields | {"date": ["Tue, 20 Apr 2021 02:07:56 GMT"]}, method="POST",
                               url=VECTOR["request"]["url"])
    with pytest.raises(SignatureError, match="does not match"):
        httpsig.verify_message(tampered, resolve_key={VECTOR["key_id"]: public}.get, max_age=None,
                               now=VECTOR["created"] + 1)


def test_content_digest_is_rfc9530_sha256() -> None:
    expected = base64.b64encode(hashlib.sha256(BODY).digest()).decode()
    assert httpsig.content_digest(BODY) == f"sha-256=:{expected}:"
    # RFC 9530 section 2's example field with two digests parses as a Dictionary of Byte Sequences
    example = ("sha-256=:d435Qo+nKZ+gLcUHn7GQtQ72hiBVAgqoLsZnZPiTGPk=:,"
               "sha-512=:YMAam51Jz/jOATT6/zvHrLVgOYTGFy1d6GJiOHTohq4yP+pgk4vf2aCsyRZOtw8MjkM7iw7yZ/WkppmM44T3qg==:")
    parsed = httpsig.parse_dictionary(example)
    assert [(k, len(v.value)) for k, v in parsed.items() if isinstance(v, httpsig.Item)
            and isinstance(v.value, bytes)] == [("sha-256", 32), ("sha-512", 64)]


def _signed_request(**overrides: Any) -> tuple[dict[str, str], bytes]:
    headers = {"X-Road-Client": "TH/GOV/PRACHA/portal", "X-Road-Id": "m-1", "Accept": "application/json"}
    options: dict[str, Any] = {"key_id": "TH/GOV/PRACHA/mediator", "key": MEDIATOR, "created": NOW} | overrides
    return headers | httpsig.sign_request("GET", URL, headers, BODY, **options), BODY


def test_request_round_trip_covers_x_road_headers() -> None:
    headers, body = _signed_request(nonce="abc")
    assert httpsig.verify_request("GET", URL, headers, body, resolve_key=resolve, now=NOW + 5) == \
        "TH/GOV/PRACHA/mediator"
    assert headers["Signature-Input"] == (
        'sig1=("@method" "@target-uri" "content-digest" "x-road-client" "x-road-id");created=1800000000'
        ';keyid="TH/GOV/PRACHA/mediator";alg="ed25519";nonce="abc"')
    assert headers["Content-Digest"] == httpsig.content_digest(BODY)


def test_response_round_trip_bound_to_the_request() -> None:
    request_headers, _ = _signed_request()
    answer = {"Content-Type": "application/json", "X-Road-Id": "m-1"}
    answer |= httpsig.sign_response(200, answer, BODY, key_id="TH/GOV/DOPA/civil-registry", key=REGISTRY,
                                    request_headers=request_headers, created=NOW)
    assert '"signature";req;key="sig1"' in answer["Signature-Input"]
    assert httpsig.verify_response(200, answer, BODY, resolve_key=resolve, request_headers=request_headers,
                                   now=NOW) == "TH/GOV/DOPA/civil-registry"
    with pytest.raises(SignatureError, match="needs the request"):
        httpsig.verify_response(200, answer, BODY, resolve_key=resolve, now=NOW)
    other_request, _ = _signed_request(created=NOW + 1)
    with pytest.raises(SignatureError, match="does not match"):
        httpsig.verify_response(200, answer, BODY, resolve_key=resolve, request_headers=other_request, now=NOW)
    with pytest.raises(SignatureError, match="does not match"):
        httpsig.verify_response(404, answer, BODY, resolve_key=resolve, request_headers=request_headers, now=NOW)
    unbound = answer | httpsig.sign_response(200, answer, BODY, key_id="TH/GOV/DOPA/civil-registry", key=REGISTRY,
                                             created=NOW)
    with pytest.raises(SignatureError, match="does not cover"):
        httpsig.verify_response(200, unbound, BODY, resolve_key=resolve, request_headers=request_headers, now=NOW)


def test_responses_to_unsigned_or_garbled_requests_are_signed_unbound() -> None:
    for request_headers in ({"X-Road-Id": "m-1"}, {"X-Road-Id": "m-1", "Signature-Input": "sig1=(", "Signature": "x"},
                            {"X-Road-Id": "m-1", "Signature-Input": 'sig1=("@method");created=1;keyid="k"',
                             "Signature": "other=:AAAA:"}):
        answer = {"X-Road-Id": "m-1"}
        answer |= httpsig.sign_response(401, answer, b"{}", key_id="TH/GOV/DOPA/civil-registry", key=REGISTRY,
                                        request_headers=request_headers, created=NOW)
        assert "req" not in answer["Signature-Input"]
        assert httpsig.verify_response(401, answer, b"{}", resolve_key=resolve, request_headers=request_headers,
                                       now=NOW) == "TH/GOV/DOPA/civil-registry"


def test_httpx_and_starlette_headers_are_accepted() -> None:
    import httpx
    from starlette.datastructures import Headers

    headers, body = _signed_request()
    assert httpsig.verify_request("GET", URL, httpx.Headers(headers), body, resolve_key=resolve, now=NOW)
    raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    assert httpsig.verify_request("GET", URL, Headers(raw=raw), body, resolve_key=resolve, now=NOW)


def test_asgi_target_uri_uses_the_raw_path_and_host() -> None:
    scope = {"scheme": "http", "headers": [(b"host", b"127.0.0.1:8101")], "path": "/a b",
             "raw_path": b"/a%20b", "query_string": b"x=1"}
    assert httpsig.asgi_target_uri(scope) == "http://127.0.0.1:8101/a%20b?x=1"


def _change(name: str, value: str | None) -> Callable[[dict[str, str]], dict[str, str]]:
    def change(headers: dict[str, str]) -> dict[str, str]:
        out = {k: v for k, v in headers.items() if k.lower() != name.lower()}
        return out if value is None else out | {name: value}
    return change


REFUSED: list[tuple[str, Callable[[dict[str, str]], dict[str, str]], bytes, str, float, str]] = [
    ("tampered body", lambda h: h, BODY + b" ", "GET", NOW, "Content-Digest"),
    ("tampered covered header", _change("X-Road-Client", "TH/GOV/EVIL/x"), BODY, "GET", NOW, "does not match"),
    ("added uncovered x-road header", _change("X-Road-UserId", "someone"), BODY, "GET", NOW, "does not cover"),
    ("tampered digest header", _change("Content-Digest", httpsig.content_digest(b"x")), b"x", "GET", NOW,
     "does not match"),
    ("other method", lambda h: h, BODY, "POST", NOW, "does not match"),
    ("expired created", lambda h: h, BODY, "GET", NOW + 301, "too old"),
    ("created in the future", lambda h: h, BODY, "GET", NOW - 3600, "future"),
    ("no signature", _change("Signature", None), BODY, "GET", NOW, "not signed"),
    ("no signature input", _change("Signature-Input", None), BODY, "GET", NOW, "not signed"),
    ("no content digest", _change("Content-Digest", None), BODY, "GET", NOW, "content-digest"),
    ("garbage signature input", _change("Signature-Input", "sig1=(\"@method\""), BODY, "GET", NOW, "malformed"),
    ("garbage signature", _change("Signature", "sig1=:not base64!:"), BODY, "GET", NOW, "malformed"),
    ("non-ascii header", _change("Signature-Input", "sig1=(\"ก\")"), BODY, "GET", NOW, "malformed"),
    ("signature of wrong length", _change("Signature", "sig1=:AAAA:"), BODY, "GET", NOW, "does not match"),
    ("signature label mismatch", _change("Signature", "other=:AAAA:"), BODY, "GET", NOW, "no signature labelled"),
    ("signature is a string", _change("Signature", 'sig1="x"'), BODY, "GET", NOW, "no signature labelled"),
    ("digest of another algorithm", _change("Content-Digest", "sha-512=:AAAA:"), BODY, "GET", NOW, "does not match"),
    ("trailing comma", _change("Signature", "sig1=:AAAA:,"), BODY, "GET", NOW, "malformed"),
    ("empty signature input", _change("Signature-Input", ""), BODY, "GET", NOW, "not signed"),
    ("integer overflow", _change("Signature-Input", "sig1=();created=99999999999999999"), BODY, "GET", NOW,
     "malformed"),
]


@pytest.mark.parametrize(("change", "body", "method", "now", "reason"),
                         [case[1:] for case in REFUSED], ids=[case[0] for case in REFUSED])
def test_refused_requests(change: Callable[[dict[str, str]], dict[str, str]], body: bytes, method: str,
                          now: float, reason: str) -> None:
    headers, _ = _signed_request()
    with pytest.raises(SignatureError, match=reason):
        httpsig.verify_request(method, URL, change(headers), body, resolve_key=resolve, now=now)


def test_wrong_key_and_unknown_key() -> None:
    impostor = Ed25519PrivateKey.generate()
    headers, body = _signed_request(key=impostor)
    with pytest.raises(SignatureError, match="does not match"):
        httpsig.verify_request("GET", URL, headers, body, resolve_key=resolve, now=NOW)
    headers, body = _signed_request(key_id="TH/GOV/NOBODY/x", key=impostor)
    with pytest.raises(SignatureError, match="unknown key"):
        httpsig.verify_request("GET", URL, headers, body, resolve_key=resolve, now=NOW)


def test_other_url_and_missing_components() -> None:
    headers, body = _signed_request()
    with pytest.raises(SignatureError, match="does not match"):
        httpsig.verify_request("GET", URL.replace("address", "x"), headers, body, resolve_key=resolve, now=NOW)
    message = httpsig.Message(httpsig.fields_of({}), method="GET", url=URL)
    partial = httpsig.sign_message(message, ['"@method"'], key_id="TH/GOV/PRACHA/mediator", key=MEDIATOR,
                                   created=NOW)
    with pytest.raises(SignatureError, match="does not cover"):
        httpsig.verify_request("GET", URL, partial | {"Content-Digest": httpsig.content_digest(BODY)}, BODY,
                               resolve_key=resolve, now=NOW)
    with pytest.raises(SignatureError, match="missing component date"):
        httpsig.sign_message(message, ['"date"'], key_id="k", key=MEDIATOR)
    covers_absent = httpsig.Message(httpsig.fields_of(
        {"Signature-Input": 'sig1=("date");created=1800000000;keyid="TH/GOV/PRACHA/mediator"',
         "Signature": "sig1=:AAAA:"}), method="GET", url=URL)
    with pytest.raises(SignatureError, match="missing component date"):
        httpsig.verify_message(covers_absent, resolve_key=resolve, now=NOW)


@pytest.mark.parametrize("params", [';keyid="TH/GOV/PRACHA/mediator"', ";created=1800000000",
                                    ';created=1800000000;keyid="TH/GOV/PRACHA/mediator";alg="rsa-pss-sha512"',
                                    ';created=1800000000;keyid="TH/GOV/PRACHA/mediator";expires=1700000000',
                                    ';created=?1;keyid="TH/GOV/PRACHA/mediator"',
                                    ";created=1800000000;keyid=TH"])
def test_bad_signature_parameters(params: str) -> None:
    headers, body = _signed_request()
    headers["Signature-Input"] = 'sig1=("@method" "@target-uri" "content-digest" "x-road-client" "x-road-id")' + params
    with pytest.raises(SignatureError):
        httpsig.verify_request("GET", URL, headers, body, resolve_key=resolve, now=NOW)


def test_fuzzed_headers_raise_only_signature_error() -> None:
    import random

    rng = random.Random(9421)
    headers, body = _signed_request()
    alphabet = '()";=:,*?-01 abcAZ/+ก\t\\'
    for _ in range(2000):
        name = rng.choice(["Signature-Input", "Signature", "Content-Digest"])
        text = list(headers[name])
        for _ in range(rng.randint(1, 4)):
            text[rng.randrange(len(text))] = rng.choice(alphabet)
        mangled = headers | {name: "".join(text)}
        try:
            httpsig.verify_request("GET", URL, mangled, body, resolve_key=resolve, now=NOW)
        except SignatureError:
            continue
