"""Where the main job's time goes: the README's `archon-code bench` (the offline architecture on
the bundled problems), run in this process so that the sandbox pool's own accounts can be read.

Two runs, side by side, on one pool start each:

  cold   an empty build cache: every C++/Java program is compiled
  warm   the same job again on the build cache the cold run filled (a second run, a resumed
         search trial or another architecture on the same samples)

For each it prints the wall time and where it went:

  pool start     starting the sandbox containers (before any job)
  compile        wall time of the builds (and Python's syntax checks) inside the sandboxes
  candidate CPU  the programs' own CPU time on their tests
  sandbox        the rest of the sandboxes' busy time: per-test set-up and teardown
                 (namespaces, cgroups, fork), transfers, judging
  idle           sandbox time not used while the job ran (the pipeline's own work, waiting
                 for the slowest problem)
  overhead       wall time / candidates' CPU time (1.0 would be no overhead at all; a pool of
                 N sandboxes could go below it)

and the time each component took, summed over problems (components of different problems
overlap, so these add up to more than the wall time).

    python benchmarks/main_job.py [--problems bundled] [--limit N] [--max-sandboxes N]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from archon_code.architectures import resolve_architecture  # noqa: E402
from archon_code.context import LLMHub  # noqa: E402
from archon_code.llm import LLMSettings  # noqa: E402
from archon_code.pipeline import Pipeline  # noqa: E402
from archon_code.rules import Rules  # noqa: E402
from harness.bench import BenchOptions, run_bench  # noqa: E402
from harness.runstore import RunStore  # noqa: E402
from problems import load_problems  # noqa: E402
from sandbox.pool import SandboxPool  # noqa: E402


async def one_run(name: str, problems, build_cache: Path, size: int | None, arch: str) -> dict:
    architecture = resolve_architecture(arch)
    rules = Rules()
    with tempfile.TemporaryDirectory(prefix=f"main-job-{name}-") as tmp:
        store = RunStore(Path(tmp) / "run")
        store.open({"config_hash": name, "config": {}, "rules": rules.to_dict()})
        t0 = time.monotonic()
        pool = SandboxPool("docker", size=size, build_cache=build_cache)
        async with pool:
            t_started = time.monotonic()
            pipeline = Pipeline(architecture, pool, LLMHub(LLMSettings(cache=None)), seed=0,
                                rules=rules)
            options = BenchOptions(seed=0, rules=rules, max_problems=2 * pool.size)
            summary = await run_bench(pipeline, problems, pool, store, options)
            t_done = time.monotonic()
            records = list(store.records().values())
        store.close()
    components: dict[str, float] = defaultdict(float)
    for record in records:
        starts: dict[tuple, float] = {}
        for e in record.get("trace", []):
            key = (e["layer"], e["component"])
            if e["kind"] == "start":
                starts[key] = e["t"]
            elif e["kind"] == "end" and key in starts:
                components[f"L{e['layer']} {e['component']}"] += e["t"] - starts.pop(key)
    return {"name": name, "start_s": t_started - t0, "run_s": t_done - t_started,
            "wall_s": t_done - t0, "size": pool.size, "stats": pool.stats,
            "pass_at_1": summary["pass_at_1"], "components": dict(components),
            "problems": len(records)}


def report(runs: list[dict]) -> None:
    cols = [r["name"] for r in runs]
    print(f"{'':26}" + "".join(f"{c:>12}" for c in cols))

    def row(label: str, values, fmt="{:>12.2f}") -> None:
        print(f"{label:26}" + "".join(fmt.format(v) for v in values))

    row("Pass@1", [r["pass_at_1"] for r in runs], "{:>12.3f}")
    row("wall (s)", [r["wall_s"] for r in runs])
    row("  pool start (s)", [r["start_s"] for r in runs])
    row("  job (s)", [r["run_s"] for r in runs])
    row("sandbox-seconds", [r["run_s"] * r["size"] for r in runs])
    row("  compile", [r["stats"].compile_s for r in runs])
    row("  candidate CPU", [r["stats"].cpu_s for r in runs])
    row("  sandbox", [r["stats"].busy_s - r["stats"].compile_s - r["stats"].cpu_s for r in runs])
    row("  idle", [r["run_s"] * r["size"] - r["stats"].busy_s for r in runs])
    row("jobs", [r["stats"].jobs for r in runs], "{:>12d}")
    row("tests run", [r["stats"].tests for r in runs], "{:>12d}")
    row("builds", [r["stats"].builds for r in runs], "{:>12d}")
    row("builds from the cache", [r["stats"].builds_cached for r in runs], "{:>12d}")
    row("overhead (wall / CPU)", [r["wall_s"] / max(r["stats"].cpu_s, 1e-9) for r in runs])
    if len(runs) > 1:
        print(f"\nwarm / cold wall time: {runs[1]['wall_s'] / runs[0]['wall_s']:.2f}")
    print("\ncomponent time summed over problems (s):")
    names = sorted({k for r in runs for k in r["components"]})
    for k in names:
        row(f"  {k[:24]}", [r["components"].get(k, 0.0) for r in runs])


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--problems", default="bundled")
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--max-sandboxes", type=int, default=None)
    ap.add_argument("--arch", default="offline")
    args = ap.parse_args()
    problems = load_problems(args.problems, limit=args.limit)
    print(f"{len(problems)} problems, architecture {args.arch}, {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory(prefix="main-job-builds-") as builds:
        cold = await one_run("cold", problems, Path(builds), args.max_sandboxes, args.arch)
        warm = await one_run("warm", problems, Path(builds), args.max_sandboxes, args.arch)
    report([cold, warm])


if __name__ == "__main__":
    asyncio.run(main())
