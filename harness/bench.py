"""Run an architecture over a problem set: solve, judge on hidden tests, record, summarise.

Hidden tests are used only here, after the pipeline has picked its program: the pipeline
itself never sees them. Every candidate the pipeline produced is judged too, which gives the
pool's oracle coverage, the random-pick expectation and pass@k next to the pipeline's Pass@1.
"""

from __future__ import annotations

import asyncio
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from archon_code.components.base import Component
from archon_code.pipeline import Pipeline, Solution, solution_record
from archon_code.state import State
from harness.metrics import summarize
from harness.progress import RunProgress
from harness.runstore import RunStore, RunStoreError
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
    """A judged problem's record (the one builder: :func:`solution_record`)."""
    return solution_record(problem.id, solution, judged)


def error_record(problem: Problem, error: str) -> dict:
    """The record of a problem whose solving or judging raised."""
    return solution_record(problem.id, None, {}, error=error)


class _Observed:
    """A component that tells the progress display when it starts on a problem."""

    def __init__(self, inner: Component, progress: RunProgress) -> None:
        self._inner = inner
        self._progress = progress

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def __call__(self, state: State, ctx: Any) -> Any:
        self._progress.step(state.problem.id, state.layer, self._inner.label)
        return await self._inner(state, ctx)


def observe(pipeline: Pipeline, progress: RunProgress) -> None:
    """Report every component step of ``pipeline`` to ``progress``."""
    pipeline.layers = [[c if isinstance(c, _Observed) else _Observed(c, progress)  # type: ignore[misc]
                        for c in layer] for layer in pipeline.layers]


async def run_bench(
    pipeline: Pipeline,
    problems: list[Problem],
    pool: SandboxPool,
    store: RunStore,
    options: BenchOptions,
    on_record: Callable[[dict, dict], None] | None = None,
    progress: RunProgress | None = None,
) -> dict:
    """Solve the problems not yet done in `store`, appending a record as each finishes.
    Returns the summary of every record in the store for these problems, with the run's
    wall time summed over every session. A write the store cannot make
    (:class:`RunStoreError`) stops the run: the problems in flight are cancelled, and
    what was saved before stays."""
    done = store.done()
    todo = [p for p in problems if p.id not in done]
    wanted = {p.id for p in problems}
    records = {k: v for k, v in store.records().items() if k in wanted}
    sem = asyncio.Semaphore(max(1, options.max_problems))
    if progress is not None:
        observe(pipeline, progress)

    async def one(problem: Problem) -> None:
        async with sem:
            try:
                solution = await pipeline.solve(problem)
                if progress is not None:
                    progress.judging(problem.id)
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
            summary = summarize(list(records.values()), seed=options.seed)
            if progress is not None:
                progress.problem_done(problem.id, summary)
            if on_record:
                on_record(record, summary)

    if todo:
        store.begin_session()
        try:
            async with asyncio.TaskGroup() as tg:
                for p in todo:
                    tg.create_task(one(p))
        except BaseExceptionGroup as group:
            # The first store error says it all; the other tasks were cancelled because of it.
            first = next((e for e in _leaves(group) if isinstance(e, RunStoreError)), None)
            raise first or group.exceptions[0] from None
        finally:
            try:
                store.end_session()
            except RunStoreError:
                pass  # the error that stopped the run is the one to report
    summary = summarize([records[p.id] for p in problems if p.id in records], seed=options.seed)
    summary.update(store.timing())
    summary["complete"] = all(p.id in records for p in problems)
    return summary


def _leaves(group: BaseExceptionGroup) -> list[BaseException]:
    out: list[BaseException] = []
    for e in group.exceptions:
        out.extend(_leaves(e) if isinstance(e, BaseExceptionGroup) else [e])
    return out
