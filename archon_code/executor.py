"""Shared execution for one problem: each (program, input) pair runs once, whatever asks.

Programs run on inputs only; judging against an expected output happens here, afterwards, so
that the same run serves a pass-count ranker (which compares), output clustering (which
groups identical outputs) and a tournament (which shows outputs to a judge).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from problems import Problem
from sandbox.checker import check
from sandbox.normalise import run_key
from sandbox.runner import Runner
from sandbox.types import Program, TestCase, TestResult, Verdict

from archon_code.rules import Rules
from archon_code.state import Candidate, UnitTest


NOT_RUN = "not run"  # the detail of a test skipped after the program failed too often


@dataclass(frozen=True)
class Run:
    """What one program did on one input."""

    verdict: Verdict  # OK means it ran cleanly (exit 0, within limits); never WA here
    output: str
    output_hash: str
    cpu_s: float
    detail: str = ""
    complete: bool = True  # ``output`` is all the program printed (else its beginning)

    @property
    def ran(self) -> bool:
        return self.verdict is Verdict.OK


class Executor:
    def __init__(self, pool: Runner, problem: Problem, *, rules: Rules | None = None,
                 max_failures: int | None = 3) -> None:
        self.pool = pool
        self.problem = problem
        self.rules = rules or Rules()
        job = self.rules.job(problem)
        self.checker = job.checker
        self.limits = job.limits
        self.input_file, self.output_file = job.input_file, job.output_file
        # A program that crashed or timed out this many times in one batch is not run on the
        # rest of it: a candidate that times out everywhere would otherwise cost a time limit
        # per generated input. Its remaining inputs count as that same failure.
        self.max_failures = max_failures
        self._runs: dict[tuple[str, str], Run] = {}
        self._inflight: dict[str, asyncio.Lock] = {}
        self.executions = 0  # (program, input) pairs actually run

    async def run(self, candidates: Sequence[Candidate], tests: Sequence[UnitTest], *,
                  max_failures: int | None | Literal["default"] = "default") -> None:
        """Make sure every runnable candidate has run on every test (in parallel).
        ``max_failures`` overrides the Executor's for this call (None: run every test, also
        those an earlier call skipped after failures)."""
        stop = self.max_failures if max_failures == "default" else max_failures
        await asyncio.gather(*(self._run_one(c.program, tests, stop) for c in candidates if c.runnable))

    async def _run_one(self, program: Program, tests: Sequence[UnitTest], max_failures: int | None) -> None:
        key = run_key(program)  # programs that differ only in comments or layout run once
        lock = self._inflight.setdefault(key, asyncio.Lock())
        async with lock:
            missing = list({t.id: t for t in tests if not self._done(key, t.id, max_failures)}.values())
            if not missing:
                return
            result = await self.pool.run(
                program,
                [TestCase(t.input, None) for t in missing],
                self.limits,
                input_file=self.input_file,
                output_file=self.output_file,
                max_failures=max_failures,
            )
            self.executions += len(result.tests)
            if result.compile_verdict is not None:
                for t in missing:
                    self._runs[(key, t.id)] = Run(
                        result.compile_verdict, "", "", 0.0, result.compile_output[:500]
                    )
                return
            for t, r in zip(missing, result.tests):
                self._runs[(key, t.id)] = _to_run(r)
            if result.skipped:
                last = result.tests[-1].verdict
                why = f"{NOT_RUN}: stopped after {max_failures} failed runs"
                for t in missing[len(result.tests):]:
                    self._runs[(key, t.id)] = Run(last, "", "", 0.0, why)

    def _done(self, key: str, test_id: str, max_failures: int | None) -> bool:
        run = self._runs.get((key, test_id))
        # skipped after failures: done, unless this call asks for every test
        return run is not None and not (max_failures is None and run.detail.startswith(NOT_RUN))

    def get(self, candidate: Candidate, test: UnitTest) -> Run | None:
        program = candidate.program
        return None if program is None else self.run_of(program, test)

    def run_of(self, program: Program, test: UnitTest) -> Run | None:
        return self._runs.get((run_key(program), test.id))

    def passes(self, candidate: Candidate, test: UnitTest) -> bool | None:
        """True/False against the test's expected output; None when it has none."""
        if test.output is None:
            return None
        run = self.get(candidate, test)
        if run is None:
            raise KeyError(f"{candidate.id} has not run on test {test.id}")
        return run.ran and check(test.output, run.output, self.checker)


def _to_run(r: TestResult) -> Run:
    return Run(r.verdict, r.stdout, r.output_hash, r.cpu_s, r.detail, r.stdout_complete)
