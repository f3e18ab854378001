"""`exchange/sfv.py` against the HTTP WG's structured-field-tests (vendored in testdata/, see its README).

Every case runs twice: parse (a `must_fail` case must raise SfvError, nothing else; a valid one must give
the expected structure) and serialise (the expected structure written back gives `canonical`, or `raw`).
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from pracha.exchange import sfv
from pracha.exchange.sfv import InnerList, Item, Member, SfvError, Token

VECTORS = Path(__file__).parent / "testdata" / "structured-field-tests"


def load_cases() -> tuple[list[Any], list[str]]:
    """The cases sfv.py speaks, and the names of those left out: sfv.py has no Decimal type (RFC 9421
    signature parameters never use one), so a case whose expected value holds one is not run."""
    cases, decimals = [], []
    for path in sorted(VECTORS.glob("*.json")):
        for index, case in enumerate(json.loads(path.read_text(encoding="utf-8"))):
            name = f"{path.stem}[{index}] {case['name']}"
            if has_decimal(case.get("expected")):
                decimals.append(name)
            else:
                cases.append(pytest.param(case, id=name))
    return cases, decimals


def has_decimal(value: Any) -> bool:
    if isinstance(value, float):
        return True
    if isinstance(value, dict):
        return any(has_decimal(v) for v in value.values())
    if isinstance(value, list):
        return any(has_decimal(v) for v in value)
    return False


CASES, DECIMAL_CASES = load_cases()


# ---- the JSON form of the vectors -> sfv's structures ----

def pairs(value: dict[str, Any] | list[list[Any]]) -> list[tuple[str, Any]]:
    """Parameters and dictionaries: a JSON object in older files, [name, value] pairs in newer ones."""
    return list(value.items()) if isinstance(value, dict) else [(k, v) for k, v in value]


def to_bare(value: Any) -> sfv.Bare:
    if isinstance(value, dict):
        if value["__type"] == "token":
            return Token(value["value"])
        if value["__type"] == "binary":
            return base64.b32decode(value["value"])
        raise AssertionError(f"unsupported __type {value['__type']}")
    return value  # type: ignore[no-any-return]


def to_member(value: list[Any]) -> Member:
    bare, params = value
    params_out = {k: to_bare(v) for k, v in pairs(params)}
    if isinstance(bare, list):
        return InnerList([to_member(i) for i in bare], params_out)  # type: ignore[misc]
    return Item(to_bare(bare), params_out)


def to_structure(header_type: str, expected: Any) -> Any:
    if header_type == "item":
        return to_member(expected)
    if header_type == "list":
        return [to_member(m) for m in expected]
    return {k: to_member(v) for k, v in pairs(expected)}


# ---- sfv's structures -> comparable values (a Token is a str, so types are written out) ----

def shape_bare(value: sfv.Bare) -> tuple[str, object]:
    if isinstance(value, bool):
        return ("boolean", value)
    if isinstance(value, int):
        return ("integer", value)
    if isinstance(value, bytes):
        return ("binary", value)
    return ("token" if isinstance(value, Token) else "string", str(value))


def shape(value: Any) -> Any:
    if isinstance(value, Item):
        return (shape_bare(value.value), [(k, shape_bare(v)) for k, v in value.params.items()])
    if isinstance(value, InnerList):
        return ([shape(i) for i in value.items], [(k, shape_bare(v)) for k, v in value.params.items()])
    if isinstance(value, dict):
        return [(k, shape(v)) for k, v in value.items()]
    return [shape(m) for m in value]


def parse(header_type: str, raw: list[str]) -> Any:
    text = ", ".join(raw)  # several field lines combine as RFC 9110 5.3 says
    if header_type == "item":
        return sfv.parse_item(text)
    if header_type == "list":
        return sfv.parse_list(text)
    return sfv.parse_dictionary(text)


def serialize(header_type: str, structure: Any) -> str:
    if header_type == "item":
        return sfv.serialize_item(structure)
    if header_type == "list":
        return sfv.serialize_list(structure)
    return sfv.serialize_dictionary(structure)


@pytest.mark.parametrize("case", CASES)
def test_parse(case: dict[str, Any]) -> None:
    if case.get("must_fail"):
        with pytest.raises(SfvError, match="^malformed "):
            parse(case["header_type"], case["raw"])
        return
    try:
        parsed = parse(case["header_type"], case["raw"])
    except SfvError:
        if case.get("can_fail"):
            return  # a SHOULD the vectors allow a parser to refuse (e.g. base64 without padding)
        raise
    assert shape(parsed) == shape(to_structure(case["header_type"], case["expected"]))


@pytest.mark.parametrize("case", [c for c in CASES if not c.values[0].get("must_fail")])
def test_serialize(case: dict[str, Any]) -> None:
    structure = to_structure(case["header_type"], case["expected"])
    assert serialize(case["header_type"], structure) == ", ".join(case.get("canonical", case["raw"]))


def test_only_decimal_cases_are_left_out() -> None:
    assert len(DECIMAL_CASES) == 17, DECIMAL_CASES  # number.json's and parameters' decimals
    assert len(CASES) == 154


def test_every_vector_file_is_exercised() -> None:
    files = {p.stem for p in VECTORS.glob("*.json")}
    assert files >= {"binary", "boolean", "dictionary", "item", "list", "number", "string", "token"}
    assert len(CASES) > 150
