"""``tournament``: an S*-style pairwise tournament between the leading output clusters, with
LLM-written distinguishing inputs and an LLM judge asked twice with the order swapped."""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter
from dataclasses import dataclass

from archon_code.answers import fenced_inputs, judge_verdict
from archon_code.components.base import Component
from archon_code.components.outcomes import Outcomes, failed
from archon_code.components.rankers import Cluster, cluster_candidates, cluster_summary
from archon_code.config import TournamentConfig
from archon_code.context import Context
from archon_code.llm import LLMError
from archon_code.prompts import PROMPT_DESCRIPTION_CHARS
from archon_code.state import Candidate, State, UnitTest

PROMPT_PROGRAM_CHARS = 20_000
PROMPT_OUTPUT_CHARS = 2_000

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
                  matches=[m.to_dict() for m in matches], clusters=cluster_summary(leading))
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
