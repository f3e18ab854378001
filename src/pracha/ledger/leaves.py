"""The public leaf and its private opening (leaf format 2). Pure: imports only `canonical` of ours.

A format-2 leaf, RFC 8785 canonical JSON, shows the public only
    {"v": 2, "category": "sealed", "time": "2026-11-25", "commitment": "hmac-sha256:<64 hex>"}
for an entry about a person (every such leaf has the same length and the same fields but the
commitment), or, for the few kinds meant to be public (`is_public`: the log's own format markers,
OIDC clients, exchange access rights, tallies, agency and key events, published open-data files), the
kind as its category and its object: {"v": 2, "category": "oidc.client.registered", "object": "oidc-client:c_...", ...}.

The commitment is HMAC-SHA-256 keyed with a fresh random 32-byte salt per entry over the canonical
private statement {"v", "kind", "time" (exact), "actor", "object", "digest", "subject"}, where
`digest` and `subject` are keyed with the subject's key as in format 1. Without the salt the
commitment is a random-looking value: two entries of one person share nothing a reader can see.
The salt and the statement together are the *opening*: the receipt holder gets it and can show what
the entry says; the auditor reads them from the database and re-derives every commitment.

Format 1 (every entry recorded before the `ledger.format` marker of format 2) stays in the log as it
was written, because the log is append-only. Each format-1 leaf shows in clear the kind (the action or
decision), the exact time, the actor (`user:N`, the internal account number of a citizen or officer;
`bot:<agency>`, `token:N`, `subsystem:<client>`), the object (`application:<reference>`, whose prefix
names the service; `certificate:<id>`; `exchange:<message reference>`; `oidc-client:<id>`...), and
`subject` = HMAC(subject key, national ID), the same in every entry of one person while the key
exists: a reader can link a person's format-1 entries to each other (never to the national ID itself
without the key). Erasing the person's key leaves the `subject` values equal to each other but no
longer checkable against anyone.
"""

from __future__ import annotations

import datetime as dt
import functools
import hmac
import json
from collections.abc import Callable, Mapping
from typing import Any

from pracha.ledger import canonical

VERSION = 2
SEALED = "sealed"
FORMAT_KIND = "ledger.format"
PUBLIC_PREFIXES = ("ledger.", "oidc.client.", "exchange.access.", "tally.", "agency.", "key.", "opendata.")
PRIVATE_FIELDS = ("v", "kind", "time", "actor", "object", "digest", "subject")


def is_public(kind: str) -> bool:
    """Kinds about no person, readable and countable by everyone."""
    return kind.startswith(PUBLIC_PREFIXES)


@functools.lru_cache(maxsize=256)  # entries recorded together share their time
def exact_time(time: dt.datetime) -> str:
    return time.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@functools.lru_cache(maxsize=256)
def coarse_time(time: dt.datetime) -> str:
    """The day (UTC) only: many entries share it."""
    return time.astimezone(dt.UTC).strftime("%Y-%m-%d")


_string = json.encoder.encode_basestring  # the C escaper of json.dumps: RFC 8785's escapes for a string


def _json(value: str | None) -> str:
    return "null" if value is None else _string(value)


def _utf8(text: str, fields: Callable[[], dict[str, Any]]) -> bytes:
    """The text's bytes; a lone surrogate (not Unicode, so not JSON) gets rfc8785's error from `canonical`."""
    try:
        return text.encode()
    except UnicodeEncodeError:
        return canonical.dumps(fields())


def statement(kind: str, *, actor: str, obj: str, digest: str | None, subject: str | None,
              time: dt.datetime) -> bytes:
    """The private statement an entry commits to, as canonical JSON (written out in RFC 8785's key order)."""
    text = (f'{{"actor":{_json(actor)},"digest":{_json(digest)},"kind":{_json(kind)},"object":{_json(obj)},'
            f'"subject":{_json(subject)},"time":"{exact_time(time)}","v":{VERSION}}}')
    return _utf8(text, lambda: {"v": VERSION, "kind": kind, "time": exact_time(time), "actor": actor, "object": obj,
                                "digest": digest, "subject": subject})


def commitment(salt: bytes, body: bytes) -> str:
    return "hmac-sha256:" + hmac.digest(salt, body, "sha256").hex()


def public_leaf(kind: str, obj: str, *, salt: bytes, body: bytes, time: dt.datetime) -> bytes:
    public = is_public(kind)
    category, sealed = (kind if public else SEALED), commitment(salt, body)
    shown = f',"object":{_json(obj)}' if public else ""
    text = (f'{{"category":{_json(category)},"commitment":"{sealed}"{shown},'
            f'"time":"{coarse_time(time)}","v":{VERSION}}}')
    return _utf8(text, lambda: {"v": VERSION, "category": category, "time": coarse_time(time), "commitment": sealed,
                                **({"object": obj} if public else {})})


def version_of(leaf: Mapping[str, Any]) -> int:
    version = leaf.get("v")
    return version if isinstance(version, int) else 0


def category_of(leaf: Mapping[str, Any]) -> str:
    """What the public may count: a format-2 leaf's category, a format-1 leaf's kind."""
    value = leaf.get("category") if version_of(leaf) >= VERSION else leaf.get("kind")
    return str(value) if value is not None else "unknown"


class OpeningInvalid(ValueError):
    """The salt and statement do not open this leaf."""


def open_leaf(leaf_bytes: bytes, salt: bytes, body: bytes) -> dict[str, Any]:
    """The statement a format-2 leaf commits to, checked: the commitment is re-derived, the statement is
    canonical and agrees with what the leaf shows. Raises OpeningInvalid."""
    try:
        leaf, stated = json.loads(leaf_bytes), json.loads(body)
    except ValueError as exc:
        raise OpeningInvalid("not JSON") from exc
    if not isinstance(leaf, dict) or not isinstance(stated, dict) or version_of(leaf) != VERSION:
        raise OpeningInvalid("not a format-2 leaf")
    if canonical.dumps(stated) != body or tuple(sorted(stated)) != tuple(sorted(PRIVATE_FIELDS)):
        raise OpeningInvalid("the statement is not canonical")
    if not hmac.compare_digest(str(leaf.get("commitment", "")), commitment(salt, body)):
        raise OpeningInvalid("the commitment does not match")
    kind = str(stated["kind"])
    expected = kind if is_public(kind) else SEALED
    if leaf.get("category") != expected or str(stated["time"])[:10] != leaf.get("time"):
        raise OpeningInvalid("the statement contradicts the leaf")
    if is_public(kind) and leaf.get("object") != stated["object"]:
        raise OpeningInvalid("the statement contradicts the leaf")
    return stated
