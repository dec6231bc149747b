"""Archon's LLM roles, for programs: generator, fuser, critic, ranker, verifier, unit-test
generator, and the LLM-judged unit-test evaluator.

Model answers are untrusted text. Every parser here reads a capped copy, line by line, with
no regular expression that can backtrack badly, and returns None for an answer it cannot
read. A component then asks for a few extra samples, records each unreadable answer in the
trace, and carries on with what it has: a malformed answer never ends a run. A provider that
keeps failing raises LLMError; components that judge candidates one by one record that
candidate's failure in ``state.errors`` and go on with the others.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from collections.abc import Awaitable, Callable, Iterator, Sequence
from typing import Any, TypeVar

from sandbox.checker import check

from archon_code import prompts
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

MAX_ANSWER_CHARS = 100_000  # parsers read at most this much of an answer (its end)
PARSE_RETRIES = 2  # extra rounds of samples when answers cannot be read
FUSE_MAX_INPUTS = 5  # a fuser shows the model at most this many programs
CRITIC_BATCH = 8  # programs reviewed in one critic request
JUDGE_CHUNK = 4  # candidates judged at once when a first-k rule may stop early
EVAL_MAX_TESTS = 20  # unit tests shown to the LLM evaluator
MAX_TEST_CHARS = 100_000  # a longer LLM-written test input or output is dropped
_SNIPPET = 300  # characters of an unreadable answer kept in the trace


def derive_seed(seed: int, label: str) -> int:
    """A 31-bit sampling seed for one component on one problem. Two identical components
    (an ensemble of the same model) get different seeds, so they neither share cache rows
    nor return the same samples from providers that honour seeds."""
    digest = hashlib.sha256(f"{seed}\0{label}".encode()).digest()
    return int.from_bytes(digest[:4], "big") >> 1


# -- parsers: pure functions on untrusted text -------------------------------------------------


def _readable(text: str) -> str:
    """The part of an answer worth parsing: what follows a reasoning block, capped at the end
    (answers put their conclusion last)."""
    end = text.rfind("</think>")
    if end != -1 and text[end + len("</think>"):].strip():
        text = text[end + len("</think>"):]
    return text[-MAX_ANSWER_CHARS:]


_RANK_CHAIN = re.compile(r"\[\s{0,3}\d{1,4}\s{0,3}\](?:\s{0,8}(?:>>?|≻|→|,)\s{0,8}\[\s{0,3}\d{1,4}\s{0,3}\])+")
_RANK_LABEL = re.compile(r"(?:ranking|answer|order)(?:\s{1,3}is)?\s{0,3}[:=]?", re.IGNORECASE)
_RANK_SEPARATORS = re.compile(r"[\s,;>≻→]+")
_DIGITS = re.compile(r"\d{1,4}")
_MARKUP = "*_`#'\" "


def _ids(fragment: str) -> list[int] | None:
    """``[2] > [1] > [3]``, ``2, 1, 3``, ``2 > 1 > 3`` or a JSON list of integers."""
    fragment = fragment.strip().strip(_MARKUP).rstrip(".").strip(_MARKUP)
    if not fragment:
        return None
    if fragment.startswith("[") and fragment.endswith("]"):
        try:
            value = json.loads(fragment)
        except ValueError:
            value = None
        if isinstance(value, list) and value and all(type(v) is int for v in value):
            return value
    tokens = [t for t in _RANK_SEPARATORS.split(fragment.replace("[", " ").replace("]", " ")) if t]
    if tokens and all(t.isascii() and t.isdigit() and len(t) <= 4 for t in tokens):
        return [int(t) for t in tokens]
    return None


def _valid_ranking(ids: list[int] | None, count: int, minimum: int = 1) -> bool:
    return bool(ids) and len(ids) >= minimum and len(set(ids)) == len(ids) and all(1 <= i <= count for i in ids)


def _ranking_in_line(line: str, count: int, labelled_only: bool) -> list[int] | None:
    line = line.strip().strip(_MARKUP + ">").strip()
    if not line or len(line) > 2000:
        return None
    labels = list(_RANK_LABEL.finditer(line))
    if labels:
        ids = _ids(line[labels[-1].end():])
        if _valid_ranking(ids, count):
            return ids
    if labelled_only:
        return None
    chains = list(_RANK_CHAIN.finditer(line))
    if chains:
        ids = [int(d) for d in _DIGITS.findall(chains[-1].group())]
        if _valid_ranking(ids, count):
            return ids
    ids = _ids(line)
    if _valid_ranking(ids, count, minimum=min(2, count)):
        return ids
    return None


def parse_ranking(text: str, count: int) -> list[int] | None:
    """The order (0-based indices, best first, every index once) that an answer ranks
    ``count`` programs in, or None when it holds no ranking.

    The answer may explain before it ranks: a labelled line (``Ranking: ...``,
    ``Answer: ...``) wins, else the last line that is a ranking, else the last JSON list.
    Identifiers the ranking leaves out follow in their original order.
    """
    lines = _readable(text).split("\n")
    found: list[int] | None = None
    for labelled_only in (True, False):
        for line in reversed(lines):
            found = _ranking_in_line(line, count, labelled_only)
            if found:
                break
        if found:
            break
    if not found:
        for value in reversed(list(_json_values(_readable(text)))):
            if (isinstance(value, list) and all(type(v) is int for v in value)
                    and _valid_ranking(value, count, minimum=min(2, count))):
                found = value
                break
    if not found:
        return None
    order = [i - 1 for i in found]
    return order + [i for i in range(count) if i not in order]


_HEAD_BRACKET = re.compile(r"\[(\d{1,3})\]")
_HEAD_WORD = re.compile(
    r"(?:program|solution|candidate|response|review)\s{0,3}#?\s{0,3}\[?(\d{1,3})\]?(?=$|[\s:.)*\-])",
    re.IGNORECASE,
)


def parse_critiques(text: str, count: int) -> dict[int, str] | None:
    """Critiques by program number (1-based) from an answer that starts each review with
    the program's identifier (``[2]``, ``**Program [2]**``, ``### Program 2:``)."""
    sections: dict[int, list[str]] = {}
    current: int | None = None
    for line in _readable(text).split("\n"):
        head = line.strip().lstrip("#*_> ").strip()
        match = _HEAD_BRACKET.match(head) or _HEAD_WORD.match(head)
        if match is not None:
            number = int(match.group(1))
            if 1 <= number <= count and number not in sections:
                current = number
                rest = head[match.end():].strip(" *_:-")
                sections[current] = [rest] if rest else []
                continue
        if current is not None:
            sections[current].append(line)
    critiques = {k: "\n".join(v).strip() for k, v in sections.items()}
    critiques = {k: v for k, v in critiques.items() if v}
    return critiques or None


_WORDS = re.compile(r"[a-z]+")


def parse_verdict(text: str) -> bool | None:
    """True for ``[Correct]``, False for ``[Incorrect]`` (the last one given wins), else a
    final ``Verdict: ...`` line in words; None when the answer gives no verdict."""
    body = _readable(text).lower()
    bad, good = body.rfind("[incorrect]"), body.rfind("[correct]")
    if bad != -1 or good != -1:
        return good > bad
    for line in reversed(body.split("\n")):
        if "verdict" not in line:
            continue
        words = _WORDS.findall(line.split("verdict", 1)[1])
        if "incorrect" in words or "wrong" in words or ("not" in words and "correct" in words):
            return False
        if "correct" in words:
            return True
    return None


_TEST_VERDICT = re.compile(
    r"(?:unit\s{0,3})?test\s{0,3}(?:case\s{0,3})?#?\s{0,3}(\d{1,4})\s{0,3}[:\-–=]?\s{0,3}[*_`]{0,3}\s{0,3}"
    r"\[?\s{0,3}(passed|failed|pass|fail)\b",
    re.IGNORECASE,
)
_BARE_VERDICT = re.compile(r"\[(passed|failed)\]", re.IGNORECASE)


def parse_test_verdicts(text: str, count: int) -> list[bool | None] | None:
    """Per unit test (in order): predicted to pass (True), to fail (False), or not said
    (None). Reads ``Unit Test #k: [Passed]`` lines (the last verdict for a test wins); without
    numbers, exactly ``count`` bare ``[Passed]``/``[Failed]`` marks in order. None when the
    answer has no verdict at all."""
    verdicts: list[bool | None] = [None] * count
    body = _readable(text)
    seen = False
    for line in body.split("\n"):
        for match in _TEST_VERDICT.finditer(line):
            index = int(match.group(1))
            if 1 <= index <= count:
                verdicts[index - 1] = match.group(2).lower().startswith("pass")
                seen = True
    if seen:
        return verdicts
    bare = _BARE_VERDICT.findall(body)
    if len(bare) == count:
        return [v.lower() == "passed" for v in bare]
    return None


_INPUT_KEYS = ("input", "stdin", "in")
_OUTPUT_KEYS = ("output", "expected_output", "expected", "stdout", "out")


def _as_text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in value):
        return "\n".join(str(v) for v in value)
    return None


def _test_pair(item: Any) -> tuple[str, str] | None:
    if not isinstance(item, dict):
        return None
    keys = {str(k).strip().lower(): v for k, v in item.items()}
    inp = next((_as_text(keys[k]) for k in _INPUT_KEYS if k in keys), None)
    out = next((_as_text(keys[k]) for k in _OUTPUT_KEYS if k in keys), None)
    if inp is None or out is None or not inp.strip() or len(inp) > MAX_TEST_CHARS or len(out) > MAX_TEST_CHARS:
        return None
    return inp, out


def _fenced_bodies(text: str) -> Iterator[str]:
    body: list[str] | None = None
    for line in text.split("\n"):
        if line.lstrip().startswith("```"):
            if body is None:
                body = []
            else:
                yield "\n".join(body)
                body = None
        elif body is not None:
            body.append(line)


def _json_values(text: str, max_starts: int = 200) -> Iterator[Any]:
    """JSON values in an answer: fenced blocks first, then values starting at each ``[`` or
    ``{`` (a bounded number of starts), in order of position."""
    for body in _fenced_bodies(text):
        try:
            yield json.loads(body)
        except ValueError:
            pass
    decoder = json.JSONDecoder()
    starts = 0
    position = 0
    while starts < max_starts:
        bracket = text.find("[", position)
        brace = text.find("{", position)
        found = [i for i in (bracket, brace) if i != -1]
        if not found:
            return
        position = min(found)
        starts += 1
        try:
            value, end = decoder.raw_decode(text, position)
        except ValueError:
            position += 1
            continue
        yield value
        position = end


def parse_unit_tests(text: str) -> list[tuple[str, str]] | None:
    """(input, expected output) pairs from an answer holding a JSON list of
    ``{"input": ..., "output": ...}`` objects: fenced or not, with prose around it, or
    wrapped in an object (``{"tests": [...]}``). None when no such list is found."""
    for value in _json_values(_readable(text)):
        if isinstance(value, dict):
            lists = [v for v in value.values() if isinstance(v, list)]
            value = lists[0] if len(lists) == 1 else [value]
        if not isinstance(value, list):
            continue
        pairs = [p for p in (_test_pair(item) for item in value) if p is not None]
        if pairs:
            return pairs
    return None


def normalise_input(text: str) -> str:
    """Test input as a program reads it: trailing spaces cut, one final newline."""
    return "\n".join(line.rstrip() for line in text.strip("\n").split("\n")) + "\n"


# -- the components --------------------------------------------------------------------------


class LLMRole(Component[C]):
    """What every LLM role shares: its client, seed, sampling, and retries of answers that
    cannot be read."""

    def client(self, ctx: Context) -> LLMClient:
        return ctx.llm.client(self.config.litellm_model, self.config.api_base)

    async def complete(self, state: State, ctx: Context, messages: list[dict[str, str]], n: int,
                       offset: int = 0) -> list[Completion]:
        cfg = self.config
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
    """Combines the alive candidates into ``samples`` new programs. The model sees the best
    FUSE_MAX_INPUTS (by score, else in order) with their critiques; every input is then
    dropped with a note naming what it was fused into. Fusers sharing a layer all fuse the
    same inputs (Mixture-of-Agents); when no fused answer holds a program the inputs stay."""

    type = "fuser"

    def _inputs(self, state: State) -> list[Candidate]:
        layer = state.layer
        return [
            c for c in state.candidates
            if c.runnable
            and not (c.layer == layer and c.meta.get("role") == "fuser")
            and (c.alive or c.meta.get("consumed_at_layer") == layer)
        ]

    async def __call__(self, state: State, ctx: Context) -> State:
        inputs = self._inputs(state)
        if not inputs:
            state.log(self.label, "note", "nothing to fuse: no runnable candidate")
            return state
        shown = _by_score(inputs)[:FUSE_MAX_INPUTS]
        languages = {c.language for c in shown}
        language = languages.pop() if len(languages) == 1 else "any"
        critiques = [state.critiques.get(c.id) for c in shown]
        messages = prompts.fuser_messages(state.problem, _programs(shown), critiques, language)

        def parse(text: str) -> Extracted | None:
            extracted = extract_code(text, prefer=language)
            return extracted if extracted.code is not None else None

        answers = await self.sample_parsed(state, ctx, messages, parse, n=self.config.samples, what="fused program")
        if not answers:
            state.log(self.label, "error", "no fused program; the inputs stay alive")
            return state
        parents = [c.id for c in shown]
        made = [
            _new_candidate(state, f"{self.label}.{i}", self.label, completion, extracted, parents=parents)
            for i, (completion, extracted) in enumerate(answers)
        ]
        for c in made:
            c.meta["role"] = "fuser"
        ids = [c.id for c in made]
        shown_ids = set(parents)
        for c in inputs:
            into = c.meta.setdefault("fused_into", [])
            into.extend(ids)
            c.meta["consumed_at_layer"] = state.layer
            if c.id in shown_ids:
                why = "fused into " + ", ".join(into)
            else:
                why = f"not among the {len(shown)} programs fused into " + ", ".join(into)
            if c.alive:
                state.drop(c, why, self.label)
            else:
                c.note = why
        return state


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
    """Ranks the alive programs in one request, keeps the ``top_k`` best and scores each
    kept one by rank (best = number ranked). Several samples are combined by Borda count.
    When no answer holds a ranking the candidates are left as they were."""

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
    """Executable tests written by the LLM: (stdin, expected stdout) pairs asked for as a
    strict JSON list. The public examples are added too (origin "public"). LLM tests are
    deduplicated and capped; one whose input is a public example's but whose output
    differs contradicts the statement and is dropped, as is an input the samples disagree
    on."""

    type = "unit_test_generator"
    produces = True

    async def __call__(self, state: State, ctx: Context) -> State:
        cfg = self.config
        problem = state.problem
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
                    if not check(public_out[inp], output, "codecontests"):
                        contradicting += 1
                    continue
                if inp in outputs and not check(outputs[inp], output, "codecontests"):
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
    each program passes (nothing runs). Score = predicted passes (mean over samples).
    ``first_k``/``first_pass`` keep the first k programs, in order, predicted to pass every
    test; otherwise (or when none is) ``top_k`` keeps the best k by score."""

    type = "unit_test_evaluator"

    async def __call__(self, state: State, ctx: Context) -> State:
        cfg = self.config
        alive = state.alive()
        tests = [t for t in state.unit_tests if t.output is not None][:EVAL_MAX_TESTS]
        if not alive:
            return state
        if not tests:
            state.log(self.label, "note", "no unit tests with expected outputs to judge against")
            return state
        shown = [(t.input, t.output or "") for t in tests]
        count = len(tests)

        async def judge(c: Candidate) -> float | None:
            messages = prompts.unit_test_evaluator_messages(
                state.problem, c.source or "", c.language, shown, examples=not cfg.remove_unit_tests_from_prompt
            )
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
