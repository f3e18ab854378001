"""RFC 8785 canonical JSON, fast for what the ledger commits to. Pure: imports nothing of ours.

For strings, integers within ±2^53, booleans, null, lists and objects with ASCII keys, RFC 8785 is
exactly `json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False)` (the same escapes, with
lowercase \\u00xx; ASCII keys sort the same by UTF-16 code units as by code points), which runs in C.
Anything else (floats, whose ES6 form differs from Python's repr; non-ASCII keys; large integers; other
types) goes to the `rfc8785` package, which also raises for what JSON cannot say.
"""

from __future__ import annotations

import json
from typing import Any

import rfc8785

_SAFE_INT = 2**53 - 1
_encode = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode


def _plain(value: Any) -> bool:
    """Whether `value` is made only of what the C encoder writes exactly as RFC 8785 does."""
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is dict:
            try:
                if not "".join(item).isascii():
                    return False
            except TypeError:  # a key that is not a string
                return False
            stack.extend(item.values())
        elif kind is list or kind is tuple:
            stack.extend(item)
        elif kind is int:
            if not -_SAFE_INT <= item <= _SAFE_INT:
                return False
        elif not (kind is str or kind is bool or item is None):
            return False
    return True


def dumps(value: Any) -> bytes:
    """The RFC 8785 serialization of `value`, UTF-8 encoded (what `rfc8785.dumps` returns)."""
    if _plain(value):
        try:
            return _encode(value).encode()
        except UnicodeEncodeError:  # a lone surrogate: rfc8785 names the error
            pass
    return rfc8785.dumps(value)
