"""Synthesized inputs are valid inputs: on bundled problems (graphs, grids with markers, test
cases with strings, pairs of bounds), every correct solution runs cleanly on every input,
and all of them print the same answer."""

from __future__ import annotations

import pytest

from archon_code.components.outcomes import normal_output
from archon_code.inputs import synthesize
from archon_code.stored_solutions import runnable_solutions
from problems import load_problems
from sandbox.types import Limits, TestCase, Verdict

BUNDLED = {p.name: p for p in load_problems("bundled")}
COUNTS = {"tiny": 12, "small": 4, "medium": 2, "max": 1}


@pytest.mark.docker
@pytest.mark.parametrize("name", ["Twin Beacons", "Mining Drone", "Sticky Keys", "Toll Roads and a Voucher",
                                  "Solo Colors"])
def test_correct_solutions_never_crash_and_always_agree(docker_pool, name):
    problem = BUNDLED[name]
    made = synthesize(problem.description, [t.input for t in problem.public()], COUNTS, seed=11,
                      max_bytes=200_000)
    assert made.layout is not None
    sizes = {g.profile.size for g in made.inputs}
    assert {"tiny", "small", "max"} <= sizes
    solutions = [s.program for s in runnable_solutions(problem.solutions)]
    assert len(solutions) >= 2
    limits = Limits(time_s=problem.time_limit_s, memory_mb=problem.memory_limit_mb)
    tests = [TestCase(g.text) for g in made.inputs]
    results = [docker_pool.run(p, tests, limits) for p in solutions]
    for g, k in zip(made.inputs, range(len(tests))):
        verdicts = [r.tests[k].verdict for r in results]
        assert verdicts == [Verdict.OK] * len(results), (g.profile, g.text[:200], verdicts)
        outputs = {normal_output(r.tests[k].stdout) for r in results}
        assert len(outputs) == 1, (g.profile, g.text[:200])
