"""The bundled problems, in the sandbox: every correct solution passes every test, every
incorrect solution fails at least one private test, and each problem is complete."""

from __future__ import annotations

import asyncio

import pytest

from archon_code.stored_solutions import reference_solutions
from harness.validate import validate
from problems import load_problems
from sandbox.pool import SandboxPool


def test_bundled_set_is_complete():
    problems = load_problems("bundled")
    assert len(problems) >= 12
    difficulties = {p.difficulty.name for p in problems}
    assert {"EASY", "MEDIUM", "HARD"} <= difficulties
    for p in problems:
        assert p.public() and len(p.hidden()) >= 8, p.id
        assert reference_solutions(p, "python") and reference_solutions(p, "cpp"), p.id
        assert len(p.incorrect_solutions.solution) >= 2, p.id
        for t in p.public():  # the examples in the statement are the public tests
            assert t.input.strip().splitlines()[0] in p.description, p.id


def test_bundled_set_has_java_solutions():
    problems = load_problems("bundled")
    with_java = [p for p in problems if reference_solutions(p, "java")]
    assert len(with_java) >= 5, [p.id for p in with_java]
    assert {p.difficulty.name for p in with_java} & {"MEDIUM", "HARD"}
    wrong_java = [
        p for p in problems if any(lang.label == "java" for lang in p.incorrect_solutions.language)
    ]
    assert len(wrong_java) >= 2, [p.id for p in wrong_java]


@pytest.mark.docker
@pytest.mark.slow
def test_bundled_solutions_behave_in_the_sandbox():
    from tests.conftest import require_docker

    require_docker()

    async def go():
        async with SandboxPool("docker", size=2) as pool:
            return await validate(load_problems("bundled"), pool)

    report = asyncio.run(go())
    assert report.correct_failing == []
    assert report.incorrect_passing == []
    assert report.solutions_run >= 12 * 4
    # Every stored solution ran, the Java ones included: none was left out as unrunnable.
    assert report.skipped_languages == 0
