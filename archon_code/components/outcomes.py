"""What a candidate did on a test, as one comparable string, computed once per pair."""

from __future__ import annotations

import hashlib
import math
import re

from sandbox.checker import check
from sandbox.normalise import run_key
from sandbox.types import Verdict

from archon_code.executor import NOT_RUN, Executor, Run
from archon_code.state import Candidate, UnitTest

LARGE_INPUT_BYTES = 50_000
WALL_ONLY = 0.8  # a timeout with less CPU time than this share of the limit hit the wall clock
_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:e[+-]?[0-9]+)?")
TIMEOUT = f"!{Verdict.TLE.value}"


def normal_output(text: str) -> str:
    """The output as the default checker reads it: whitespace-separated, lower-case tokens,
    with decimals rounded to 4 places (so that 0.5 and 0.50000001 count as the same)."""
    tokens = text.lower().split()
    for i, tok in enumerate(tokens):
        if ("." in tok or "e" in tok) and _NUMBER.fullmatch(tok):
            x = float(tok)
            if math.isfinite(x):
                tokens[i] = repr(round(x, 4) + 0.0)  # + 0.0 turns -0.0 into 0.0
    return " ".join(tokens)




def output_signature(run: Run | None) -> str:
    """Equal for two runs that printed the same answer; ``!VERDICT`` for a run that failed,
    ``?`` for one that has not happened (or was skipped after the program failed too often:
    what it would have done there is unknown)."""
    if run is None or run.detail.startswith(NOT_RUN):
        return "?"
    if not run.ran:
        return f"!{run.verdict.value}"
    return hashlib.sha256(normal_output(run.output).encode()).hexdigest()[:16]


def is_large(t: UnitTest) -> bool:
    """An input at the problem's maximum sizes (or simply big): where time tells programs
    apart, and where timing out says "too slow" rather than "wrong"."""
    return t.origin.endswith(":max") or len(t.input) >= LARGE_INPUT_BYTES


def failed(sig: str) -> bool:
    return sig.startswith("!")


def judged(sig: str) -> bool:
    """A signature that says something about the candidate (not a sandbox error, not absent)."""
    return sig != "?" and sig != f"!{Verdict.SE.value}"


class Outcomes:
    """Signatures of candidates on tests, each computed once."""

    def __init__(self, executor: Executor) -> None:
        self.executor = executor
        self._sigs: dict[tuple[str, str], str] = {}

    def sig(self, c: Candidate, t: UnitTest) -> str:
        program = c.program
        if program is None:
            return "?"
        key = (run_key(program), t.id)
        sig = self._sigs.get(key)
        if sig is None:
            run = self.executor.get(c, t)
            sig = output_signature(run)
            if (sig == TIMEOUT and run is not None and is_large(t)
                    and run.cpu_s < WALL_ONLY * self.executor.limits.time_s):
                # killed by the wall-clock backstop well under the CPU limit: a busy machine,
                # not (yet) a slow program; where time is evidence, that says nothing
                sig = "?"
            if run is not None:  # not run yet: ask again later
                self._sigs[key] = sig
        return sig

    def cpu(self, c: Candidate, t: UnitTest) -> float | None:
        run = self.executor.get(c, t)
        return None if run is None else run.cpu_s

    def passes(self, c: Candidate, t: UnitTest, expected: str) -> bool:
        run = self.executor.get(c, t)
        return run is not None and run.ran and check(expected, run.output, self.executor.checker)
