"""Selection quality: how close does each ranker, fed by each test generator, come to the oracle?

On the CodeContests dev problems, each problem's pool is its known-correct Python solution plus
seeded single-edit mutants of it (the stand-in for weaker samples; some mutants are equivalent
to the original and so correct too). Every pool member runs on the hidden tests once, which
says who is correct. Then, for every test generator (public examples only, input mutation) and
every ranker (pass_count and codet with plurality labels, output_clustering), the real
components run on a fresh copy of the pool, sharing one Executor per problem so that each
(program, input) pair runs once across all variants, and the table shows side by side:

  Pass@1          the selected program passes every hidden test (expected value over the tie set)
  random          a random pool member is correct (c/n)
  public+random   a random survivor of the public filter is correct
  oracle          some pool member is correct
  gap closed      (Pass@1 - public+random) / (oracle - public+random)
  mut. score      wrong mutants (failing a hidden test) caught by the tests the ranker sees
                  (public examples and generated inputs); "gen." counts only the wrong
                  mutants that survived the public filter, caught by generated inputs alone

The tournament ranker needs an LLM and is not measured here.

    python benchmarks/selection_quality.py [--data DIR] [--limit N] [--mutants 15] [--cap 200]
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import os
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from problems import Problem, load_problems  # noqa: E402
from sandbox.pool import SandboxPool  # noqa: E402

from archon_code.components.base import Component  # noqa: E402
from archon_code.components.selection import (  # noqa: E402
    CodeT,
    InputMutation,
    Outcomes,
    OutputClustering,
    PassCount,
    PublicFilter,
)
from archon_code.config import (  # noqa: E402
    CodeTConfig,
    InputMutationConfig,
    OutputClusteringConfig,
    PassCountConfig,
    PublicFilterConfig,
)
from archon_code.context import Context, LLMHub  # noqa: E402
from archon_code.executor import Executor  # noqa: E402
from archon_code.mutation import mutation_score, program_mutants  # noqa: E402
from archon_code.pipeline import Pipeline, problem_seed  # noqa: E402
from archon_code.state import Candidate, State, UnitTest  # noqa: E402

DEV_FILE = "codecontests-dev.jsonl"

def generators(edits: list[int], cap: int) -> dict[str, list[Component]]:
    out: dict[str, list[Component]] = {"public only": []}
    for k in edits:
        cfg = InputMutationConfig(type="input_mutation", max_edits=k, cap=cap)
        out["input_mutation" + (f", {k} edits" if k > 1 else "")] = [InputMutation(cfg, "input_mutation")]
    return out


GENERATORS = generators([1, 3], 200)
RANKERS: dict[str, Component] = {
    "pass_count (plurality 0.5)": PassCount(PassCountConfig(type="pass_count", plurality_share=0.5), "pass_count"),
    "codet (plurality 0.5)": CodeT(CodeTConfig(type="codet", plurality_share=0.5), "codet"),
    "output_clustering": OutputClustering(OutputClusteringConfig(type="output_clustering"), "output_clustering"),
}


def data_dir(arg: str | None) -> Path:
    if arg:
        return Path(arg)
    env = os.environ.get("ARCHON_CODE_DATA")
    return Path(env) if env else Path(__file__).resolve().parent.parent.parent / "shared" / "data"


@dataclass
class ProblemResult:
    name: str
    pool: int
    correct: int
    survivors: int
    survivors_correct: int
    pass1: dict[tuple[str, str], float] = field(default_factory=dict)
    wrong: int = 0
    caught: dict[str, int] = field(default_factory=dict)  # by public + generated tests
    wrong_survivors: int = 0
    caught_generated: dict[str, int] = field(default_factory=dict)
    kept_inputs: dict[str, int] = field(default_factory=dict)
    executions: int = 0
    misses: list[str] = field(default_factory=list)  # why a ranker's tie set held a wrong program


async def hidden_correct(executor: Executor, c: Candidate, hidden: list[UnitTest]) -> bool:
    """Correct = passes every hidden test; stops at the first failure (a wrong mutant that
    loops costs one time limit, not one per test)."""
    for t in hidden:
        await executor.run([c], [t])
        if not executor.passes(c, t):
            return False
    return True


async def evaluate(problem: Problem, pool: SandboxPool, seed: int, n_mutants: int) -> ProblemResult | None:
    references = problem.reference_solutions("python")
    if not references:
        return None
    pseed = problem_seed(seed, problem.id)
    pool_members = [Candidate("reference", references[0], "python", "reference", 0, meta={"kind": "correct"})]
    for k, m in enumerate(program_mutants(references[0], n_mutants, pseed)):
        pool_members.append(Candidate(f"mutant.{k}", m.source, "python", "mutants", 0,
                                      meta={"kind": "mutant", "mutation": m.mutation}))
    executor = Executor(pool, problem)
    hidden = [UnitTest(t.input, t.output, "hidden") for t in problem.hidden()]
    verdicts = await asyncio.gather(*(hidden_correct(executor, c, hidden) for c in pool_members))
    correct = {c.id: ok for c, ok in zip(pool_members, verdicts)}

    def fresh_state() -> State:
        return State(problem, candidates=[copy.deepcopy(c) for c in pool_members])

    def context() -> Context:
        return Context(pool, LLMHub(), executor, seed=pseed, rng=random.Random(pseed))

    base = fresh_state()
    await PublicFilter(PublicFilterConfig(type="public_filter"), "public_filter")(base, context())
    survivors = base.alive()
    result = ProblemResult(problem.id, len(pool_members), sum(correct.values()), len(survivors),
                           sum(correct[c.id] for c in survivors))
    wrong = {c.id for c in pool_members if c.id != "reference" and not correct[c.id]}
    result.wrong = len(wrong)
    alive_ids = {c.id for c in survivors}
    result.wrong_survivors = len(wrong & alive_ids)
    outcomes = Outcomes(executor)
    reference = pool_members[0]

    for gname, steps in GENERATORS.items():
        state = copy.deepcopy(base)
        for step in steps:
            await step(state, context())
        generated = [t for t in state.unit_tests if t.origin != "public"]
        result.kept_inputs[gname] = len(generated)
        await executor.run([reference], generated)
        by_generated = {c.id for c in state.candidates if c.id in alive_ids and c.id != "reference"
                        and any(outcomes.sig(c, t) != outcomes.sig(reference, t) for t in generated
                                if executor.get(c, t) is not None)}
        result.caught[gname] = len(wrong & ((set(correct) - alive_ids) | by_generated))
        result.caught_generated[gname] = len(wrong & by_generated)
        for rname, ranker in RANKERS.items():
            ranked = copy.deepcopy(state)
            await ranker(ranked, context())
            tied = Pipeline._tie_set(ranked)
            result.pass1[(gname, rname)] = sum(correct[c.id] for c in tied) / len(tied) if tied else 0.0
            wrong_tied = [c.id for c in tied if not correct[c.id]]
            if wrong_tied:
                uncaught = [cid for cid in wrong_tied if cid not in by_generated]
                result.misses.append(
                    f"{gname} / {rname}: tied {len(tied)} ({len(tied) - len(wrong_tied)} correct); wrong and "
                    f"{'not caught: ' + ', '.join(uncaught) if uncaught else 'caught, yet tied'}; "
                    f"{len(generated)} inputs, {len(alive_ids)} survivors")
    result.executions = executor.executions
    return result


def mean(xs: list[float]) -> float:
    return sum(xs) / len(xs) if xs else float("nan")


def report(results: list[ProblemResult], seconds: float) -> None:
    n = len(results)
    rnd = mean([r.correct / r.pool for r in results])
    pf = mean([r.survivors_correct / r.survivors if r.survivors else 0.0 for r in results])
    oracle = mean([float(r.correct > 0) for r in results])
    print(f"\n{n} problems; pool per problem: 1 reference + up to {max(r.pool for r in results) - 1} mutants "
          f"(mean {mean([r.pool for r in results]):.1f} programs, {mean([r.correct for r in results]):.1f} correct, "
          f"{mean([r.survivors for r in results]):.1f} pass the public examples)")
    header = (f"{'test generator':<24} {'ranker':<28} {'Pass@1':>7} {'random':>7} {'public+random':>14} "
              f"{'oracle':>7} {'gap closed':>11} {'mut. score':>11} {'gen.':>6} {'inputs':>7}")
    print(header)
    print("-" * len(header))
    wrong = sum(r.wrong for r in results)
    wrong_surv = sum(r.wrong_survivors for r in results)
    for gname in GENERATORS:
        ms = mutation_score(range(wrong), range(sum(r.caught[gname] for r in results)))
        gen = mutation_score(range(wrong_surv), range(sum(r.caught_generated[gname] for r in results)))
        inputs = mean([r.kept_inputs[gname] for r in results])
        for rname in RANKERS:
            p1 = mean([r.pass1[(gname, rname)] for r in results])
            gap = (p1 - pf) / (oracle - pf) if oracle > pf else float("nan")
            print(f"{gname:<24} {rname:<28} {p1:>7.3f} {rnd:>7.3f} {pf:>14.3f} {oracle:>7.3f} {gap:>11.1%} "
                  f"{_fmt(ms):>11} {_fmt(gen):>6} {inputs:>7.1f}")
    print(f"\nwrong mutants: {wrong} ({wrong_surv} pass the public examples); "
          f"{sum(r.executions for r in results)} program runs in {seconds:.0f} s; "
          "the tournament ranker needs an LLM and is not measured here")


def _fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:.1%}"


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", help="folder holding codecontests-dev.jsonl (default: $ARCHON_CODE_DATA or ../shared/data)")
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--mutants", type=int, default=15)
    ap.add_argument("--cap", type=int, default=200, help="input_mutation cap")
    ap.add_argument("--edits", default="1,3", help="input_mutation max_edits to compare, comma-separated")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="sandbox containers")
    ap.add_argument("--concurrency", type=int, default=4, help="problems evaluated at once")
    ap.add_argument("--verbose", action="store_true", help="say, problem by problem, where a wrong program was tied")
    args = ap.parse_args()
    path = data_dir(args.data) / DEV_FILE
    if not path.is_file():
        sys.exit(f"{path} not found: pass --data or set ARCHON_CODE_DATA")
    global GENERATORS
    GENERATORS = generators([int(k) for k in args.edits.split(",")], args.cap)
    problems = load_problems(str(path), limit=args.limit)
    t0 = time.perf_counter()
    async with SandboxPool("auto", size=args.workers) as pool:
        gate = asyncio.Semaphore(args.concurrency)
        done = 0

        async def one(p: Problem) -> ProblemResult | None:
            nonlocal done
            async with gate:
                r = await evaluate(p, pool, args.seed, args.mutants)
            done += 1
            print(f"\r{done}/{len(problems)} problems", end="", file=sys.stderr, flush=True)
            return r

        results = [r for r in await asyncio.gather(*(one(p) for p in problems)) if r is not None]
    print(file=sys.stderr)
    if args.verbose:
        for r in results:
            for line in r.misses:
                print(f"{r.name[:40]:<40} {line}")
    report(results, time.perf_counter() - t0)


if __name__ == "__main__":
    asyncio.run(main())
