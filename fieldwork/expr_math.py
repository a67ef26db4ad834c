"""ODK's math functions (the XForms spec, "Math functions"), worked out as JavaRosa does.

JavaRosa calls Java's ``Math``: a bad input gives NaN (``sqrt(-1)``, ``asin(2)``, a blank or a
word), ``log(0)`` gives -Infinity and a result too large Infinity, never an error. Python's
``math`` raises instead, so each call is wrapped here. NaN and Infinity read as blank text.
"""

from __future__ import annotations

import math
from typing import Callable

# name -> (fewest, most) arguments, as the spec gives them
MATH_ARITY: dict[str, tuple[int, int]] = {
    "sqrt": (1, 1), "exp": (1, 1), "exp10": (1, 1), "log": (1, 1), "log10": (1, 1),
    "sin": (1, 1), "cos": (1, 1), "tan": (1, 1), "asin": (1, 1), "acos": (1, 1), "atan": (1, 1),
    "atan2": (2, 2), "pi": (0, 0),
}


def _log(base: Callable[[float], float]) -> Callable[[float], float]:
    def log(x: float) -> float:
        if x == 0:
            return -math.inf  # Java's Math.log(0); a negative number is NaN below
        return base(x)
    return log


_FUNCTIONS: dict[str, Callable[..., float]] = {
    "sqrt": math.sqrt, "exp": math.exp, "exp10": lambda x: math.pow(10.0, x), "log": _log(math.log),
    "log10": _log(math.log10), "sin": math.sin, "cos": math.cos, "tan": math.tan, "asin": math.asin,
    "acos": math.acos, "atan": math.atan, "atan2": math.atan2, "pi": lambda: math.pi,
}


def call(name: str, numbers: list[float]) -> float:
    """``name`` over numbers already converted by XPath number(); NaN where Java gives NaN."""
    if any(math.isnan(n) for n in numbers):
        return math.nan
    try:
        return float(_FUNCTIONS[name](*numbers))
    except ValueError:  # outside the domain: sqrt(-1), log(-1), asin(2), sin(inf)
        return math.nan
    except OverflowError:  # exp(1000): Java gives Infinity
        return math.inf
