"""The shipped `offline` architecture end to end in the real Docker pool (no LLM, no API key),
and the shape of `sample-and-test`."""

from __future__ import annotations

import pytest

from archon_code.architectures import resolve_architecture
from archon_code.pipeline import Pipeline
from problems import Problem, load_problems
from sandbox.types import Limits, TestCase

BUNDLED = {p.name: p for p in load_problems("bundled")}


def passes_hidden(docker_pool, problem: Problem, program) -> bool:
    limits = Limits(time_s=problem.time_limit_s, memory_mb=problem.memory_limit_mb)
    return docker_pool.run(program, [TestCase(t.input, t.output) for t in problem.hidden()], limits).passed


@pytest.mark.docker
@pytest.mark.parametrize("name", ["Twin Beacons", "Festival Lanterns", "Gondola Queue"])
def test_offline_selects_a_program_that_passes_the_hidden_tests(docker_pool, name):
    problem = BUNDLED[name]
    pipeline = Pipeline(resolve_architecture("offline"), docker_pool.pool, seed=0)
    solution = docker_pool._call(pipeline.solve(problem))

    assert solution.selected is not None and solution.selected in solution.tied
    assert passes_hidden(docker_pool, problem, solution.program)

    state = solution.state
    kinds = {c.meta["kind"] for c in state.candidates}
    assert kinds == {"correct", "incorrect", "mutant"}
    # Every survivor passed the public examples; every candidate that failed one is dropped.
    assert all(c.meta["public"]["passed"] == c.meta["public"]["of"] for c in state.alive())
    origins = {t.origin for t in state.unit_tests}
    assert origins <= {"public", "mutation", "synthesis:tiny", "synthesis:small", "synthesis:medium",
                       "synthesis:max"}
    assert "public" in origins and any(o.startswith("synthesis:") for o in origins)
    # The pick comes from the best-ranked cluster of identical outputs, and says why.
    assert solution.selected.meta["cluster"]["rank"] == 0
    assert all(c.score <= solution.selected.score for c in state.alive())
    assert solution.selected.meta["selection"]["reason"] in solution.why()
    components = [e.component for e in state.trace if e.kind == "end"]
    assert components == ["L1.dataset_samples[0]", "L1.mutants[1]", "L2.public_filter[0]",
                          "L3.input_synthesis[0]", "L3.input_mutation[1]", "L4.output_clustering[0]"]
    assert solution.state.errors == []
    # Per problem: inputs made and judged invalid per source, and what the ranker decided on.
    (synthesis,) = [e for e in state.trace if e.component == "L3.input_synthesis[0]" and e.kind == "note"]
    assert synthesis.data["by_source"]["synthesis:tiny"]["generated"] > 0
    assert {"invalid", "kept"} <= set(synthesis.data["by_source"]["synthesis:tiny"])
    (ranked,) = [e for e in state.trace if e.component == "L4.output_clustering[0]" and e.kind == "scored"]
    selection = ranked.data["selection"]
    assert selection["alive_after"]["L2.public_filter[0]"] == [
        c.id for c in state.candidates if c.meta.get("public", {}).get("passed") == c.meta.get("public", {}).get("of")
        and c.runnable]
    assert set(selection["separated"]) <= {c.id for c in state.alive()}
    assert solution.executions <= 2000 + len(state.alive()) * 50  # the budget, bar the ranker's votes


@pytest.mark.docker
def test_offline_on_a_problem_with_no_stored_solutions_selects_nothing(docker_pool):
    problem = Problem.model_validate({"name": "bare", "description": "Print 1.",
                                      "public_tests": {"input": ["\n"], "output": ["1\n"]}})
    pipeline = Pipeline(resolve_architecture("offline"), docker_pool.pool, seed=0)
    solution = docker_pool._call(pipeline.solve(problem))
    assert solution.selected is None and solution.state.candidates == []
    assert "no runnable candidate survived" in solution.why()


def test_sample_and_test_builds_with_its_documented_layers():
    arch = resolve_architecture("sample-and-test")
    assert [[c.type for c in layer] for layer in arch.layers] == [
        ["generator"], ["public_filter"], ["unit_test_generator", "input_mutation"], ["codet"]]
    assert arch.layers[0][0].model == "openai/gpt-4o-mini"
    assert arch.layers[-1][0].plurality_share == 0.5
    Pipeline(arch, pool=None)  # type: ignore[arg-type]  (every component type is implemented)
