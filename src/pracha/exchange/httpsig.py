"""HTTP Message Signatures (RFC 9421) with Ed25519, and Content-Digest (RFC 9530, sha-256). Pure: only
the standard library and `cryptography`.

    sign_request(method, url, headers, body, *, key_id, key, created=None, label="sig1", nonce=None)
        -> dict[str, str]   the headers to add: Content-Digest, Signature-Input, Signature. Covers
                            "@method" "@target-uri" "content-digest" and every x-road-* header present.
    verify_request(method, url, headers, body, *, resolve_key, max_age=300, now=None, label=None)
        -> str              the verified keyid
    sign_response(status, headers, body, *, key_id, key, request_headers=None, created=None,
                  label="sig1", nonce=None) -> dict[str, str]
                            covers "@status" "content-digest", every x-road-* header present (x-road-id),
                            and, given the request's headers with a readable signature, that signature
                            ("signature";req;key="<its label>"), binding the answer to the question.
                            (The contract's `request_signature_input` is this `request_headers`.)
    verify_response(status, headers, body, *, resolve_key, request_headers=None, max_age=300,
                    now=None, label=None) -> str
                            the verified keyid; given request_headers with a readable signature, the
                            response must cover that signature.
    content_digest(body) -> str            'sha-256=:<base64>:'
    asgi_target_uri(scope) -> str          the @target-uri a server saw (raw path, Host header)

`headers` is any mapping or sequence of (name, value) pairs (httpx and Starlette headers work; a
repeated field is combined with ", "). `resolve_key(keyid) -> Ed25519PublicKey | None`. `created`
and `now` are Unix seconds. Anything wrong -- no or malformed signature headers, unknown key, a
required component not covered or missing, a tampered header or body, `created` older than
`max_age` or more than CLOCK_SKEW seconds ahead, `expires` passed, another `alg` -- raises
`SignatureError(reason)` and nothing else. The lower level, `Message` + `sign_message` /
`verify_message`, signs any covered components (tests use it for RFC 9421 Appendix B.2.6). Structured-field parsing
and serialising live in `exchange/sfv.py` (re-exported here).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from pracha.exchange import sfv
from pracha.exchange.sfv import Bare, InnerList, Item, Member, Token, serialize_item, serialize_member

__all__ = ["ALG", "CLOCK_SKEW", "Bare", "InnerList", "Item", "Member", "Message", "SignatureError", "Token",
           "Verified", "asgi_target_uri", "content_digest", "fields_of", "parse_dictionary", "parse_item",
           "serialize_inner_list", "serialize_item", "serialize_member", "sign_message", "sign_request",
           "sign_response", "signature_base", "verify_message", "verify_request", "verify_response"]

CLOCK_SKEW = 60  # seconds a signature's `created` may be ahead of our clock
ALG = "ed25519"
Headers = Mapping[str, str] | Iterable[tuple[str, str]]
KeyResolver = Callable[[str], Ed25519PublicKey | None]


class SignatureError(ValueError):
    """The message is not signed as required; `reason` says why (for logs and 401 bodies)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Message:
    fields: dict[str, list[str]]  # lower-case name -> its field lines' values
    method: str | None = None
    url: str | None = None
    status: int | None = None
    request: Message | None = None


@dataclass(frozen=True)
class Verified:
    keyid: str
    label: str
    created: int
    covered: tuple[str, ...] = field(default=())  # serialized component identifiers


def fields_of(headers: Headers) -> dict[str, list[str]]:
    pairs: Iterable[Any]
    if hasattr(headers, "multi_items"):
        pairs = headers.multi_items()
    elif isinstance(headers, Mapping):
        pairs = headers.items()
    else:
        pairs = headers
    out: dict[str, list[str]] = {}
    for name, value in pairs:
        name = name.decode("latin-1") if isinstance(name, bytes) else str(name)
        value = value.decode("latin-1") if isinstance(value, bytes) else str(value)
        out.setdefault(name.lower(), []).append(value)
    return out


def content_digest(body: bytes) -> str:
    return "sha-256=:" + base64.b64encode(hashlib.sha256(body).digest()).decode("ascii") + ":"


def asgi_target_uri(scope: Mapping[str, Any]) -> str:
    host = next((v.decode("latin-1") for k, v in scope.get("headers", ()) if k == b"host"), None)
    if host is None:
        server = scope.get("server") or ("localhost", None)
        host = server[0] if server[1] is None else f"{server[0]}:{server[1]}"
    path = scope.get("raw_path") or scope.get("path", "/").encode("utf-8")
    query = scope.get("query_string", b"")
    uri = f"{scope.get('scheme', 'http')}://{host}{path.decode('latin-1')}"
    return uri + ("?" + query.decode("latin-1") if query else "")


# ---- Structured Field Values (RFC 8941): exchange/sfv.py; its errors become SignatureError here ----

def parse_dictionary(text: str, what: str = "dictionary") -> dict[str, Member]:
    try:
        return sfv.parse_dictionary(text, what)
    except sfv.SfvError as exc:
        raise SignatureError(str(exc)) from None


def parse_item(text: str, what: str = "item") -> Item:
    try:
        return sfv.parse_item(text, what)
    except sfv.SfvError as exc:
        raise SignatureError(str(exc)) from None


def _serialize_bare(value: Bare) -> str:
    try:
        return sfv.serialize_bare(value)
    except sfv.SfvError as exc:
        raise SignatureError(str(exc)) from None


def serialize_inner_list(inner: InnerList) -> str:
    try:
        return sfv.serialize_inner_list(inner)
    except sfv.SfvError as exc:
        raise SignatureError(str(exc)) from None


# ---- the signature base (RFC 9421 section 2) ----

def _derived(name: str, message: Message) -> str:
    if name == "@status":
        if message.status is None:
            raise SignatureError("@status is only for responses")
        return str(message.status)
    if name == "@method" and message.method is not None:
        return message.method
    if message.url is None:
        raise SignatureError(f"missing component {name}")
    if name == "@target-uri":
        return message.url
    parts = urlsplit(message.url)
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    path = parts.path or "/"
    default = {"http": 80, "https": 443}.get(scheme)
    values = {"@scheme": scheme, "@path": path, "@query": "?" + parts.query,
              "@request-target": path + ("?" + parts.query if parts.query else ""),
              "@authority": host if parts.port in (None, default) else f"{host}:{parts.port}"}
    if name not in values:
        raise SignatureError(f"unsupported component {name}")
    return values[name]


def _value(component: Item, message: Message) -> str:
    name, params = component.value, component.params
    if not isinstance(name, str) or isinstance(name, Token) or name != name.lower():
        raise SignatureError("component names are lower-case strings")
    if set(params) - {"req", "key"}:
        raise SignatureError(f"unsupported component parameter on {name}")
    if params.get("req") is True:
        if message.request is None:
            raise SignatureError(f"{name};req needs the request")
        message = message.request
    if name.startswith("@"):
        if "key" in params:
            raise SignatureError(f"unsupported component parameter on {name}")
        return _derived(name, message)
    if name not in message.fields:
        raise SignatureError(f"missing component {name}")
    value = ", ".join(line.strip() for line in message.fields[name])
    if "key" not in params:
        return value
    member = parse_dictionary(value, name).get(str(params["key"]))
    if member is None:
        raise SignatureError(f"missing component {name};key={_serialize_bare(params['key'])}")
    return serialize_member(member)


def signature_base(covered: InnerList, message: Message) -> bytes:
    lines, seen = [], set()
    for component in covered.items:
        ident = serialize_item(component)
        if ident in seen:
            raise SignatureError(f"component {ident} covered twice")
        seen.add(ident)
        lines.append(f"{ident}: {_value(component, message)}")
    lines.append(f'"@signature-params": {serialize_inner_list(covered)}')
    try:
        return "\n".join(lines).encode("ascii")
    except UnicodeEncodeError:
        raise SignatureError("component values must be ASCII") from None


@lru_cache(maxsize=256)
def _component(text: str) -> Item:
    """A serialized component identifier, parsed (the same few recur on every message: cached)."""
    return parse_item(text, "component")


@lru_cache(maxsize=256)
def _ident(text: str) -> str:
    return serialize_item(_component(text))


def sign_message(message: Message, components: Sequence[str], *, key_id: str, key: Ed25519PrivateKey,
                 created: int | None = None, label: str = "sig1", alg: str | None = ALG,
                 nonce: str | None = None) -> dict[str, str]:
    """Signature-Input and Signature for `components` (serialized identifiers, e.g. '"@method"')."""
    params: dict[str, Bare] = {"created": int(time.time()) if created is None else int(created),
                                   "keyid": key_id}
    if alg is not None:
        params["alg"] = alg
    if nonce is not None:
        params["nonce"] = nonce
    covered = InnerList([_component(c) for c in components], params)
    signature = key.sign(signature_base(covered, message))
    return {"Signature-Input": f"{label}={serialize_inner_list(covered)}",
            "Signature": f"{label}={serialize_item(Item(signature, {}))}"}


def verify_message(message: Message, *, resolve_key: KeyResolver, required: Sequence[str] = (),
                   max_age: float | None = 300, now: float | None = None, label: str | None = None) -> Verified:
    inputs, signatures = _signature_headers(message.fields)
    label = label if label is not None else next(iter(inputs))
    covered, signature = inputs.get(label), signatures.get(label)
    if not isinstance(covered, InnerList) or not isinstance(signature, Item) \
            or not isinstance(signature.value, bytes):
        raise SignatureError(f"no signature labelled {label}")
    for component in covered.items:
        if not isinstance(component.value, str) or isinstance(component.value, Token):
            raise SignatureError("covered components must be strings")
    created, keyid = covered.params.get("created"), covered.params.get("keyid")
    if isinstance(created, bool) or not isinstance(created, int):
        raise SignatureError("signature has no created time")
    if not isinstance(keyid, str) or isinstance(keyid, Token):
        raise SignatureError("signature has no keyid")
    if covered.params.get("alg", ALG) != ALG:
        raise SignatureError("unsupported signature algorithm")
    now = time.time() if now is None else now
    expires = covered.params.get("expires")
    if expires is not None and (isinstance(expires, bool) or not isinstance(expires, int) or expires <= now):
        raise SignatureError("signature has expired")
    if max_age is not None and now - created > max_age:
        raise SignatureError("signature is too old")
    if created - now > CLOCK_SKEW:
        raise SignatureError("signature is from the future")
    idents = tuple(serialize_item(c) for c in covered.items)
    for needed in required:
        if _ident(needed) not in idents:
            raise SignatureError(f"signature does not cover {needed}")
    public = resolve_key(keyid)
    if public is None:
        raise SignatureError(f"unknown key {keyid}")
    base = signature_base(covered, message)
    try:
        public.verify(signature.value, base)
    except (InvalidSignature, ValueError):
        raise SignatureError("signature does not match") from None
    return Verified(keyid=keyid, label=label, created=created, covered=idents)


def _signature_headers(fields: dict[str, list[str]]) -> tuple[dict[str, Member], dict[str, Member]]:
    if "signature-input" not in fields or "signature" not in fields:
        raise SignatureError("message is not signed")
    inputs = parse_dictionary(", ".join(fields["signature-input"]), "Signature-Input")
    signatures = parse_dictionary(", ".join(fields["signature"]), "Signature")
    if not inputs:
        raise SignatureError("message is not signed")
    return inputs, signatures


def _check_digest(fields: dict[str, list[str]], body: bytes) -> None:
    if "content-digest" not in fields:
        raise SignatureError("missing component content-digest")
    digests = parse_dictionary(", ".join(fields["content-digest"]), "Content-Digest")
    sha = digests.get("sha-256")
    if not isinstance(sha, Item) or not isinstance(sha.value, bytes):
        raise SignatureError("Content-Digest has no sha-256")
    if not hmac.compare_digest(sha.value, hashlib.sha256(body).digest()):
        raise SignatureError("body does not match Content-Digest")


def _x_road(fields: Mapping[str, list[str]]) -> list[str]:
    return [f'"{name}"' for name in sorted(fields) if name.startswith("x-road-")]


# ---- requests and responses between exchange members ----

def sign_request(method: str, url: str, headers: Headers, body: bytes, *, key_id: str, key: Ed25519PrivateKey,
                 created: int | None = None, label: str = "sig1", nonce: str | None = None) -> dict[str, str]:
    fields = fields_of(headers)
    digest = content_digest(body)
    fields["content-digest"] = [digest]
    components = ['"@method"', '"@target-uri"', '"content-digest"', *_x_road(fields)]
    message = Message(fields, method=method.upper(), url=url)
    return {"Content-Digest": digest, **sign_message(message, components, key_id=key_id, key=key,
                                                      created=created, label=label, nonce=nonce)}


def verify_request(method: str, url: str, headers: Headers, body: bytes, *, resolve_key: KeyResolver,
                   max_age: float | None = 300, now: float | None = None, label: str | None = None) -> str:
    fields = fields_of(headers)
    required = ['"@method"', '"@target-uri"', '"content-digest"', *_x_road(fields)]
    message = Message(fields, method=method.upper(), url=url)
    verified = verify_message(message, resolve_key=resolve_key, required=required, max_age=max_age,
                              now=now, label=label)
    _check_digest(fields, body)
    return verified.keyid


def _request_binding(request_headers: Headers | None) -> tuple[Message | None, list[str]]:
    """The request and the component binding a response to its signature; none if it carried no
    (readable) signature -- a request refused for its signature still gets a signed answer."""
    if request_headers is None:
        return None, []
    fields = fields_of(request_headers)
    try:
        inputs, signatures = _signature_headers(fields)
    except SignatureError:
        return None, []
    label = next(iter(inputs))
    if not isinstance(signatures.get(label), Item):
        return None, []
    return Message(fields), [serialize_item(Item("signature", {"req": True, "key": label}))]


def sign_response(status: int, headers: Headers, body: bytes, *, key_id: str, key: Ed25519PrivateKey,
                  request_headers: Headers | None = None, created: int | None = None, label: str = "sig1",
                  nonce: str | None = None) -> dict[str, str]:
    fields = fields_of(headers)
    digest = content_digest(body)
    fields["content-digest"] = [digest]
    request, binding = _request_binding(request_headers)
    components = ['"@status"', '"content-digest"', *_x_road(fields), *binding]
    message = Message(fields, status=int(status), request=request)
    return {"Content-Digest": digest, **sign_message(message, components, key_id=key_id, key=key,
                                                      created=created, label=label, nonce=nonce)}


def verify_response(status: int, headers: Headers, body: bytes, *, resolve_key: KeyResolver,
                    request_headers: Headers | None = None, max_age: float | None = 300,
                    now: float | None = None, label: str | None = None) -> str:
    fields = fields_of(headers)
    request, binding = _request_binding(request_headers)
    required = ['"@status"', '"content-digest"', *_x_road(fields), *binding]
    message = Message(fields, status=int(status), request=request)
    verified = verify_message(message, resolve_key=resolve_key, required=required, max_age=max_age,
                              now=now, label=label)
    _check_digest(fields, body)
    return verified.keyid
