"""Components that write tests: run the public examples, and make new inputs.

- ``public_filter``: the public examples, run; candidates that fail one are dropped.
- ``input_mutation``: guarded, seeded edits of the public inputs (archon_code.inputs.mutation).
- ``input_synthesis``: new inputs that follow the problem's own rules: the input's layout
  inferred from the public inputs, its bounds and guarantees read from the statement, and
  random inputs at several sizes, from tiny (exhaustive where feasible) to the maximum
  (archon_code.inputs).
- ``input_generator``: LLM-written programs that print inputs, run in the sandbox.

Generated inputs have no expected output; each is screened after the alive candidates ran on
it (archon_code.components.screening). Every component reports, per source, how many inputs
it made and how many were judged invalid.
"""

from __future__ import annotations

import asyncio
import math
import time

from sandbox import languages
from sandbox.types import Limits, Program, TestCase, Verdict

from archon_code.answers import normalise_input
from archon_code.components.base import Component
from archon_code.components.outcomes import Outcomes
from archon_code.components.screening import fresh, screen_inputs
from archon_code.config import (
    InputGeneratorConfig,
    InputMutationConfig,
    InputSynthesisConfig,
    PublicFilterConfig,
)
from archon_code.context import Context
from archon_code.extract import extract_code
from archon_code.inputs import synthesize
from archon_code.inputs.mutation import mutate_inputs
from archon_code.prompts import PROMPT_DESCRIPTION_CHARS
from archon_code.state import State, UnitTest



class PublicFilter(Component[PublicFilterConfig]):
    type = "public_filter"

    async def __call__(self, state: State, ctx: Context) -> State:
        state.add_tests([UnitTest(normalise_input(t.input), t.output, "public") for t in state.problem.public()])
        public = [t for t in state.unit_tests if t.origin == "public" and t.output is not None]
        for c in state.alive(runnable_only=False):
            if not c.runnable:
                state.drop(c, "no runnable program", self.label)
        alive = state.alive()
        if not public:
            state.log(self.label, "note", "the problem has no public examples: nothing filtered")
            return state
        # A program that crashes or times out on an example is out: the rest of its examples
        # are not run, unless no program passes them all and the best must be found.
        await ctx.executor.run(alive, public, max_failures=1)
        if self.config.keep_best_if_none_pass and not any(
                all(ctx.executor.passes(c, t) for t in public) for c in alive if c.runnable):
            await ctx.executor.run(alive, public, max_failures=None)
        return self._filter(state, ctx, alive, public)

    def _filter(self, state: State, ctx: Context, alive: list, public: list[UnitTest]) -> State:
        outcomes = Outcomes(ctx.executor)
        failures: dict[str, str] = {}
        passed: dict[str, int] = {}
        unknown: dict[str, int] = {}  # sandbox errors: never the candidate's fault
        for c in alive:
            n = u = 0
            for k, t in enumerate(public):
                run = ctx.executor.get(c, t)
                if outcomes.passes(c, t, t.output):  # type: ignore[arg-type]
                    n += 1
                elif run is not None and run.verdict is Verdict.SE:
                    u += 1
                elif c.id not in failures:
                    verdict = Verdict.WA if run is None or run.ran else run.verdict
                    failures[c.id] = f"{verdict.value} on public example {k + 1}"
            passed[c.id], unknown[c.id] = n, u
            c.meta["public"] = {"passed": n, "of": len(public)}
        keep = {c.id for c in alive if passed[c.id] + unknown[c.id] == len(public)}
        if not keep and self.config.keep_best_if_none_pass and alive:
            best = max(passed.values())
            compiled = [c for c in alive if not failures.get(c.id, "").startswith("CE")]
            if best > 0 and compiled:
                keep = {c.id for c in compiled if passed[c.id] == best}
                state.log(self.label, "note", f"no candidate passes every public example; keeping "
                          f"the {len(keep)} passing {best} of {len(public)}")
        for c in alive:
            if c.id not in keep:
                state.drop(c, failures.get(c.id, "failed a public example"), self.label)
        state.log(self.label, "note", f"{len(keep)} of {len(alive)} candidates pass the public examples",
                  passed=len(keep), of=len(alive), tests=len(public))
        return state


def inputs_within(max_executions: int | None, alive: int, ctx: Context) -> int | None:
    """How many more inputs every one of ``alive`` candidates can run before the problem's
    runs reach ``max_executions`` (None: no bound)."""
    if max_executions is None:
        return None
    return max(0, max_executions - ctx.executor.executions) // max(alive, 1)


class InputMutation(Component[InputMutationConfig]):
    type = "input_mutation"

    async def __call__(self, state: State, ctx: Context) -> State:
        cfg = self.config
        inputs = list(dict.fromkeys(
            [normalise_input(t.input) for t in state.problem.public()]
            + [t.input for t in state.unit_tests if t.origin == "public"]))
        seed = cfg.seed if cfg.seed is not None else ctx.seed
        room = inputs_within(cfg.max_executions, len(state.alive()), ctx)
        cap = cfg.cap if room is None else min(cfg.cap, room)
        mutated = await asyncio.to_thread(mutate_inputs, inputs, cap, seed, max_edits=cfg.max_edits) if cap else []
        tests = fresh(state, [UnitTest(m.text, None, "mutation") for m in mutated])
        kept, stats = await screen_inputs(state, ctx, tests, cfg, self.label)
        state.add_tests(kept)
        state.log(self.label, "note", f"{stats.kept} of {len(mutated)} mutated inputs kept "
                  f"({stats.invalid} invalid, {stats.unanimous} unanimous)", **stats.to_dict())
        return state


class InputSynthesis(Component[InputSynthesisConfig]):
    type = "input_synthesis"

    async def __call__(self, state: State, ctx: Context) -> State:
        cfg = self.config
        alive = state.alive()
        if not alive:
            state.log(self.label, "note", "no candidate alive: no inputs made")
            return state
        public = list(dict.fromkeys(normalise_input(t.input) for t in state.problem.public()))
        seed = cfg.seed if cfg.seed is not None else ctx.seed
        counts = {"tiny": cfg.tiny, "small": cfg.small, "medium": cfg.medium, "max": cfg.max}
        t0 = time.perf_counter()
        # Statements and public inputs are untrusted text: inference and generation are
        # bounded in size and work inside (budget_s is a CPU-time safety net).
        try:
            made = await asyncio.to_thread(synthesize, state.problem.description, public, counts, seed,
                                           max_bytes=cfg.max_input_bytes, budget_s=cfg.budget_s)
        except (ValueError, TypeError, IndexError, KeyError, ArithmeticError, RecursionError) as e:
            # Text no rule foresaw costs this problem its synthesized inputs, not its run.
            state.log(self.label, "error", f"no inputs synthesized: {type(e).__name__}: {e}")
            return state
        seconds = round(time.perf_counter() - t0, 3)
        if made.layout is None:
            state.log(self.label, "note", "no input layout explains the public inputs: no inputs made",
                      seconds=seconds)
            return state
        tests = fresh(state, [UnitTest(g.text, None, f"synthesis:{g.profile.size}") for g in made.inputs])
        tests = self._affordable(tests, len(alive), ctx)
        large = {t.id for t in tests if t.origin == "synthesis:max"}
        kept, stats = await screen_inputs(state, ctx, tests, cfg, self.label, large=large)
        state.add_tests(kept)
        made_by = {s: sum(1 for g in made.inputs if g.profile.size == s) for s in counts}
        state.log(self.label, "note",
                  f"{stats.kept} of {len(tests)} synthesized inputs kept ({stats.invalid} invalid, "
                  f"{stats.unanimous} unanimous); layout {made.layout}",
                  layout=made.layout, statement=made.statement, made=made_by, run=len(tests),
                  seconds=seconds, cut=made.cut, **stats.to_dict())
        return state

    def _affordable(self, tests: list[UnitTest], alive: int, ctx: Context) -> list[UnitTest]:
        """As many inputs as the execution budget allows: the maximum-size ones first (they
        are few and the only evidence on time), then the others taken in turn by size."""
        n = inputs_within(self.config.max_executions, alive, ctx)
        if n is None:
            return tests
        big = [t for t in tests if t.origin == "synthesis:max"][:n]
        rest: dict[str, list[UnitTest]] = {}
        for t in tests:
            if t.origin != "synthesis:max":
                rest.setdefault(t.origin, []).append(t)
        picked: list[UnitTest] = []
        queues = list(rest.values())
        while len(picked) + len(big) < n and any(queues):
            for q in queues:
                if q and len(picked) + len(big) < n:
                    picked.append(q.pop(0))
        return picked + big


INPUT_GENERATOR_SYSTEM = "You are an expert competitive programmer who writes test data generators."

INPUT_GENERATOR_PROMPT = """Write a Python 3 program that generates one test input for the problem below.

The program reads one integer, the seed, from standard input, calls random.seed(seed), and prints \
one complete input that follows the input format and satisfies every constraint exactly.
Different seeds must give varied inputs: small edge cases (smallest values, equal elements, \
boundaries) for some seeds, random medium cases for others, and inputs at the maximum sizes for a \
few. Keep every input under {max_kb} KB.
Answer with the program only, in one ```python fenced block.

Problem:
{description}

Example inputs:
{examples}"""


class InputGenerator(Component[InputGeneratorConfig]):
    type = "input_generator"

    async def __call__(self, state: State, ctx: Context) -> State:
        cfg = self.config
        problem = state.problem
        examples = "\n".join(f"```\n{t.input.rstrip()}\n```" for t in problem.public()[:3]) or "(none)"
        prompt = INPUT_GENERATOR_PROMPT.format(
            max_kb=max(1, cfg.max_input_bytes // 1000),
            description=problem.description[:PROMPT_DESCRIPTION_CHARS],
            examples=examples,
        )
        messages = [{"role": "system", "content": INPUT_GENERATOR_SYSTEM}, {"role": "user", "content": prompt}]
        client = ctx.llm.client(cfg.litellm_model, cfg.api_base)
        completions = await client.complete(messages, n=cfg.samples, temperature=cfg.temperature,
                                            max_tokens=cfg.max_tokens, usage=state.usage_for(self.label))
        programs: list[tuple[int, Program]] = []
        for k, comp in enumerate(completions):
            ex = extract_code(comp.text, prefer=languages.PYTHON.name)
            if ex.code is None or ex.language is None:
                state.log(self.label, "note", f"generator {k}: no program ({ex.reason})")
                continue
            programs.append((k, Program(ex.code, ex.language)))
        seeds = [ctx.seed % 1_000_000 + i for i in range(cfg.seeds)]
        limits = Limits(time_s=cfg.time_limit_s, memory_mb=512,
                        output_mb=max(1, math.ceil(cfg.max_input_bytes / 2**20)))
        results = await asyncio.gather(*(
            ctx.pool.run(p, [TestCase(f"{s}\n") for s in seeds], limits) for _, p in programs))
        inputs: list[str] = []
        for (k, _), result in zip(programs, results):
            if result.compile_verdict is not None:
                state.log(self.label, "note", f"generator {k}: {result.compile_verdict.value}")
                continue
            good = [normalise_input(r.stdout) for r in result.tests if r.verdict is Verdict.OK
                    and r.stdout.strip() and len(r.stdout.encode()) <= cfg.max_input_bytes]
            state.log(self.label, "note", f"generator {k}: {len(good)} of {len(seeds)} seeds gave an input")
            inputs += good
        tests = fresh(state, [UnitTest(x, None, "input_generator") for x in inputs])[: cfg.cap]
        kept, stats = await screen_inputs(state, ctx, tests, cfg, self.label)
        state.add_tests(kept)
        state.log(self.label, "note", f"{stats.kept} of {len(tests)} generated inputs kept "
                  f"({stats.invalid} invalid, {stats.unanimous} unanimous)",
                  programs=len(programs), **stats.to_dict())
        return state
