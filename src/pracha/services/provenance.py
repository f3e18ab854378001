"""Where a form value came from: a registry (once-only prefill) or the citizen, and whether the
citizen corrected a prefilled value where the law allows it (`x-prefill: {…, editable: true}`, the
actual residence of a residence certificate).

The prefilled value travels in the form as a sealed hidden field (`<name>__registry`: the value and
its source, HMAC-signed with the app's secret for this citizen and field), so the server knows what
the registry said without calling it again, and a citizen cannot pass a value of their own off as
the registry's. The application keeps the marks (`Application.prefill`), never the values:

    {"current_address": {"source": {"th": "กรมการปกครอง …", "en": "…"}, "changed": true}}
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from pracha.services.errors import FormInvalid

SUFFIX = "__registry"
Mark = dict[str, Any]  # {"source": {"th", "en"}, "changed": bool}


def _mac(secret: str, payload: bytes) -> str:
    return hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()


def seal(secret: str, user_id: int, name: str, value: Any, source: dict[str, str]) -> str:
    payload = json.dumps([user_id, name, value, source], ensure_ascii=False, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(payload).decode().rstrip("=") + "." + _mac(secret, payload)


def unseal(secret: str, user_id: int, name: str, token: object) -> tuple[Any, dict[str, str]] | None:
    """The registry's value and source sealed in `token` for this citizen and field, or None."""
    if not isinstance(token, str) or token.count(".") != 1 or len(token) > 8000:
        return None
    body, mac = token.split(".")
    try:
        payload = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        owner, field, value, source = json.loads(payload)
    except (ValueError, TypeError):
        return None
    if not hmac.compare_digest(mac, _mac(secret, payload)) or owner != user_id or field != name:
        return None
    return value, source


def carried(schema: dict[str, Any], raw: dict[str, Any], secret: str, user_id: int) -> dict[str, dict[str, Any]]:
    """The sealed prefill of each field, as the form sent it back: {name: {token, value, source}}."""
    found: dict[str, dict[str, Any]] = {}
    for name in schema.get("properties", {}):
        token = raw.get(name + SUFFIX)
        opened = unseal(secret, user_id, name, token)
        if opened is not None:
            found[name] = {"token": token, "value": opened[0], "source": opened[1]}
    return found


def sealed(values: dict[str, Any], sources: dict[str, dict[str, str]], secret: str, user_id: int
           ) -> dict[str, dict[str, Any]]:
    """What a fresh prefill puts in the form: {name: {token, value, source}}."""
    return {name: {"token": seal(secret, user_id, name, values[name], source), "value": values[name],
                   "source": source} for name, source in sources.items() if name in values}


def marks(schema: dict[str, Any], data: dict[str, Any], registry: dict[str, dict[str, Any]]) -> dict[str, Mark]:
    """The marks of a new application; a changed value where the catalogue does not allow it is refused."""
    props = schema.get("properties", {})
    result: dict[str, Mark] = {}
    for name, found in registry.items():
        changed = data.get(name) != found["value"]
        spec = props.get(name, {}).get("x-prefill")
        if changed and not (isinstance(spec, dict) and spec.get("editable")):
            problem = {"th": "ข้อมูลช่องนี้มาจากทะเบียนของรัฐและแก้ไขที่นี่ไม่ได้",
                       "en": "This comes from government records and cannot be changed here."}
            raise FormInvalid(fields={name: problem})
        result[name] = {"source": found["source"], "changed": changed}
    return result


def after_update(current: dict[str, Mark] | None, before: dict[str, Any], after: dict[str, Any]
                 ) -> dict[str, Mark] | None:
    """Marks after the citizen edits a draft: a registry value edited now counts as changed."""
    if not current:
        return current
    return {name: {**mark, "changed": bool(mark.get("changed")) or before.get(name) != after.get(name)}
            for name, mark in current.items()}
