"""The rule language: tokenizer, parser, evaluator — unit cases and properties."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pracha.automation.evaluate import ERROR, FAIL, MISSING, PASS, Fact, age_on, compute, evaluate
from pracha.automation.rules import Binary, Call, ListOf, Literal, Path, RuleSyntaxError, Unary, parse, paths
from pracha.calendar import fiscal_year_end

FACTS = {
    "form": Fact({"income": 1200, "members": 4, "pension": False, "child_id": "1101700203451"}, "form"),
    "app": Fact({"submitted_on": dt.date(2026, 11, 25)}, "application"),
    "civil": Fact({"birth_date": "1955-03-14", "alive": True,
                   "address": {"amphoe": "เมืองเชียงใหม่", "local_authority": "เทศบาลนครเชียงใหม่"}},
                  "TH/GOV/DOPA/civil-registry/persons#m1"),
    "welfare": Fact({"allowances": [{"kind": "disability", "status": "paying"},
                                    {"kind": "elderly", "status": "stopped"}], "state_pension": False},
                    "TH/GOV/DLA/welfare-registry/persons#m2"),
    "land": Fact(None, "TH/GOV/DOL/land-registry/owners", problem="unavailable"),
}


def run(source: str) -> object:
    outcome = compute(parse(source), FACTS)
    assert outcome.outcome == PASS, outcome
    return outcome.value


@pytest.mark.parametrize(("source", "expected"), [
    ("1 + 2 * 3", 7), ("(1 + 2) * 3", 9), ("10 / 4", "2.5"), ("7 % 3", 1), ("-2 - -3", 1),
    ("1 < 2 and 2 <= 2", True), ("not 1 == 1 or false", False), ("not (1 > 2)", True),
    ("'b' in ['a', 'b']", True), ("3 not in [1, 2]", True), ("'ชียง' in 'เชียงใหม่'", True),
    ("age_on('1955-03-14', '2026-03-13')", 70), ("age_on('1955-03-14', '2026-03-14')", 71),
    ("age_on(date('2000-02-29'), date('2001-02-28'))", 0), ("age_on('2000-02-29', '2001-03-01')", 1),
    ("date('2026-10-01') > date('2026-09-30')", True), ("days_between('2026-11-01', '2026-11-25')", 24),
    ("fiscal_year_end('2026-11-25')", "2027-09-30"), ("fiscal_year_end('2026-09-30', 1)", "2027-09-30"),
    ("add_days('2026-12-31', 1)", "2027-01-01"), ("year(app.submitted_on)", 2026),
    ("form.income * 12 / form.members <= 100000", True), ("len(welfare.allowances)", 2),
    ("any(welfare.allowances, it.kind == 'elderly' and it.status == 'paying')", False),
    ("count(welfare.allowances, it.status == 'paying')", 1), ("all([], it > 1)", True),
    ("if(form.pension, 1, 2)", 2), ("default(form.nothing, 5)", 5), ("max(1, 3, 2)", 3),
    ("min('2026-01-02', '2025-01-01')", "2025-01-01"), ("round(2.6)", 3), ("null == null", True),
    ("civil.address.local_authority == 'เทศบาลนครเชียงใหม่'", True), ("\"a\\\"b\" + 'c'", 'a"bc'),
    ("[1, 2] == [1, 2]", True), ("1.50 == 1.5", True),
    ("add_months('2026-01-31', 1)", "2026-02-28"), ("add_months('2028-01-31', 1)", "2028-02-29"),
    ("add_months('2026-11-15', 2)", "2027-01-15"), ("add_months('2026-03-14', -720)", "1966-03-14"),
    ("month_start('2026-11-25')", "2026-11-01"),
])
def test_values(source: str, expected: object) -> None:
    assert run(source) == expected


def test_outcomes_record_values_and_sources() -> None:
    outcome = evaluate(parse("age_on(civil.birth_date, app.submitted_on) >= 60 and not form.pension"), FACTS)
    assert outcome.outcome == PASS
    assert outcome.reads["civil.birth_date"] == ("1955-03-14", "TH/GOV/DOPA/civil-registry/persons#m1")
    assert outcome.reads["form.pension"] == (False, "form")
    assert outcome.reads["app.submitted_on"] == ("2026-11-25", "application")
    assert evaluate(parse("form.members > 10"), FACTS).outcome == FAIL


def test_missing_names_the_path_and_its_source() -> None:
    outcome = evaluate(parse("form.phone == '0812345678'"), FACTS)
    assert (outcome.outcome, outcome.missing) == (MISSING, ("form.phone", "form"))
    outcome = evaluate(parse("len(land.parcels) == 0"), FACTS)
    assert (outcome.outcome, outcome.missing) == (MISSING, ("land.parcels", "TH/GOV/DOL/land-registry/owners"))
    # or/and short-circuit: a missing fact that cannot change the answer does not matter
    assert evaluate(parse("form.members > 1 or form.phone == 'x'"), FACTS).outcome == PASS
    assert evaluate(parse("form.members > 10 and form.phone == 'x'"), FACTS).outcome == FAIL


@pytest.mark.parametrize("source", [
    "1 == '1'", "1 + 'a'", "'a' < 1", "1 / 0", "not 5", "true < false", "1 and true", "len(5)",
    "3 in 4", "nosuch.x == 1", "frobnicate(1)", "age_on(1)", "date('31/12/2026')", "5",
])
def test_type_errors_are_errors_not_failures(source: str) -> None:
    assert evaluate(parse(source), FACTS).outcome == ERROR


@pytest.mark.parametrize("source", [
    "", "1 +", "(1", "[1, 2", "a.", "1 < 2 < 3", "a == == b", "'open", "1 ; 2", "eval(x)(y)", "x.1",
    "not", "a in", "#", "1 2",
])
def test_syntax_errors(source: str) -> None:
    with pytest.raises(RuleSyntaxError):
        parse(source)


def test_syntax_error_positions_and_limits() -> None:
    with pytest.raises(RuleSyntaxError) as info:
        parse("form.a == 1 and $")
    assert info.value.position == 16
    with pytest.raises(RuleSyntaxError):
        parse("(" * 200 + "1" + ")" * 200)
    with pytest.raises(RuleSyntaxError):
        parse("1 + " * 1000 + "1")


def test_paths_lists_every_fact_read() -> None:
    assert paths(parse("any(w.a, it.k == f.x) and not g.y in [h.z]")) == {"w.a", "it.k", "f.x", "g.y", "h.z"}


def test_age_and_fiscal_year_reference() -> None:
    assert age_on(dt.date(1966, 10, 1), dt.date(2026, 9, 30)) == 59
    assert age_on(dt.date(1966, 10, 1), dt.date(2026, 10, 1)) == 60
    assert fiscal_year_end(dt.date(2026, 10, 1)) == dt.date(2027, 9, 30)


# --- properties ---------------------------------------------------------------------------------------

_ints = st.integers(min_value=-1000, max_value=1000)
_arith = st.recursive(
    _ints.map(lambda n: Literal(n) if n >= 0 else Unary("-", Literal(-n))),
    lambda inner: st.builds(Binary, st.sampled_from(["+", "-", "*"]), inner, inner),
    max_leaves=12,
)


def _render(node: object) -> str:
    """Source text for a tree, fully parenthesised (a printer written apart from the parser)."""
    if isinstance(node, Literal):
        return {True: "true", False: "false", None: "null"}.get(node.value, repr(node.value)) \
            if not isinstance(node.value, int | Decimal) or isinstance(node.value, bool) else str(node.value)
    if isinstance(node, Unary):
        return f"({node.op} {_render(node.operand)})"
    if isinstance(node, Binary):
        return f"({_render(node.left)} {node.op} {_render(node.right)})"
    if isinstance(node, ListOf):
        return "[" + ", ".join(_render(i) for i in node.items) + "]"
    if isinstance(node, Call):
        return f"{node.function}(" + ", ".join(_render(a) for a in node.args) + ")"
    assert isinstance(node, Path)
    return node.name


def _reference(node: object) -> int:
    """Integer arithmetic straight from the tree, to check the evaluator against."""
    if isinstance(node, Literal):
        assert isinstance(node.value, int)
        return node.value
    if isinstance(node, Unary):
        return -_reference(node.operand)
    assert isinstance(node, Binary)
    a, b = _reference(node.left), _reference(node.right)
    return {"+": a + b, "-": a - b, "*": a * b}[node.op]


@settings(max_examples=300, deadline=None)
@given(_arith)
def test_arithmetic_matches_reference_and_round_trips(tree: Binary) -> None:
    source = _render(tree)
    assert parse(source) == tree
    assert compute(parse(source), {}).value == _reference(tree)


_bools = st.recursive(
    st.booleans().map(Literal),
    lambda inner: st.one_of(st.builds(Binary, st.sampled_from(["and", "or"]), inner, inner),
                            st.builds(Unary, st.just("not"), inner)),
    max_leaves=12,
)


def _truth(node: object) -> bool:
    if isinstance(node, Literal):
        return bool(node.value)
    if isinstance(node, Unary):
        return not _truth(node.operand)
    assert isinstance(node, Binary)
    return (_truth(node.left) and _truth(node.right)) if node.op == "and" else (_truth(node.left) or _truth(node.right))


@settings(max_examples=300, deadline=None)
@given(_bools)
def test_logic_matches_reference(tree: object) -> None:
    outcome = evaluate(parse(_render(tree)), {})
    assert outcome.outcome == (PASS if _truth(tree) else FAIL)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("abc.()[]<>=!+-*/% '\"0123456789,_ไทย\n")), max_size=40))
def test_any_text_parses_or_fails_cleanly(text: str) -> None:
    try:
        node = parse(text)
    except RuleSyntaxError:
        return
    outcome = evaluate(node, FACTS)  # never raises, whatever the tree
    assert outcome.outcome in (PASS, FAIL, MISSING, ERROR)


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1)),
       st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1)))
def test_age_on_properties(born: dt.date, on: dt.date) -> None:
    age = age_on(born, on)
    if on >= born:
        assert age >= 0
        birthday = dt.date(born.year + age, born.month, min(born.day, 28 if born.month == 2 else 31)) \
            if born.month != 2 or born.day != 29 else dt.date(born.year + age, 3, 1)
        assert birthday <= on or (born.month, born.day) == (2, 29)
    assert evaluate(parse(f"age_on('{born}', '{on}') == {age}" if age >= 0 else "true"), {}).outcome == PASS
