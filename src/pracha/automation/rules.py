"""The rule language of the bots: a tokenizer and a recursive-descent parser to a small AST.
Pure: imports nothing of ours, and nothing is ever `eval`-ed.

Grammar (lowest precedence first)::

    expr       := or
    or         := and ("or" and)*
    and        := not ("and" not)*
    not        := "not" not | comparison
    comparison := sum (("==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "not" "in") sum)?
    sum        := product (("+" | "-") product)*
    product    := unary (("*" | "/" | "%") unary)*
    unary      := "-" unary | primary
    primary    := NUMBER | STRING | "true" | "false" | "null" | "[" (expr ("," expr)*)? "]"
                | NAME "(" (expr ("," expr)*)? ")" | path | "(" expr ")"
    path       := NAME ("." NAME)*

A path names a fact: `form.monthly_income`, `civil.address.local_authority`, `it.kind` inside
`any(list, predicate)`. Errors are `RuleSyntaxError` with the position of the problem.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

KEYWORDS = frozenset({"and", "or", "not", "in", "true", "false", "null"})
COMPARISONS = frozenset({"==", "!=", "<", "<=", ">", ">=", "in", "not in"})
MAX_LENGTH = 2000
MAX_DEPTH = 50

_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<number>\d+(?:\.\d+)?)
  | (?P<string>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>==|!=|<=|>=|[<>+\-*/%()\[\],.])
""", re.VERBOSE)


class RuleSyntaxError(ValueError):
    def __init__(self, message: str, position: int) -> None:
        super().__init__(f"{message} (at character {position + 1})")
        self.position = position


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # number, string, name, keyword, op, end
    text: str
    position: int


def tokenize(source: str) -> list[Token]:
    if len(source) > MAX_LENGTH:
        raise RuleSyntaxError(f"a rule may be at most {MAX_LENGTH} characters", MAX_LENGTH)
    tokens: list[Token] = []
    position = 0
    while position < len(source):
        match = _TOKEN.match(source, position)
        if match is None:
            raise RuleSyntaxError(f"unexpected character {source[position]!r}", position)
        kind = match.lastgroup or ""
        text = match.group()
        if kind == "name" and text in KEYWORDS:
            kind = "keyword"
        if kind != "space":
            tokens.append(Token(kind, text, position))
        position = match.end()
    tokens.append(Token("end", "", len(source)))
    return tokens


# --- the tree ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Literal:
    value: object


@dataclass(frozen=True, slots=True)
class Path:
    parts: tuple[str, ...]

    @property
    def name(self) -> str:
        return ".".join(self.parts)


@dataclass(frozen=True, slots=True)
class ListOf:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Unary:
    op: str  # "not" or "-"
    operand: Node


@dataclass(frozen=True, slots=True)
class Binary:
    op: str  # and or == != < <= > >= in "not in" + - * / %
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Call:
    function: str
    args: tuple[Node, ...]


Node = Literal | Path | ListOf | Unary | Binary | Call


def _unescape(text: str) -> str:
    body = text[1:-1]
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), body)


class _Parser:
    def __init__(self, source: str) -> None:
        self.tokens = tokenize(source)
        self.at = 0
        self.depth = 0

    @property
    def token(self) -> Token:
        return self.tokens[self.at]

    def take(self, text: str | None = None, kind: str | None = None) -> Token | None:
        token = self.token
        if (text is None or token.text == text) and (kind is None or token.kind == kind) and token.kind != "end":
            self.at += 1
            return token
        return None

    def expect(self, text: str) -> Token:
        token = self.take(text)
        if token is None:
            raise RuleSyntaxError(f"expected {text!r}, found {self.token.text or 'the end'!r}", self.token.position)
        return token

    def parse(self) -> Node:
        node = self.expr()
        if self.token.kind != "end":
            raise RuleSyntaxError(f"unexpected {self.token.text!r}", self.token.position)
        return node

    def expr(self) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise RuleSyntaxError("the rule is nested too deeply", self.token.position)
        node = self.logical("or", self.logical_and)
        self.depth -= 1
        return node

    def logical(self, op: str, operand: object) -> Node:
        assert callable(operand)
        node: Node = operand()
        while self.take(op, "keyword"):
            node = Binary(op, node, operand())
        return node

    def logical_and(self) -> Node:
        return self.logical("and", self.negation)

    def negation(self) -> Node:
        if self.token.text == "not" and self.tokens[self.at + 1].text != "in":
            self.at += 1
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise RuleSyntaxError("the rule is nested too deeply", self.token.position)
            node = Unary("not", self.negation())
            self.depth -= 1
            return node
        return self.comparison()

    def comparison(self) -> Node:
        left = self.arithmetic(("+", "-"), self.product)
        token = self.token
        if token.kind in ("op", "keyword") and token.text in COMPARISONS:
            self.at += 1
            op = token.text
        elif token.text == "not" and self.tokens[self.at + 1].text == "in":
            self.at += 2
            op = "not in"
        else:
            return left
        node = Binary(op, left, self.arithmetic(("+", "-"), self.product))
        if self.token.text in COMPARISONS or (self.token.text == "not" and self.tokens[self.at + 1].text == "in"):
            raise RuleSyntaxError("comparisons do not chain; join them with 'and'", self.token.position)
        return node

    def arithmetic(self, ops: tuple[str, ...], operand: object) -> Node:
        assert callable(operand)
        node: Node = operand()
        while self.token.kind == "op" and self.token.text in ops:
            op = self.token.text
            self.at += 1
            node = Binary(op, node, operand())
        return node

    def product(self) -> Node:
        return self.arithmetic(("*", "/", "%"), self.unary)

    def unary(self) -> Node:
        if self.take("-", "op"):
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise RuleSyntaxError("the rule is nested too deeply", self.token.position)
            node = Unary("-", self.unary())
            self.depth -= 1
            return node
        return self.primary()

    def arguments(self, closing: str) -> tuple[Node, ...]:
        items: list[Node] = []
        if not self.take(closing):
            items.append(self.expr())
            while self.take(","):
                items.append(self.expr())
            self.expect(closing)
        return tuple(items)

    def primary(self) -> Node:
        token = self.token
        if token.kind == "number":
            self.at += 1
            return Literal(Decimal(token.text) if "." in token.text else int(token.text))
        if token.kind == "string":
            self.at += 1
            return Literal(_unescape(token.text))
        if token.kind == "keyword" and token.text in ("true", "false", "null"):
            self.at += 1
            return Literal({"true": True, "false": False, "null": None}[token.text])
        if self.take("["):
            return ListOf(self.arguments("]"))
        if self.take("("):
            node = self.expr()
            self.expect(")")
            return node
        if token.kind == "name":
            self.at += 1
            if self.take("("):
                return Call(token.text, self.arguments(")"))
            parts = [token.text]
            while self.take("."):
                part = self.take(kind="name") or self.take(kind="keyword")
                if part is None:
                    raise RuleSyntaxError("expected a field name after '.'", self.token.position)
                parts.append(part.text)
            return Path(tuple(parts))
        raise RuleSyntaxError(f"expected a value, found {token.text or 'the end'!r}", token.position)


def parse(source: str) -> Node:
    """The tree of one rule expression; RuleSyntaxError (with the position) when it is not one."""
    return _Parser(source).parse()


def paths(node: Node) -> set[str]:
    """Every fact path an expression reads (for checking rules against the facts they may use)."""
    if isinstance(node, Path):
        return {node.name}
    if isinstance(node, ListOf):
        return set().union(*(paths(i) for i in node.items)) if node.items else set()
    if isinstance(node, Unary):
        return paths(node.operand)
    if isinstance(node, Binary):
        return paths(node.left) | paths(node.right)
    if isinstance(node, Call):
        return set().union(*(paths(a) for a in node.args)) if node.args else set()
    return set()
