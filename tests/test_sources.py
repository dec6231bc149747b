"""Candidate sources without an LLM: a problem's stored solutions, and mutants of its reference."""

from __future__ import annotations

import random

import pytest

from archon_code.components.selection import PublicFilter
from archon_code.components.sources import DatasetSamples, Mutants
from archon_code.config import DatasetSamplesConfig, MutantsConfig, PublicFilterConfig
from archon_code.context import Context, LLMHub
from archon_code.executor import Executor
from archon_code.state import State
from problems import Problem, load_problems
from problems.model import Language

REFERENCE = "n = int(input())\nfor i in range(n):\n    if i % 2 == 0 and i > 0:\n        print(i * 3 + 1)\n"

PROBLEM = Problem.model_validate({
    "name": "mixed languages",
    "description": "Print 3i + 1 for every even i in 1..n-1.",
    "public_tests": {"input": ["7\n"], "output": ["7\n13\n19\n"]},
    "solutions": {
        "language": [Language.PYTHON, Language.JAVA, Language.PYTHON3, Language.CPP, Language.PYTHON3],
        "solution": ["print 1", "class A {}", REFERENCE, "int main(){}", REFERENCE + "# second\n"],
    },
    "incorrect_solutions": {
        "language": [Language.PYTHON3, Language.PYTHON3, Language.CPP, Language.UNKNOWN_LANGUAGE],
        "solution": ["print(1)\n", "print(2)\n", "int main(){return 1;}", "?"],
    },
})


def offline_context(seed: int = 5) -> Context:
    # These sources never run anything: no pool, no executor needed.
    return Context(None, LLMHub(), None, seed=seed, rng=random.Random(seed))  # type: ignore[arg-type]


async def produce(component, problem: Problem = PROBLEM, seed: int = 5) -> State:
    state = State(problem)
    await component(state, offline_context(seed))
    return state


async def test_dataset_samples_takes_runnable_solutions_of_both_kinds():
    state = await produce(DatasetSamples(DatasetSamplesConfig(type="dataset_samples"), "L1.ds"))
    got = [(c.language, c.meta["kind"], c.meta["index"]) for c in state.candidates]
    # Python 2, Java and unknown-language solutions cannot run in the sandbox.
    assert got == [("python", "correct", 2), ("cpp", "correct", 3), ("python", "correct", 4),
                   ("python", "incorrect", 0), ("python", "incorrect", 1), ("cpp", "incorrect", 2)]
    assert [c.id for c in state.candidates] == [f"dataset.{k}" for k in range(6)]
    assert all(c.origin == "L1.ds" and c.alive and c.raw == "" for c in state.candidates)
    (event,) = [e for e in state.trace if e.kind == "produced"]
    assert event.data == {"correct": 3, "incorrect": 3}


async def test_dataset_samples_options():
    only_correct = DatasetSamples(DatasetSamplesConfig(type="dataset_samples", include_incorrect=False,
                                                       languages=["python"]), "ds")
    state = await produce(only_correct)
    assert [(c.language, c.meta["kind"]) for c in state.candidates] == [("python", "correct")] * 2

    capped = DatasetSamples(DatasetSamplesConfig(type="dataset_samples", max_per_kind=1), "ds")
    picks = [[c.meta["index"] for c in (await produce(capped, seed=s)).candidates] for s in range(8)]
    assert all(len(p) == 2 for p in picks)
    assert picks == [[c.meta["index"] for c in (await produce(capped, seed=s)).candidates] for s in range(8)]
    assert len({tuple(p) for p in picks}) > 1  # the sample depends on the seed


async def test_mutants_are_seeded_single_edits_of_the_reference():
    state = await produce(Mutants(MutantsConfig(type="mutants", count=6), "L1.mut"))
    assert len(state.candidates) == 6
    assert [c.id for c in state.candidates] == [f"mutant.{k}" for k in range(6)]
    for c in state.candidates:
        assert c.language == "python" and c.meta["kind"] == "mutant" and c.meta["mutation"].startswith("line ")
        assert c.source != REFERENCE
    same = await produce(Mutants(MutantsConfig(type="mutants", count=6), "L1.mut"))
    assert [c.source for c in same.candidates] == [c.source for c in state.candidates]
    pinned = await produce(Mutants(MutantsConfig(type="mutants", count=6, seed=1), "L1.mut"), seed=99)
    other = await produce(Mutants(MutantsConfig(type="mutants", count=6, seed=2), "L1.mut"), seed=99)
    assert [c.source for c in pinned.candidates] != [c.source for c in other.candidates]


async def test_mutants_without_a_python_reference_say_so():
    state = await produce(Mutants(MutantsConfig(type="mutants", reference=5), "mut"))
    assert state.candidates == []
    assert "no Python reference solution #5" in state.trace[-1].message


@pytest.mark.docker
def test_mutants_are_weaker_samples_in_the_sandbox(docker_pool):
    """Most mutants of a real reference solution fail its public examples; the reference passes."""
    problem = next(p for p in load_problems("bundled") if p.name == "Twin Beacons")
    state = State(problem)
    pool = docker_pool.pool
    ctx = Context(pool, LLMHub(), Executor(pool, problem), seed=3, rng=random.Random(3))
    docker_pool._call(DatasetSamples(DatasetSamplesConfig(type="dataset_samples", include_incorrect=False,
                                                          languages=["python"]), "ds")(state, ctx))
    docker_pool._call(Mutants(MutantsConfig(type="mutants", count=12), "mut")(state, ctx))
    docker_pool._call(PublicFilter(PublicFilterConfig(type="public_filter"), "pf")(state, ctx))
    assert state.by_id("dataset.0").alive
    dead = [c for c in state.candidates if c.meta["kind"] == "mutant" and not c.alive]
    assert len(dead) >= 3
    assert all(c.note.split()[0] in ("WA", "RE", "TLE") for c in dead)
