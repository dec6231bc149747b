"""Run a problem set's own solutions in the sandbox: a check on the tests, the limits and the
sandbox itself. A correct solution that fails is a bad test, a too-tight limit or a sandbox
false negative; an incorrect solution that passes everything means weak tests."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from archon_code.rules import Rules, public_tests
from archon_code.stored_solutions import runnable_solutions
from problems import Problem
from sandbox.runner import Runner
from sandbox.types import JobResult, Program, TestCase


def problem_tests(problem: Problem, rules: Rules) -> list[TestCase]:
    """The public tests, then what the rules judge a pick on (without the public ones twice)."""
    public = public_tests(problem)
    seen = {(t.input, t.output) for t in public}
    return public + [t for t in rules.hidden(problem) if (t.input, t.output) not in seen]


async def run_on_problem(
    pool: Runner, problem: Problem, program: Program, tests: list[TestCase], rules: Rules,
    *, max_failures: int | None = None,
) -> JobResult:
    job = rules.job(problem)
    return await pool.run(program, tests, job.limits, **job.options(), max_failures=max_failures)


@dataclass
class ValidationReport:
    problems: int = 0
    solutions_run: int = 0
    skipped_languages: int = 0  # Python 2 (and unknown) solutions: not runnable here
    correct_failing: list[dict] = field(default_factory=list)
    incorrect_passing: list[dict] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.correct_failing and not self.incorrect_passing

    def to_dict(self) -> dict:
        return {
            "problems": self.problems,
            "solutions_run": self.solutions_run,
            "skipped_languages": self.skipped_languages,
            "correct_failing": self.correct_failing,
            "incorrect_passing": self.incorrect_passing,
        }


async def validate(
    problems: list[Problem],
    pool: Runner,
    *,
    rules: Rules | None = None,
    on_done: Callable[[], None] | None = None,
) -> ValidationReport:
    """Every runnable solution and incorrect solution on all public and hidden tests, under
    the rules' limits and checker."""
    rules = rules or Rules()
    report = ValidationReport(problems=len(problems))
    tests = {p.id: problem_tests(p, rules) for p in problems}
    jobs = [(p, kind, i, prog, tests[p.id]) for p, kind, i, prog in solution_jobs(problems)]
    report.skipped_languages = sum(
        len(sols.language) for p in problems for sols in (p.solutions, p.incorrect_solutions)
    ) - len(jobs)

    async def one(problem, kind, index, program, tests):
        # Only pass/fail and the first bad verdict matter: stop at the first crash or timeout.
        result = await run_on_problem(pool, problem, program, tests, rules, max_failures=1)
        if on_done:
            on_done()
        return problem, kind, index, result

    for problem, kind, index, result in await asyncio.gather(*(one(*j) for j in jobs)):
        report.solutions_run += 1
        if kind == "correct" and not result.passed:
            bad = next((t for t in result.tests if t.verdict.value != "OK"), None)
            report.correct_failing.append(
                {
                    "problem": problem.id,
                    "index": index,
                    "verdict": result.verdict.value,
                    "detail": (bad.detail if bad else result.compile_output[:500]),
                }
            )
        elif kind == "incorrect" and result.passed:
            report.incorrect_passing.append({"problem": problem.id, "index": index})
    return report


def solution_jobs(problems: list[Problem]):
    """(problem, "correct" | "incorrect", index, program) for every runnable stored solution;
    Python 2 solutions cannot run here and are left out."""
    for problem in problems:
        for kind, sols in (("correct", problem.solutions), ("incorrect", problem.incorrect_solutions)):
            for stored in runnable_solutions(sols):
                yield problem, kind, stored.index, stored.program


def count_jobs(problems: list[Problem]) -> int:
    return sum(1 for _ in solution_jobs(problems))
