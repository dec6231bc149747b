"""The candidate seccomp filter's cost on a system-call-heavy loop, measured side by side.

A C program makes N getppid calls (never cached by the C library) and reports the time it
took. It runs, in interleaved rounds, without a filter, under a one-instruction filter that
allows everything (the kernel's fixed cost of having a filter at all), and under the
candidate's filter; the script prints the medians and the ratios. It does the same for a
call the filter inspects by argument (socketpair(AF_UNIX), the longest path through it).

    python benchmarks/seccomp_overhead.py [--calls 1000000] [--rounds 7]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sandbox.seccomp_filter import filter_supported  # noqa: E402

LOOP = r"""
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
int main(int argc, char **argv) {
    long n = atol(argv[1]);
    int pair = strcmp(argv[2], "socketpair") == 0;
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (long i = 0; i < n; i++) {
        if (pair) {
            int sv[2];
            syscall(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, sv);
            close(sv[0]);
            close(sv[1]);
        } else {
            syscall(SYS_getppid);
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    printf("%.6f\n", (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9);
    return 0;
}
"""
LAUNCH = {
    "allow-all": "from sandbox.seccomp_filter import SECCOMP_RET_ALLOW, install, ret; "
                 "install([ret(SECCOMP_RET_ALLOW)])",
    "candidate": "from sandbox.seccomp_filter import install_candidate_filter; "
                 "install_candidate_filter()",
}


def timed(argv: list[str]) -> float:
    out = subprocess.run(argv, capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parent.parent)
    return float(out.stdout)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--calls", type=int, default=1_000_000)
    p.add_argument("--rounds", type=int, default=7)
    args = p.parse_args()
    ok, why = filter_supported()
    if not ok:
        sys.exit(f"seccomp_overhead: {why}")
    print(why)
    with tempfile.TemporaryDirectory() as tmp:
        src, exe = Path(tmp) / "loop.c", Path(tmp) / "loop"
        src.write_text(LOOP)
        subprocess.run(["gcc", "-O2", "-o", str(exe), str(src)], check=True)
        for call, n in (("getppid", args.calls), ("socketpair", args.calls // 10)):
            times: dict[str, list[float]] = {"none": [], **{mode: [] for mode in LAUNCH}}
            for _ in range(args.rounds):  # interleaved, so that load changes hit every mode
                loop = [str(exe), str(n), call]
                times["none"].append(timed(loop))
                for mode, install in LAUNCH.items():
                    code = f"import os, sys; {install}; os.execv(sys.argv[1], sys.argv[1:])"
                    times[mode].append(timed([sys.executable, "-c", code, *loop]))
            med = {mode: statistics.median(t) * 1e9 / n for mode, t in times.items()}
            print(f"{n} x {call}: " + ", ".join(f"{m} {v:.1f} ns" for m, v in med.items()))
            print(f"  ratios: allow-all/none {med['allow-all'] / med['none']:.3f}, "
                  f"candidate/none {med['candidate'] / med['none']:.3f}, "
                  f"candidate/allow-all {med['candidate'] / med['allow-all']:.3f}")

if __name__ == "__main__":
    main()
