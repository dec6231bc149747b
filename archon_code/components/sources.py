"""Candidate sources that need no LLM.

- ``dataset_samples``: the problem's own stored solutions (correct and incorrect) as
  candidates, so an architecture's selection layers can be exercised and measured on real
  programs without any model.
- ``mutants``: seeded single-edit mutants of a known-correct Python solution: the offline
  stand-in for weaker samples, and what a test generator's mutation score is measured on.
"""

from __future__ import annotations

import asyncio
import random

from sandbox import languages

from archon_code.components.base import Component
from archon_code.config import DatasetSamplesConfig, MutantsConfig
from archon_code.context import Context
from archon_code.mutants import program_mutants
from archon_code.state import Candidate, State
from archon_code.stored_solutions import reference_solutions, runnable_solutions


class DatasetSamples(Component[DatasetSamplesConfig]):
    type = "dataset_samples"
    produces = True

    async def __call__(self, state: State, ctx: Context) -> State:
        cfg = self.config
        problem = state.problem
        rng = random.Random(f"{ctx.seed}:{self.label}")
        added: dict[str, int] = {}
        for kind, solutions, include in (
            ("correct", problem.solutions, cfg.include_correct),
            ("incorrect", problem.incorrect_solutions, cfg.include_incorrect),
        ):
            if not include:
                continue
            usable = [s for s in runnable_solutions(solutions) if s.program.language in cfg.languages]
            if cfg.max_per_kind is not None and len(usable) > cfg.max_per_kind:
                usable = sorted(rng.sample(usable, cfg.max_per_kind), key=lambda s: s.index)
            for stored in usable:
                state.add_candidate(Candidate(
                    id=state.next_id("dataset"), source=stored.program.source, language=stored.program.language,
                    origin=self.label, layer=state.layer, meta={"kind": kind, "index": stored.index}))
            added[kind] = len(usable)
        state.log(self.label, "produced", ", ".join(f"{n} {k}" for k, n in added.items()) or "nothing",
                  **added)
        return state


class Mutants(Component[MutantsConfig]):
    type = "mutants"
    produces = True

    async def __call__(self, state: State, ctx: Context) -> State:
        cfg = self.config
        references = reference_solutions(state.problem, languages.PYTHON.name)
        if cfg.reference >= len(references):
            state.log(self.label, "note", f"no Python reference solution #{cfg.reference} "
                      f"({len(references)} available): no mutants")
            return state
        seed = cfg.seed if cfg.seed is not None else ctx.seed
        # Parsing and unparsing untrusted source is bounded in size and time inside.
        mutants = await asyncio.to_thread(program_mutants, references[cfg.reference], cfg.count, seed)
        for m in mutants:
            state.add_candidate(Candidate(
                id=state.next_id("mutant"), source=m.source, language=languages.PYTHON.name, origin=self.label,
                layer=state.layer, meta={"kind": "mutant", "mutation": m.mutation, "reference": cfg.reference}))
        state.log(self.label, "produced", f"{len(mutants)} mutants of Python reference #{cfg.reference}",
                  mutations=[m.mutation for m in mutants])
        return state
