"""Run an architecture over a problem set: solve, judge on hidden tests, record, summarise.

Hidden tests are used only here, after the pipeline has picked its program: the pipeline
itself never sees them. Every candidate the pipeline produced is judged too, which gives the
pool's oracle coverage, the random-pick expectation and pass@k next to the pipeline's Pass@1.
"""

from __future__ import annotations

import asyncio
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass

from archon_code.pipeline import Pipeline, Solution
from harness.metrics import summarize
from harness.runstore import RunStore
from problems import Problem
from sandbox.pool import SandboxPool
from sandbox.types import JobResult, Limits, TestCase


@dataclass
class BenchOptions:
    seed: int = 0
    hidden: str = "private"  # or "private+generated"
    max_problems: int = 4  # problems in flight at once
    checker: str = "codecontests"


def hidden_tests(problem: Problem, mode: str) -> list[TestCase]:
    return [TestCase(t.input, t.output)
            for t in problem.hidden(include_generated=(mode == "private+generated"))]


async def judge_candidates(pool: SandboxPool, problem: Problem, solution: Solution,
                           mode: str, checker: str) -> dict[str, tuple[bool, bool, str]]:
    """candidate id -> (passes public, passes hidden, first bad hidden verdict). Each distinct
    program runs once on the public tests and once on the hidden ones."""
    public = [TestCase(t.input, t.output) for t in problem.public()]
    hidden = hidden_tests(problem, mode)
    limits = Limits(time_s=problem.time_limit_s, memory_mb=problem.memory_limit_mb)
    input_file, output_file = problem.io_files
    programs = {c.program.key: c.program for c in solution.state.candidates if c.runnable}

    async def one(program, tests) -> JobResult:
        # Pass/fail and the first bad verdict are all that count: stop at the first crash
        # or timeout rather than pay a time limit per remaining test.
        return await pool.run(program, tests, limits, checker=checker, input_file=input_file,
                              output_file=output_file, max_failures=1)

    keys = list(programs)
    pub_runs, hid_runs = await asyncio.gather(
        asyncio.gather(*(one(programs[k], public) for k in keys)),
        asyncio.gather(*(one(programs[k], hidden) for k in keys)),
    )
    results = {k: (p, h) for k, p, h in zip(keys, pub_runs, hid_runs)}
    out = {}
    for c in solution.state.candidates:
        if not c.runnable:
            out[c.id] = (False, False, "CE")
            continue
        pub_run, hid_run = results[c.program.key]
        if hid_run.compile_verdict is not None:
            out[c.id] = (False, False, hid_run.compile_verdict.value)
            continue
        out[c.id] = (pub_run.passed, hid_run.passed, hid_run.verdict.value)
    return out


def make_record(problem: Problem, solution: Solution, judged: dict) -> dict:
    s = solution.state
    cands = s.candidates
    n = len(cands)
    c = sum(1 for x in cands if judged[x.id][1])
    public_ok = [x for x in cands if judged[x.id][0]]
    layers: dict[str, list[int]] = {}
    for x in cands:
        key = f"L{x.layer}"
        layers.setdefault(key, [0, 0])
        layers[key][0] += 1
        layers[key][1] += judged[x.id][1]
    tied = solution.tied
    pass_expected = (sum(judged[x.id][1] for x in tied) / len(tied)) if tied else 0.0
    sandbox_errors = [x.id for x in cands if judged[x.id][2] == "SE"]
    status, error = "ok", ""
    if solution.selected is None and s.errors:
        status, error = "error", s.errors[-1]
    elif sandbox_errors:
        status, error = "error", f"sandbox error judging {', '.join(sandbox_errors[:5])}"
    sel = solution.selected
    return {
        "problem": problem.id,
        "status": status,
        "error": error,
        "selected": sel.id if sel else None,
        "selected_language": sel.language if sel else None,
        "selected_source": sel.source if sel else None,
        "selected_passed": bool(sel and judged[sel.id][1]),
        "selected_verdict": judged[sel.id][2] if sel else None,
        "why": solution.why(),
        "tied": [x.id for x in tied],
        "pass_expected": pass_expected,
        "n": n,
        "c": c,
        "n_public": len(public_ok),
        "c_public": sum(1 for x in public_ok if judged[x.id][1]),
        "layers": layers,
        "candidates": [
            {"id": x.id, "origin": x.origin, "layer": x.layer, "language": x.language,
             "alive": x.alive, "score": x.score, "public_ok": judged[x.id][0],
             "hidden_ok": judged[x.id][1], "hidden_verdict": judged[x.id][2],
             "note": x.note}
            for x in cands
        ],
        "unit_tests": len(s.unit_tests),
        "cost_usd": round(s.cost_usd, 6),
        "tokens": s.tokens,
        "usage": {k: v.to_dict() for k, v in s.usage.items()},
        "latency_s": round(solution.latency_s, 3),
        "executions": solution.executions,
        "errors": s.errors,
        "trace": [e.to_dict() for e in s.trace],
    }


def error_record(problem: Problem, error: str) -> dict:
    return {"problem": problem.id, "status": "error", "error": error, "selected": None,
            "pass_expected": 0.0, "n": 0, "c": 0, "n_public": 0, "c_public": 0,
            "layers": {}, "candidates": [], "cost_usd": 0.0, "tokens": 0, "errors": [error]}


async def run_bench(
    pipeline: Pipeline,
    problems: list[Problem],
    pool: SandboxPool,
    store: RunStore,
    options: BenchOptions,
    on_record: Callable[[dict, dict], None] | None = None,
) -> dict:
    """Solve the problems not yet done in `store`, appending a record as each finishes.
    Returns the summary of every record in the store for these problems."""
    done = store.done()
    todo = [p for p in problems if p.id not in done]
    wanted = {p.id for p in problems}
    records = {k: v for k, v in store.records().items() if k in wanted}
    sem = asyncio.Semaphore(max(1, options.max_problems))
    t0 = time.perf_counter()

    async def one(problem: Problem) -> None:
        async with sem:
            try:
                solution = await pipeline.solve(problem)
                judged = await judge_candidates(pool, problem, solution, options.hidden,
                                                options.checker)
                record = make_record(problem, solution, judged)
            except asyncio.CancelledError:
                raise
            except Exception as e:  # one problem's failure is recorded, not fatal to the run
                record = error_record(problem, f"{type(e).__name__}: {e}")
                record["traceback"] = traceback.format_exc(limit=8)
            store.append(record)
            records[problem.id] = record
            if on_record:
                on_record(record, summarize(list(records.values()), seed=options.seed))

    await asyncio.gather(*(one(p) for p in todo))
    summary = summarize([records[p.id] for p in problems if p.id in records], seed=options.seed)
    summary["wall_s"] = round(time.perf_counter() - t0, 3)
    summary["complete"] = all(p.id in records for p in problems)
    return summary
