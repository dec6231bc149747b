"""Test inputs that follow a problem's own rules, with no LLM.

- :mod:`archon_code.inputs.statement`: bounds and guarantees read from the statement;
- :mod:`archon_code.inputs.layout`: the input's shape inferred from the public inputs;
- :mod:`archon_code.inputs.spec`: the two tied together, slot by slot;
- :mod:`archon_code.inputs.generate`: random valid inputs at several sizes;
- :mod:`archon_code.inputs.mutation`: guarded edits of the public inputs.

``synthesize`` runs the first four in order. The work of each is bounded by counts, not by a
clock, so that the same seed gives the same inputs on a busy machine; a CPU-time budget is
only a safety net (``Synthesized.cut`` says when it stopped the work).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from archon_code.inputs.generate import Generated, InputGenerator
from archon_code.inputs.layout import SEARCH_BUDGET_S, infer_layout
from archon_code.inputs.spec import build_spec
from archon_code.inputs.statement import parse_statement


@dataclass
class Synthesized:
    layout: str | None  # the inferred layout, described; None when nothing fits
    statement: dict = field(default_factory=dict)
    inputs: list[Generated] = field(default_factory=list)
    cut: bool = False  # the CPU-time safety net stopped the generation


def synthesize(description: str, public_inputs: Sequence[str], counts: Mapping[str, int], seed: int = 0,
               *, max_bytes: int = 1_000_000, budget_s: float = 10.0) -> Synthesized:
    """Infer the layout and the constraints, then generate ``counts[size]`` inputs per size.
    ``budget_s`` (CPU time of the calling thread) is a safety net over bounded work."""
    t0 = time.thread_time()
    layout = infer_layout(public_inputs, budget_s=min(SEARCH_BUDGET_S, budget_s / 3))
    if layout is None:
        return Synthesized(None)
    statement = parse_statement(description)
    spec = build_spec(layout, statement)
    left = max(0.5, budget_s - (time.thread_time() - t0))
    gen = InputGenerator(spec, seed, max_bytes)
    inputs = gen.many(dict(counts), budget_s=left)
    info = statement.describe()
    info["bound"] = spec.describe()["bound"]
    return Synthesized(layout.describe(), info, inputs, gen.cut)


__all__ = ["Generated", "Synthesized", "synthesize"]
