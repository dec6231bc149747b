"""The rules that decide a verdict, as one named, recorded choice; and the one adapter from a
problem and those rules to sandbox jobs.

    rules = Rules(limits="deepmind", checker="codecontests")
    job = rules.job(problem)              # limits, checker, input/output files
    await runner.run(program, tests, job.limits, **job.options())

Every command that runs a problem's programs (bench, validate, exec, solve, search, the
pipeline's executor) goes through here, so that one run judges everything the same way, and
a run dir can say exactly how it judged.

Limits policies (the problem's own time and memory limits, scaled by ``time_scale``, then):

``deepmind`` (default): DeepMind's CodeContests sandbox (``execution/tester_sandboxer.cc``):
    a CPU limit of max(1 s, the limit in whole seconds, truncated as absl::ToInt64Seconds
    does), a wall limit of 30 times that, and an address space of the memory limit plus
    32 MiB. Here the 32 MiB also go to the test's total memory (all its processes, files and
    memfds), which the sandbox enforces besides.
``strict``: exactly the problem's limits: CPU time and memory, nothing added.
``archon``: Archon's CodeContests execution: the limit plus 10 s, and no memory limit of its
    own (``ulimit -v`` of about 2 TB); here the 10 s bound CPU time (the verdict never
    depends on machine load) and memory is bounded only by what a sandbox can hold.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Literal

from problems import Problem
from sandbox.checker import CHECKERS
from sandbox.runner import DEFAULT_CHECKER
from sandbox.types import Limits, TestCase

LimitsPolicy = Literal["deepmind", "strict", "archon"]
LIMITS_POLICIES: tuple[str, ...] = ("deepmind", "strict", "archon")
DEFAULT_LIMITS_POLICY: LimitsPolicy = "deepmind"

HiddenTests = Literal["private", "private+generated", "public+private+generated"]
HIDDEN_TESTS: tuple[str, ...] = ("private", "private+generated", "public+private+generated")
DEFAULT_HIDDEN_TESTS: HiddenTests = "private"

DEFAULT_TIME_SCALE = 1.0

DEEPMIND_EXTRA_MEMORY_MB = 32
DEEPMIND_WALL_FACTOR = 30
ARCHON_EXTRA_TIME_S = 10.0
# What "no memory limit" becomes in a sandbox: the most one test may hold.
UNBOUNDED_MEMORY_MB = 1536


class RulesError(ValueError):
    """A rule name or value that does not exist."""


@dataclass(frozen=True)
class Job:
    """What a runner needs besides the program and the tests."""

    limits: Limits
    checker: str
    input_file: str | None
    output_file: str | None

    def options(self) -> dict:
        return {"checker": self.checker, "input_file": self.input_file,
                "output_file": self.output_file}


@dataclass(frozen=True)
class Rules:
    checker: str = DEFAULT_CHECKER
    limits: LimitsPolicy = DEFAULT_LIMITS_POLICY
    time_scale: float = DEFAULT_TIME_SCALE
    hidden_tests: HiddenTests = DEFAULT_HIDDEN_TESTS

    def __post_init__(self) -> None:
        if self.checker not in CHECKERS:
            raise RulesError(f"unknown checker {self.checker!r}; expected one of "
                             f"{', '.join(CHECKERS)}")
        if self.limits not in LIMITS_POLICIES:
            raise RulesError(f"unknown limits policy {self.limits!r}; expected one of "
                             f"{', '.join(LIMITS_POLICIES)}")
        if not (isinstance(self.time_scale, (int, float)) and math.isfinite(self.time_scale)
                and self.time_scale > 0):
            raise RulesError(f"time scale must be a positive number, not {self.time_scale!r}")
        if self.hidden_tests not in HIDDEN_TESTS:
            raise RulesError(f"unknown hidden tests {self.hidden_tests!r}; expected one of "
                             f"{', '.join(HIDDEN_TESTS)}")

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict | None) -> Rules:
        d = d or {}
        return cls(**{k: d[k] for k in ("checker", "limits", "time_scale", "hidden_tests") if k in d})

    def describe(self) -> str:
        scale = f" x{self.time_scale:g}" if self.time_scale != 1 else ""
        return (f"limits {self.limits}{scale}, checker {self.checker}, "
                f"hidden tests {self.hidden_tests}")

    # ------------------------------------------------------------------ limits

    def limits_for(self, time_limit_s: float, memory_limit_mb: int) -> Limits:
        """A problem's stated limits turned into the sandbox's terms under this policy."""
        t = time_limit_s * self.time_scale
        if self.limits == "strict":
            return Limits(time_s=t, memory_mb=memory_limit_mb, address_space_mb=memory_limit_mb)
        if self.limits == "deepmind":
            cpu = float(max(1, math.trunc(t)))
            mem = memory_limit_mb + DEEPMIND_EXTRA_MEMORY_MB
            return Limits(time_s=cpu, wall_s=DEEPMIND_WALL_FACTOR * cpu, memory_mb=mem,
                          address_space_mb=mem)
        cpu = t + ARCHON_EXTRA_TIME_S
        return Limits(time_s=cpu, wall_s=cpu, memory_mb=UNBOUNDED_MEMORY_MB,
                      address_space_mb=None)

    def job(self, problem: Problem) -> Job:
        input_file, output_file = problem.io_files
        return Job(self.limits_for(problem.time_limit_s, problem.memory_limit_mb),
                   self.checker, input_file, output_file)

    # ------------------------------------------------------------------ tests

    def hidden(self, problem: Problem) -> list[TestCase]:
        """What a pick is judged on."""
        tests = problem.hidden(include_generated=self.hidden_tests != "private")
        if self.hidden_tests == "public+private+generated":
            tests = problem.public() + tests
        return [TestCase(t.input, t.output) for t in tests]


def public_tests(problem: Problem) -> list[TestCase]:
    return [TestCase(t.input, t.output) for t in problem.public()]
