"""Archon's LLM roles, for programs: generator, fuser, critic, ranker, verifier, unit-test
generator, and the LLM-judged unit-test evaluator.

Model answers are untrusted text, read by the parsers in :mod:`archon_code.answers`, which
return None for an answer they cannot read. A component then asks for a few extra samples,
records each unreadable answer in the trace, and carries on with what it has: a malformed
answer never ends a run. A provider that keeps failing raises LLMError; components that
judge candidates one by one record that candidate's failure in ``state.errors`` and go on
with the others.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from sandbox.checker import check

from archon_code import prompts
from archon_code.answers import (
    normalise_input,
    parse_critiques,
    parse_nl_unit_tests,
    parse_ranking,
    parse_test_verdicts,
    parse_unit_tests,
    parse_verdict,
)
from archon_code.components.base import Component
from archon_code.config import (
    CriticConfig,
    FuserConfig,
    GeneratorConfig,
    LLMComponentConfig,
    RankerConfig,
    UnitTestEvaluatorConfig,
    UnitTestGeneratorConfig,
    VerifierConfig,
)
from archon_code.context import Context
from archon_code.extract import Extracted, extract_code
from archon_code.llm import Completion, LLMClient, LLMError
from archon_code.state import Candidate, State, UnitTest

C = TypeVar("C", bound=LLMComponentConfig)
T = TypeVar("T")

PARSE_RETRIES = 2  # extra rounds of samples when answers cannot be read
CRITIC_BATCH = 8  # programs reviewed in one critic request
JUDGE_CHUNK = 4  # candidates judged at once when a first-k rule may stop early
EVAL_MAX_TESTS = 20  # unit tests shown to the LLM evaluator
CHARS_PER_TOKEN = 3  # a cautious estimate for prompts of code and prose
_SNIPPET = 300  # characters of an unreadable answer kept in the trace


def derive_seed(seed: int, label: str) -> int:
    """A 31-bit sampling seed for one component on one problem. Two identical components
    (an ensemble of the same model) get different seeds, so they neither share cache rows
    nor return the same samples from providers that honour seeds."""
    digest = hashlib.sha256(f"{seed}\0{label}".encode()).digest()
    return int.from_bytes(digest[:4], "big") >> 1


class LLMRole(Component[C]):
    """What every LLM role shares: its client, seed, sampling, and retries of answers that
    cannot be read."""

    def client(self, ctx: Context) -> LLMClient:
        return ctx.llm.client(self.config.litellm_model, self.config.api_base)

    async def complete(self, state: State, ctx: Context, messages: list[dict[str, str]], n: int,
                       offset: int = 0) -> list[Completion]:
        cfg = self.config
        if cfg.no_system:
            messages = [m for m in messages if m["role"] != "system"]
        return await self.client(ctx).complete(
            messages,
            n=n,
            temperature=cfg.temperature,
            max_tokens=cfg.max_tokens,
            seed=derive_seed(ctx.seed, self.label),
            # Samples are numbered from 0: a later run asking for more reuses the cached ones.
            sample_offset=offset,
            usage=state.usage_for(self.label),
        )

    async def sample_parsed(
        self,
        state: State,
        ctx: Context,
        messages: list[dict[str, str]],
        parse: Callable[[str], T | None],
        *,
        n: int,
        what: str,
    ) -> list[tuple[Completion, T]]:
        """Up to ``n`` readable answers: ``n`` samples, then up to PARSE_RETRIES more rounds
        asking for as many as were unreadable. Each unreadable answer goes in the trace."""
        good: list[tuple[Completion, T]] = []
        offset, want = 0, n
        for _ in range(1 + PARSE_RETRIES):
            for completion in await self.complete(state, ctx, messages, want, offset):
                value = parse(completion.text)
                if value is None:
                    state.log(self.label, "note", f"unreadable {what} (sample {completion.sample_index})",
                              malformed=True, sample=completion.sample_index, answer=completion.text[:_SNIPPET])
                else:
                    good.append((completion, value))
            offset += want
            want = n - len(good)
            if want <= 0:
                break
        if not good:
            state.log(self.label, "error", f"no readable {what} in {offset} samples", malformed=True)
        return good

    async def guarded(self, state: State, what: str, call: Awaitable[T]) -> T | None:
        """``call``'s result, or None after recording a provider failure for ``what``."""
        try:
            return await call
        except LLMError as e:
            state.errors.append(f"{self.label}: {what}: {e}")
            state.log(self.label, "error", f"{what}: {e}")
            return None


def _programs(candidates: Sequence[Candidate]) -> list[tuple[str, str | None]]:
    return [(c.source or "", c.language) for c in candidates]


def _by_score(candidates: Sequence[Candidate]) -> list[Candidate]:
    """Best score first (unscored last); ties keep their order."""
    order = {c.id: i for i, c in enumerate(candidates)}
    return sorted(candidates, key=lambda c: (c.score is None, -(c.score or 0.0), order[c.id]))


def _new_candidate(state: State, cid: str, label: str, completion: Completion, extracted: Extracted,
                   **kwargs: Any) -> Candidate:
    candidate = state.add_candidate(
        Candidate(
            id=cid,
            source=extracted.code,
            language=extracted.language,
            origin=label,
            layer=state.layer,
            raw=completion.text,
            cost_usd=completion.cost_usd,
            meta={"model": completion.model, "sample": completion.sample_index,
                  "finish_reason": completion.finish_reason, "cached": completion.cached,
                  "extraction": extracted.reason},
            **kwargs,
        )
    )
    if extracted.code is None:
        state.drop(candidate, f"no program in the answer: {extracted.reason}", label)
    else:
        state.log(label, "produced", f"{cid} ({extracted.language})", candidate=cid)
    return candidate


class Generator(LLMRole[GeneratorConfig]):
    """``samples`` programs from one model. Several generators in one layer run together
    and form an ensemble. An answer with no program becomes a dropped, non-runnable
    candidate whose note says why, so a pool's size always matches what was paid for."""

    type = "generator"
    produces = True

    async def __call__(self, state: State, ctx: Context) -> State:
        cfg = self.config
        messages = prompts.generator_messages(state.problem, cfg.language)
        for completion in await self.complete(state, ctx, messages, cfg.samples):
            extracted = extract_code(completion.text, prefer=cfg.language)
            _new_candidate(state, f"{self.label}.{completion.sample_index}", self.label, completion, extracted)
        return state


class Fuser(LLMRole[FuserConfig]):
    """Combines every alive candidate, as Archon's fuser does, into ``samples`` new programs:
    the model sees them all (best score first) with their critiques; every input is then
    dropped with a note naming what it was fused into. Fusers sharing a layer all fuse the
    same inputs (Mixture-of-Agents); when no fused answer holds a program the inputs stay.

    When the prompt would not fit the model's context (``max_input_tokens``, else what
    litellm knows of the model), the inputs are fused in consecutive batches that fit, each
    into ``samples`` programs, and the trace says so."""

    type = "fuser"

    def _inputs(self, state: State) -> list[Candidate]:
        layer = state.layer
        return [
            c for c in state.candidates
            if c.runnable
            and not (c.layer == layer and c.meta.get("role") == "fuser")
            and (c.alive or c.meta.get("consumed_at_layer") == layer)
        ]

    def _messages(self, state: State, batch: Sequence[Candidate]) -> tuple[list[dict[str, str]], str]:
        languages = {c.language for c in batch}
        language = languages.pop() if len(languages) == 1 else "any"
        critiques = [state.critiques.get(c.id) for c in batch]
        messages = prompts.fuser_messages(state.problem, _programs(batch), critiques, language,
                                          length_control=self.config.length_control)
        return messages, language

    def _batches(self, state: State, ctx: Context, shown: list[Candidate]) -> list[list[Candidate]]:
        limit = self.config.max_input_tokens or _context_window(self.client(ctx).model)
        if limit is None or _tokens(self._messages(state, shown)[0]) <= limit:
            return [shown]
        batches: list[list[Candidate]] = [[]]
        for c in shown:
            if batches[-1] and _tokens(self._messages(state, batches[-1] + [c])[0]) > limit:
                batches.append([])
            batches[-1].append(c)
        state.log(self.label, "note",
                  f"{len(shown)} programs do not fit the {limit}-token context in one prompt: "
                  f"fused in {len(batches)} batches of " + ", ".join(str(len(b)) for b in batches),
                  batches=[[c.id for c in b] for b in batches], context_tokens=limit)
        return batches

    async def _fuse(self, state: State, ctx: Context, batch: list[Candidate]) -> list[tuple[Completion, Extracted]]:
        messages, language = self._messages(state, batch)

        def parse(text: str) -> Extracted | None:
            extracted = extract_code(text, prefer=language)
            return extracted if extracted.code is not None else None

        return await self.sample_parsed(state, ctx, messages, parse, n=self.config.samples, what="fused program")

    async def __call__(self, state: State, ctx: Context) -> State:
        inputs = self._inputs(state)
        if not inputs:
            state.log(self.label, "note", "nothing to fuse: no runnable candidate")
            return state
        batches = self._batches(state, ctx, _by_score(inputs))
        results = await asyncio.gather(*(self._fuse(state, ctx, batch) for batch in batches))
        if not any(results):
            state.log(self.label, "error", "no fused program; the inputs stay alive")
            return state
        made = 0
        for batch, answers in zip(batches, results):
            ids = []
            for completion, extracted in answers:
                c = _new_candidate(state, f"{self.label}.{made}", self.label, completion, extracted,
                                   parents=[c.id for c in batch])
                c.meta["role"] = "fuser"
                ids.append(c.id)
                made += 1
            if not ids:
                state.log(self.label, "note", f"no fused program for a batch of {len(batch)}; they stay alive")
                continue
            for c in batch:
                into = c.meta.setdefault("fused_into", [])
                into.extend(ids)
                c.meta["consumed_at_layer"] = state.layer
                why = "fused into " + ", ".join(into)
                if c.alive:
                    state.drop(c, why, self.label)
                else:
                    c.note = why
        return state


def _tokens(messages: Sequence[dict[str, str]]) -> int:
    return sum(len(m["content"]) for m in messages) // CHARS_PER_TOKEN + 1


def _context_window(model: str) -> int | None:
    """The model's input context in tokens when litellm knows the model, else None."""
    import litellm  # archon_code.llm has configured it for offline use

    try:
        return litellm.get_model_info(model).get("max_input_tokens")
    except Exception:  # litellm raises plain Exception for a model it does not know
        return None


class Critic(LLMRole[CriticConfig]):
    """Writes ``state.critiques``: strengths and weaknesses of each alive program, reviewed
    CRITIC_BATCH at a time. With several samples, the reviews of one program are joined."""

    type = "critic"

    async def __call__(self, state: State, ctx: Context) -> State:
        alive = state.alive()
        batches = [alive[i:i + CRITIC_BATCH] for i in range(0, len(alive), CRITIC_BATCH)]
        await asyncio.gather(*(self._review(state, ctx, batch) for batch in batches))
        missing = [c.id for c in alive if c.id not in state.critiques]
        if missing:
            state.log(self.label, "note", f"no critique for {', '.join(missing)}", candidates=missing)
        return state

    async def _review(self, state: State, ctx: Context, batch: list[Candidate]) -> None:
        messages = prompts.critic_messages(state.problem, _programs(batch))
        answers = await self.guarded(
            state,
            "critique of " + ", ".join(c.id for c in batch),
            self.sample_parsed(state, ctx, messages, lambda t: parse_critiques(t, len(batch)),
                               n=self.config.samples, what="critique"),
        )
        for number, candidate in enumerate(batch, 1):
            texts = [critiques[number] for _, critiques in answers or [] if number in critiques]
            if texts:
                state.critiques[candidate.id] = "\n\n---\n\n".join(texts)
                state.log(self.label, "note", f"critique of {candidate.id}", candidate=candidate.id,
                          critique=texts[0][:_SNIPPET])


class Ranker(LLMRole[RankerConfig]):
    """Ranks the alive programs in one request, each with its critique when a critic wrote
    one (as Archon does), keeps the ``top_k`` best and scores each kept one by rank (best =
    number ranked). Several samples are combined by Borda count. When no answer holds a
    ranking the candidates are left as they were."""

    type = "ranker"

    async def __call__(self, state: State, ctx: Context) -> State:
        alive = state.alive()
        if not alive:
            return state
        count = len(alive)
        points = [0.0] * count
        if count > 1:
            critiques = [state.critiques.get(c.id) for c in alive] if self.config.use_critiques else None
            messages = prompts.ranker_messages(state.problem, _programs(alive), critiques)
            answers = await self.sample_parsed(state, ctx, messages, lambda t: parse_ranking(t, count),
                                               n=self.config.samples, what="ranking")
            if not answers:
                return state
            for _, order in answers:
                for position, index in enumerate(order):
                    points[index] += (count - position) / len(answers)
        else:
            points[0] = 1.0
        ranked = sorted(range(count), key=lambda i: (-points[i], i))
        state.log(self.label, "scored", " > ".join(alive[i].id for i in ranked),
                  ranking=[alive[i].id for i in ranked])
        for position, index in enumerate(ranked):
            candidate = alive[index]
            candidate.score = points[index]
            if position >= self.config.top_k:
                state.drop(candidate, f"ranked {position + 1} of {count} by {self.label} "
                                      f"(keeps top {self.config.top_k})", self.label)
        return state


async def _judge_in_order(
    candidates: Sequence[Candidate],
    judge: Callable[[Candidate], Awaitable[T]],
    done: Callable[[dict[str, T]], bool] | None = None,
) -> dict[str, T]:
    """Judge every candidate concurrently; with ``done``, JUDGE_CHUNK at a time, in order,
    stopping as soon as ``done`` says enough was found (the first-k rules)."""
    results: dict[str, T] = {}
    step = JUDGE_CHUNK if done is not None else max(1, len(candidates))
    for start in range(0, len(candidates), step):
        chunk = candidates[start:start + step]
        for candidate, result in zip(chunk, await asyncio.gather(*(judge(c) for c in chunk))):
            results[candidate.id] = result
        if done is not None and done(results):
            break
    return results


def _majority(votes: list[bool]) -> bool | None:
    if not votes:
        return None
    return sum(votes) * 2 >= len(votes)  # a tie keeps the candidate


class Verifier(LLMRole[VerifierConfig]):
    """The LLM judges each alive program correct or incorrect (majority over samples) and
    the ones judged incorrect are dropped, unless that would drop every one. With
    ``first_k``, only the first k judged correct (in order) are kept."""

    type = "verifier"

    async def __call__(self, state: State, ctx: Context) -> State:
        alive = state.alive()
        if not alive:
            return state
        first_k = self.config.first_k

        async def judge(c: Candidate) -> bool | None:
            messages = prompts.verifier_messages(state.problem, c.source or "", c.language)
            answers = await self.guarded(
                state, f"verdict on {c.id}",
                self.sample_parsed(state, ctx, messages, parse_verdict, n=self.config.samples, what=f"verdict on {c.id}"),
            )
            verdict = _majority([v for _, v in answers or []])
            c.meta["verified"] = verdict
            state.log(self.label, "note", f"{c.id}: " + {True: "correct", False: "incorrect", None: "no verdict"}[verdict],
                      candidate=c.id, verdict=verdict)
            return verdict

        done = (lambda r: sum(v is True for v in r.values()) >= first_k) if first_k else None
        verdicts = await _judge_in_order(alive, judge, done)
        if first_k:
            keep = [c for c in alive if verdicts.get(c.id) is True][:first_k]
            if keep:
                for c in alive:
                    if c not in keep:
                        state.drop(c, f"not among the first {first_k} judged correct by {self.label}", self.label)
                return state
        incorrect = [c for c in alive if verdicts.get(c.id) is False]
        if len(incorrect) == len(alive):
            state.log(self.label, "note", "every candidate was judged incorrect; all are kept")
            return state
        for c in incorrect:
            state.drop(c, f"judged incorrect by {self.label}", self.label)
        return state


class UnitTestGenerator(LLMRole[UnitTestGeneratorConfig]):
    """``unit_tests: executable``: (stdin, expected stdout) pairs written by the LLM, asked
    for as a strict JSON list. The public examples are added too (origin "public"). LLM
    tests are deduplicated and capped; one whose input is a public example's but whose
    output differs (under the run's checker) contradicts the statement and is dropped, as is
    an input the samples disagree on.

    ``unit_tests: natural_language`` is Archon's: statements a correct program satisfies,
    appended to the problem ("Your response should pass the following unit tests: ...") so
    that every later layer's prompt carries them, and judged by the unit-test evaluator."""

    type = "unit_test_generator"
    produces = True

    async def __call__(self, state: State, ctx: Context) -> State:
        if self.config.unit_tests == "natural_language":
            return await self._natural_language(state, ctx)
        return await self._executable(state, ctx)

    async def _natural_language(self, state: State, ctx: Context) -> State:
        cfg = self.config
        messages = prompts.nl_unit_test_generator_messages(state.problem, cfg.unit_test_cap)
        answers = await self.sample_parsed(state, ctx, messages, parse_nl_unit_tests, n=cfg.samples,
                                           what="unit tests")
        tests: list[str] = []
        for _, written in answers:
            tests += [t for t in written if t not in tests]
        tests = tests[:cfg.unit_test_cap]
        if tests:
            state.problem = prompts.with_unit_tests(state.problem, tests)
        state.log(self.label, "produced", f"{len(tests)} natural-language unit tests appended to the problem",
                  natural_language_tests=tests)
        return state

    async def _executable(self, state: State, ctx: Context) -> State:
        cfg = self.config
        problem = state.problem
        checker = ctx.executor.checker
        public = [UnitTest(t.input, t.output, "public") for t in problem.public()]
        added_public = state.add_tests(public)
        messages = prompts.unit_test_generator_messages(
            problem, cfg.unit_test_cap, examples=not cfg.remove_unit_tests_from_prompt
        )
        answers = await self.sample_parsed(state, ctx, messages, parse_unit_tests, n=cfg.samples, what="unit tests")

        public_out = {normalise_input(t.input): t.output or "" for t in public}
        outputs: dict[str, str] = {}
        conflicting: set[str] = set()
        contradicting = 0
        for _, pairs in answers:
            for raw_input, output in pairs:
                inp = normalise_input(raw_input)
                if inp in public_out:
                    if not check(public_out[inp], output, checker):
                        contradicting += 1
                    continue
                if inp in outputs and not check(outputs[inp], output, checker):
                    conflicting.add(inp)
                outputs.setdefault(inp, output)
        tests = [UnitTest(inp, out, "llm") for inp, out in outputs.items() if inp not in conflicting]
        added = state.add_tests(tests, cap=cfg.unit_test_cap)
        state.log(
            self.label, "produced",
            f"{added} LLM unit tests" + (f", {added_public} public examples" if added_public else ""),
            llm_tests=added, public=added_public, contradicting_public=contradicting,
            conflicting=len(conflicting), capped=max(0, len(tests) - added),
        )
        if contradicting or conflicting:
            state.log(self.label, "note",
                      f"dropped {contradicting} tests contradicting the public examples and "
                      f"{len(conflicting)} inputs the samples disagree on")
        return state


class UnitTestEvaluator(LLMRole[UnitTestEvaluatorConfig]):
    """Archon's LLM-judged evaluator, kept for parity: the LLM predicts which unit tests
    each program passes (nothing runs). The tests are the natural-language ones appended to
    the problem when there are any (Archon's), else the executable tests with an expected
    output. Score = predicted passes (mean over samples). ``first_k``/``first_pass`` keep
    the first k programs, in order, predicted to pass every test; otherwise (or when none
    is) ``top_k`` keeps the best k by score. ``remove_unit_tests_from_prompt`` shows the
    problem without its appended tests (without its examples, for executable tests)."""

    type = "unit_test_evaluator"

    async def __call__(self, state: State, ctx: Context) -> State:
        cfg = self.config
        alive = state.alive()
        if not alive:
            return state
        written = prompts.appended_unit_tests(state.problem)
        problem = state.problem
        shown: list[str] | list[tuple[str, str]]
        if written:
            shown = written[:EVAL_MAX_TESTS]
            if cfg.remove_unit_tests_from_prompt:
                problem = prompts.without_unit_tests(problem)
        else:
            tests = [t for t in state.unit_tests if t.output is not None][:EVAL_MAX_TESTS]
            shown = [(t.input, t.output or "") for t in tests]
        if not shown:
            state.log(self.label, "note", "no unit tests with expected outputs to judge against")
            return state
        count = len(shown)

        async def judge(c: Candidate) -> float | None:
            messages = prompts.unit_test_evaluator_messages(
                problem, c.source or "", c.language, shown,
                examples=bool(written) or not cfg.remove_unit_tests_from_prompt)
            answers = await self.guarded(
                state, f"unit-test verdicts on {c.id}",
                self.sample_parsed(state, ctx, messages, lambda t: parse_test_verdicts(t, count),
                                   n=cfg.samples, what=f"unit-test verdicts on {c.id}"),
            )
            if not answers:
                c.score = None
                return None
            passes = sum(sum(v is True for v in verdicts) for _, verdicts in answers) / len(answers)
            c.score = passes
            c.meta["predicted_passes"] = passes
            state.log(self.label, "scored", f"{c.id}: predicted to pass {passes:g} of {count}",
                      candidate=c.id, score=passes)
            return passes

        first_k = cfg.first_k
        done = (lambda r: sum(v == count for v in r.values()) >= first_k) if first_k else None
        scores = await _judge_in_order(alive, judge, done)
        if first_k:
            winners = [c for c in alive if scores.get(c.id) == count][:first_k]
            if winners:
                for c in alive:
                    if c not in winners:
                        why = (f"not among the first {first_k} predicted to pass all {count} unit tests"
                               if c.id in scores else "not judged: enough candidates predicted to pass all tests")
                        state.drop(c, why, self.label)
                return state
            state.log(self.label, "note", f"no candidate predicted to pass all {count} unit tests")
        if cfg.top_k is not None:
            for position, c in enumerate(_by_score(alive)):
                if position >= cfg.top_k:
                    state.drop(c, f"predicted passes rank {position + 1} (keeps top {cfg.top_k})", self.label)
        return state
