"""Run an architecture over a problem set: solve, judge on hidden tests, record, summarise.

Hidden tests are used only here, after the pipeline has picked its program: the pipeline
itself never sees them. Every candidate the pipeline produced is judged too, which gives the
pool's oracle coverage, the random-pick expectation and pass@k next to the pipeline's Pass@1.
"""

from __future__ import annotations

import asyncio
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from archon_code.components.base import Component
from archon_code.pipeline import Pipeline, Solution, solution_programs, solution_record
from archon_code.state import State
from harness.metrics import summarize
from harness.progress import RunProgress
from harness.runstore import RunStore, RunStoreError
from problems import Problem
from archon_code.answers import normalise_input
from archon_code.rules import Rules
from archon_code.state import UnitTest
from sandbox.checker import check
from sandbox.normalise import run_key
from sandbox.runner import Runner
from sandbox.types import JobResult, TestCase, Verdict, tests_digest


@dataclass
class BenchOptions:
    seed: int = 0
    rules: Rules = field(default_factory=Rules)  # checker, limits, hidden tests
    max_problems: int = 4  # problems in flight at once


async def judge_candidates(pool: Runner, problem: Problem, solution: Solution,
                           rules: Rules) -> dict[str, tuple[bool, bool, str]]:
    """candidate id -> (passes public, passes hidden, first bad hidden verdict).

    Each distinct program runs once on the hidden tests and stops at its first failure (a
    pass/fail and the first bad verdict are all that count). Its public verdict is what the
    pipeline already ran (its public filter runs every candidate on the examples); a program
    the pipeline did not run on them runs here."""
    job = rules.job(problem)
    hidden = rules.hidden(problem)
    programs = {run_key(c.program): c.program for c in solution.state.candidates if c.runnable}
    examples = [UnitTest(t.input, t.output, "public") for t in public_examples(problem)]

    async def one(program, tests) -> JobResult:
        return await pool.run(program, tests, job.limits, **job.options(), max_failures=1)

    async def public_verdict(program) -> bool:
        seen = _seen_on(solution, program, examples, job.checker)
        if seen is not None:
            return seen
        return (await one(program, [TestCase(t.input, t.output) for t in examples])).passed

    keys = list(programs)
    pub_runs, hid_runs = await asyncio.gather(
        asyncio.gather(*(public_verdict(programs[k]) for k in keys)),
        asyncio.gather(*(one(programs[k], hidden) for k in keys)),
    )
    results = {k: (p, h) for k, p, h in zip(keys, pub_runs, hid_runs)}
    out = {}
    for c in solution.state.candidates:
        if not c.runnable:
            out[c.id] = (False, False, "CE")
            continue
        public_ok, hid_run = results[run_key(c.program)]
        if hid_run.compile_verdict is not None:
            out[c.id] = (False, False, hid_run.compile_verdict.value)
            continue
        out[c.id] = (public_ok, hid_run.passed, hid_run.verdict.value)
    return out


def public_examples(problem: Problem) -> list[TestCase]:
    """The public tests as the pipeline runs them (inputs normalised as programs read them)."""
    return [TestCase(normalise_input(t.input), t.output) for t in problem.public()]


def _seen_on(solution: Solution, program, examples: list[UnitTest], checker: str) -> bool | None:
    """Whether the program passed every example in the pipeline's own runs; None when the
    pipeline did not run it on all of them (or kept only part of an output)."""
    executor = solution.executor
    if executor is None or not examples:
        return None
    runs = [executor.run_of(program, t) for t in examples]
    if any(r is None or not r.complete or r.verdict is Verdict.SE for r in runs):
        return None
    return all(r.ran and check(t.output, r.output, checker) for r, t in zip(runs, examples))


def make_record(problem: Problem, solution: Solution, judged: dict,
                rules: Rules | None = None) -> dict:
    """A judged problem's record (the one builder: :func:`solution_record`), with digests of
    the tests it was judged on when the rules are given (a later rescore under the same
    rules then knows whether the problem's tests are still those)."""
    record = solution_record(problem.id, solution, judged)
    if rules is not None:
        record["judged_on"] = judged_on(problem, rules)
    return record


def judged_on(problem: Problem, rules: Rules) -> dict[str, str]:
    return {"public": tests_digest(public_examples(problem)),
            "hidden": tests_digest(rules.hidden(problem))}


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
    pool: Runner,
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
                judged = await judge_candidates(pool, problem, solution, options.rules)
                record = make_record(problem, solution, judged, options.rules)
                programs = solution_programs(solution)
            except asyncio.CancelledError:
                raise
            except Exception as e:  # one problem's failure is recorded, not fatal to the run
                record = error_record(problem, f"{type(e).__name__}: {e}")
                record["traceback"] = traceback.format_exc(limit=8)
                programs = []
            store.add_programs(programs)  # before the record that names them
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
