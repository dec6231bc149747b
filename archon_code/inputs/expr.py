"""Arithmetic over a statement's variables: ``n - 1``, ``min(n(n-1)/2, 2*10^5)``, ``2^30``.

A bound in a statement is parsed once into a small tree and evaluated later against the
values an input generator has already chosen. Everything is plain data; evaluation never
runs Python code and refuses results too large to be a contest bound.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

LIMIT = 10**40  # larger intermediate results mean the parse went wrong
FUNCTIONS = ("min", "max", "abs")


class Unknown(Exception):
    """The expression names a variable with no value yet (or cannot be evaluated)."""


@dataclass(frozen=True)
class Num:
    value: int | float

    def eval(self, env: dict[str, float]) -> int | float:
        return self.value

    def names(self) -> set[str]:
        return set()

    def __str__(self) -> str:
        return str(self.value)


@dataclass(frozen=True)
class Var:
    name: str

    def eval(self, env: dict[str, float]) -> int | float:
        if self.name not in env:
            raise Unknown(self.name)
        return env[self.name]

    def names(self) -> set[str]:
        return {self.name}

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class Op:
    op: str  # + - * / ^ neg
    args: tuple

    def eval(self, env: dict[str, float]) -> int | float:
        vals = [a.eval(env) for a in self.args]
        if self.op == "neg":
            out = -vals[0]
        elif self.op == "+":
            out = vals[0] + vals[1]
        elif self.op == "-":
            out = vals[0] - vals[1]
        elif self.op == "*":
            out = vals[0] * vals[1]
        elif self.op == "/":
            if vals[1] == 0:
                raise Unknown("division by zero")
            a, b = vals
            out = a // b if isinstance(a, int) and isinstance(b, int) and a % b == 0 else a / b
        elif self.op == "^":
            base, exp = vals
            if not isinstance(exp, int) or exp < 0 or exp > 128 or abs(base) > 10**6:
                raise Unknown("power out of range")
            out = base**exp
        elif self.op in FUNCTIONS:
            if self.op == "abs":
                out = abs(vals[0])
            else:
                out = (min if self.op == "min" else max)(vals)
        else:  # pragma: no cover - built only by the parser below
            raise Unknown(self.op)
        if isinstance(out, float):
            if not math.isfinite(out) or abs(out) > LIMIT:
                raise Unknown("out of range")
            if out.is_integer() and all(isinstance(v, int) for v in vals):
                out = int(out)
        elif abs(out) > LIMIT:
            raise Unknown("out of range")
        return out

    def names(self) -> set[str]:
        out: set[str] = set()
        for a in self.args:
            out |= a.names()
        return out

    def __str__(self) -> str:
        if self.op == "neg":
            return f"-{self.args[0]}"
        if self.op in FUNCTIONS:
            return f"{self.op}({', '.join(map(str, self.args))})"
        return f"({self.args[0]} {self.op} {self.args[1]})"


Expr = Num | Var | Op


def evaluate(expr: Expr, env: dict[str, float]) -> int | float | None:
    """The value of ``expr``, or None when it needs a variable ``env`` lacks."""
    try:
        return expr.eval(env)
    except (Unknown, OverflowError, TypeError, ValueError, ZeroDivisionError):
        return None


def evaluate_bound(expr: Expr, env: dict[str, float], upper: bool) -> int | float | None:
    """Like :func:`evaluate`, but an upper bound ``min(a, b)`` whose ``a`` cannot be evaluated
    still bounds by ``b`` (and a lower bound ``max(a, b)`` likewise)."""
    v = evaluate(expr, env)
    if v is not None:
        return v
    if isinstance(expr, Op) and expr.op == ("min" if upper else "max"):
        vals = [x for x in (evaluate_bound(a, env, upper) for a in expr.args) if x is not None]
        if vals:
            return min(vals) if upper else max(vals)
    return None
