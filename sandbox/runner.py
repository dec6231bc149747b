"""The one interface for "runs programs": every pool (Docker, local, Ray, a memoising
wrapper) implements it, and every caller types against it.

    async with runner:
        result = await runner.run(Program(src, "python"), [TestCase("1 2\\n", "3\\n")], limits)

A runner takes whole jobs (one program, all its tests, one set of limits) and judges each
output with the named checker; jobs and results are plain data (sandbox.types), so a runner
may run them anywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from sandbox.types import JobResult, Limits, Program, TestCase

DEFAULT_CHECKER = "codecontests"


@runtime_checkable
class Runner(Protocol):
    @property
    def backend(self) -> str:
        """'docker', 'local', 'ray', ... : where jobs run."""
        ...

    @property
    def size(self) -> int:
        """How many jobs run at once."""
        ...

    @property
    def description(self) -> str:
        """Where jobs run, in a few words (for progress lines)."""
        ...

    async def start(self) -> "Runner": ...

    async def close(self) -> None: ...

    async def __aenter__(self) -> "Runner": ...

    async def __aexit__(self, *exc: object) -> None: ...

    async def run(
        self,
        program: Program,
        tests: Sequence[TestCase],
        limits: Limits = Limits(),
        *,
        checker: str = DEFAULT_CHECKER,
        input_file: str | None = None,
        output_file: str | None = None,
        max_failures: int | None = None,
    ) -> JobResult:
        """Run one program on all its tests and judge every output. With max_failures the
        job stops after that many tests that did not run cleanly; `skipped` counts the rest."""
        ...

    async def run_many(self, jobs, **kwargs) -> list[JobResult]:
        """Run (program, tests, limits) triples concurrently; results in the same order."""
        ...
