"""Selection quality: how close does each selection architecture come to the oracle?

Each problem's pool is what the `offline` architecture's sources give: the problem's stored
solutions (correct and incorrect, runnable ones), plus seeded single-edit mutants of its first
Python solution (the stand-in for weaker samples; some are equivalent to it and so correct,
many others wrong yet passing the public examples). Every pool member runs once on the
hidden tests, which says who is correct. Then each variant's selection layers (everything in
the architecture after its sources) run on a fresh copy of the pool. The variants share the
runs of each (program, input) pair, but each counts, and budgets, the runs it asked for as if
it ran alone. Printed side by side:

  Pass@1        the selected program passes every hidden test (expected value over the tie set)
  public+random a random survivor of the public examples is correct
  oracle        some pool member is correct
  gap closed    (Pass@1 - public+random) / (oracle - public+random)
  tie           mean tie-set size; "tie (w)" over the pools that hold a wrong program
  groups (w)    over those pools, the mean number of output groups in the tie set: 1 when the
                evidence chose one group and the seeded pick is among programs that printed
                the same outputs on every input (random and variants with no groups: tie size)
  mixed         share of problems whose tie set holds a correct and a wrong program (a coin
                flip decides there; a tie among correct programs costs nothing)
  wrong left    wrong programs still alive before the ranker (per problem)
  unsep.        of those, printing the pick's outputs on every input (variants that say)
  runs          program runs per problem
  CPU s         the programs' CPU time on those runs, per problem

Variants: `random` (public filter, then a random pick), `before` (the previous `offline`
selection: mutated inputs, clusters with MBR agreement ties), `offline` (the shipped
architecture, archon_code/architectures/offline.yaml), and any architecture file given with
--arch NAME=PATH. Tune on the dev set only.

    python benchmarks/selection_quality.py [--data DIR] [--problems SOURCE] [--limit N]
        [--mutants 15] [--arch NAME=PATH ...] [--verbose]
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import os
import random
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from problems import Problem, load_problems  # noqa: E402
from sandbox.pool import SandboxPool  # noqa: E402

from archon_code.architectures import resolve_architecture  # noqa: E402
from archon_code.stored_solutions import reference_solutions, runnable_solutions  # noqa: E402
from archon_code.components.base import Component, build  # noqa: E402
from archon_code.config import Architecture, load_architecture, parse_architecture  # noqa: E402
from archon_code.context import Context, LLMHub  # noqa: E402
from archon_code.executor import Executor  # noqa: E402
from archon_code.mutants import program_mutants  # noqa: E402
from archon_code.pipeline import Pipeline, problem_seed  # noqa: E402
from archon_code.state import Candidate, State, UnitTest  # noqa: E402

DEV_FILE = "codecontests-dev.jsonl"
SOURCES = ("dataset_samples", "mutants")
BEFORE = {
    "name": "before",
    "layers": [
        [{"type": "public_filter"}],
        [{"type": "input_mutation", "cap": 200, "max_edits": 3, "invalid_share": 0.5}],
        [{"type": "output_clustering", "tie_break": "agreement"}],
    ],
}


class VariantExecutor:
    """One variant's view of a shared Executor: runs are shared, but ``executions`` counts
    the (program, input) pairs this variant asked for, as if it ran alone."""

    def __init__(self, base: Executor) -> None:
        self.base = base
        self.pool, self.problem = base.pool, base.problem
        self.checker, self.limits = base.checker, base.limits
        self.executions = 0
        self._asked: dict[tuple[str, str], tuple] = {}  # (program key, test id) -> (program, test)

    async def run(self, candidates: Sequence[Candidate], tests: Sequence[UnitTest], **kw) -> None:
        # (a pair skipped after failures still counts as asked: runs are an upper bound)
        for c in candidates:
            if c.runnable:
                for t in tests:
                    key = (c.program.key, t.id)  # type: ignore[union-attr]
                    if key not in self._asked:
                        self._asked[key] = (c.program, t)
                        self.executions += 1
        await self.base.run(candidates, tests, **kw)

    def get(self, candidate: Candidate, test: UnitTest):
        return self.base.get(candidate, test)

    def run_of(self, program, test: UnitTest):
        return self.base.run_of(program, test)

    @property
    def cpu_s(self) -> float:
        """The programs' CPU time on the pairs this variant asked for (a pair skipped after
        failures costs nothing)."""
        return sum(r.cpu_s for p, t in self._asked.values() if (r := self.base.run_of(p, t)) is not None)

    def passes(self, candidate: Candidate, test: UnitTest):
        return self.base.passes(candidate, test)


@dataclass
class VariantResult:
    pass1: float = 0.0
    tie: int = 0
    groups: int = 0  # output groups in the tie set
    wrong_tied: int = 0
    wrong_left: int = 0  # wrong and alive before the ranker
    unseparated: int = 0  # of those, printing the pick's outputs on every input
    runs: int = 0
    cpu_s: float = 0.0  # the programs' CPU time on those runs
    seconds: float = 0.0
    separated_by: Counter = field(default_factory=Counter)  # origins that separated wrong programs
    wrong_after: dict[str, int] = field(default_factory=dict)  # component type -> wrong ones alive
    why: str = ""


@dataclass
class ProblemResult:
    name: str
    pool: int
    correct: int
    survivors: int
    survivors_correct: int
    wrong_survivors: int
    variants: dict[str, VariantResult] = field(default_factory=dict)


def data_dir(arg: str | None) -> Path:
    if arg:
        return Path(arg)
    env = os.environ.get("ARCHON_CODE_DATA")
    return Path(env) if env else Path(__file__).resolve().parent.parent.parent / "shared" / "data"


def pool_for(problem: Problem, seed: int, n_mutants: int, max_dataset: int) -> list[Candidate]:
    """The offline sources' pool: stored solutions (runnable), then mutants of the first
    Python one. ``meta["kind"]`` is for reading the results only; no variant sees it."""
    out: list[Candidate] = []
    rng = random.Random(seed)
    for kind, sols in (("correct", problem.solutions), ("incorrect", problem.incorrect_solutions)):
        usable = [s.program for s in runnable_solutions(sols)]
        if len(usable) > max_dataset:
            usable = rng.sample(usable, max_dataset)
        for k, program in enumerate(usable):
            out.append(Candidate(f"{kind}.{k}", program.source, program.language, "dataset", 1, meta={"kind": kind}))
    references = reference_solutions(problem, "python")
    if references:
        for k, m in enumerate(program_mutants(references[0], n_mutants, seed)):
            out.append(Candidate(f"mutant.{k}", m.source, "python", "mutants", 1,
                                 meta={"kind": "mutant", "mutation": m.mutation}))
    return out


async def hidden_correct(executor: Executor, c: Candidate, hidden: list[UnitTest]) -> bool:
    """Correct = passes every hidden test; stops at the first failure."""
    for t in hidden:
        await executor.run([c], [t])
        if not executor.passes(c, t):
            return False
    return True


def selection_layers(arch: Architecture) -> list[list[Component]]:
    return [[build(cfg, f"L{i + 2}.{cfg.type}[{j}]") for j, cfg in enumerate(layer)]
            for i, layer in enumerate(l for l in arch.layers if not all(c.type in SOURCES for c in l))]


async def evaluate(problem: Problem, pool: SandboxPool, seed: int, args, variants: dict) -> ProblemResult | None:
    pseed = problem_seed(seed, problem.id)
    members = pool_for(problem, pseed, args.mutants, args.max_dataset)
    if not members:
        return None
    executor = Executor(pool, problem)
    hidden = [UnitTest(t.input, t.output, "hidden") for t in problem.hidden()]
    verdicts = await asyncio.gather(*(hidden_correct(executor, c, hidden) for c in members))
    correct = {c.id: ok for c, ok in zip(members, verdicts)}

    async def run_variant(layers: list[list[Component]] | None) -> tuple[State, VariantResult]:
        ex = VariantExecutor(executor)
        ctx = Context(pool, LLMHub(), ex, seed=pseed, rng=random.Random(pseed))  # type: ignore[arg-type]
        state = State(problem, candidates=[copy.deepcopy(c) for c in members])
        state.layer = 1
        t0 = time.perf_counter()
        steps = layers if layers is not None else [[build(parse_architecture(BEFORE).layers[0][0], "L2.public_filter[0]")]]
        wrong_left = 0
        for i, layer in enumerate(steps):
            state.layer = i + 2
            if i == len(steps) - 1:  # what the ranker has to choose from
                wrong_left = sum(not correct[c.id] for c in state.alive())
            for comp in layer:
                await comp(state, ctx)
        r = VariantResult(seconds=time.perf_counter() - t0)
        tied = Pipeline._tie_set(state)
        r.tie = len(tied)
        ranks = [c.meta.get("cluster", {}).get("rank") for c in tied]
        r.groups = len(set(ranks)) if None not in ranks else len(tied)
        r.pass1 = sum(correct[c.id] for c in tied) / len(tied) if tied else 0.0
        r.wrong_tied = sum(not correct[c.id] for c in tied)
        r.wrong_left = wrong_left
        r.runs = ex.executions
        r.cpu_s = ex.cpu_s
        sel = next((e.data.get("selection") for e in reversed(state.trace) if "selection" in e.data), None)
        r.unseparated = wrong_left
        if sel:
            r.why = sel.get("reason", "")
            for label, ids in sel.get("alive_after", {}).items():
                kind = label.split(".", 1)[-1].split("[")[0]
                r.wrong_after[kind] = sum(not correct.get(cid, True) for cid in ids)
            for cid, info in sel.get("separated", {}).items():
                if not correct.get(cid, True):
                    r.separated_by.update(info.get("by_origin", {}).keys())
                    r.unseparated -= 1
        return state, r

    base_state, rnd = await run_variant(None)
    survivors = base_state.alive()
    result = ProblemResult(problem.id, len(members), sum(correct.values()), len(survivors),
                           sum(correct[c.id] for c in survivors), sum(not correct[c.id] for c in survivors))
    rnd.pass1 = result.survivors_correct / result.survivors if result.survivors else 0.0
    rnd.tie = rnd.groups = result.survivors
    rnd.wrong_tied = result.wrong_survivors
    result.variants["random"] = rnd
    for name, layers in variants.items():
        _, result.variants[name] = await run_variant(layers)
    return result


def mean(xs: list[float]) -> float:
    return sum(xs) / len(xs) if xs else float("nan")


def report(results: list[ProblemResult], names: list[str], seconds: float, verbose: bool) -> None:
    n = len(results)
    pf = mean([r.variants["random"].pass1 for r in results])
    oracle = mean([float(r.correct > 0) for r in results])
    wrong_pools = [r for r in results if r.pool > r.correct]
    print(f"\n{n} problems; pool: {mean([r.pool for r in results]):.1f} programs "
          f"({mean([r.correct for r in results]):.1f} correct), {mean([r.survivors for r in results]):.1f} "
          f"pass the public examples ({mean([r.wrong_survivors for r in results]):.1f} of them wrong); "
          f"{len(wrong_pools)} pools hold a wrong program")
    header = (f"{'variant':<22} {'Pass@1':>7} {'public+random':>14} {'oracle':>7} {'gap closed':>11} "
              f"{'tie':>6} {'tie (w)':>8} {'groups (w)':>11} {'mixed':>6} {'wrong left':>11} {'unsep.':>7} {'runs':>8} {'CPU s':>6} "
              f"{'s/problem':>10}")
    print(header)
    print("-" * len(header))
    for name in ["random"] + names:
        vs = [r.variants[name] for r in results]
        p1 = mean([v.pass1 for v in vs])
        gap = (p1 - pf) / (oracle - pf) if oracle > pf else float("nan")
        tie_w = mean([r.variants[name].tie for r in wrong_pools])
        groups_w = mean([r.variants[name].groups for r in wrong_pools])
        label = "public filter, random" if name == "random" else name
        mixed = mean([float(0 < v.wrong_tied < v.tie) for v in vs])
        print(f"{label:<22} {p1:>7.3f} {pf:>14.3f} {oracle:>7.3f} {gap:>11.1%} {mean([v.tie for v in vs]):>6.2f} "
              f"{tie_w:>8.2f} {groups_w:>11.2f} {mixed:>6.1%} {mean([v.wrong_left for v in vs]):>11.2f} {mean([v.unseparated for v in vs]):>7.2f} "
              f"{mean([v.runs for v in vs]):>8.0f} {mean([v.cpu_s for v in vs]):>6.2f} "
              f"{mean([v.seconds for v in vs]):>10.1f}")
    for name in names:
        kinds = list(dict.fromkeys(k for r in results for k in r.variants[name].wrong_after))
        if kinds:
            print(f"{name}: wrong programs alive after each component (per problem): "
                  + ", ".join(f"{k} {mean([r.variants[name].wrong_after.get(k, 0) for r in results]):.2f}"
                              for k in kinds))
        sep = sum((r.variants[name].separated_by for r in results), Counter())
        if sep:
            print(f"{name}: wrong programs separated from the pick, by input source: "
                  + ", ".join(f"{k} {v}" for k, v in sep.most_common()))
    print(f"\n{seconds:.0f} s in all")
    if verbose:
        for r in results:
            line = [f"{r.name[:38]:<38} pool {r.pool:>2} ({r.correct} ok) public {r.survivors:>2} ({r.wrong_survivors} wrong)"]
            for name in names:
                v = r.variants[name]
                line.append(f"{name}: {v.pass1:.2f} tie {v.tie} left {v.wrong_left}")
            print(" | ".join(line))
            for name in names:
                v = r.variants[name]
                if v.pass1 < 1 and r.correct:
                    print(f"    {name}: {v.why}")


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", help="folder holding codecontests-dev.jsonl (default: $ARCHON_CODE_DATA or ../shared/data)")
    ap.add_argument("--problems", help="a problem source instead of the dev set (e.g. bundled)")
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--problem-id", action="append", default=None, help="only problems whose id starts so")
    ap.add_argument("--mutants", type=int, default=15)
    ap.add_argument("--max-dataset", type=int, default=10, help="stored solutions per kind, at most")
    ap.add_argument("--arch", action="append", default=[], help="NAME=PATH: another architecture to compare")
    ap.add_argument("--only", action="append", default=None, help="run only these variants")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="sandbox containers")
    ap.add_argument("--concurrency", type=int, default=4, help="problems evaluated at once")
    ap.add_argument("--verbose", action="store_true", help="problem by problem, and why a wrong pick was made")
    args = ap.parse_args()
    if args.problems:
        problems = load_problems(args.problems, limit=args.limit)
    else:
        path = data_dir(args.data) / DEV_FILE
        if not path.is_file():
            sys.exit(f"{path} not found: pass --data or set ARCHON_CODE_DATA")
        problems = load_problems(str(path), limit=args.limit)
    if args.problem_id:
        problems = [p for p in problems if any(p.id.startswith(k) for k in args.problem_id)]
    archs: dict[str, Architecture] = {"before": parse_architecture(BEFORE), "offline": resolve_architecture("offline")}
    for spec in args.arch:
        name, _, path = spec.partition("=")
        archs[name] = load_architecture(path)
    if args.only:
        archs = {k: v for k, v in archs.items() if k in args.only}
    variants = {name: selection_layers(a) for name, a in archs.items()}
    t0 = time.perf_counter()
    async with SandboxPool("auto", size=args.workers) as pool:
        gate = asyncio.Semaphore(args.concurrency)
        done = 0

        async def one(p: Problem) -> ProblemResult | None:
            nonlocal done
            async with gate:
                r = await evaluate(p, pool, args.seed, args, variants)
            done += 1
            print(f"\r{done}/{len(problems)} problems", end="", file=sys.stderr, flush=True)
            return r

        results = [r for r in await asyncio.gather(*(one(p) for p in problems)) if r is not None]
    print(file=sys.stderr)
    report(results, list(variants), time.perf_counter() - t0, args.verbose)


if __name__ == "__main__":
    asyncio.run(main())
