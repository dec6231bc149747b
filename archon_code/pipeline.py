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
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from problems import Problem
from sandbox.runner import Runner

from archon_code.components.base import Component, build
from archon_code.config import Architecture
from archon_code.context import Context, LLMHub
from archon_code.executor import Executor
from archon_code.llm import LLMError
from archon_code.rules import Rules
from archon_code.state import Candidate, State


@dataclass
class Solution:
    problem_id: str
    selected: Candidate | None
    tied: list[Candidate]
    state: State
    latency_s: float
    executions: int
    # What every candidate did on every input the pipeline ran (judging reuses it).
    executor: Executor | None = field(default=None, repr=False, compare=False)

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

    def to_dict(self, *, with_sources: bool = True) -> dict:
        """The solution as a record (see :func:`solution_record`), not yet judged."""
        return solution_record(self.problem_id, self, with_sources=with_sources)


# What judging a candidate on the problem's tests gave: (passes the public tests, passes
# the hidden tests, the first bad hidden verdict or "OK").
Judgement = tuple[bool, bool, str]
SANDBOX_ERROR = "SE"


def solution_record(problem_id: str, solution: Solution | None,
                    judged: Mapping[str, Judgement] | None = None, *, error: str = "",
                    with_sources: bool = False) -> dict[str, Any]:
    """The one record of a problem's outcome, for `solve --json` (no ``judged``) and for a
    bench run's records.jsonl (with ``judged``; ``error`` when solving itself failed).

    Status: "error" when solving failed, when no program survived because a component
    failed, or when the selected program could not be judged (a sandbox error after its
    retry). A sandbox error of any other candidate leaves the problem scored and is counted
    in ``sandbox_errors``. ``pass_expected`` is the share of the tie set that passes the
    hidden tests, over the members the sandbox could judge."""
    if solution is None:
        record: dict[str, Any] = {
            "problem": problem_id, "status": "error", "error": error, "selected": None,
            "selected_language": None, "selected_source": None, "tied": [],
            "why": error, "n": 0, "candidates": [], "unit_tests": 0, "unit_tests_by_origin": {},
            "cost_usd": 0.0, "tokens": 0, "usage": {}, "latency_s": None, "executions": 0,
            "errors": [error] if error else [], "component_errors": {}, "trace": []}
        if judged is not None:
            record.update(selected_passed=False, selected_verdict=None, pass_expected=0.0, c=0,
                          n_public=0, c_public=0, layers={}, sandbox_errors=0)
        return record
    s = solution.state
    cands = s.candidates
    sel = solution.selected
    status = "ok"
    if error:
        status = "error"
    elif sel is None and s.errors:
        status, error = "error", s.errors[-1]
    candidates = []
    for x in cands:
        d = x.to_dict()
        if not with_sources:
            d.pop("source", None)
        # The program by key: a run stores each source once beside its records.
        d["program"] = x.program.key if x.runnable else None  # type: ignore[union-attr]
        if judged is not None:
            public_ok, hidden_ok, verdict = judged[x.id]
            d.update(public_ok=public_ok, hidden_ok=hidden_ok, hidden_verdict=verdict)
        candidates.append(d)
    record = {
        "problem": problem_id,
        "status": status,
        "error": error,
        "selected": sel.id if sel else None,
        "selected_language": sel.language if sel else None,
        "selected_source": sel.source if sel else None,
        "why": solution.why(),
        "tied": [x.id for x in solution.tied],
        "n": len(cands),
        "candidates": candidates,
        "unit_tests": len(s.unit_tests),
        "unit_tests_by_origin": _count(t.origin for t in s.unit_tests),
        "cost_usd": round(s.cost_usd, 6),
        "tokens": s.tokens,
        "usage": {k: v.to_dict() for k, v in s.usage.items()},
        "latency_s": round(solution.latency_s, 3),
        "executions": solution.executions,
        "errors": s.errors,
        "component_errors": component_errors(s),
        "trace": [e.to_dict() for e in s.trace],
    }
    if judged is not None:
        record.update(_judged_fields(solution, judged))
        if status == "ok" and sel is not None and judged[sel.id][2] == SANDBOX_ERROR:
            record["status"] = "error"
            record["error"] = f"sandbox error judging the selected program {sel.id}"
    return record


def solution_programs(solution: Solution) -> list[dict[str, str]]:
    """Every runnable candidate's program, once, as a run stores it beside its records."""
    out: dict[str, dict[str, str]] = {}
    for c in solution.state.candidates:
        program = c.program
        if program is not None:
            out.setdefault(program.key, {"key": program.key, "language": program.language,
                                         "source": program.source})
    return list(out.values())


def _judged_fields(solution: Solution, judged: Mapping[str, Judgement]) -> dict[str, Any]:
    sel = solution.selected
    return judged_fields([(x.id, x.layer) for x in solution.state.candidates],
                         sel.id if sel else None, [x.id for x in solution.tied], judged)


def judged_fields(candidates: list[tuple[str, int]], selected: str | None, tied: list[str],
                  judged: Mapping[str, Judgement]) -> dict[str, Any]:
    """A record's judged fields from its candidates (id, layer), the pick and its tie set."""
    public_ok = [cid for cid, _ in candidates if judged[cid][0]]
    layers: dict[str, list[int]] = {}
    for cid, layer in candidates:
        row = layers.setdefault(f"L{layer}", [0, 0])
        row[0] += 1
        row[1] += judged[cid][1]
    # A tied program the sandbox could not judge says nothing about the pick's chances.
    judgeable = [cid for cid in tied if judged[cid][2] != SANDBOX_ERROR]
    return {
        "selected_passed": bool(selected and judged[selected][1]),
        "selected_verdict": judged[selected][2] if selected else None,
        "pass_expected": (sum(judged[cid][1] for cid in judgeable) / len(judgeable))
        if judgeable else 0.0,
        "c": sum(1 for cid, _ in candidates if judged[cid][1]),
        "n_public": len(public_ok),
        "c_public": sum(1 for cid in public_ok if judged[cid][1]),
        "layers": layers,
        "sandbox_errors": sum(1 for cid, _ in candidates if judged[cid][2] == SANDBOX_ERROR),
    }


def rejudged_record(record: Mapping[str, Any], judged: Mapping[str, Judgement]) -> dict[str, Any]:
    """A judged record with its verdicts replaced by ``judged`` (candidate id -> judgement):
    the same candidates, pick and tie set, with every judged field recomputed. A problem
    that failed only because its selected program could not be judged is scored again."""
    out = {k: v for k, v in record.items() if k != "finished_at"}
    out["candidates"] = [{**c, "public_ok": judged[c["id"]][0], "hidden_ok": judged[c["id"]][1],
                          "hidden_verdict": judged[c["id"]][2]} for c in record["candidates"]]
    selected = record.get("selected")
    if (record.get("status") == "error" and selected is not None
            and record.get("selected_verdict") == SANDBOX_ERROR):
        out["status"], out["error"] = "ok", ""
    out.update(judged_fields([(c["id"], c["layer"]) for c in record["candidates"]], selected,
                             list(record.get("tied") or []), judged))
    if out["status"] == "ok" and selected is not None and judged[selected][2] == SANDBOX_ERROR:
        out["status"] = "error"
        out["error"] = f"sandbox error judging the selected program {selected}"
    return out


def component_errors(state: State) -> dict[str, dict[str, Any]]:
    """Per component label: how many errors its trace holds, and the first one's message."""
    out: dict[str, dict[str, Any]] = {}
    for e in state.trace:
        if e.kind == "error":
            row = out.setdefault(e.component, {"count": 0, "message": e.message})
            row["count"] += 1
    return out


def _count(items) -> dict[str, int]:
    out: dict[str, int] = {}
    for i in items:
        out[i] = out.get(i, 0) + 1
    return out


def problem_seed(seed: int, problem_id: str) -> int:
    """A per-problem seed: the same run gives the same picks, problem by problem."""
    return int.from_bytes(hashlib.sha256(f"{seed}\0{problem_id}".encode()).digest()[:8], "big")


class Pipeline:
    def __init__(self, architecture: Architecture, pool: Runner, llm: LLMHub | None = None,
                 *, seed: int = 0, rules: Rules | None = None) -> None:
        self.architecture = architecture
        self.pool = pool
        self.llm = llm or LLMHub()
        self.seed = seed
        self.rules = rules or Rules()
        self.layers: list[list[Component]] = [
            [build(cfg, f"L{i + 1}.{cfg.type}[{j}]") for j, cfg in enumerate(layer)]
            for i, layer in enumerate(architecture.layers)
        ]

    async def solve(self, problem: Problem) -> Solution:
        t0 = time.perf_counter()
        seed = problem_seed(self.seed, problem.id)
        executor = Executor(self.pool, problem, rules=self.rules)
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
                        executor.executions, executor)

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
