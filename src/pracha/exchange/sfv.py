"""Structured Field Values (RFC 8941), the part HTTP Message Signatures use: dictionaries, lists, inner
lists, items with parameters; integers, strings, tokens, byte sequences, booleans (no decimals, no
dates, no display strings). Pure: the standard library only. Checked against the httpwg
structured-field-tests vectors (tests/exchange/test_sfv_vectors.py).

    parse_dictionary(text, what="dictionary") -> dict[str, Item | InnerList]
    parse_list(text, what="list") -> list[Item | InnerList]
    parse_item(text, what="item") -> Item
    serialize_item(item) / serialize_inner_list(inner) / serialize_member(member) / serialize_bare(value)
    serialize_dictionary(members) / serialize_list(members)

Anything malformed raises `SfvError("malformed <what>: <why>")`. The parser matches each value with one
compiled regular expression from the current position (a character-at-a-time parser cost more than the
Ed25519 arithmetic of a signature).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from dataclasses import dataclass


class SfvError(ValueError):
    """A structured field that does not parse or a value that cannot be serialized."""


class Token(str):
    """An SF token (unquoted), as opposed to an SF string."""


Bare = int | str | bytes | bool  # str includes Token


@dataclass(frozen=True)
class Item:
    value: Bare
    params: dict[str, Bare]


@dataclass(frozen=True)
class InnerList:
    items: list[Item]
    params: dict[str, Bare]


Member = Item | InnerList

_KEY = re.compile(r"[a-z*][a-z0-9_\-.*]*")
_INTEGER = re.compile(r"-?([0-9]+)")
_STRING = re.compile(r'"((?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\["\\])*)"')
_TOKEN = re.compile(r"[A-Za-z*][!#$%&'*+\-.^_`|~:/0-9A-Za-z]*")
_BYTES = re.compile(r":([A-Za-z0-9+/=]*):")
_OWS = re.compile(r"[ \t]*")
_SP = re.compile(r" *")
_ESCAPE = re.compile(r"\\([\"\\])")


class _Parser:
    __slots__ = ("text", "at", "end", "what")

    def __init__(self, text: str, what: str) -> None:
        self.text = text.strip(" ")
        self.at, self.end, self.what = 0, len(self.text), what

    def fail(self, why: str) -> SfvError:
        return SfvError(f"malformed {self.what}: {why}")

    def dictionary(self) -> dict[str, Member]:
        out: dict[str, Member] = {}
        text = self.text
        while self.at < self.end:
            key = self.key()
            if text.startswith("=", self.at):
                self.at += 1
                out[key] = self.member()
            else:
                out[key] = Item(True, self.params())
            if not self.comma():
                break
        return out

    def comma(self) -> bool:
        """After a member: False at the end of the field, else step past the comma and its spaces."""
        self.at = _OWS.match(self.text, self.at).end()  # type: ignore[union-attr]
        if self.at == self.end:
            return False
        if self.text[self.at] != ",":
            raise self.fail("expected a comma")
        self.at = _OWS.match(self.text, self.at + 1).end()  # type: ignore[union-attr]
        if self.at == self.end:
            raise self.fail("trailing comma")
        return True

    def field_list(self) -> list[Member]:
        out: list[Member] = []
        while self.at < self.end:
            out.append(self.member())
            if not self.comma():
                break
        return out

    def member(self) -> Member:
        text = self.text
        if not text.startswith("(", self.at):
            return self.item()
        self.at += 1
        items: list[Item] = []
        while True:
            self.at = _SP.match(text, self.at).end()  # type: ignore[union-attr]
            if text.startswith(")", self.at):
                self.at += 1
                return InnerList(items, self.params())
            items.append(self.item())
            if self.at >= self.end or text[self.at] not in " )":
                raise self.fail("bad inner list")

    def item(self) -> Item:
        value = self.bare()
        return Item(value, self.params() if self.text.startswith(";", self.at) else {})

    def params(self) -> dict[str, Bare]:
        out: dict[str, Bare] = {}
        text = self.text
        while text.startswith(";", self.at):
            self.at = _SP.match(text, self.at + 1).end()  # type: ignore[union-attr]
            key = self.key()
            if text.startswith("=", self.at):
                self.at += 1
                out[key] = self.bare()
            else:
                out[key] = True
        return out

    def key(self) -> str:
        match = _KEY.match(self.text, self.at)
        if match is None:
            raise self.fail("bad key")
        self.at = match.end()
        return match.group()

    def bare(self) -> Bare:
        text, at = self.text, self.at
        char = text[at] if at < self.end else ""
        if char == "-" or "0" <= char <= "9":
            match = _INTEGER.match(text, at)
            if match is None or len(match.group(1)) > 15 or text.startswith(".", match.end()):
                raise self.fail("bad integer")
            self.at = match.end()
            return int(match.group())
        if char == '"':
            match = _STRING.match(text, at)
            if match is None:
                raise self.fail(self._string_problem())
            self.at = match.end()
            value = match.group(1)
            return _ESCAPE.sub(r"\1", value) if "\\" in value else value
        if char == ":":
            match = _BYTES.match(text, at)
            if match is None:
                raise self.fail("bad byte sequence")
            self.at = match.end()
            try:
                return base64.b64decode(match.group(1), validate=True)
            except (binascii.Error, ValueError):
                raise self.fail("bad base64") from None
        if char == "?":
            if text[at + 1:at + 2] not in ("0", "1"):
                raise self.fail("bad boolean")
            self.at = at + 2
            return text[at + 1] == "1"
        match = _TOKEN.match(text, at)
        if match is None:
            raise self.fail("bad value")
        self.at = match.end()
        return Token(match.group())

    def _string_problem(self) -> str:
        """Why a string did not match (for the message only)."""
        at = self.at + 1
        while at < self.end:
            char = self.text[at]
            if char == '"':
                break
            if char == "\\":
                if self.text[at + 1:at + 2] not in ('"', "\\"):
                    return "bad escape"
                at += 2
                continue
            if not " " <= char <= "~":
                return "bad character in string"
            at += 1
        return "unterminated string"


def parse_dictionary(text: str, what: str = "dictionary") -> dict[str, Member]:
    return _Parser(text, what).dictionary()


def parse_list(text: str, what: str = "list") -> list[Member]:
    return _Parser(text, what).field_list()


def parse_item(text: str, what: str = "item") -> Item:
    parser = _Parser(text, what)
    item = parser.item()
    if parser.at != parser.end:
        raise parser.fail("trailing characters")
    return item


_PRINTABLE = re.compile(r"[\x20-\x7e]*")


def serialize_bare(value: Bare) -> str:
    if value is True:
        return "?1"
    if value is False:
        return "?0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, bytes):
        return ":" + base64.b64encode(value).decode("ascii") + ":"
    if isinstance(value, Token):
        return str(value)
    if _PRINTABLE.fullmatch(value) is None:
        raise SfvError("strings in signature parameters must be printable ASCII")
    if "\\" in value or '"' in value:
        value = value.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + value + '"'


def serialize_params(params: Mapping[str, Bare]) -> str:
    if not params:
        return ""
    return "".join(f";{k}" if v is True else f";{k}={serialize_bare(v)}" for k, v in params.items())


def serialize_item(item: Item) -> str:
    return serialize_bare(item.value) + serialize_params(item.params)


def serialize_inner_list(inner: InnerList) -> str:
    return "(" + " ".join(serialize_item(i) for i in inner.items) + ")" + serialize_params(inner.params)


def serialize_member(member: Member) -> str:
    return serialize_inner_list(member) if isinstance(member, InnerList) else serialize_item(member)


def serialize_dictionary(members: Mapping[str, Member]) -> str:
    """Members whose value is an item of True are written as the bare key, as RFC 8941 4.1.2 says."""
    return ", ".join(
        key + serialize_params(member.params) if isinstance(member, Item) and member.value is True
        else f"{key}={serialize_member(member)}"
        for key, member in members.items()
    )


def serialize_list(members: list[Member]) -> str:
    return ", ".join(serialize_member(m) for m in members)
