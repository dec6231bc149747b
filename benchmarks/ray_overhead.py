"""Ray backend overhead: one workload on the local Docker pool and on the ray backend, on the
same machine, side by side in one run.

Workload: the one of sandbox_throughput.py (every known-correct solution of the CodeContests
dev set on its public and private tests, plus a share of failing programs). Modes, run in
alternating rounds so that a busy moment of the machine hits both alike:

  pool   SandboxPool("docker", size=N) in this process
  ray    RaySandboxPool on a one-node Ray cluster on this machine (as `ray start --head`
         makes), whose actor owns a Docker pool of the same size; the jobs go through the
         driver's queue and Ray's actor calls
  ray-Kn with --nodes K: Ray's multi-node test cluster on this machine, a head with no CPUs
         and K worker nodes (raylets) sharing the same N sandboxes, a pool on each

Start-up (Ray, actors, containers) is timed apart and left out of the throughput.
Prints ms per test for each mode and the ratio ray/pool (the goal: well under 1.3x).

    python benchmarks/ray_overhead.py [--data DIR] [--workers N] [--rounds R] [--nodes K]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from sandbox_throughput import workload

from sandbox.daemon import docker_client
from sandbox.pool import SandboxPool
from sandbox.types import Program


async def timed(make_pool, jobs) -> tuple[float, float, int, int]:
    """(start-up s, run s, tests, tests passed) for one pool over the whole workload."""
    t0 = time.perf_counter()
    async with make_pool() as pool:
        t1 = time.perf_counter()
        results = await asyncio.gather(
            *(pool.run(Program(src), tests, limits) for _, src, tests, limits in jobs)
        )
        t2 = time.perf_counter()
    passed = sum(t.verdict.value == "OK" for r in results for t in r.tests)
    return t1 - t0, t2 - t1, sum(len(r.tests) for r in results), passed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path,
                    default=Path(os.environ.get("ARCHON_CODE_DATA", Path(__file__).resolve().parents[2] / "shared" / "data")))
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--fail-share", type=float, default=0.25)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--nodes", type=int, default=0,
                    help="also run on a test cluster of this many worker nodes (0: skip)")
    args = ap.parse_args()
    if docker_client() is None:
        sys.exit("no Docker daemon answers: start dockerd first")
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    from sandbox.ray_pool import RaySandboxPool

    jobs = workload(args.data, args.fail_share, args.seed)
    n_tests = sum(len(j[2]) for j in jobs)
    print(f"workload: {len(jobs)} programs, {n_tests} tests, {args.workers} sandboxes, "
          f"{args.rounds} rounds per mode", flush=True)
    from ray.cluster_utils import Cluster

    store = 80 << 20
    single = Cluster(initialize_head=True, head_node_args={
        "num_cpus": args.workers, "object_store_memory": store, "include_dashboard": False})
    clusters = [single]
    try:
        modes = {
            "pool": lambda: SandboxPool("docker", size=args.workers),
            "ray": lambda: RaySandboxPool(single.address, size=args.workers),
        }
        if args.nodes:
            per_node = max(1, args.workers // args.nodes)
            multi = Cluster(initialize_head=True, head_node_args={
                "num_cpus": 0, "object_store_memory": store, "include_dashboard": False})
            for _ in range(args.nodes):
                multi.add_node(num_cpus=per_node, object_store_memory=store)
            multi.wait_for_nodes()
            clusters.append(multi)
            modes[f"ray-{args.nodes}n"] = lambda: RaySandboxPool(multi.address, size=per_node)
        # A warm-up of each mode (image check, first containers) that is not counted.
        for make in modes.values():
            asyncio.run(timed(make, jobs[:10]))
        runs: dict[str, list[tuple[float, float, int, int]]] = {m: [] for m in modes}
        for r in range(args.rounds):
            for name, make in modes.items():
                runs[name].append(asyncio.run(timed(make, jobs)))
                startup, wall, tests, passed = runs[name][-1]
                print(f"  round {r + 1} {name:7}: {wall:6.2f} s ({1000 * wall / tests:.2f} ms/test), "
                      f"start-up {startup:.1f} s, {passed}/{tests} tests passed", flush=True)

        print(f"\n{'mode':7} {'ms/test (median)':>17} {'start-up s':>11} {'passed':>8}")
        ms = {}
        for name, rs in runs.items():
            ms[name] = statistics.median(1000 * w / t for _, w, t, _ in rs)
            print(f"{name:7} {ms[name]:17.2f} {statistics.median(s for s, *_ in rs):11.1f} "
                  f"{rs[-1][3]:8d}")
        if {r[3] for rs in runs.values() for r in rs} != {runs['pool'][0][3]}:
            print("warning: the modes disagree on how many tests passed", file=sys.stderr)
        print()
        for name, value in ms.items():
            if name != "pool":
                print(f"ratio {name}/pool: {value / ms['pool']:.3f}x  (goal: well under 1.3x)")
    finally:
        for c in clusters:
            c.shutdown()


if __name__ == "__main__":
    main()
