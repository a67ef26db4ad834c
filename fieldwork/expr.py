"""The small expression language of skip logic, constraints and indicators.

XLSForm style: ``${charged_by} = 'cps'``, ``and``, ``or``, ``not``, ``in``,
``selected(${x}, 'a')``. Text is tokenised and parsed by recursive descent into a tree of
frozen dataclasses; evaluation walks the tree. Nothing is ever passed to ``eval``: a name
that is not a ``${variable}``, a literal, an operator or one of the three functions below is
a syntax error, so ``__import__('os')`` is refused before anything runs.

The same tree compiles to SQL (``to_sql``) so that indicators are counted in the database.
An unanswered variable is the empty string, in Python and in SQL (``COALESCE(x, '')``), so
``!=`` and ``not`` mean the same in both.
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass
from typing import Callable, Iterator, Mapping, Union

MAX_LENGTH = 2000  # characters: a skip rule longer than this is a mistake or an attack
MAX_DEPTH = 40  # nesting: bounds recursion on hostile input

FUNCTIONS = {"selected": 2, "true": 0, "false": 0}
# one table for Python values and SQLAlchemy columns alike (both overload these operators)
OPERATORS = {"=": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt,
             ">=": operator.ge}


class ExpressionError(ValueError):
    """An expression that cannot be parsed; ``position`` is the 0-based character offset."""

    def __init__(self, message: str, expression: str, position: int | None = None):
        self.message = message
        self.expression = expression
        self.position = position
        where = f" at character {position + 1}" if position is not None else ""
        super().__init__(f"{message}{where} in {expression!r}")


# --- the tree -------------------------------------------------------------------------


@dataclass(frozen=True)
class Var:
    name: str


@dataclass(frozen=True)
class Literal:
    value: Union[str, float]


@dataclass(frozen=True)
class Compare:
    op: str
    left: "Node"
    right: "Node"


@dataclass(frozen=True)
class InList:
    operand: "Node"
    options: tuple[Literal, ...]


@dataclass(frozen=True)
class BoolOp:
    op: str  # "and" | "or"
    operands: tuple["Node", ...]


@dataclass(frozen=True)
class Not:
    operand: "Node"


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple["Node", ...]


Node = Union[Var, Literal, Compare, InList, BoolOp, Not, Call]


# --- tokens ---------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<var>\$\{(?P<varname>[A-Za-z_][A-Za-z0-9_]*)\})
  | (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
  | (?P<number>-?\d+(?:\.\d+)?)
  | (?P<op>!=|<=|>=|=|<|>)
  | (?P<punct>[(),])
  | (?P<word>[A-Za-z_][A-Za-z0-9_\-]*)
    """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class _Tok:
    kind: str
    text: str
    pos: int


def _tokens(text: str) -> Iterator[_Tok]:
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            raise ExpressionError(f"unexpected character {text[pos]!r}", text, pos)
        kind = m.lastgroup if m.lastgroup != "varname" else "var"
        if m.group("var"):
            kind = "var"
        if kind != "ws":
            yield _Tok(kind, m.group(0), pos)
        pos = m.end()


# --- parser ---------------------------------------------------------------------------


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.toks = list(_tokens(text))
        self.i = 0
        self.depth = 0

    def peek(self) -> _Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> _Tok:
        tok = self.peek()
        if tok is None:
            raise ExpressionError("unexpected end of expression", self.text, len(self.text))
        self.i += 1
        return tok

    def expect(self, text: str) -> _Tok:
        tok = self.peek()
        if tok is None or tok.text != text:
            where = tok.pos if tok else len(self.text)
            found = repr(tok.text) if tok else "the end"
            raise ExpressionError(f"expected {text!r} but found {found}", self.text, where)
        return self.take()

    def is_word(self, word: str) -> bool:
        tok = self.peek()
        return tok is not None and tok.kind == "word" and tok.text == word

    def nest(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExpressionError("expression is nested too deeply", self.text)

    def parse(self) -> Node:
        if not self.toks:
            raise ExpressionError("empty expression", self.text, 0)
        node = self.or_expr()
        tok = self.peek()
        if tok is not None:
            raise ExpressionError(f"unexpected {tok.text!r}", self.text, tok.pos)
        return node

    def or_expr(self) -> Node:
        items = [self.and_expr()]
        while self.is_word("or"):
            self.take()
            items.append(self.and_expr())
        return items[0] if len(items) == 1 else BoolOp("or", tuple(items))

    def and_expr(self) -> Node:
        items = [self.not_expr()]
        while self.is_word("and"):
            self.take()
            items.append(self.not_expr())
        return items[0] if len(items) == 1 else BoolOp("and", tuple(items))

    def not_expr(self) -> Node:
        if self.is_word("not"):
            self.take()
            self.nest()
            node = Not(self.not_expr())
            self.depth -= 1
            return node
        return self.comparison()

    def comparison(self) -> Node:
        left = self.primary()
        tok = self.peek()
        if tok is not None and tok.kind == "op":
            self.take()
            return Compare(tok.text, left, self.primary())
        if self.is_word("in"):
            self.take()
            self.expect("(")
            options = [self.literal()]
            while self.peek() is not None and self.peek().text == ",":
                self.take()
                options.append(self.literal())
            self.expect(")")
            return InList(left, tuple(options))
        return left

    def literal(self) -> Literal:
        tok = self.take()
        if tok.kind == "string":
            return Literal(_unquote(tok.text))
        if tok.kind == "number":
            return Literal(float(tok.text))
        raise ExpressionError(f"expected a quoted code or a number, found {tok.text!r}", self.text, tok.pos)

    def primary(self) -> Node:
        tok = self.take()
        if tok.text == "(":
            self.nest()
            node = self.or_expr()
            self.depth -= 1
            self.expect(")")
            return node
        if tok.kind == "var":
            return Var(tok.text[2:-1])
        if tok.kind == "string":
            return Literal(_unquote(tok.text))
        if tok.kind == "number":
            return Literal(float(tok.text))
        if tok.kind == "word" and tok.text in FUNCTIONS:
            self.expect("(")
            args: list[Node] = []
            if self.peek() is not None and self.peek().text != ")":
                self.nest()
                args.append(self.or_expr())
                while self.peek() is not None and self.peek().text == ",":
                    self.take()
                    args.append(self.or_expr())
                self.depth -= 1
            self.expect(")")
            if len(args) != FUNCTIONS[tok.text]:
                raise ExpressionError(
                    f"{tok.text}() takes {FUNCTIONS[tok.text]} argument(s), not {len(args)}", self.text, tok.pos
                )
            return Call(tok.text, tuple(args))
        if tok.kind == "word":
            raise ExpressionError(
                f"unknown name {tok.text!r} (variables are written ${{name}}, codes in quotes)", self.text, tok.pos
            )
        raise ExpressionError(f"unexpected {tok.text!r}", self.text, tok.pos)


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text[1:-1])


def parse(text: str) -> Node:
    """Parse an expression; raise ExpressionError naming the fault and where it is."""
    if not isinstance(text, str):
        raise ExpressionError("expression must be text", repr(text))
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"expression is longer than {MAX_LENGTH} characters", text[:60] + "...")
    return _Parser(text).parse()


# --- analysis -------------------------------------------------------------------------


def walk(node: Node) -> Iterator[Node]:
    yield node
    children: tuple = ()
    if isinstance(node, Compare):
        children = (node.left, node.right)
    elif isinstance(node, InList):
        children = (node.operand, *node.options)
    elif isinstance(node, BoolOp):
        children = node.operands
    elif isinstance(node, Not):
        children = (node.operand,)
    elif isinstance(node, Call):
        children = node.args
    for child in children:
        yield from walk(child)


def variables(node: Node) -> list[str]:
    """Variables referred to, in order of first appearance."""
    seen: dict[str, None] = {}
    for n in walk(node):
        if isinstance(n, Var):
            seen.setdefault(n.name, None)
    return list(seen)


def compared_codes(node: Node) -> list[tuple[str, str]]:
    """(variable, code) pairs the expression compares, so a loader can check the codes exist."""
    pairs: list[tuple[str, str]] = []
    for n in walk(node):
        if isinstance(n, Compare) and n.op in ("=", "!="):
            for a, b in ((n.left, n.right), (n.right, n.left)):
                if isinstance(a, Var) and isinstance(b, Literal) and isinstance(b.value, str) and b.value != "":
                    pairs.append((a.name, b.value))
        elif isinstance(n, InList) and isinstance(n.operand, Var):
            pairs += [(n.operand.name, o.value) for o in n.options if isinstance(o.value, str)]
        elif isinstance(n, Call) and n.name == "selected":
            var, code = n.args
            if isinstance(var, Var) and isinstance(code, Literal) and isinstance(code.value, str):
                pairs.append((var.name, code.value))
    return pairs


# --- evaluation -----------------------------------------------------------------------


NUMBER = r"^-?[0-9]+(\.[0-9]+)?$"  # what counts as a number, in Python and in SQL alike
_NUMBER = re.compile(NUMBER)


def _number(value) -> float | None:
    if isinstance(value, float):
        return value
    if isinstance(value, str) and _NUMBER.match(value):
        return float(value)
    return None


def _truthy(value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        return value != 0
    return value not in (None, "")


def _compare(op: str, left, right) -> bool:
    ln, rn = _number(left), _number(right)
    if (isinstance(left, float) or isinstance(right, float)) and ln is not None and rn is not None:
        a, b = ln, rn
    elif isinstance(left, float) or isinstance(right, float):
        # a number against text that is not a number: only inequality holds
        return op == "!="
    else:
        a, b = str(left), str(right)
    return OPERATORS[op](a, b)


def _eval(node: Node, values: Mapping[str, object]):
    if isinstance(node, Var):
        value = values.get(node.name)
        return "" if value is None else str(value)
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, Compare):
        return _compare(node.op, _eval(node.left, values), _eval(node.right, values))
    if isinstance(node, InList):
        value = _eval(node.operand, values)
        return any(_compare("=", value, o.value) for o in node.options)
    if isinstance(node, BoolOp):
        if node.op == "and":
            return all(_truthy(_eval(o, values)) for o in node.operands)
        return any(_truthy(_eval(o, values)) for o in node.operands)
    if isinstance(node, Not):
        return not _truthy(_eval(node.operand, values))
    if isinstance(node, Call):
        if node.name == "true":
            return True
        if node.name == "false":
            return False
        value, code = (_eval(a, values) for a in node.args)
        return str(code) in str(value).split()
    raise TypeError(f"not an expression node: {node!r}")  # pragma: no cover


def evaluate(expression: Union[str, Node], values: Mapping[str, object]) -> bool:
    """True when the expression holds for these answers (codes by variable name)."""
    node = parse(expression) if isinstance(expression, str) else expression
    return _truthy(_eval(node, values))


# --- SQL ------------------------------------------------------------------------------


def to_sql(node: Node, column: Callable[[str], object]):
    """Compile to a SQLAlchemy boolean expression; ``column(name)`` gives the column holding
    that variable's code (NULL when unanswered)."""
    from sqlalchemy import Float, and_, case, cast, false, func, literal, not_, or_, true

    def value(n: Node, numeric: bool):
        if isinstance(n, Var):
            col = func.coalesce(column(n.name), "")
            # cast only what looks like a number: SQLite reads 'x' as 0, PostgreSQL raises
            return case((col.regexp_match(NUMBER), cast(col, Float)), else_=None) if numeric else col
        if isinstance(n, Literal):
            return literal(n.value) if numeric or not isinstance(n.value, float) else literal(_fmt(n.value))
        return boolean(n)

    def boolean(n: Node):
        if isinstance(n, Compare):
            numeric = any(isinstance(x, Literal) and isinstance(x.value, float) for x in (n.left, n.right))
            expr = OPERATORS[n.op](value(n.left, numeric), value(n.right, numeric))
            if numeric:  # text that is not a number compares as Python does: only != holds
                return func.coalesce(expr, n.op == "!=")
            return expr
        if isinstance(n, InList):
            col = value(n.operand, False)
            return col.in_([_fmt(o.value) if isinstance(o.value, float) else o.value for o in n.options])
        if isinstance(n, BoolOp):
            parts = [boolean(o) for o in n.operands]
            return and_(*parts) if n.op == "and" else or_(*parts)
        if isinstance(n, Not):
            return not_(boolean(n.operand))
        if isinstance(n, Call):
            if n.name == "true":
                return true()
            if n.name == "false":
                return false()
            col = value(n.args[0], False)
            code = n.args[1].value if isinstance(n.args[1], Literal) else ""
            padded = literal(" ") + col + literal(" ")
            return padded.like(f"% {code} %")
        if isinstance(n, Var):
            return func.coalesce(column(n.name), "") != ""
        if isinstance(n, Literal):
            return true() if _truthy(n.value) else false()
        raise TypeError(f"not an expression node: {n!r}")  # pragma: no cover

    return boolean(node)


def _fmt(number: float) -> str:
    return str(int(number)) if number == int(number) else str(number)
