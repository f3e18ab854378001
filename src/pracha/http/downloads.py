"""`Content-Disposition` for every download, built one way: whatever the name holds (a citizen's file
name, a reference someone typed), the header stays one well-formed line.

    attachment; filename="receipt-APP-2569-000123-7.json"; filename*=UTF-8''receipt-APP-2569-000123-7.json

`filename` is an ASCII fallback (controls, quotes, backslashes, path separators and non-ASCII become
`_`); `filename*` (RFC 6266 / RFC 5987) carries the real name, percent-encoded UTF-8, for browsers
that read it. Thai names therefore download with their Thai name.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal
from urllib.parse import quote

MAX_NAME = 150
_UNSAFE_ASCII = re.compile(r"[^A-Za-z0-9._\-+()\[\] ]")
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def clean_filename(name: str, default: str = "download") -> str:
    """The name without controls, path parts or surrounding dots and spaces; `default` if nothing is left."""
    name = unicodedata.normalize("NFC", name)
    name = _CONTROLS.sub("", name).replace("/", "_").replace("\\", "_").strip(" .")
    if len(name) > MAX_NAME:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: MAX_NAME - len(ext) - 1] + dot + ext) if dot and len(ext) <= 10 else name[:MAX_NAME]
    return name or default


def content_disposition(filename: str, disposition: Literal["attachment", "inline"] = "attachment") -> str:
    """The header value for a download of `filename` (sanitised here; pass the raw name)."""
    name = clean_filename(filename)
    fallback = _UNSAFE_ASCII.sub("_", name) or "download"
    value = f'{disposition}; filename="{fallback}"'
    if fallback != name:
        value += f"; filename*=UTF-8''{quote(name, safe='')}"
    return value
