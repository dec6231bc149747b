"""What a Python test costs with the preloaded interpreter (pyrun) and with a fresh one.

Runs the same small programs through a preloading Docker pool and a pool that starts
`python3 main.py` per test, side by side in one run, and prints CPU milliseconds per test
(as the supervisor measures them: everything the test's processes used) and the ratio.

  trivial      reads two numbers, prints their sum: the cost is all start-up and shutdown
  imports      imports collections, decimal, fractions, typing, heapq, re
  sets         builds a set of strings: pyrun gives it a fresh interpreter (the hash secret)
  dev          the known-correct dev solutions on their public tests (with --data)

    python benchmarks/pyrun_overhead.py [--tests 100] [--data DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from archon_code.stored_solutions import reference_solutions  # noqa: E402
from problems import load_problems  # noqa: E402
from sandbox.pool import SandboxPool  # noqa: E402
from sandbox.types import Limits, Program, TestCase  # noqa: E402

PROGRAMS = {
    "trivial": "a, b = map(int, input().split())\nprint(a + b)\n",
    "imports": (
        "import collections, decimal, fractions, typing, heapq, re\n"
        "a, b = map(int, input().split())\n"
        "print(decimal.Decimal(a) + b, fractions.Fraction(a, b))\n"
    ),
    "sets": "a, b = map(int, input().split())\nprint(len({str(a), str(b), 'x'}))\n",
}


def workloads(n: int, data: Path | None) -> dict[str, list[tuple[Program, list[TestCase]]]]:
    tests = [TestCase(f"{i} {i + 1}\n", f"{2 * i + 1}\n") for i in range(n)]
    out = {name: [(Program(src), tests)] for name, src in PROGRAMS.items()}
    if data is not None:
        out["dev"] = [
            (Program(reference_solutions(p, "python")[0]),
             [TestCase(t.input, t.output) for t in p.public()])
            for p in load_problems(str(data / "codecontests-dev.jsonl"))
        ]
    return out


async def cpu_ms_per_test(pool: SandboxPool, jobs) -> float:
    results = await pool.run_many([(prog, tests, Limits(time_s=10)) for prog, tests in jobs])
    times = [t.cpu_s * 1000 for r in results for t in r.tests]
    return statistics.mean(times)


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tests", type=int, default=100, help="tests per small program")
    ap.add_argument("--data", type=Path, default=None, help="folder with codecontests-dev.jsonl")
    args = ap.parse_args()
    loads = workloads(args.tests, args.data)
    async with SandboxPool("docker", size=1) as pre, \
            SandboxPool("docker", size=1, preload=False) as fresh:
        print(f"{'workload':10} {'preloaded':>12} {'fresh':>12} {'fresh/preloaded':>16}")
        for name, jobs in loads.items():
            a = await cpu_ms_per_test(pre, jobs)
            b = await cpu_ms_per_test(fresh, jobs)
            print(f"{name:10} {a:10.1f}ms {b:10.1f}ms {b / a:15.2f}x")


if __name__ == "__main__":
    asyncio.run(main())
