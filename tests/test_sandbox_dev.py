"""Every known-correct solution of the 80 real CodeContests problems passes all its public and
private tests in the pool: a false negative here would poison every Pass@1 we report."""

from __future__ import annotations

import asyncio

import pytest

from harness.validate import validate
from problems import load_problems
from sandbox.pool import SandboxPool

pytestmark = pytest.mark.docker


def test_all_dev_solutions_pass_in_the_docker_pool(codecontests_dev):
    from tests.conftest import require_docker

    require_docker()
    problems = load_problems(str(codecontests_dev))
    assert len(problems) == 80

    async def go():
        async with SandboxPool("docker", size=2) as pool:
            return await validate(problems, pool)

    report = asyncio.run(go())
    assert report.solutions_run == 80
    assert report.correct_failing == []
