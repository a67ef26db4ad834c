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

import itertools
import math
import operator
import re
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from typing import Callable, Iterator, Mapping, Union

from fieldwork import expr_math, expr_odk
from fieldwork.expr_math import MATH_ARITY

MAX_LENGTH = 2000  # characters: a skip rule longer than this is a mistake or an attack
MAX_DEPTH = 40  # nesting: bounds recursion on hostile input

# name -> (fewest, most) arguments (None: any number). The XPath functions XLSForms use.
FUNCTIONS: dict[str, tuple[int, int | None]] = {
    "selected": (2, 2), "count-selected": (1, 1), "selected-at": (2, 2), "jr:choice-name": (2, 2),
    "if": (3, 3), "coalesce": (2, 2), "concat": (0, None), "string-length": (0, 1), "substr": (2, 3),
    "contains": (2, 2), "starts-with": (2, 2), "ends-with": (2, 2), "regex": (2, 2), "number": (1, 1),
    "int": (1, 1), "round": (1, 2), "today": (0, 0), "now": (0, 0), "date": (1, 1),
    "decimal-date-time": (1, 1), "decimal-date": (1, 1), "format-date": (2, 2), "format-date-time": (2, 2),
    "true": (0, 0), "false": (0, 0), "boolean": (1, 1), "string": (1, 1), "not": (1, 1), "abs": (1, 1),
    "floor": (1, 1), "ceiling": (1, 1), "pow": (2, 2), "max": (1, None), "min": (1, None),
    "normalize-space": (1, 1), "once": (1, 1), "pulldata": (4, 4),
    "join": (2, 2), **MATH_ARITY, **expr_odk.ARITY,
}
# Values a device worked out that cannot be worked out again here: the time it was filled in,
# or a look-up in a file on the device (pulldata). A value given for them is kept.
# uuid() and random() too: a new value each time, so worked out once and then kept (expr_odk).
CLOCK_FUNCTIONS = {"today", "now", "pulldata", "instance", *expr_odk.ONCE}
# one table for Python values and SQLAlchemy columns alike (both overload these operators)
OPERATORS = {"=": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt,
             ">=": operator.ge}
ARITHMETIC = ("+", "-", "*", "div", "mod")


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


@dataclass(frozen=True)
class Arith:
    op: str  # + - * div mod
    left: "Node"
    right: "Node"


@dataclass(frozen=True)
class Self:
    """``.``: the question's own value (in a constraint, or a relevant naming itself)."""


Node = Union[Var, Literal, Compare, InList, BoolOp, Not, Call, Arith, Self]


# --- tokens ---------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<var>\$\{(?P<varname>[A-Za-z_][A-Za-z0-9_.\-]*(?:/[A-Za-z_][A-Za-z0-9_.\-]*)*)\})
  | (?P<instance>instance\(\s*(?:'[^']*'|"[^"]*")\s*\)(?:/(?:[A-Za-z_][A-Za-z0-9_.\-]*|\.\.?)(?:\[[^\]]*\])*)*)
  | (?P<path>(?:current\(\)|\.\.|\.(?!\.))(?:/(?:\.\.|[A-Za-z_][A-Za-z0-9_.\-]*))+
             |/[A-Za-z_][A-Za-z0-9_.\-]*(?:/(?:\.\.|[A-Za-z_][A-Za-z0-9_.\-]*))+)
  | (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
  | (?P<number>\d+(?:\.\d+)?|\.\d+)
  | (?P<op>!=|<=|>=|=|<|>)
  | (?P<arith>[+*-])
  | (?P<self>\.(?![\w.]))
  | (?P<punct>[(),])
  | (?P<word>[A-Za-z_][A-Za-z0-9_\-]*(?::[A-Za-z_][A-Za-z0-9_\-]*)?)
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
        return self._chain("or", self.and_expr)

    def and_expr(self) -> Node:
        return self._chain("and", self.not_expr)

    def _chain(self, word: str, operand) -> Node:
        """``operand (word operand)*``: one BoolOp holding them all, or the single operand."""
        items = [operand()]
        while self.is_word(word):
            self.take()
            items.append(operand())
        return items[0] if len(items) == 1 else BoolOp(word, tuple(items))

    def not_expr(self) -> Node:
        if self.is_word("not"):
            self.take()
            self.nest()
            node = Not(self.not_expr())
            self.depth -= 1
            return node
        return self.comparison()

    def comparison(self) -> Node:
        left = self.additive()
        tok = self.peek()
        if tok is not None and tok.kind == "op":
            self.take()
            return Compare(tok.text, left, self.additive())
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

    def additive(self) -> Node:
        node = self.multiplicative()
        while self.peek() is not None and self.peek().text in ("+", "-") and self.peek().kind == "arith":
            op = self.take().text
            node = Arith(op, node, self.multiplicative())
        return node

    def multiplicative(self) -> Node:
        node = self.unary()
        while self.peek() is not None and (self.peek().text == "*" or self.is_word("div") or self.is_word("mod")):
            op = self.take().text
            node = Arith(op, node, self.unary())
        return node

    def unary(self) -> Node:
        tok = self.peek()
        if tok is not None and tok.kind == "arith" and tok.text == "-":
            self.take()
            self.nest()
            operand = self.unary()
            self.depth -= 1
            if isinstance(operand, Literal) and isinstance(operand.value, float):
                return Literal(-operand.value)
            return Arith("-", Literal(0.0), operand)
        return self.primary()

    def literal(self) -> Literal:
        tok = self.take()
        if tok.kind == "arith" and tok.text == "-" and self.peek() is not None and self.peek().kind == "number":
            return Literal(-float(self.take().text))
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
        if tok.kind == "path":
            return Var(_path_name(tok.text))
        if tok.kind == "instance":
            # a look-up in a file on the device (instance('buildings')/root/item[id=${x}]/id): the
            # file is not here, so the value given is kept; the questions it names are still read
            name = re.match(r"instance\(\s*['\"]([^'\"]*)", tok.text).group(1)
            names = dict.fromkeys(re.findall(r"\$\{([^}]*)\}", tok.text))
            return Call("instance", (Literal(name), *(Var(n) for n in names)))
        if tok.kind == "self":
            return Self()
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
            fewest, most = FUNCTIONS[tok.text]
            if len(args) < fewest or (most is not None and len(args) > most):
                wanted = str(fewest) if fewest == most else (f"{fewest} or more" if most is None
                                                             else f"{fewest} to {most}")
                raise ExpressionError(f"{tok.text}() takes {wanted} argument(s), not {len(args)}", self.text, tok.pos)
            return Call(tok.text, tuple(args))
        if tok.kind == "word" and self.peek() is not None and self.peek().text == "(":  # a function's call
            if tok.text in expr_odk.NOT_WORKED_OUT:
                raise ExpressionError(expr_odk.refusal(tok.text), self.text, tok.pos)
            raise ExpressionError(f"{tok.text}() is not a function this app knows (docs/xlsform.md lists those it "
                                  "works out)", self.text, tok.pos)
        if tok.kind == "word":
            raise ExpressionError(
                f"unknown name {tok.text!r} (variables are written ${{name}}, codes in quotes)", self.text, tok.pos
            )
        raise ExpressionError(f"unexpected {tok.text!r}", self.text, tok.pos)


def _path_name(text: str) -> str:
    """The question an XPath path names, without a form to resolve it against: the names it
    goes down through (``../x`` is ``x``, ``/data/g/x`` is ``g/x``). An XLSForm's paths are
    resolved against its groups when it is read (``questionnaire.xlsform_paths``)."""
    steps = text.split("/")
    if steps[0] == "":
        steps = steps[2:]
    return "/".join(s for s in steps if s not in (".", "..", "current()"))


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text[1:-1])


def parse(text: str) -> Node:
    """Parse an expression; raise ExpressionError naming the fault and where it is."""
    if not isinstance(text, str):
        raise ExpressionError("expression must be text", repr(text))
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"expression is longer than {MAX_LENGTH} characters", text[:60] + "...")
    return _Parser(_parent_step(text)).parse()


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
    elif isinstance(node, Arith):
        children = (node.left, node.right)
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
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)  # ASCII digits, as the database's [0-9]
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$", re.ASCII)
_TIME = re.compile(r"^\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$", re.ASCII)
RELATIONAL = ("<", "<=", ">", ">=")
_EPOCH = date(1970, 1, 1)
MAX_REGEX_INPUT = 2000  # characters a regex() is run over: bounds the cost of a bad pattern


@dataclass
class _Ctx:
    values: Mapping[str, object]
    self_value: object = None
    choice_label: Callable[[str, str], str] | None = None  # (question, code) -> label
    clock: Callable[[], datetime] | None = None
    bound: frozenset = frozenset()  # questions asked per entry standing for one entry's answer (_any_entry)


def _number(value) -> float | None:
    if isinstance(value, float):
        return value
    if isinstance(value, str) and _NUMBER.match(value):
        return float(value)
    return None


def _to_number(value) -> float:
    """XPath number(): a date counts days since 1970-01-01 (as ODK does); anything else NaN."""
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, float):
        return value
    text = str(value or "").strip()
    if _NUMBER.match(text):
        return float(text)
    moment = _moment(text)
    if moment is not None:
        return moment
    return math.nan


def _moment(text: str) -> float | None:
    """Days since 1970-01-01 of an ISO date or date-time (UTC), else None."""
    if _DATE.match(text):
        try:
            return float((date.fromisoformat(text) - _EPOCH).days)
        except ValueError:
            return None
    if _DATETIME.match(text):
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        # microseconds over a day's, one division: the database works it out the same way
        # (fieldwork.expr_sql_values), so the two agree to the last bit
        delta = moment - datetime(1970, 1, 1, tzinfo=timezone.utc)
        return ((delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds) / 86_400_000_000
    return None


def _to_text(value) -> str:
    """XPath string(): numbers without float drift (0.1 + 0.2 is 0.3), NaN blank."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return ""
        if value == int(value) and abs(value) < 1e15:
            return str(int(value))
        return format(value, ".12g")
    return "" if value is None else str(value)


def _truthy(value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        return value != 0 and not math.isnan(value)
    return value not in (None, "")


def _compare(op: str, left, right) -> bool:
    if isinstance(left, bool) or isinstance(right, bool):
        return OPERATORS[op](_truthy(left), _truthy(right))
    ln, rn = _number(left), _number(right)
    if (isinstance(left, float) or isinstance(right, float)) and ln is not None and rn is not None:
        if math.isnan(ln) or math.isnan(rn):
            return op == "!="
        a, b = ln, rn
    elif op in RELATIONAL and (isinstance(left, float) or isinstance(right, float)):
        # a number against a date counts the date's days since 1970, as ODK does
        # (`${charged_on} > today() - 28`); against other text XPath's NaN: false
        a, b = _to_number(left), _to_number(right)
        return not (math.isnan(a) or math.isnan(b)) and OPERATORS[op](a, b)
    elif isinstance(left, float) or isinstance(right, float):
        # a number against text that is not a number: only inequality holds
        return op == "!="
    elif op in RELATIONAL:
        return _relate(op, str(left), str(right), ln, rn)
    else:  # = and != between two answers or strings compare the text, as XPath does
        a, b = str(left), str(right)
    return OPERATORS[op](a, b)


def _relate(op: str, left: str, right: str, ln: float | None, rn: float | None) -> bool:
    """``< <= > >=`` between two texts: XPath 1.0 (section 3.4) compares numbers, so answers
    that are numbers compare as numbers (9 < 30); two ISO dates or date-times compare as
    moments and two times of day in order, as ODK does; anything else is NaN, so false."""
    if ln is not None and rn is not None:
        return OPERATORS[op](ln, rn)
    lm, rm = _moment(left), _moment(right)
    if lm is not None and rm is not None:
        return OPERATORS[op](lm, rm)
    if _TIME.match(left) and _TIME.match(right):
        return OPERATORS[op](left, right)
    return False


def _arith(op: str, left, right) -> float:
    a, b = _to_number(left), _to_number(right)
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if math.isnan(b):
        return math.nan
    if b == 0:
        return math.nan if op == "mod" or a == 0 or math.isnan(a) else math.copysign(math.inf, a) * math.copysign(1, b)
    if op == "div":
        return a / b
    return math.fmod(a, b)  # XPath mod keeps the sign of the dividend


def _date_of(value) -> date | None:
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else _EPOCH + timedelta(days=math.floor(value))
    text = str(value or "").strip()
    days = _moment(text)
    return None if days is None else _EPOCH + timedelta(days=math.floor(days))


_FORMATS = {"%Y": "%Y", "%y": "%y", "%m": "%m", "%n": "%-m", "%d": "%d", "%e": "%-d", "%H": "%H", "%h": "%-H",
            "%M": "%M", "%S": "%S", "%a": "%a", "%b": "%b", "%3": "%f"}


def _format_date(value, pattern: str) -> str:
    text = str(value or "").strip()
    days = _to_number(value) if not isinstance(value, str) else _moment(text)
    if days is None or (isinstance(days, float) and (math.isnan(days) or math.isinf(days))):
        return ""
    moment = datetime(1970, 1, 1) + timedelta(days=days)
    out = []
    i = 0
    while i < len(pattern):
        two = pattern[i:i + 2]
        if two in _FORMATS:
            part = moment.strftime(_FORMATS[two].replace("%-", "%"))
            if _FORMATS[two].startswith("%-"):
                part = part.lstrip("0") or "0"
            elif two == "%3":
                part = part[:3]
            out.append(part)
            i += 2
        else:
            out.append(pattern[i])
            i += 1
    return "".join(out)


def _round(value: float, digits: int = 0) -> float:
    # half away from zero, on the decimal text (2.675 rounds to 2.68 as written, not as stored)
    if math.isnan(value) or math.isinf(value):
        return value
    exact = Decimal(_to_text(value)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    return float(exact)


def _items(text: str) -> list[str]:
    """A select_multiple answer's codes: ODK's "space-separated list" (JavaRosa splits on the
    space alone), so a tab or a new line is part of a code, as the database reads it too."""
    return [item for item in text.split(" ") if item]


def _call(node: Call, ctx: _Ctx):
    name = node.name
    if name == "true":
        return True
    if name == "false":
        return False
    if name == "jr:choice-name":
        code = _to_text(_eval(node.args[0], ctx))
        ref = node.args[1]
        target = ref.name if isinstance(ref, Var) else re.sub(r"^\$\{|\}$", "", _to_text(_eval(ref, ctx))
                                                               ).rsplit("/", 1)[-1]
        return ctx.choice_label(target, code) if ctx.choice_label and code else code
    if name == "if":
        test, yes, no = node.args
        return _eval(yes, ctx) if _test(test, ctx) else _eval(no, ctx)
    if name in ("not", "boolean"):  # a true/false wanted: a test over entries holds for any entry (_test)
        held = _test(node.args[0], ctx)
        return not held if name == "not" else held
    if name == "coalesce":
        first = _eval(node.args[0], ctx)
        return first if _to_text(first) != "" else _eval(node.args[1], ctx)
    if name in ("pulldata", "instance"):
        return ""  # the device's file is not here: a value the device gave is kept (uses_clock)
    if name == "join":  # every value the nodeset holds (a repeat's entries: _nodeset), blanks left out
        reached = _nodeset(node.args[-1], ctx)
        values = [v for _, v in reached] if reached is not None else [_eval(node.args[-1], ctx)]
        return _to_text(_eval(node.args[0], ctx)).join(t for t in map(_to_text, values) if t != "")
    if name in expr_odk.ONCE:
        return expr_odk.call(name, [_to_text(_eval(a, ctx)) for a in node.args])
    if name in CLOCK_FUNCTIONS:
        now = ctx.clock() if ctx.clock else datetime.now(timezone.utc)
        return now.date().isoformat() if name == "today" else now.isoformat(timespec="seconds")
    if name in REPEAT_FUNCTIONS:  # over the entries of repeat groups (issue 12): below
        return _repeat_call(node, ctx)
    args = [_eval(a, ctx) for a in node.args]
    if name == "string-length" and not args:
        args = [ctx.self_value]
    text = [_to_text(a) for a in args]
    if name == "selected":
        return text[1] in _items(text[0])
    if name == "count-selected":
        return float(len(_items(text[0])))
    if name == "selected-at":
        items, at = _items(text[0]), _to_number(args[1])
        return items[int(at)] if not math.isnan(at) and 0 <= at < len(items) else ""
    if name == "concat":
        return "".join(text)
    if name == "string-length":
        return float(len(text[0]))
    if name == "substr":
        start = _to_number(args[1])
        if math.isnan(start):
            return ""
        begin = max(int(start), 0)
        if len(args) == 3:
            length = _to_number(args[2])
            return "" if math.isnan(length) else text[0][begin:begin + max(int(length), 0)]
        return text[0][begin:]
    if name == "contains":
        return text[1] in text[0]
    if name == "starts-with":
        return text[0].startswith(text[1])
    if name == "ends-with":
        return text[0].endswith(text[1])
    if name == "regex":
        try:
            return re.search(text[1], text[0][:MAX_REGEX_INPUT]) is not None
        except re.error:
            return False
    if name == "number":
        return _to_number(args[0])
    if name == "int":
        n = _to_number(args[0])
        return n if math.isnan(n) or math.isinf(n) else float(math.trunc(n))
    if name == "round":
        digits = _to_number(args[1]) if len(args) == 2 else 0.0
        return _round(_to_number(args[0]), 0 if math.isnan(digits) else int(digits))
    if name == "date":
        day = _date_of(args[0])
        return day.isoformat() if day else ""
    if name in ("decimal-date-time", "decimal-date"):
        return _to_number(args[0])
    if name in ("format-date", "format-date-time"):
        return _format_date(args[0], text[1])
    if name == "boolean":
        return _truthy(args[0])
    if name == "string":
        return text[0]
    if name == "not":
        return not _truthy(args[0])
    if name == "abs":
        return abs(_to_number(args[0]))
    if name == "floor":
        n = _to_number(args[0])
        return n if math.isnan(n) or math.isinf(n) else float(math.floor(n))
    if name == "ceiling":
        n = _to_number(args[0])
        return n if math.isnan(n) or math.isinf(n) else float(math.ceil(n))
    if name == "pow":
        try:
            return float(math.pow(_to_number(args[0]), _to_number(args[1])))
        except OverflowError:  # Java's Math.pow: too large is Infinity (blank as text)
            return math.inf
        except ValueError:  # pow(-8, 1 div 3), pow(0, -1) as Java: NaN / Infinity
            return math.inf if _to_number(args[0]) == 0 else math.nan
    if name in MATH_ARITY:  # sqrt, log, sin, ... (expr_math: Java's NaN, never an error)
        return expr_math.call(name, [_to_number(a) for a in args])
    if name in ("max", "min"):
        numbers = [_to_number(a) for a in args]
        if any(math.isnan(n) for n in numbers):
            return math.nan
        return max(numbers) if name == "max" else min(numbers)
    if name == "normalize-space":
        return " ".join(text[0].split())
    if name == "once":
        return args[0]
    if name in expr_odk.ARITY:  # substring-before(), translate(), ...
        return expr_odk.call(name, text)
    raise TypeError(f"no function {name}")  # pragma: no cover: the parser admits only FUNCTIONS


def _value(name: str, ctx: _Ctx):
    value = ctx.values.get(name)
    if value is None and "/" in name:  # a path, where the question is keyed by its name alone
        value = ctx.values.get(name.rsplit("/", 1)[-1])
    return "" if value is None else str(value)


def _eval(node: Node, ctx: _Ctx):
    if isinstance(node, Var):
        return _value(node.name, ctx)
    if isinstance(node, Self):
        return "" if ctx.self_value is None else str(ctx.self_value)
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, (Compare, InList)) and _ENTRIES in ctx.values:
        held = _any_entry(node, ctx)  # a nodeset compared: true if any entry's answer makes it so
        if held is not None:
            return held
    if isinstance(node, Compare):
        return _compare(node.op, _eval(node.left, ctx), _eval(node.right, ctx))
    if isinstance(node, Arith):
        return _arith(node.op, _eval(node.left, ctx), _eval(node.right, ctx))
    if isinstance(node, InList):
        value = _eval(node.operand, ctx)
        return any(_compare("=", value, o.value) for o in node.options)
    if isinstance(node, BoolOp):
        if node.op == "and":
            return all(_test(o, ctx) for o in node.operands)
        return any(_test(o, ctx) for o in node.operands)
    if isinstance(node, Not):
        return not _test(node.operand, ctx)
    if isinstance(node, Call):
        return _call(node, ctx)
    raise TypeError(f"not an expression node: {node!r}")  # pragma: no cover


def evaluate(expression: Union[str, Node], values: Mapping[str, object], *, self_value: object = None,
             choice_label: Callable[[str, str], str] | None = None) -> bool:
    """True when the expression holds for these answers (codes by variable name); ``self_value``
    is what ``.`` stands for."""
    node = parse(expression) if isinstance(expression, str) else expression
    return _test(node, _Ctx(values, self_value, choice_label))


def calculate(expression: Union[str, Node], values: Mapping[str, object], *,
              choice_label: Callable[[str, str], str] | None = None,
              clock: Callable[[], datetime] | None = None) -> str:
    """The value of a ``calculate``, as the text stored for it ("" when it cannot be worked out)."""
    node = parse(expression) if isinstance(expression, str) else expression
    return _to_text(_eval(node, _Ctx(values, None, choice_label, clock)))


def uses_clock(node: Node) -> bool:
    """Whether the value depends on when it is worked out (``today()``, ``now()``)."""
    return any(isinstance(n, Call) and n.name in CLOCK_FUNCTIONS for n in walk(node))


# --- SQL ------------------------------------------------------------------------------


def _children(node: Node) -> tuple:
    if isinstance(node, Compare):
        return (node.left, node.right)
    if isinstance(node, InList):
        return (node.operand, *node.options)
    if isinstance(node, BoolOp):
        return node.operands
    if isinstance(node, Not):
        return (node.operand,)
    if isinstance(node, (Call,)):
        return node.args
    if isinstance(node, Arith):
        return (node.left, node.right)
    return ()


# An expression compiled to SQL counts, case by case, what ``evaluate`` gives in
# Python (``to_sql``, ``sql_faults``): findings are published figures.
#
# Python decides what a comparison means from the values' kinds (``_compare``): a number
# against text reads the text as a number (a date as its days since 1970, for ``< <= > >=`` and
# arithmetic), two texts compare as numbers, moments or times of day where both are, true/false
# against anything compares truth. Each part here has the kind Python's value has: "str" (an
# answer, a code, concat()), "num" (arithmetic, number(), count-selected()), "bool" (a test), or
# "mixed" for an if() or coalesce() whose branches differ: a comparison of one is compiled branch by
# branch (``CASE``), so it meets the kind Python meets. The readings of an answer's text are in
# ``fieldwork.expr_sql_values``.
#
# What the database cannot do as Python does is refused when the form is loaded (``sql_faults``),
# never counted differently: a number written as text where it need not be whole (Python writes
# ``format(x, '.12g')``), and ``div``/``mod`` by anything but a number written in the expression
# (a divisor of 0 makes XPath's Infinity, which neither database carries through).

SQL_FUNCTIONS = {"selected", "count-selected", "true", "false", "not", "if", "coalesce", "string-length",
                 "contains", "starts-with", "ends-with", "number", "int", "boolean", "string", "concat",
                 "join", "abs"}  # abs: in SQLite and PostgreSQL alike; sqrt, log, sin... are not in every SQLite
_BOOL_CALLS = {"selected", "true", "false", "not", "boolean", "contains", "starts-with", "ends-with", "regex"}
_NUM_CALLS = {"count-selected", "string-length", "number", "int", "abs", "count", "sum", "round", "floor",
              "ceiling", "pow", "max", "min", "decimal-date-time", "decimal-date", "position"}
_WHOLE = {"count-selected", "string-length", "count"}  # numbers that are always whole: written as text exactly
_TEXT_ARGS = {"concat": None, "string": None, "join": None, "string-length": None, "contains": None,
              "starts-with": None, "ends-with": None, "selected": 1, "count-selected": None}  # None: every argument
_RELATIONAL = ("<", "<=", ">", ">=")
_MAX_EXACT_INT = 4503599627370496.0  # 2**52: every float this large is whole


def _kind(n: Node, reached: Mapping = ()) -> str:
    """The kind of Python's value for ``n``: "str", "num", "bool" or "mixed"."""
    if n in reached:
        return "str" if _textual(n) else "num" if _numeric(n) else "bool"
    if isinstance(n, (Var, Self)):
        return "str"
    if isinstance(n, Literal):
        return "num" if isinstance(n.value, float) else "str"
    if isinstance(n, (Compare, InList, BoolOp, Not)):
        return "bool"
    if isinstance(n, Arith):
        return "num"
    if n.name in _BOOL_CALLS:
        return "bool"
    if n.name in _NUM_CALLS:
        return "num"
    if n.name in ("if", "coalesce"):
        branches = n.args[1:] if n.name == "if" else n.args
        kinds = {_kind(b, reached) for b in branches}
        return kinds.pop() if len(kinds) == 1 else "mixed"
    if n.name == "once":
        return _kind(n.args[0], reached)
    return "str"


def sql_faults(node: Node, reached: Mapping[Node, object] = ()) -> list[str]:
    """What an indicator uses that the database cannot count as Python evaluates it: a function's
    name, or a phrase naming the function and why."""
    bad: set[str] = set()

    def writes_number(n: Node) -> bool:  # a number Python would write with format(x, '.12g')
        if isinstance(n, Call) and n.name == "if":
            return writes_number(n.args[1]) or writes_number(n.args[2])
        if isinstance(n, Call) and n.name == "coalesce":
            return writes_number(n.args[0]) or writes_number(n.args[1])
        if isinstance(n, Literal) or _kind(n, reached) != "num":
            return False
        return not (isinstance(n, Call) and n.name in _WHOLE)

    def go(n: Node) -> None:
        if n in reached:
            return
        if isinstance(n, Call) and n.name not in SQL_FUNCTIONS:
            bad.add(n.name)
        if isinstance(n, Self):
            bad.add(".")
        if isinstance(n, Call) and n.name in _TEXT_ARGS:
            which = n.args if _TEXT_ARGS[n.name] is None else n.args[:_TEXT_ARGS[n.name]]
            if any(writes_number(a) for a in which):
                bad.add(f"{n.name}() of a number that need not be whole (written as text)")
        if isinstance(n, Call) and n.name == "selected" and not isinstance(n.args[1], Literal):
            bad.add("selected() of a code not written in it")
        if isinstance(n, Arith) and n.op in ("div", "mod") and not (
                isinstance(n.right, Literal) and isinstance(n.right.value, float) and n.right.value != 0):
            bad.add(f"{n.op} by something other than a number written in it (0 would give Infinity)")
        for child in _children(n):
            go(child)
    go(node)
    if not bad and _sql_too_large(node, reached):
        bad.add(f"more than {MAX_SQL_PARAMETERS:,} values once written as SQL (comparisons of worked-out text as "
                "dates or numbers nested in one another): write it more simply")
    return sorted(bad)


# A statement may carry at most 32,766 values on SQLite; every comparison that may be of dates or
# numbers writes its operands out again for each reading, so nested ones grow without bound
# (``concat('', ${a} <= 2.5) >= concat(true(), false())``: 380,000 values, found by
# tests/test_expr_sql_agrees.py at stop 24). Counted, up to the bound, when the form is loaded.
MAX_SQL_PARAMETERS = 20_000


def _sql_too_large(node: Node, reached: Mapping[Node, object]) -> bool:
    import itertools

    from sqlalchemy import literal_column
    from sqlalchemy.sql import visitors
    from sqlalchemy.sql.elements import BindParameter

    try:
        sql = to_sql(node, literal_column, {n: literal_column("reached") for n in reached} if reached else None)
    except Exception:  # noqa: BLE001 - what to_sql cannot write is refused by the checks above
        return False
    values = parts = 0
    for part in itertools.islice(visitors.iterate(sql), 4 * MAX_SQL_PARAMETERS + 1):  # about 3 parts a value
        parts += 1
        values += isinstance(part, BindParameter)
    return values > MAX_SQL_PARAMETERS or parts > 4 * MAX_SQL_PARAMETERS


def to_sql(node: Node, column: Callable[[str], object], reached: Mapping[Node, object] | None = None):
    """Compile to a SQLAlchemy boolean expression that holds, case by case, where ``evaluate``
    does; ``column(name)`` gives the column holding that variable's code (NULL when
    unanswered). ``reached``: parts already compiled over the entries of repeat groups
    (fieldwork.services.entry_indicators): a number for ``count()``/``sum()``, an answer's text
    for ``indexed-repeat()``, else a boolean."""
    from sqlalchemy import BigInteger, Float, String, and_, case, cast, false, func, literal, not_, null, or_, true

    from fieldwork import expr_sql_values as v

    reached = reached or {}
    k = lambda n: _kind(n, reached)  # noqa: E731

    def fault(what: str):
        return ExpressionError(f"{what} cannot be counted in the database", "")

    # --- text -----------------------------------------------------------------------
    def text(n: Node):
        if n in reached and _textual(n):
            return func.coalesce(reached[n], "")
        if isinstance(n, Var):
            return func.coalesce(column(n.name), "")
        if isinstance(n, Literal):
            return literal(_to_text(n.value), String)
        if isinstance(n, Call) and n.name == "if":
            return case((boolean(n.args[0]), text(n.args[1])), else_=text(n.args[2]))
        if isinstance(n, Call) and n.name == "coalesce":
            return case((nonblank(n.args[0]), text(n.args[0])), else_=text(n.args[1]))
        if isinstance(n, Call) and n.name in ("string", "join", "once"):  # join: one node outside a repeat
            return text(n.args[-1])
        if isinstance(n, Call) and n.name == "concat":
            out = literal("", String)
            for a in n.args:
                out = out + text(a)
            return out
        if k(n) == "num":  # a whole number (faults() refuses the others): its digits
            num = number(n)
            return case((num.is_(None), literal("", String)), else_=cast(cast(num, BigInteger), String))
        if k(n) == "bool":
            return case((boolean(n), literal("true", String)), else_=literal("false", String))
        raise fault(f"{getattr(n, 'name', '.')}()")

    def nonblank(n: Node):
        """``_to_text(value) != ''``, as coalesce() tests its first value."""
        kn = k(n)
        if kn == "num":
            return number(n).is_not(None)
        if kn == "bool":
            return true()
        if isinstance(n, Call) and n.name == "if":
            return case((boolean(n.args[0]), nonblank(n.args[1])), else_=nonblank(n.args[2]))
        if isinstance(n, Call) and n.name == "coalesce":
            return or_(nonblank(n.args[0]), nonblank(n.args[1]))
        return text(n) != ""

    # --- numbers (NULL stands for NaN) ---------------------------------------------
    def number(n: Node):
        """``_to_number`` of the value."""
        if n in reached and not _textual(n):
            return reached[n] if _numeric(n) else case((reached[n], 1.0), else_=0.0)
        kn = k(n)
        if isinstance(n, Literal):  # worked out here: a date written in it is its days
            got = _to_number(n.value)
            return cast(null(), Float) if got != got else literal(got, Float)  # NULL typed, for PostgreSQL
        if kn == "bool":
            return case((boolean(n), 1.0), else_=0.0)
        if isinstance(n, Call) and n.name == "if":
            return case((boolean(n.args[0]), number(n.args[1])), else_=number(n.args[2]))
        if isinstance(n, Call) and n.name == "coalesce":
            return case((nonblank(n.args[0]), number(n.args[0])), else_=number(n.args[1]))
        if kn == "str":
            return v.xpath_number(text(n))
        if isinstance(n, Arith):
            a, b = number(n.left), number(n.right)
            if n.op == "+":
                return a + b
            if n.op == "-":
                return a - b
            if n.op == "*":
                return a * b
            if n.op == "div":  # by a number written in the expression, never 0 (faults)
                return a / b
            return a - b * whole(a / b)  # mod keeps the dividend's sign, as math.fmod
        if n.name == "number":
            return number(n.args[0])
        if n.name == "int":
            return whole(number(n.args[0]))
        if n.name == "abs":
            return func.abs(number(n.args[0]))
        if n.name == "string-length":
            return cast(func.length(text(n.args[0])), Float)
        if n.name == "count-selected":
            return cast(v.word_count(text(n.args[0])), Float)
        raise fault(f"{n.name}()")

    def whole(x):
        """Towards zero, as ``math.trunc``: PostgreSQL's CAST rounds, SQLite's truncates, so the
        cast is put right; a float of 2**52 or more is whole already (and may not fit a bigint)."""
        t = cast(cast(x, BigInteger), Float)
        return case((func.abs(x) >= _MAX_EXACT_INT, x), (and_(x >= 0, t > x), t - 1),
                    (and_(x < 0, t < x), t + 1), else_=t)

    # --- true/false ------------------------------------------------------------------
    def compare(n: Compare):
        left, right = n.left, n.right
        kl, kr = k(left), k(right)
        if "mixed" in (kl, kr):  # each branch as Python meets it
            side = "left" if kl == "mixed" else "right"
            m = getattr(n, side)
            if m.name == "if":
                return case((boolean(m.args[0]), boolean(replace(n, **{side: m.args[1]}))),
                            else_=boolean(replace(n, **{side: m.args[2]})))
            return case((nonblank(m.args[0]), boolean(replace(n, **{side: m.args[0]}))),
                        else_=boolean(replace(n, **{side: m.args[1]})))
        op = OPERATORS[n.op]
        if "bool" in (kl, kr):  # truth against truth (True > False)
            return op(case((boolean(left), 1), else_=0), case((boolean(right), 1), else_=0))
        if "num" in (kl, kr):
            if n.op in _RELATIONAL:  # the text read as XPath's number(): a date is its days
                return func.coalesce(op(number(left), number(right)), false())
            # = and !=: only text written as a number is one; NaN is equal to nothing
            a = number(left) if kl == "num" else v.strict_number(text(left))
            b = number(right) if kr == "num" else v.strict_number(text(right))
            return func.coalesce(op(a, b), n.op == "!=")
        lt, rt = text(left), text(right)
        if n.op not in _RELATIONAL:
            return op(lt, rt)
        # two texts (_relate): numbers, else moments, else times of day in order, else false
        return case(
            (and_(lt.regexp_match(v.NUMBER), rt.regexp_match(v.NUMBER)), op(cast(lt, Float), cast(rt, Float))),
            (and_(v.is_moment_shaped(lt), v.is_moment_shaped(rt)), func.coalesce(op(v.days(lt), v.days(rt)), false())),
            (and_(lt.regexp_match(v.TIME), rt.regexp_match(v.TIME)), op(v.by_code_point(lt), v.by_code_point(rt))),
            else_=false())

    def boolean(n: Node):
        if n in reached and _textual(n):
            return func.coalesce(reached[n], "") != ""
        if n in reached:
            return func.coalesce(reached[n] != 0, False) if _numeric(n) else reached[n]
        kn = k(n)
        if isinstance(n, Compare):
            return compare(n)
        if isinstance(n, InList):
            if k(n.operand) == "str" and all(isinstance(o.value, str) for o in n.options):
                return text(n.operand).in_([o.value for o in n.options])
            return or_(*(compare(Compare("=", n.operand, o)) for o in n.options))
        if isinstance(n, BoolOp):
            parts = [boolean(o) for o in n.operands]
            return and_(*parts) if n.op == "and" else or_(*parts)
        if isinstance(n, Not):
            return not_(boolean(n.operand))
        if isinstance(n, Literal):
            return true() if _truthy(n.value) else false()
        if isinstance(n, Call) and n.name == "if":
            return case((boolean(n.args[0]), boolean(n.args[1])), else_=boolean(n.args[2]))
        if isinstance(n, Call) and n.name == "coalesce":
            return case((nonblank(n.args[0]), boolean(n.args[0])), else_=boolean(n.args[1]))
        if kn == "num":
            return func.coalesce(number(n) != 0, False)
        if kn == "str":
            return text(n) != ""
        name = n.name
        if name == "true":
            return true()
        if name == "false":
            return false()
        if name == "not":
            return not_(boolean(n.args[0]))
        if name == "boolean":
            return boolean(n.args[0])
        if name == "selected":
            return selected(n)
        hay, needle = text(n.args[0]), text(n.args[1])
        if name == "contains":
            return v.found(hay, needle)
        if name == "starts-with":
            return func.substr(hay, 1, func.length(needle)) == needle
        if name == "ends-with":
            return func.substr(hay, func.length(hay) - func.length(needle) + 1) == needle
        raise fault(f"{name}()")

    def selected(n: Call):
        """``code in _items(answer)``: the code, with no space in it, between spaces."""
        word = _to_text(n.args[1].value)  # a code written in it (faults)
        if word == "" or " " in word:
            return false()  # never one of a space-separated list's codes
        padded = literal(" ", String) + text(n.args[0]) + literal(" ", String)
        return v.found(padded, literal(f" {word} ", String))

    return boolean(node)


def _textual(n: Node) -> bool:
    """A part reached over entries whose value is an answer's text (``indexed-repeat()``)."""
    return isinstance(n, Call) and n.name == "indexed-repeat"


def _numeric(n: Node) -> bool:
    """Whether XPath gives a number here (so a comparison with it compares numbers)."""
    if isinstance(n, Arith):
        return True
    if isinstance(n, Call):
        if n.name in ("number", "int", "string-length", "count-selected", "abs", "count", "sum"):
            return True
        if n.name == "if":
            return _numeric(n.args[1]) and _numeric(n.args[2])
    return False


def _fmt(number: float) -> str:
    return str(int(number)) if number == int(number) else str(number)


# --- repeat groups (issue 12): count(), sum(), position(), indexed-repeat() over entries ----
#
# Kept in one block, apart from the case-level functions. An assessment's entries reach an
# expression through ``with_entries``: the values it is given then also carry, under keys no
# variable can have (a name never starts with "#"), every entry's answers by instance path
# ("incident[2]/contact[1]"), the repeat group of each question, and the entry being answered.
# ``${repeat}`` names a repeat group's nodeset; ``${question}`` inside a repeat, where a nodeset
# is wanted, every entry's value. Entries are those within the current entry's own ancestors:
# at the case level every entry; inside incident[2], the contacts of incident[2].

REPEAT_FUNCTIONS: dict[str, tuple[int, int | None]] = {"count": (1, 1), "sum": (1, 1), "position": (0, 1),
                                                       "indexed-repeat": (3, 7)}
FUNCTIONS.update({name: arity for name, arity in REPEAT_FUNCTIONS.items() if name not in FUNCTIONS})
_ENTRIES, _REPEAT_OF, _REPEATS, _INSTANCE = "#entries", "#repeat_of", "#repeats", "#instance"
_PARENT_STEP = re.compile(r"position\(\s*\.\.\s*\)")


def _parent_step(text: str) -> str:
    """``position(..)``, as XLSForms write it: the position of the entry being answered."""
    return _PARENT_STEP.sub("position()", text) if "position" in text else text


def with_entries(values: Mapping[str, object], entries: Mapping[str, Mapping[str, object]],
                 repeat_of: Mapping[str, str], instance: str = "") -> dict:
    """The values an expression over repeats is evaluated with: the case's answers (and the
    current entry's and its ancestors', which the caller merges in), plus every entry by its
    path. ``repeat_of``: question -> its innermost repeat group ("" at the case level); every
    repeat group is named among its values."""
    return {**values, _ENTRIES: entries, _REPEAT_OF: repeat_of, _REPEATS: set(repeat_of.values()) - {""},
            _INSTANCE: instance}


def _steps(path: str) -> list[tuple[str, int]]:
    out = []
    for part in path.split("/") if path else []:
        name, _, rest = part.partition("[")
        out.append((name, int(rest.rstrip("]") or 0)))
    return out


def _in_context(entry: str, repeat: str, here: str) -> bool:
    """Whether an entry of ``repeat`` (path ``entry``) is in view from the entry ``here``: it
    agrees with ``here`` on every repeat they share above ``repeat``."""
    mine = _steps(entry)
    if not mine or mine[-1][0] != repeat:
        return False
    ancestors = {name: n for name, n in _steps(here)}
    return all(ancestors.get(name, n) == n for name, n in mine[:-1])


def _nodeset(node: Node, ctx: _Ctx) -> list[tuple[str, object]] | None:
    """(entry path, value) of every entry in view a ``${name}`` reaches, or None where the name
    is a case-level question (or no entries were given)."""
    values = ctx.values
    entries, repeat_of = values.get(_ENTRIES), values.get(_REPEAT_OF)
    if not isinstance(node, Var) or entries is None or repeat_of is None:
        return None
    here = str(values.get(_INSTANCE) or "")
    name = node.name
    if name in values.get(_REPEATS, ()):  # a repeat group itself
        return [(path, None) for path in sorted(entries, key=_steps) if _in_context(path, name, here)]
    repeat = repeat_of.get(name, "")
    if not repeat:
        return None
    return [(path, entry.get(name)) for path, entry in sorted(entries.items(), key=lambda kv: _steps(kv[0]))
            if _in_context(path, repeat, here)]


def _repeat_call(node: Call, ctx: _Ctx):
    name = node.name
    if name == "position":  # the entry being answered: its place among its repeat's entries
        steps = _steps(str(ctx.values.get(_INSTANCE) or ""))
        return float(steps[-1][1]) if steps else float("nan")
    if name == "indexed-repeat":  # indexed-repeat(${q}, ${repeat}, n[, ${inner}, m ...])
        target, pairs = node.args[0], node.args[1:]
        if len(pairs) % 2 or not isinstance(target, Var) or not all(isinstance(r, Var) for r in pairs[::2]):
            return ""
        path = "/".join(f"{r.name}[{_to_text(_eval(n, ctx))}]" for r, n in zip(pairs[::2], pairs[1::2]))
        entries = ctx.values.get(_ENTRIES) or {}
        value = (entries.get(path) or {}).get(target.name)
        return "" if value is None else str(value)
    reached = _nodeset(node.args[0], ctx)
    if reached is None:  # a case-level value: a nodeset of one (of none, when blank)
        value = _eval(node.args[0], ctx)
        reached = [("", value)] if _to_text(value) != "" else []
    if name == "count":
        return float(len(reached))
    numbers = [_number(v) if not isinstance(v, str) or v.strip() else None for _, v in reached]
    return float(sum(n for n in numbers if n is not None and not math.isnan(n)))  # sum(): blanks left out



# A test on a question asked per entry, read from where it is a nodeset (at the case level, or
# from an entry around the repeat), holds when at least one entry makes it true: XPath 1.0's rule
# for comparing a nodeset (section 3.4), applied as the indicators' SQL applies it
# (fieldwork.questionnaire.entry_terms): a *test* is the smallest part standing where a
# true/false is wanted (the whole expression, an operand of and/or/not()/boolean(), the test or a
# branch of if()) or a comparison wherever it stands; each test is tried entry by entry with that
# entry's answer (blank where it has none) in place of the question, so ``${days} + 1 > 10`` and
# ``selected(${ways}, 'text')`` are worked out per entry, and with no entries a test is false.
# ``${pin}`` alone holds where there is an entry, ``${served}`` alone where an entry answered it.
# A test reading two such questions is tried over every pair of their entries, as XPath pairs
# the nodes of two nodesets (the indicators refuse it). Values given without entries (no
# ``with_entries``) are evaluated as before: a question asked per entry reads blank.

_OVER_ENTRIES = {"count", "sum", "indexed-repeat", "join", "position"}  # they read the nodeset themselves


def _test(node: Node, ctx: _Ctx) -> bool:
    """XPath boolean() of a part standing where a true/false is wanted."""
    if _ENTRIES in ctx.values:
        if isinstance(node, Call) and node.name == "if":
            test, yes, no = node.args
            return _test(yes, ctx) if _test(test, ctx) else _test(no, ctx)
        if not isinstance(node, (BoolOp, Not)) and not (isinstance(node, Call) and node.name in ("not", "boolean")):
            held = _any_entry(node, ctx)
            if held is not None:
                return held
    return _truthy(_eval(node, ctx))


def _nodeset_names(node: Node, ctx: _Ctx) -> list[str]:
    """The questions asked per entry (and repeat groups) ``node`` reads as nodesets from here,
    outside the functions that take a nodeset, in order."""
    repeats, repeat_of = ctx.values.get(_REPEATS) or set(), ctx.values.get(_REPEAT_OF) or {}
    around = {name for name, _ in _steps(str(ctx.values.get(_INSTANCE) or ""))}  # this entry's, by value
    found: dict[str, None] = {}

    def go(n: Node) -> None:
        if isinstance(n, Call) and n.name in _OVER_ENTRIES:
            return
        if isinstance(n, Var) and n.name not in ctx.bound:
            repeat = n.name if n.name in repeats else repeat_of.get(n.name, "")
            if repeat and repeat not in around:
                found.setdefault(n.name, None)
        for child in _children(n):
            go(child)
    go(node)
    return list(found)


def _any_entry(node: Node, ctx: _Ctx) -> bool | None:
    """Whether some entry makes the test ``node`` true; None where it reads no nodeset."""
    names = _nodeset_names(node, ctx)
    if not names:
        return None
    repeats = ctx.values.get(_REPEATS) or set()
    if isinstance(node, Var):  # ${pin}: an entry exists; ${served}: an entry answered it
        reached = _nodeset(node, ctx) or []
        return bool(reached) if node.name in repeats else any(_to_text(v) != "" for _, v in reached)
    if any(n in repeats for n in names):  # a repeat group used as a value: it has none (blank), as before
        return None
    choices = [[("" if v is None else v) for _, v in _nodeset(Var(n), ctx) or []] for n in names]
    bound = ctx.bound | set(names)
    for combo in itertools.product(*choices):
        inner = _Ctx({**ctx.values, **dict(zip(names, combo))}, ctx.self_value, ctx.choice_label, ctx.clock, bound)
        if _truthy(_eval(node, inner)):
            return True
    return False
