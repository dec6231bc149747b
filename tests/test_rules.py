"""The rules that decide a verdict: each limits policy in the sandbox's terms, the hidden-test
choices, and the run's record of them."""

from __future__ import annotations

import pytest

from archon_code.rules import (
    ARCHON_EXTRA_TIME_S,
    DEEPMIND_EXTRA_MEMORY_MB,
    DEEPMIND_WALL_FACTOR,
    UNBOUNDED_MEMORY_MB,
    Rules,
    RulesError,
)
from problems import Problem


def problem(time_s: float | None = 2.0, memory_bytes: int = 256 << 20) -> Problem:
    return Problem.model_validate({
        "name": "p", "description": "d",
        "public_tests": {"input": ["1\n"], "output": ["1\n"]},
        "private_tests": {"input": ["2\n"], "output": ["2\n"]},
        "generated_tests": {"input": ["3\n"], "output": ["3\n"]},
        "time_limit": None if time_s is None else {"seconds": int(time_s), "nanos": int(round(time_s % 1 * 1e9))},
        "memory_limit_bytes": memory_bytes,
    })


def test_deepmind_is_its_sandbox_cpu_wall_and_address_space():
    # CPU: max(1 s, the limit truncated to whole seconds, as absl::ToInt64Seconds does);
    # wall: 30 times that; memory: the limit plus 32 MiB.
    limits = Rules().job(problem(2.5)).limits
    assert limits.time_s == 2.0 and limits.wall_s == DEEPMIND_WALL_FACTOR * 2.0
    assert limits.memory_mb == limits.address_space_mb == 256 + DEEPMIND_EXTRA_MEMORY_MB
    assert Rules().limits_for(0.5, 64).time_s == 1.0  # never under one second
    assert Rules(time_scale=3).limits_for(1.5, 64).time_s == 4.0  # trunc(4.5)


def test_strict_is_exactly_the_problems_limits():
    limits = Rules(limits="strict").job(problem(2.5)).limits
    assert (limits.time_s, limits.memory_mb, limits.address_space_mb) == (2.5, 256, 256)
    assert limits.wall_s is None  # the sandbox's default backstop
    assert Rules(limits="strict", time_scale=2).limits_for(1.5, 64).time_s == 3.0


def test_archon_is_the_limit_plus_ten_seconds_and_no_memory_limit_of_its_own():
    limits = Rules(limits="archon").job(problem(2.0, 64 << 20)).limits
    assert limits.time_s == limits.wall_s == 2.0 + ARCHON_EXTRA_TIME_S
    assert limits.memory_mb == UNBOUNDED_MEMORY_MB and limits.address_space_mb is None


def test_a_problem_without_limits_gets_the_datasets_defaults():
    limits = Rules(limits="strict").job(problem(None, 0)).limits
    assert (limits.time_s, limits.memory_mb) == (2.0, 256)


def test_hidden_tests():
    p = problem()
    assert [t.input for t in Rules().hidden(p)] == ["2\n"]
    assert [t.input for t in Rules(hidden_tests="private+generated").hidden(p)] == ["2\n", "3\n"]
    assert [t.input for t in Rules(hidden_tests="public+private+generated").hidden(p)] == ["1\n", "2\n", "3\n"]


def test_the_job_carries_the_checker_and_the_io_files():
    p = problem().model_copy(update={"input_file": "in.txt", "output_file": "out.txt"})
    job = Rules(checker="exact").job(p)
    assert job.options() == {"checker": "exact", "input_file": "in.txt", "output_file": "out.txt"}


@pytest.mark.parametrize("kwargs,word", [
    ({"checker": "strict"}, "checker"),
    ({"limits": "loose"}, "limits policy"),
    ({"time_scale": 0}, "time scale"),
    ({"time_scale": float("nan")}, "time scale"),
    ({"hidden_tests": "all"}, "hidden tests"),
])
def test_a_rule_that_does_not_exist_is_an_error_that_names_it(kwargs, word):
    with pytest.raises(RulesError, match=word):
        Rules(**kwargs)


def test_rules_round_trip_as_recorded():
    rules = Rules(checker="codecontests-strict", limits="archon", time_scale=1.5,
                  hidden_tests="private+generated")
    assert Rules.from_dict(rules.to_dict()) == rules
    assert Rules.from_dict(None) == Rules()
    assert "archon x1.5" in rules.describe()
