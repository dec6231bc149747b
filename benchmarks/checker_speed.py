"""Checker speed: each rule on megabyte outputs against the floor any token rule pays, side by
side in one run.

The floor is ``expected.split() == actual.split()`` on the decoded texts: splitting both
outputs and comparing the lists, which a token rule cannot avoid when the texts differ.
Workloads (200,000 lines of an integer and a float, about 3 MB):

  identical     the same text (a whole-text comparison decides)
  relaid        the same tokens with \\r\\n line endings (equal token lists decide)
  nudged-last   the last float off by 4e-6 (every pair looked at, one parsed)
  wrong-first   the first token wrong (the first pair decides)
  with-words    YES/NO answers with one float nudged (identical pairs parsed only where
                a token could be inf or nan)

Prints milliseconds (best of --repeat) and the ratio rule/floor per workload and checker.
    python benchmarks/checker_speed.py [--lines 200000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sandbox.checker import CHECKERS, check  # noqa: E402


def workloads(n: int) -> dict[str, tuple[str, str]]:
    lines = [f"{i} {i * 0.5:.6f}" for i in range(n)]
    expected = "\n".join(lines) + "\n"
    words = [f"{'YES' if i % 3 else 'NO'} {i * 0.25:.6f}" for i in range(n)]
    return {
        "identical": (expected, expected),
        "relaid": (expected, "\r\n".join(lines)),
        "nudged-last": (expected, "\n".join(lines[:-1] + [f"{n - 1} {(n - 1) * 0.5 + 4e-6:.6f}"])),
        "wrong-first": (expected, "\n".join(["5 0.000000"] + lines[1:])),
        "with-words": ("\n".join(words), "\n".join(words[:-1] + [f"YES {(n - 1) * 0.25 + 4e-6:.6f}"])),
    }


def best_ms(f: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        f()
        best = min(best, time.perf_counter() - start)
    return best * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"{'workload':12s} {'floor ms':>9s}" + "".join(f" {name:>22s}" for name in CHECKERS))
    for name, (expected, actual) in workloads(args.lines).items():
        floor = best_ms(lambda: expected.split() == actual.split(), args.repeat)
        cells = []
        for mode in CHECKERS:
            ms = best_ms(lambda: check(expected, actual, mode), args.repeat)
            cells.append(f"{ms:8.1f} ms x{ms / floor:5.2f}")
        print(f"{name:12s} {floor:9.1f}" + "".join(f" {c:>22s}" for c in cells))


if __name__ == "__main__":
    main()
