"""Sandbox throughput: one workload, four ways of running it, measured side by side in one run.

Workload: every known-correct solution of the CodeContests dev set on its public and private
tests, plus a share of failing programs (wrong answer, crash). Modes:

  bare         subprocess.run(python3 prog.py) on the host, same parallelism, no isolation
  pool         the warm Docker pool (fork server, preloaded interpreter), full isolation:
               per-test cgroups, namespaces and seccomp filter
  pool-no-ns   the same without per-test namespaces (/work and /tmp wiped instead)
  pool-no-cg   the same without per-test cgroups (memory limited per process)
  pool-fresh   the full pool starting a fresh interpreter per test (--no-preload)
  exec/test    one `docker exec -i` per test into long-lived hardened containers
  run/test     one `docker run --rm -i` per test, on a sample (the cost per test is what counts)

Prints a table, then the ratios pool/bare and exec-per-test/pool, and what the per-test
namespaces and cgroups cost per test. Then C++ compile times through the pool: a program
including bits/stdc++.h (the image's precompiled header), the same program again (the pool's
compile cache), and a program with the headers it needs instead (no precompiled header).
    python benchmarks/sandbox_throughput.py [--data DIR] [--workers N] [--fail-share 0.25]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from archon_code.stored_solutions import reference_solutions  # noqa: E402
from problems import load_problems  # noqa: E402
from sandbox.checker import check  # noqa: E402
from sandbox.image import ensure_image  # noqa: E402
from sandbox.daemon import docker_client
from sandbox.pool import SandboxPool  # noqa: E402
from sandbox.types import Limits, Program, TestCase  # noqa: E402

HARDENING = [
    "--network", "none", "--read-only", "--cap-drop", "ALL", "--security-opt",
    "no-new-privileges", "--pids-limit", "256", "--memory", "1g",
    "--tmpfs", "/work:rw,size=64m,mode=1777", "--tmpfs", "/tmp:rw,size=64m,mode=1777",
]


def workload(data: Path, fail_share: float, seed: int):
    """[(name, source, tests, limits)]: correct solutions plus failing variants."""
    rng = random.Random(seed)
    jobs = []
    for p in load_problems(str(data / "codecontests-dev.jsonl")):
        tests = [TestCase(t.input, t.output) for t in p.public() + p.hidden()]
        limits = Limits(time_s=p.time_limit_s, memory_mb=p.memory_limit_mb)
        src = reference_solutions(p, "python")[0]
        jobs.append((p.id, src, tests, limits))
        if rng.random() < fail_share:
            bad = "print(0)\n" if rng.random() < 0.5 else "raise SystemExit(f'crash {1/0}')\n"
            jobs.append((p.id + " (bad)", bad, tests, limits))
    return jobs


def run_bare(jobs, workers: int, python: str) -> tuple[float, int, int]:
    """Host subprocesses, no isolation at all: the floor."""
    tmp = tempfile.mkdtemp(prefix="bench-bare-")

    def one(i_job):
        i, (_, src, tests, limits) = i_job
        path = os.path.join(tmp, f"p{i}.py")
        with open(path, "w") as f:
            f.write(src)
        passed = 0
        for t in tests:
            try:
                p = subprocess.run([python, path], input=t.input.encode(),
                                   capture_output=True, timeout=limits.wall_backstop_s)
                passed += p.returncode == 0 and check(t.output, p.stdout.decode(errors="replace"))
            except subprocess.TimeoutExpired:
                pass
        return passed

    t0 = time.perf_counter()
    with ThreadPoolExecutor(workers) as ex:
        passed = sum(ex.map(one, enumerate(jobs)))
    return time.perf_counter() - t0, sum(len(j[2]) for j in jobs), passed


def run_pool(jobs, workers: int, preload: bool, **options) -> tuple[float, int, int]:
    async def go():
        async with SandboxPool("docker", size=workers, preload=preload, **options) as pool:
            t0 = time.perf_counter()
            results = await asyncio.gather(
                *(pool.run(Program(src), tests, limits) for _, src, tests, limits in jobs)
            )
            wall = time.perf_counter() - t0
        passed = sum(t.verdict.value == "OK" for r in results for t in r.tests)
        return wall, sum(len(j[2]) for j in jobs), passed

    return asyncio.run(go())


def run_exec_per_test(jobs, workers: int, image: str) -> tuple[float, int, int]:
    """Long-lived containers, one `docker exec -i` per test (what many harnesses do)."""
    names = [f"bench-exec-{os.getpid()}-{i}" for i in range(workers)]
    for n in names:
        subprocess.run(["docker", "run", "-d", "--rm", "--name", n, *HARDENING, image,
                        "sleep", "infinity"], check=True, capture_output=True)
    try:

        def one(args):
            i, (_, src, tests, limits), name = args
            subprocess.run(["docker", "exec", "-i", name, "sh", "-c", f"cat > /work/p{i}.py"],
                           input=src.encode(), check=True, capture_output=True)
            passed = 0
            for t in tests:
                try:
                    p = subprocess.run(["docker", "exec", "-i", name, "python3", f"/work/p{i}.py"],
                                       input=t.input.encode(), capture_output=True,
                                       timeout=limits.wall_backstop_s + 5)
                    passed += p.returncode == 0 and check(t.output, p.stdout.decode(errors="replace"))
                except subprocess.TimeoutExpired:
                    pass
            return passed

        t0 = time.perf_counter()
        with ThreadPoolExecutor(workers) as ex:
            passed = sum(ex.map(one, [(i, j, names[i % workers]) for i, j in enumerate(jobs)]))
        return time.perf_counter() - t0, sum(len(j[2]) for j in jobs), passed
    finally:
        subprocess.run(["docker", "rm", "-f", *names], capture_output=True)


def run_run_per_test(jobs, workers: int, image: str, sample: int) -> tuple[float, int, int]:
    """A fresh `docker run --rm -i` per test, on a sample of the tests."""
    pairs = [(src, t, lim) for _, src, tests, lim in jobs for t in tests]
    pairs = random.Random(1).sample(pairs, min(sample, len(pairs)))

    def one(pair):
        src, t, lim = pair
        p = subprocess.run(["docker", "run", "--rm", "-i", *HARDENING, image, "python3", "-c", src],
                           input=t.input.encode(), capture_output=True, timeout=lim.wall_backstop_s + 30)
        return p.returncode == 0 and check(t.output, p.stdout.decode(errors="replace"))

    t0 = time.perf_counter()
    with ThreadPoolExecutor(workers) as ex:
        passed = sum(ex.map(one, pairs))
    return time.perf_counter() - t0, len(pairs), passed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path,
                    default=Path(os.environ.get("ARCHON_CODE_DATA", Path(__file__).resolve().parents[2] / "shared" / "data")))
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--fail-share", type=float, default=0.25)
    ap.add_argument("--run-sample", type=int, default=60, help="tests for the docker-run mode")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--python", default="/usr/bin/python3" if os.path.exists("/usr/bin/python3")
                    else sys.executable,
                    help="interpreter for the bare mode (default: the system one, which starts "
                         "fastest; a virtualenv's full site-packages start slower)")
    args = ap.parse_args()

    client = docker_client()
    if client is None:
        sys.exit("no Docker daemon answers: this benchmark compares Docker modes")
    image = ensure_image(client)
    jobs = workload(args.data, args.fail_share, args.seed)
    n_tests = sum(len(j[2]) for j in jobs)
    print(f"workload: {len(jobs)} programs, {n_tests} tests, {args.workers} workers; "
          f"bare mode uses {args.python}\n")

    rows = {}
    # Warm-up so that page cache and image layers do not favour whichever mode runs last.
    run_pool(jobs[:5], args.workers, True)
    rows["bare"] = run_bare(jobs, args.workers, args.python)
    rows["pool"] = run_pool(jobs, args.workers, True)
    rows["pool-no-ns"] = run_pool(jobs, args.workers, True, namespaces=False)
    rows["pool-no-cg"] = run_pool(jobs, args.workers, True, cgroups=False)
    rows["pool-fresh"] = run_pool(jobs, args.workers, False)
    rows["exec/test"] = run_exec_per_test(jobs, args.workers, image)
    rows["run/test"] = run_run_per_test(jobs, args.workers, image, args.run_sample)

    print(f"{'mode':<12} {'tests':>6} {'passed':>7} {'wall s':>8} {'ms/test':>8} {'tests/s':>8}")
    for mode, (wall, tests, passed) in rows.items():
        print(f"{mode:<12} {tests:>6} {passed:>7} {wall:>8.2f} {1000 * wall / tests:>8.2f} "
              f"{tests / wall:>8.1f}")
    per = {m: w / t for m, (w, t, _) in rows.items()}
    print()
    print(f"pool/bare            {per['pool'] / per['bare']:.2f}x   (target <= 1.5; below 1 beats bare)")
    print(f"pool-fresh/pool      {per['pool-fresh'] / per['pool']:.2f}x   (what the fork server saves)")
    print(f"run-per-test/pool    {per['run/test'] / per['pool']:.1f}x")
    print(f"exec-per-test/pool   {per['exec/test'] / per['pool']:.1f}x   (target >= 5)")
    print(f"per-test namespaces  {1000 * (per['pool'] - per['pool-no-ns']):+.2f} ms/test "
          f"({per['pool'] / per['pool-no-ns']:.2f}x)")
    print(f"per-test cgroups     {1000 * (per['pool'] - per['pool-no-cg']):+.2f} ms/test "
          f"({per['pool'] / per['pool-no-cg']:.2f}x)")
    print()
    compile_rows(args.workers)


CPP_BODY = """
int main() {
    int n; std::cin >> n;
    std::vector<long long> a(n);
    for (auto& x : a) std::cin >> x;
    std::sort(a.begin(), a.end());
    std::map<long long, int> seen;
    for (auto x : a) seen[x]++;
    std::cout << seen.size() << "\\n";
}
"""


def compile_rows(workers: int, rounds: int = 3) -> None:
    """C++ compile cost through the pool, each program new to it (a comment makes it so)."""
    pch = "#include <bits/stdc++.h>\n" + CPP_BODY
    plain = "#include <algorithm>\n#include <iostream>\n#include <map>\n#include <vector>\n" + CPP_BODY
    tests = [TestCase("3\n1 2 2\n", "2\n")]

    async def go():
        times: dict[str, list[float]] = {"bits/stdc++.h, precompiled": [], "again (pool cache)": [],
                                         "explicit headers": []}
        async with SandboxPool("docker", size=workers) as pool:
            for k in range(rounds):
                for label, src in (("bits/stdc++.h, precompiled", pch), ("explicit headers", plain)):
                    program = Program(src + f"// round {k} {time.time()}\n", "cpp")
                    t0 = time.perf_counter()
                    r = await pool.run(program, tests)
                    times[label].append(time.perf_counter() - t0)
                    assert r.verdict.value == "OK", r.to_dict()
                    if label.startswith("bits"):
                        t0 = time.perf_counter()
                        await pool.run(program, tests)
                        times["again (pool cache)"].append(time.perf_counter() - t0)
        return times

    times = asyncio.run(go())
    print(f"{'C++ job (compile + 1 test)':<30} {'median s':>9}")
    med = {k: sorted(v)[len(v) // 2] for k, v in times.items()}
    for k, v in med.items():
        print(f"{k:<30} {v:>9.3f}")
    print(f"explicit headers / precompiled   {med['explicit headers'] / med['bits/stdc++.h, precompiled']:.2f}x")
    print(f"precompiled / pool cache         {med['bits/stdc++.h, precompiled'] / med['again (pool cache)']:.2f}x")


if __name__ == "__main__":
    main()
