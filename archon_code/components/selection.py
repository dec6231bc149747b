"""Selection grounded in execution: tests that run, and rankers that decide from what the
candidates actually print.

Test generation (each writes ``State.unit_tests``):

- ``public_filter``: the public examples, run; candidates that fail one are dropped.
- ``input_mutation``: guarded, seeded edits of the public inputs (archon_code.mutation).
- ``input_generator``: LLM-written programs that print inputs, run in the sandbox.

Generated inputs have no expected output. After the alive candidates ran on them, an input
on which most candidates crash or time out is taken to be invalid and dropped, and one on
which they all agree is dropped (it cannot separate anyone).

Rankers (each sets ``Candidate.score``; the pipeline picks the best, seeded among ties):

- ``pass_count``: tests passed among those with an expected output.
- ``codet``: CodeT dual agreement, |programs| x |tests| per group passing the same tests.
- ``output_clustering``: MBR-exec / AlphaCode, the largest cluster of identical outputs.
- ``tournament``: S*-style pairwise tournament between the leading clusters, with LLM-written
  distinguishing inputs and an LLM judge asked twice with the order swapped.

Every run goes through the problem's shared Executor, so each (program, input) pair runs
once whichever component asks.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from sandbox.checker import check
from sandbox.types import Limits, Program, TestCase, Verdict

from archon_code.components.base import Component
from archon_code.components.llm_roles import normalise_input
from archon_code.config import (
    CodeTConfig,
    InputGeneratorConfig,
    InputMutationConfig,
    InputScreeningOptions,
    OutputClusteringConfig,
    PassCountConfig,
    PublicFilterConfig,
    TournamentConfig,
)
from archon_code.context import Context
from archon_code.executor import Executor, Run
from archon_code.extract import extract_code
from archon_code.llm import LLMError
from archon_code.mutation import mutate_inputs
from archon_code.state import Candidate, State, UnitTest

PROMPT_DESCRIPTION_CHARS = 20_000
PROMPT_PROGRAM_CHARS = 20_000
PROMPT_OUTPUT_CHARS = 2_000
MAX_ANSWER_CHARS = 200_000

# -- outcomes: what a candidate did on a test, as one comparable string ------------------------

_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:e[+-]?[0-9]+)?")


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
    ``?`` for one that has not happened."""
    if run is None:
        return "?"
    if not run.ran:
        return f"!{run.verdict.value}"
    return hashlib.sha256(normal_output(run.output).encode()).hexdigest()[:16]


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
        key = (program.key, t.id)
        sig = self._sigs.get(key)
        if sig is None:
            sig = output_signature(self.executor.get(c, t))
            if sig != "?":  # not run yet: ask again later
                self._sigs[key] = sig
        return sig

    def passes(self, c: Candidate, t: UnitTest, expected: str) -> bool:
        run = self.executor.get(c, t)
        return run is not None and run.ran and check(expected, run.output, self.executor.checker)


# -- screening generated inputs ------------------------------------------------------------------


@dataclass
class ScreenStats:
    generated: int = 0
    invalid: int = 0
    unanimous: int = 0
    unjudged: int = 0
    kept: int = 0
    agreement_sum: float = 0.0
    valid: int = 0
    dropped_timeouts: int = 0

    def to_dict(self) -> dict:
        return {
            "generated": self.generated,
            "invalid": self.invalid,
            "unanimous": self.unanimous,
            "unjudged": self.unjudged,
            "kept": self.kept,
            "mean_agreement": round(self.agreement_sum / self.valid, 4) if self.valid else None,
            "dropped_timeouts": self.dropped_timeouts,
        }


async def screen_inputs(state: State, ctx: Context, tests: Sequence[UnitTest], cfg: InputScreeningOptions,
                        component: str, first_batch: int = 8) -> tuple[list[UnitTest], ScreenStats]:
    """Run the alive candidates on ``tests`` and keep the inputs that look valid and separate
    candidates. See :class:`archon_code.config.InputScreeningOptions`.

    The inputs run in two batches: a candidate that times out on the first few is dropped
    before it costs the time limit on all the others. (Not more batches: every job compiles
    a C++ candidate again.)"""
    outcomes = Outcomes(ctx.executor)
    stats = ScreenStats(generated=len(tests))
    kept: list[UnitTest] = []
    for batch in (tests[:first_batch], tests[first_batch:]):
        if not batch:
            continue
        alive = state.alive()
        await ctx.executor.run(alive, batch)
        for t in batch:
            sigs = {c.id: outcomes.sig(c, t) for c in alive}
            seen = [s for s in sigs.values() if judged(s)]
            if not seen:
                stats.unjudged += 1
                continue
            n_failed = sum(failed(s) for s in seen)
            if n_failed / len(seen) > cfg.invalid_share:
                stats.invalid += 1
                continue
            counts = Counter(seen)
            stats.valid += 1
            stats.agreement_sum += max(counts.values()) / len(seen)
            if cfg.drop_timeouts and (len(seen) - n_failed) / len(seen) > 0.5:
                for c in alive:
                    if c.alive and sigs[c.id] == f"!{Verdict.TLE.value}":
                        state.drop(c, f"time limit exceeded on generated input {t.id}, which most "
                                      "candidates run cleanly", component)
                        stats.dropped_timeouts += 1
            if len(counts) == 1 and not cfg.keep_unanimous:
                stats.unanimous += 1
                continue
            kept.append(t)
    stats.kept = len(kept)
    return kept, stats


def _fresh(state: State, tests: Sequence[UnitTest]) -> list[UnitTest]:
    have = {t.id for t in state.unit_tests}
    out, seen = [], set()
    for t in tests:
        if t.id not in have and t.id not in seen:
            out.append(t)
            seen.add(t.id)
    return out


# -- test generation ---------------------------------------------------------------------------


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
        await ctx.executor.run(alive, public)
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


class InputMutation(Component[InputMutationConfig]):
    type = "input_mutation"

    async def __call__(self, state: State, ctx: Context) -> State:
        cfg = self.config
        inputs = list(dict.fromkeys(
            [normalise_input(t.input) for t in state.problem.public()]
            + [t.input for t in state.unit_tests if t.origin == "public"]))
        seed = cfg.seed if cfg.seed is not None else ctx.seed
        mutated = await asyncio.to_thread(mutate_inputs, inputs, cfg.cap, seed, max_edits=cfg.max_edits)
        tests = _fresh(state, [UnitTest(m.text, None, "mutation") for m in mutated])
        kept, stats = await screen_inputs(state, ctx, tests, cfg, self.label)
        state.add_tests(kept)
        state.log(self.label, "note", f"{stats.kept} of {len(mutated)} mutated inputs kept "
                  f"({stats.invalid} invalid, {stats.unanimous} unanimous)", **stats.to_dict())
        return state


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
            ex = extract_code(comp.text, prefer="python")
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
        tests = _fresh(state, [UnitTest(x, None, "input_generator") for x in inputs])[: cfg.cap]
        kept, stats = await screen_inputs(state, ctx, tests, cfg, self.label)
        state.add_tests(kept)
        state.log(self.label, "note", f"{stats.kept} of {len(tests)} generated inputs kept "
                  f"({stats.invalid} invalid, {stats.unanimous} unanimous)",
                  programs=len(programs), **stats.to_dict())
        return state


# -- rankers -------------------------------------------------------------------------------------


def pseudo_labels(state: State, outcomes: Outcomes, tests: Sequence[UnitTest], share: float) -> dict[str, str]:
    """Expected outputs for tests that have none: the plurality output of the candidates that
    pass every public test, where that plurality holds more than ``share`` of them."""
    public = [t for t in state.unit_tests if t.origin == "public" and t.output is not None]
    alive = state.alive()
    reference = [c for c in alive if all(outcomes.passes(c, t, t.output) for t in public)] or alive  # type: ignore[arg-type]
    labels: dict[str, str] = {}
    if not reference:
        return labels
    for t in tests:
        if t.output is not None:
            continue
        by_sig: dict[str, list[Candidate]] = {}
        for c in reference:
            by_sig.setdefault(outcomes.sig(c, t), []).append(c)
        sig, members = max(by_sig.items(), key=lambda kv: len(kv[1]))
        if failed(sig) or not judged(sig) or len(members) / len(reference) <= share:
            continue
        run = outcomes.executor.get(members[0], t)
        assert run is not None
        labels[t.id] = run.output
    return labels


async def _labelled(state: State, ctx: Context, plurality_share: float | None,
                    component: str) -> tuple[Outcomes, list[tuple[UnitTest, str]]]:
    tests = list(state.unit_tests)
    await ctx.executor.run(state.alive(), tests)
    outcomes = Outcomes(ctx.executor)
    labels = {t.id: t.output for t in tests if t.output is not None}
    if plurality_share is not None:
        pseudo = pseudo_labels(state, outcomes, tests, plurality_share)
        unlabelled = sum(t.output is None for t in tests)
        state.log(component, "note", f"{len(pseudo)} of {unlabelled} tests without an expected "
                  f"output took the plurality output", labelled=len(pseudo), unlabelled=unlabelled)
        labels.update(pseudo)
    return outcomes, [(t, labels[t.id]) for t in tests if t.id in labels]


def _keep_top(state: State, k: int | None, component: str) -> None:
    if k is None:
        return
    ranked = sorted((c for c in state.alive() if c.score is not None), key=lambda c: -c.score)  # type: ignore[operator]
    if len(ranked) <= k:
        return
    cut = ranked[k - 1].score
    for c in ranked[k:]:
        if c.score < cut:  # type: ignore[operator]
            state.drop(c, f"below the top {k} (score {c.score:g} < {cut:g})", component)


class PassCount(Component[PassCountConfig]):
    type = "pass_count"

    async def __call__(self, state: State, ctx: Context) -> State:
        cfg = self.config
        outcomes, tests = await _labelled(state, ctx, cfg.plurality_share, self.label)
        alive = state.alive()
        for c in alive:
            n = sum(outcomes.passes(c, t, expected) for t, expected in tests)
            c.score = float(n)
            c.meta["pass_count"] = {"passed": n, "of": len(tests)}
        if cfg.first_pass and tests:
            first = next((c for c in alive if c.score == len(tests)), None)
            if first is not None:
                for c in alive:
                    if c is not first:
                        state.drop(c, f"first_pass: {first.id} passed every test first", self.label)
        _keep_top(state, cfg.top_k, self.label)
        state.log(self.label, "scored", f"{len(alive)} candidates on {len(tests)} tests with expected outputs",
                  scores={c.id: c.score for c in alive})
        return state


class CodeT(Component[CodeTConfig]):
    type = "codet"

    async def __call__(self, state: State, ctx: Context) -> State:
        cfg = self.config
        outcomes, tests = await _labelled(state, ctx, cfg.plurality_share, self.label)
        alive = state.alive()
        groups: dict[frozenset[str], list[Candidate]] = {}
        for c in alive:
            passed = frozenset(t.id for t, expected in tests if outcomes.passes(c, t, expected))
            groups.setdefault(passed, []).append(c)
        summary = []
        for passed, members in groups.items():
            agreement = len(members) * len(passed)
            # The fraction (below 1) breaks ties in agreement by group size.
            score = agreement + len(members) / (len(alive) + 1)
            for c in members:
                c.score = score
                c.meta["codet"] = {"programs": len(members), "tests": len(passed), "agreement": agreement}
            summary.append({"programs": len(members), "tests": len(passed), "agreement": agreement,
                            "members": [c.id for c in members]})
        summary.sort(key=lambda g: (-g["agreement"], -g["programs"]))
        _keep_top(state, cfg.top_k, self.label)
        state.log(self.label, "scored", f"{len(groups)} consensus groups over {len(tests)} tests",
                  groups=summary[:20])
        return state


@dataclass
class Cluster:
    members: list[Candidate]
    clean: int  # tests on which the cluster's programs ran cleanly
    agreement: float  # share of (test, other candidate) pairs printing the cluster's answer
    score: float = 0.0

    @property
    def size(self) -> int:
        return len(self.members)


def cluster_candidates(candidates: Sequence[Candidate], tests: Sequence[UnitTest], outcomes: Outcomes,
                       tie_break: str = "agreement") -> list[Cluster]:
    """Candidates grouped by identical outputs on every test, best first.

    Score = cluster size plus a fraction below 1 that orders clusters of equal size:
    ``agreement`` (MBR-exec): test by test, how many candidates outside the cluster print
    the same answer (a crash or timeout agrees with nothing), so the cluster nearest the
    consensus of the others wins; ``clean_runs``: fewer crashes and timeouts; ``none``.
    Remaining ties keep equal scores, for the pipeline's seeded pick."""
    by_key: dict[tuple[str, ...], list[Candidate]] = {}
    for c in candidates:
        by_key.setdefault(tuple(outcomes.sig(c, t) for t in tests), []).append(c)
    per_test = [Counter(key[k] for key, members in by_key.items() for _ in members) for k in range(len(tests))]
    others = max(len(candidates) - 1, 1) * max(len(tests), 1)
    clusters = []
    for key, members in by_key.items():
        clean = sum(not failed(s) for s in key)
        agree = sum(per_test[k][s] - len(members) for k, s in enumerate(key) if not failed(s)) / others
        cl = Cluster(members, clean, agree)
        fraction = {"agreement": agree, "clean_runs": clean / (len(tests) + 1), "none": 0.0}[tie_break]
        cl.score = cl.size + min(fraction, 1.0) * 0.999
        clusters.append(cl)
    order = {c.id: k for k, c in enumerate(candidates)}
    clusters.sort(key=lambda cl: (-cl.score, order[cl.members[0].id]))
    return clusters


def _cluster_summary(clusters: Sequence[Cluster], limit: int = 20) -> list[dict]:
    return [{"size": cl.size, "clean_runs": cl.clean, "agreement": round(cl.agreement, 4),
             "members": [c.id for c in cl.members]}
            for cl in clusters[:limit]]


class OutputClustering(Component[OutputClusteringConfig]):
    type = "output_clustering"

    async def __call__(self, state: State, ctx: Context) -> State:
        cfg = self.config
        origins = None if cfg.origins is None else set(cfg.origins)
        tests = [t for t in state.unit_tests if origins is None or t.origin in origins]
        alive = state.alive()
        await ctx.executor.run(alive, tests)
        clusters = cluster_candidates(alive, tests, Outcomes(ctx.executor), cfg.tie_break)
        for rank, cl in enumerate(clusters):
            for c in cl.members:
                c.score = cl.score
                c.meta["cluster"] = {"rank": rank, "size": cl.size, "clean_runs": cl.clean,
                                     "agreement": round(cl.agreement, 4), "of_tests": len(tests)}
        sizes = [cl.size for cl in clusters]
        state.log(self.label, "scored", f"{len(clusters)} clusters over {len(tests)} tests, sizes {sizes[:10]}",
                  clusters=_cluster_summary(clusters))
        return state


# -- tournament -----------------------------------------------------------------------------------

TOURNAMENT_SYSTEM = "You are an expert competitive programmer."

WRITER_PROMPT = """Two programs were written for the problem below. They do not always print the same \
output, so at least one of them is wrong.

Problem:
{description}

Program A:
```{lang_a}
{source_a}
```

Program B:
```{lang_b}
{source_b}
```

Write up to {k} complete inputs for this problem on which the two programs would print different \
outputs. Every input must follow the input format and satisfy every constraint exactly. Prefer \
small inputs that hit edge cases. Put each input in its own ```input fenced block, and nothing \
else in those blocks."""

JUDGE_PROMPT = """Problem:
{description}

Input:
```
{input}
```

Two programs printed different outputs for this input.

Output 1:
```
{output_1}
```

Output 2:
```
{output_2}
```

Work out the correct output for this input step by step, then decide which of the two outputs \
is correct. End your answer with a line that is exactly "ANSWER: 1" or "ANSWER: 2"."""

_INPUT_TAGS = frozenset({"", "input", "in", "stdin", "text", "txt", "plaintext", "plain"})
_ANSWER = re.compile(r"answer\s*[:=]?\s*\**\s*(?:output\s*)?([12])\b", re.IGNORECASE)


def fenced_inputs(text: str, limit: int, max_bytes: int) -> list[str]:
    """Inputs in fenced blocks tagged as input (or untagged), in order; at most ``limit``."""
    out: list[str] = []
    lines = text[:MAX_ANSWER_CHARS].replace("\r\n", "\n").split("\n")
    i = 0
    while i < len(lines) and len(out) < limit:
        opening = lines[i].strip()
        i += 1
        if not opening.startswith("```"):
            continue
        tag = opening[3:].strip().lower()
        body = []
        while i < len(lines) and not lines[i].strip().startswith("```"):
            body.append(lines[i])
            i += 1
        i += 1  # the closing fence
        block = "\n".join(body).strip("\n")
        if tag in _INPUT_TAGS and block.strip() and len(block.encode()) <= max_bytes:
            text_in = block + "\n"
            if text_in not in out:
                out.append(text_in)
    return out


def judge_verdict(text: str) -> int | None:
    """1 or 2 from the judge's last ``ANSWER:`` line; None when it gives none."""
    for line in reversed(text[-MAX_ANSWER_CHARS:].split("\n")):
        m = _ANSWER.search(line)
        if m:
            return int(m.group(1))
    return None


@dataclass
class Match:
    a: Cluster
    b: Cluster
    winner: Candidate | None = None
    loser: Candidate | None = None
    test: UnitTest | None = None
    how: str = ""

    def to_dict(self) -> dict:
        return {"a": self.a.members[0].id, "b": self.b.members[0].id,
                "winner": self.winner.id if self.winner else None,
                "test": self.test.id if self.test else None, "how": self.how}


class Tournament(Component[TournamentConfig]):
    type = "tournament"

    async def __call__(self, state: State, ctx: Context) -> State:
        cfg = self.config
        alive = state.alive()
        tests = list(state.unit_tests)
        await ctx.executor.run(alive, tests)
        outcomes = Outcomes(ctx.executor)
        clusters = cluster_candidates(alive, tests, outcomes)
        for cl in clusters:
            for c in cl.members:
                c.score = cl.score
        leading = clusters[: cfg.clusters]
        if len(leading) < 2:
            state.log(self.label, "note", "fewer than two clusters: no tournament needed")
            return state
        matches = [Match(a, b) for a, b in itertools.combinations(leading, 2)]
        await asyncio.gather(*(self._play(m, state, ctx, outcomes) for m in matches))

        record: dict[str, Counter] = {c.id: Counter() for cl in leading for c in cl.members}
        for m in matches:
            if m.winner is None or m.test is None:
                for c in m.a.members + m.b.members:
                    record[c.id]["undecided"] += 1
                continue
            win, lose = outcomes.sig(m.winner, m.test), outcomes.sig(m.loser, m.test)  # type: ignore[arg-type]
            for c in m.a.members + m.b.members:
                s = outcomes.sig(c, m.test)
                record[c.id]["wins" if s == win else "losses" if s == lose else "undecided"] += 1
        step = len(alive) + 2  # above any cluster score, so one win outranks any cluster size
        for c in alive:
            r = record.get(c.id)
            if r is not None:
                c.score = (c.score or 0.0) + r["wins"] * step
                c.meta["tournament"] = {k: r[k] for k in ("wins", "losses", "undecided")}
        state.log(self.label, "scored", f"{len(matches)} matches between {len(leading)} clusters",
                  matches=[m.to_dict() for m in matches], clusters=_cluster_summary(leading))
        return state

    async def _play(self, m: Match, state: State, ctx: Context, outcomes: Outcomes) -> None:
        cfg = self.config
        a, b = m.a.members[0], m.b.members[0]
        description = state.problem.description[:PROMPT_DESCRIPTION_CHARS]
        prompt = WRITER_PROMPT.format(
            description=description, k=cfg.inputs_per_pair,
            lang_a=a.language, source_a=(a.source or "")[:PROMPT_PROGRAM_CHARS],
            lang_b=b.language, source_b=(b.source or "")[:PROMPT_PROGRAM_CHARS])
        try:
            (answer,) = await self._ask(cfg.litellm_model, cfg.temperature, prompt, state, ctx)
        except LLMError as e:
            self._failed(state, f"writing inputs for {a.id} vs {b.id}", e)
            m.how = "no inputs (LLM error)"
            return
        inputs = fenced_inputs(answer, cfg.inputs_per_pair, cfg.max_input_bytes)
        tests = [UnitTest(x, None, "tournament") for x in inputs]
        await ctx.executor.run(m.a.members + m.b.members, tests)
        state.add_tests([t for t in tests if not (failed(outcomes.sig(a, t)) and failed(outcomes.sig(b, t)))])
        decisive = next((t for t in tests if outcomes.sig(a, t) != outcomes.sig(b, t)
                         and not (failed(outcomes.sig(a, t)) and failed(outcomes.sig(b, t)))), None)
        if decisive is None:
            m.how = f"no separating input among {len(tests)}"
            return
        m.test = decisive
        sa, sb = outcomes.sig(a, decisive), outcomes.sig(b, decisive)
        if failed(sa) or failed(sb):
            m.winner, m.loser = (b, a) if failed(sa) else (a, b)
            m.how = f"the other program {sa if failed(sa) else sb}"
            return
        out_a = ctx.executor.get(a, decisive).output  # type: ignore[union-attr]
        out_b = ctx.executor.get(b, decisive).output  # type: ignore[union-attr]
        judge_model = cfg.judge_model or cfg.litellm_model
        shown = [text[:PROMPT_OUTPUT_CHARS].rstrip("\n") for text in (decisive.input, out_a, out_b)]
        prompts = [JUDGE_PROMPT.format(description=description, input=shown[0], output_1=o1, output_2=o2)
                   for o1, o2 in ((shown[1], shown[2]), (shown[2], shown[1]))]
        try:
            answers = await asyncio.gather(*(
                self._ask(judge_model, cfg.judge_temperature, p, state, ctx) for p in prompts))
        except LLMError as e:
            self._failed(state, f"judging {a.id} vs {b.id}", e)
            m.how = "not judged (LLM error)"
            return
        first, second = judge_verdict(answers[0][0]), judge_verdict(answers[1][0])
        pick_first = {1: a, 2: b}.get(first)  # type: ignore[arg-type]
        pick_second = {1: b, 2: a}.get(second)  # type: ignore[arg-type]
        if pick_first is not None and pick_first is pick_second:
            m.winner, m.loser = pick_first, (b if pick_first is a else a)
            m.how = "judge, consistent when swapped"
        else:
            m.how = f"judge inconsistent ({first}, {second} after swapping)"

    async def _ask(self, model: str, temperature: float, prompt: str, state: State, ctx: Context) -> list[str]:
        cfg = self.config
        client = ctx.llm.client(model, cfg.api_base)
        messages = [{"role": "system", "content": TOURNAMENT_SYSTEM}, {"role": "user", "content": prompt}]
        out = await client.complete(messages, n=1, temperature=temperature, max_tokens=cfg.max_tokens,
                                    usage=state.usage_for(self.label))
        return [c.text for c in out]

    def _failed(self, state: State, what: str, e: LLMError) -> None:
        state.errors.append(f"{self.label}: {what}: {e}")
        state.log(self.label, "error", f"{what}: {e}")
