"""Plain, serialisable data that crosses the sandbox boundary.

Jobs and results are dataclasses of strings and numbers so that the same pool can be
driven from another process or machine without changing callers.
"""

from __future__ import annotations

import enum
import hashlib
from dataclasses import asdict, dataclass, field

from sandbox import languages

Language = str  # a name in sandbox.languages.LANGUAGES


class Verdict(str, enum.Enum):
    OK = "OK"
    WA = "WA"  # wrong answer
    TLE = "TLE"  # CPU time over the limit (or the wall-clock backstop hit)
    MLE = "MLE"  # memory over the limit
    RE = "RE"  # runtime error: non-zero exit or killed by a signal
    OLE = "OLE"  # output over the limit
    CE = "CE"  # compile error
    SE = "SE"  # sandbox or infrastructure error: never the candidate's fault

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Program:
    source: str
    language: Language = languages.DEFAULT.name

    @property
    def key(self) -> str:
        return hashlib.sha256(f"{self.language}\0{self.source}".encode()).hexdigest()


@dataclass(frozen=True)
class TestCase:
    input: str
    output: str | None = None  # None: run only, nothing to compare against

    __test__ = False  # not a pytest test class


@dataclass(frozen=True)
class Limits:
    """Per-test limits. TLE is decided on CPU time; wall time is only the backstop."""

    time_s: float = 2.0
    memory_mb: int = 256  # everything one test holds
    address_space_mb: int | None = None  # per process (RLIMIT_AS); None: memory_mb
    output_mb: int = 64
    wall_s: float | None = None  # default: 3 x time_s + 1 second
    compile_time_s: float = 30.0
    compile_memory_mb: int = 1024
    processes: int = 16  # RLIMIT_NPROC for the candidate uid
    open_files: int = 64
    file_size_mb: int = 64  # RLIMIT_FSIZE for anything the program writes

    @property
    def wall_backstop_s(self) -> float:
        return self.wall_s if self.wall_s is not None else 3.0 * self.time_s + 1.0

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class TestResult:
    verdict: Verdict
    time_s: float = 0.0  # wall time
    cpu_s: float = 0.0
    memory_bytes: int = 0  # peak resident set size
    exit_code: int | None = None  # None when killed by a signal
    signal: int | None = None
    stdout: str = ""  # what the program printed, up to what the runner keeps (keep_output)
    stderr_head: str = ""
    detail: str = ""  # why the verdict was given, in words
    stdout_bytes: int = -1  # the whole output's size; -1: len(stdout.encode())
    # Hash of the whole whitespace-tokenised output (also of what was not kept): programs
    # that print the same tokens fall in one cluster, whatever their spacing.
    output_hash: str = ""

    __test__ = False

    STDOUT_HEAD = 512

    def __post_init__(self) -> None:
        if self.stdout_bytes < 0:
            self.stdout_bytes = len(self.stdout.encode())
        if not self.output_hash:
            self.output_hash = output_hash(self.stdout)

    @property
    def stdout_head(self) -> str:
        return self.stdout[: self.STDOUT_HEAD]

    @property
    def stdout_complete(self) -> bool:
        """Whether ``stdout`` holds the whole output (else only its beginning)."""
        return len(self.stdout.encode()) >= self.stdout_bytes

    def to_dict(self, full_stdout: bool = False) -> dict:
        d = {
            "verdict": self.verdict.value,
            "time_s": round(self.time_s, 4),
            "cpu_s": round(self.cpu_s, 4),
            "memory_bytes": self.memory_bytes,
            "exit_code": self.exit_code,
            "signal": self.signal,
            "stdout_head": self.stdout_head,
            "stderr_head": self.stderr_head,
            "output_hash": self.output_hash,
        }
        if self.detail:
            d["detail"] = self.detail
        if full_stdout:
            d["stdout"] = self.stdout
        if not self.stdout_complete:
            d["stdout_bytes"] = self.stdout_bytes
        return d


@dataclass
class JobResult:
    tests: list[TestResult] = field(default_factory=list)
    compile_output: str = ""
    compile_verdict: Verdict | None = None  # CE or SE when the build failed
    worker: str = ""  # which sandbox ran it, for diagnostics
    attempts: int = 1
    skipped: int = 0  # tests not run because the job stopped early (max_failures)
    compile_s: float = 0.0  # wall time of the build (0 when it came from a cache)
    compile_cached: bool = False  # the build was taken from the pool's artifact cache

    @property
    def verdict(self) -> Verdict:
        """The first non-OK verdict, or OK."""
        if self.compile_verdict is not None:
            return self.compile_verdict
        for t in self.tests:
            if t.verdict is not Verdict.OK:
                return t.verdict
        return Verdict.OK

    @property
    def passed(self) -> bool:
        return self.verdict is Verdict.OK

    def to_dict(self, full_stdout: bool = False) -> dict:
        return {
            "verdict": self.verdict.value,
            "compile_output": self.compile_output,
            "tests": [t.to_dict(full_stdout) for t in self.tests],
            "skipped": self.skipped,
        }


def output_hash(text: str) -> str:
    """See TestResult.output_hash."""
    return hashlib.sha256(" ".join(text.split()).encode()).hexdigest()[:16]


def tests_digest(tests: "list[TestCase] | tuple[TestCase, ...]") -> str:
    """A hash of a test set: inputs and expected outputs, in order."""
    h = hashlib.sha256()
    for t in tests:
        h.update(b"\0in\0%d\0" % len(t.input))
        h.update(t.input.encode())
        if t.output is None:
            h.update(b"\0none\0")
        else:
            h.update(b"\0out\0%d\0" % len(t.output))
            h.update(t.output.encode())
    return h.hexdigest()


def job_key(program: Program, tests_digest: str, limits: Limits, **options: object) -> str:
    """The identity of one job: program, tests (by their :func:`tests_digest`), limits and run
    options. Two jobs with the same key give the same verdicts, so running one twice (a retry
    after a lost machine) is harmless."""
    h = hashlib.sha256()
    h.update(program.key.encode())
    h.update(tests_digest.encode())
    h.update(repr(sorted(limits.to_dict().items())).encode())
    h.update(repr(sorted(options.items())).encode())
    return h.hexdigest()
