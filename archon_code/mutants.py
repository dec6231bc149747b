"""Program mutants: single AST edits of a Python solution (comparison, arithmetic and boolean
operators, integer constants, loop bounds). They are the offline stand-in for weaker
samples, and the yardstick of a test generator (its mutation score). The source is untrusted
text, so its size, its node count and the time spent on it are all bounded.

Everything here is a plain function of its arguments and a seed.
"""

from __future__ import annotations

import ast
import random
import time
from collections.abc import Collection
from dataclasses import dataclass

from archon_code.extract import parse_python

MAX_SOURCE_CHARS = 100_000
MAX_NODES = 50_000
MUTANT_BUDGET_S = 5.0

_COMPARE_SWAPS: dict[type, tuple[type, ...]] = {
    ast.Lt: (ast.LtE, ast.GtE),
    ast.LtE: (ast.Lt, ast.Gt),
    ast.Gt: (ast.GtE, ast.LtE),
    ast.GtE: (ast.Gt, ast.Lt),
    ast.Eq: (ast.NotEq,),
    ast.NotEq: (ast.Eq,),
    ast.In: (ast.NotIn,),
    ast.NotIn: (ast.In,),
    ast.Is: (ast.IsNot,),
    ast.IsNot: (ast.Is,),
}
_BINOP_SWAPS: dict[type, tuple[type, ...]] = {
    ast.Add: (ast.Sub,),
    ast.Sub: (ast.Add,),
    ast.Mult: (ast.Add, ast.FloorDiv),
    ast.FloorDiv: (ast.Mult, ast.Mod),
    ast.Div: (ast.Mult,),
    ast.Mod: (ast.FloorDiv,),
    ast.LShift: (ast.RShift,),
    ast.RShift: (ast.LShift,),
    ast.BitAnd: (ast.BitOr,),
    ast.BitOr: (ast.BitAnd,),
    ast.BitXor: (ast.BitOr,),
}
_BOOL_SWAPS: dict[type, type] = {ast.And: ast.Or, ast.Or: ast.And}
_SYMBOLS: dict[type, str] = {
    ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!=",
    ast.In: "in", ast.NotIn: "not in", ast.Is: "is", ast.IsNot: "is not",
    ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.FloorDiv: "//", ast.Div: "/", ast.Mod: "%",
    ast.LShift: "<<", ast.RShift: ">>", ast.BitAnd: "&", ast.BitOr: "|", ast.BitXor: "^",
    ast.And: "and", ast.Or: "or",
}


@dataclass(frozen=True)
class ProgramMutant:
    source: str
    mutation: str  # e.g. "line 7: < -> <="


@dataclass(frozen=True)
class _Edit:
    node: int  # index of the node in ast.walk order
    kind: str
    arg: object = None


def _edits(tree: ast.AST) -> list[_Edit]:
    edits: list[_Edit] = []
    for k, node in enumerate(ast.walk(tree)):
        if isinstance(node, ast.Compare):
            for i, op in enumerate(node.ops):
                edits += [_Edit(k, "compare", (i, new)) for new in _COMPARE_SWAPS.get(type(op), ())]
        elif isinstance(node, (ast.BinOp, ast.AugAssign)):
            edits += [_Edit(k, "binop", new) for new in _BINOP_SWAPS.get(type(node.op), ())]
        elif isinstance(node, ast.BoolOp):
            edits.append(_Edit(k, "boolop", _BOOL_SWAPS[type(node.op)]))
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            edits.append(_Edit(k, "drop_not"))
        elif isinstance(node, ast.Constant) and type(node.value) is int:
            edits += [_Edit(k, "constant", 1), _Edit(k, "constant", -1)]
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
              and node.func.id == "range" and 1 <= len(node.args) <= 3 and not node.keywords):
            bounds = [0] if len(node.args) == 1 else [0, 1]
            edits += [_Edit(k, "range", (b, d)) for b in bounds for d in (1, -1)]
    return edits


def _apply_edit(tree: ast.AST, edit: _Edit) -> str | None:
    """Apply ``edit`` to ``tree`` in place; returns its description."""
    node = next(n for k, n in enumerate(ast.walk(tree)) if k == edit.node)
    line = getattr(node, "lineno", "?")
    if edit.kind == "compare":
        i, new = edit.arg  # type: ignore[misc]
        old = type(node.ops[i])
        node.ops[i] = new()
        return f"line {line}: {_SYMBOLS[old]} -> {_SYMBOLS[new]}"
    if edit.kind == "binop":
        old = type(node.op)
        node.op = edit.arg()  # type: ignore[operator]
        return f"line {line}: {_SYMBOLS[old]} -> {_SYMBOLS[edit.arg]}"  # type: ignore[index]
    if edit.kind == "boolop":
        old = type(node.op)
        node.op = edit.arg()  # type: ignore[operator]
        return f"line {line}: {_SYMBOLS[old]} -> {_SYMBOLS[edit.arg]}"  # type: ignore[index]
    if edit.kind == "drop_not":
        _replace_child(tree, node, node.operand)
        return f"line {line}: drop `not`"
    if edit.kind == "constant":
        old = node.value
        node.value = old + edit.arg  # type: ignore[operator]
        return f"line {line}: {old} -> {node.value}"
    if edit.kind == "range":
        b, d = edit.arg  # type: ignore[misc]
        arg = node.args[b]
        node.args[b] = ast.BinOp(arg, ast.Add() if d > 0 else ast.Sub(), ast.Constant(1))
        which = "stop" if len(node.args) == 1 or b == 1 else "start"
        return f"line {line}: range {which} {'+' if d > 0 else '-'} 1"
    raise ValueError(edit.kind)


def _replace_child(tree: ast.AST, old: ast.AST, new: ast.AST) -> None:
    for parent in ast.walk(tree):
        for name, value in ast.iter_fields(parent):
            if value is old:
                setattr(parent, name, new)
                return
            if isinstance(value, list):
                for i, item in enumerate(value):
                    if item is old:
                        value[i] = new
                        return


def program_mutants(
    source: str,
    count: int,
    seed: int = 0,
    *,
    max_source_chars: int = MAX_SOURCE_CHARS,
    max_nodes: int = MAX_NODES,
    budget_s: float = MUTANT_BUDGET_S,
) -> list[ProgramMutant]:
    """Up to ``count`` distinct single-edit mutants of a Python program, in a seeded order.

    Every mutant compiles and differs from the original as source text. Returns [] when the
    program is too large or does not parse; stops early when ``budget_s`` (CPU seconds of this
    thread, so that a busy machine does not change the result) is spent."""
    if count <= 0 or len(source) > max_source_chars:
        return []
    deadline = time.thread_time() + budget_s
    try:
        tree = parse_python(source)
        if sum(1 for _ in ast.walk(tree)) > max_nodes:
            return []
        original = ast.unparse(tree)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    edits = _edits(tree)
    random.Random(seed).shuffle(edits)
    seen = {original}
    out: list[ProgramMutant] = []
    for edit in edits:
        if len(out) >= count or time.thread_time() > deadline:
            break
        try:
            mutant_tree = parse_python(source)
            what = _apply_edit(mutant_tree, edit)
            text = ast.unparse(ast.fix_missing_locations(mutant_tree))
            compile(text, "<mutant>", "exec")
        except (SyntaxError, ValueError, TypeError, RecursionError, MemoryError):
            continue
        if text in seen or what is None:
            continue
        seen.add(text)
        out.append(ProgramMutant(text + "\n", what))
    return out


def mutation_score(wrong: Collection[str], caught: Collection[str]) -> float | None:
    """The share of wrong mutants (those failing some hidden test) that the generated tests
    also catch; None when no mutant is wrong. Mutants caught but not wrong do not count."""
    wrong_set = set(wrong)
    if not wrong_set:
        return None
    return len(wrong_set & set(caught)) / len(wrong_set)
