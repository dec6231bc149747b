"""Pipeline(architecture).solve(problem): run the layers, then pick one program.

The pick: among the candidates still alive and runnable, those with the best score (all of
them when nothing scored) form the tie set, and a seeded random choice picks one. The tie set
is kept, so a harness can report the expected value of that pick instead of its luck.
"""

from __future__ import annotations

import asyncio
import hashlib
import random
import time
from dataclasses import dataclass

from problems import Problem
from sandbox.pool import SandboxPool

from archon_code.components.base import Component, build
from archon_code.config import Architecture
from archon_code.context import Context, LLMHub
from archon_code.executor import Executor
from archon_code.llm import LLMError
from archon_code.state import Candidate, State


@dataclass
class Solution:
    problem_id: str
    selected: Candidate | None
    tied: list[Candidate]
    state: State
    latency_s: float
    executions: int

    @property
    def program(self):
        return self.selected.program if self.selected else None

    def why(self) -> str:
        """One line on how the pick was made."""
        if self.selected is None:
            return "no runnable candidate survived" + (
                f" ({self.state.errors[-1]})" if self.state.errors else "")
        c = self.selected
        alive = len(self.state.alive())
        basis = f"score {c.score:g}" if c.score is not None else "no ranking score"
        tie = f", seeded pick among {len(self.tied)} tied" if len(self.tied) > 1 else ""
        # a ranker that weighed evidence says which evidence decided
        reason = c.meta.get("selection", {}).get("reason")
        because = f" ({reason})" if reason else ""
        return (f"{c.id} from {c.origin}: {basis}, {alive} of {len(self.state.candidates)} candidates "
                f"alive{tie}{because}")

    def to_dict(self) -> dict:
        s = self.state
        return {
            "problem": self.problem_id,
            "selected": self.selected.id if self.selected else None,
            "tied": [c.id for c in self.tied],
            "why": self.why(),
            "candidates": [c.to_dict() for c in s.candidates],
            "unit_tests": {"count": len(s.unit_tests),
                           "by_origin": _count(t.origin for t in s.unit_tests)},
            "cost_usd": round(s.cost_usd, 6),
            "tokens": s.tokens,
            "usage": {k: v.to_dict() for k, v in s.usage.items()},
            "latency_s": round(self.latency_s, 3),
            "executions": self.executions,
            "errors": s.errors,
            "trace": [e.to_dict() for e in s.trace],
        }


def _count(items) -> dict[str, int]:
    out: dict[str, int] = {}
    for i in items:
        out[i] = out.get(i, 0) + 1
    return out


def problem_seed(seed: int, problem_id: str) -> int:
    """A per-problem seed: the same run gives the same picks, problem by problem."""
    return int.from_bytes(hashlib.sha256(f"{seed}\0{problem_id}".encode()).digest()[:8], "big")


class Pipeline:
    def __init__(self, architecture: Architecture, pool: SandboxPool, llm: LLMHub | None = None,
                 *, seed: int = 0, checker: str = "codecontests") -> None:
        self.architecture = architecture
        self.pool = pool
        self.llm = llm or LLMHub()
        self.seed = seed
        self.checker = checker
        self.layers: list[list[Component]] = [
            [build(cfg, f"L{i + 1}.{cfg.type}[{j}]") for j, cfg in enumerate(layer)]
            for i, layer in enumerate(architecture.layers)
        ]

    async def solve(self, problem: Problem) -> Solution:
        t0 = time.perf_counter()
        seed = problem_seed(self.seed, problem.id)
        executor = Executor(self.pool, problem, checker=self.checker)
        ctx = Context(self.pool, self.llm, executor, seed=seed, rng=random.Random(seed))
        state = State(problem)
        for i, layer in enumerate(self.layers, 1):
            state.layer = i
            if all(c.produces for c in layer):
                before = len(state.candidates)
                await asyncio.gather(*(self._step(c, state, ctx) for c in layer))
                # Candidates in component order, not arrival order: "first k in order"
                # rules and seeded picks must not depend on which provider answered first.
                rank = {c.label: j for j, c in enumerate(layer)}
                state.candidates[before:] = sorted(
                    state.candidates[before:], key=lambda c: rank.get(c.origin, len(rank)))
            else:
                for c in layer:
                    await self._step(c, state, ctx)
        tied = self._tie_set(state)
        selected = random.Random(seed).choice(tied) if tied else None
        state.log("pipeline", "selected", selected.id if selected else "nothing",
                  tied=[c.id for c in tied])
        return Solution(problem.id, selected, tied, state, time.perf_counter() - t0,
                        executor.executions)

    async def _step(self, component: Component, state: State, ctx: Context) -> None:
        state.log(component.label, "start", f"{len(state.alive())} candidates alive")
        t = time.perf_counter()
        try:
            await component(state, ctx)
        except LLMError as e:
            # A provider that keeps failing ends this component, not the run: what it
            # could not produce is recorded, and the problem is counted as an error.
            state.errors.append(f"{component.label}: {e}")
            state.log(component.label, "error", str(e))
        state.log(component.label, "end", f"{len(state.alive())} candidates alive",
                  seconds=round(time.perf_counter() - t, 3))

    @staticmethod
    def _tie_set(state: State) -> list[Candidate]:
        alive = state.alive()
        scored = [c for c in alive if c.score is not None]
        if not scored:
            return alive
        best = max(c.score for c in scored)  # type: ignore[type-var]
        return [c for c in scored if c.score == best]
