"""Whole architectures end to end: litellm over real HTTP to the local server, and (for the
multi-layer run) the real Docker sandbox pool judging the pick on the hidden tests."""

from __future__ import annotations

import asyncio
import json
from collections import Counter

import pytest

from archon_code.architectures import resolve_architecture
from archon_code.cache import ResponseCache
from archon_code.config import parse_architecture
from archon_code.context import LLMHub, LLMSettings, with_model
from archon_code.pipeline import Pipeline
from archon_code.stored_solutions import reference_solutions
from problems import bundled_dir, load_problems
from sandbox.pool import SandboxPool
from sandbox.types import Limits, Program, TestCase
from tests.conftest import require_docker
from tests.openai_server import Delay, Garbage, RateLimited, ServerError
from tests.scripted_roles import RoleScript, fenced, programs_in, role_of, user_text


@pytest.fixture(scope="module")
def problem():
    return load_problems("bundled", problem_ids=["Twin Beacons"])[0]


@pytest.fixture(scope="module")
def programs(problem):
    """The correct Python solution and the three wrong Python and C++ ones shipped with the
    problem."""
    folder = bundled_dir() / "twin-beacons" / "solutions" / "incorrect"
    wrong = {path.stem: path.read_text() for path in folder.iterdir() if path.suffix in (".py", ".cpp")}
    assert set(wrong) == {"off_by_one", "naive_slow", "one_is_prime"}
    assert set(wrong.values()) <= set(problem.incorrect_solutions.solution)
    return {"reference": reference_solutions(problem, "python")[0], **wrong}


def hub(server, **kwargs) -> LLMHub:
    settings = {"api_key": "sk-test", "backoff_base_s": 0.01, "max_retries": 2, "timeout_s": 10, **kwargs}
    return LLMHub(LLMSettings(**settings))


def idle_pool() -> SandboxPool:
    # For architectures whose components only talk to the LLM: nothing is ever executed.
    return SandboxPool("local", size=1)


def _name(source: str, programs: dict[str, str]) -> str:
    return next(name for name, code in programs.items() if code.rstrip() == source.rstrip())


def multi_layer_script(programs: dict[str, str]) -> RoleScript:
    preference = ["reference", "naive_slow", "off_by_one", "one_is_prime"]

    def critic(body):
        shown = programs_in(user_text(body))
        return "\n\n".join(
            f"[{k}]\nStrengths:\n- {'a full sieve, O(N log log N)' if _name(src, programs) == 'reference' else 'short'}"
            f"\nWeaknesses:\n- {'none found' if _name(src, programs) == 'reference' else 'suspicious bounds'}"
            for k, src in shown.items()
        )

    def ranker(body):
        text = user_text(body)
        assert "Critique of program [1]" in text  # use_critiques shows them
        shown = {_name(src, programs): k for k, src in programs_in(text).items()}
        order = " > ".join(f"[{shown[name]}]" for name in preference if name in shown)
        return f"The first program sieves once and answers with binary search.\n\nRanking: {order}"

    def unit_tests(body):
        tests = [
            {"input": "1\n1 10\n", "output": "2\n"},
            {"input": "1\n5 7\n", "output": "1\n"},
            {"input": "1\n1 4\n", "output": "0\n"},  # (3, 5) ends past 4
            {"input": "3\n1 10\n5 7\n4 12\n", "output": "2\n2\n2\n"},  # contradicts the example
        ]
        return "```json\n" + json.dumps(tests) + "\n```\nThe third test checks the right end."

    def evaluator(body):
        text = user_text(body)
        (source,) = programs_in(text).values()
        count = text.count("\nInput:\n")
        passes = _name(source, programs) == "reference"
        verdicts = [f"Unit Test #{i}: [{'Passed' if passes or i < count else 'Failed'}]" for i in range(1, count + 1)]
        return "Tracing each test by hand.\n" + "\n".join(verdicts)

    return RoleScript({
        ("generator", "gen-a"): lambda body: [fenced(programs["off_by_one"]), fenced(programs["reference"]),
                                             "I am not sure how to solve this one."],
        ("generator", "gen-b"): lambda body: [fenced(programs["one_is_prime"], "cpp"), fenced(programs["naive_slow"])],
        "critic": critic,
        "ranker": ranker,
        "unit_test_generator": unit_tests,
        "unit_test_evaluator": evaluator,
    })


def multi_layer_architecture(server):
    common = {"api_base": server.api_base, "temperature": 0.7, "max_tokens": 2048}
    judge = {"model": "openai/judge", **common}
    return parse_architecture({
        "name": "multi-layer",
        "layers": [
            [{"type": "generator", "model": "openai/gen-a", "samples": 3, "language": "python", **common},
             {"type": "generator", "model": "openai/gen-b", "samples": 2, **common}],
            [{"type": "critic", **judge}],
            [{"type": "ranker", "top_k": 3, "use_critiques": True, **judge}],
            [{"type": "unit_test_generator", "unit_test_cap": 5, **judge}],
            [{"type": "unit_test_evaluator", "first_pass": True, **judge}],
        ],
    })


@pytest.mark.docker
async def test_multi_layer_architecture_end_to_end_in_docker(openai_server, problem, programs):
    require_docker()
    script = multi_layer_script(programs)
    openai_server.script = script

    async with SandboxPool("docker", size=2) as pool:
        solution = await Pipeline(multi_layer_architecture(openai_server), pool, hub(openai_server), seed=3).solve(problem)
        hidden = [TestCase(t.input, t.output) for t in problem.hidden()]
        limits = Limits(time_s=problem.time_limit_s, memory_mb=problem.memory_limit_mb)
        picked, rejected = await asyncio.gather(
            pool.run(solution.program, hidden, limits),
            pool.run(Program(programs["off_by_one"], "python"), hidden, limits),
        )

    state = solution.state
    assert not script.unscripted and not state.errors
    assert solution.selected.id == "L1.generator[0].1"
    assert solution.selected.source == programs["reference"]
    assert solution.tied == [solution.selected]
    assert picked.passed and not rejected.passed  # the selection mattered on the hidden tests

    # Component order, not arrival order, whatever generator answered first.
    assert [c.id for c in state.candidates] == [
        "L1.generator[0].0", "L1.generator[0].1", "L1.generator[0].2", "L1.generator[1].0", "L1.generator[1].1"]
    notes = {c.id: c.note for c in state.candidates}
    assert notes["L1.generator[0].2"].startswith("no program in the answer")
    assert notes["L1.generator[1].0"] == "ranked 4 of 4 by L3.ranker[0] (keeps top 3)"
    assert notes["L1.generator[0].0"] == "not among the first 1 predicted to pass all 4 unit tests"
    assert "a full sieve" in state.critiques["L1.generator[0].1"]
    assert Counter(t.origin for t in state.unit_tests) == {"public": 1, "llm": 3}
    assert solution.selected.score == 4.0

    labels = ["L1.generator[0]", "L1.generator[1]", "L2.critic[0]", "L3.ranker[0]",
              "L4.unit_test_generator[0]", "L5.unit_test_evaluator[0]"]
    assert set(state.usage) == set(labels)
    assert script.calls == {"generator": 2, "critic": 1, "ranker": 1, "unit_test_generator": 1,
                            "unit_test_evaluator": 3}
    for label in labels:
        events = [e.kind for e in state.trace if e.component == label]
        assert events[0] == "start" and events[-1] == "end", label
    assert [e.layer for e in state.trace if e.kind == "start"] == [1, 1, 2, 3, 4, 5]
    assert state.trace[-1].kind == "selected" and state.trace[-1].message == "L1.generator[0].1"
    assert state.tokens > 0
    record = solution.to_dict()
    json.dumps(record)
    assert record["unit_tests"] == 4 and record["unit_tests_by_origin"] == {"public": 1, "llm": 3}


async def test_faults_are_retried_and_the_run_finishes(openai_server, problem, programs):
    attempts = Counter()

    def script(body, i):
        role = role_of(body)
        attempts[role] += 1
        k = attempts[role]
        if role == "generator":
            if k == 1:
                return RateLimited(0)
            if k == 2:
                return ServerError(500)
            return [fenced(programs["off_by_one"]), fenced(programs["reference"])]
        if k == 1:
            return Garbage()
        if k == 2:
            return Delay(5.0)  # longer than the client's timeout
        return "Ranking: [2] > [1]"

    openai_server.script = script
    arch = parse_architecture({"name": "faults", "layers": [
        [{"type": "generator", "model": "openai/gen", "samples": 2, "api_base": openai_server.api_base}],
        [{"type": "ranker", "model": "openai/judge", "top_k": 1, "api_base": openai_server.api_base}],
    ]})

    solution = await Pipeline(arch, idle_pool(), hub(openai_server, timeout_s=1.5)).solve(problem)

    assert solution.selected.source == programs["reference"]
    usage = solution.state.usage
    assert (usage["L1.generator[0]"].calls, usage["L1.generator[0]"].retries) == (3, 2)
    assert (usage["L2.ranker[0]"].calls, usage["L2.ranker[0]"].retries) == (3, 2)
    assert not solution.state.errors


async def test_failing_components_are_recorded_and_others_carry_on(openai_server, problem, programs):
    def script(body, i):
        role, model = role_of(body), body["model"]
        if model == "gen-b":
            return RateLimited(0)
        if role == "critic":
            return ServerError(503)
        return [fenced(programs["reference"])] * int(body.get("n") or 1)

    openai_server.script = script
    base = {"api_base": openai_server.api_base}
    arch = parse_architecture({"name": "failing", "layers": [
        [{"type": "generator", "model": "openai/gen-a", **base}, {"type": "generator", "model": "openai/gen-b", **base}],
        [{"type": "critic", "model": "openai/judge", **base}],
    ]})

    solution = await Pipeline(arch, idle_pool(), hub(openai_server)).solve(problem)

    assert solution.selected.id == "L1.generator[0].0"
    errors = solution.state.errors
    assert len(errors) == 2
    assert errors[0].startswith("L1.generator[1]: openai/gen-b: rate_limit (HTTP 429) after 3 attempts")
    assert errors[1].startswith("L2.critic[0]: critique of L1.generator[0].0: openai/judge: server_error (HTTP 503)")
    assert [e.component for e in solution.state.trace if e.kind == "error"] == ["L1.generator[1]", "L2.critic[0]"]


async def test_a_second_identical_solve_is_served_from_the_cache(openai_server, problem, programs, tmp_path):
    openai_server.script = RoleScript({
        "generator": lambda body: [fenced(programs["off_by_one"]), fenced(programs["reference"]),
                                   fenced(programs["naive_slow"])],
        "ranker": lambda body: "Ranking: [2] > [3] > [1]",
    })
    arch = parse_architecture({"name": "cached", "layers": [
        [{"type": "generator", "model": "openai/gen", "samples": 3, "api_base": openai_server.api_base}],
        [{"type": "ranker", "model": "openai/judge", "top_k": 2, "api_base": openai_server.api_base}],
    ]})
    path = tmp_path / "llm.sqlite"

    with ResponseCache(path) as cache:
        first = await Pipeline(arch, idle_pool(), hub(openai_server, cache=cache), seed=5).solve(problem)
    requests = len(openai_server.chat_requests)
    with ResponseCache(path) as cache:
        second = await Pipeline(arch, idle_pool(), hub(openai_server, cache=cache), seed=5).solve(problem)

    assert requests == 2
    assert len(openai_server.chat_requests) == requests  # no HTTP call the second time
    assert second.selected.id == first.selected.id == "L1.generator[0].1"
    assert [c.source for c in second.state.candidates] == [c.source for c in first.state.candidates]
    usage = second.state.usage
    assert usage["L1.generator[0]"].cached == 3 and usage["L2.ranker[0]"].cached == 1
    assert second.state.cost_usd == 0.0


def generic_script(programs: dict[str, str]) -> RoleScript:
    def evaluator(body):
        count = user_text(body).count("\nInput:\n")
        return "\n".join(f"Unit Test #{i}: [Passed]" for i in range(1, count + 1))

    return RoleScript({
        "generator": lambda body: fenced(programs["reference"]),
        "fuser": lambda body: "Combined.\n" + fenced(programs["reference"]),
        "unit_test_generator": lambda body: json.dumps([{"input": "1\n1 10\n", "output": "2\n"}]),
        "unit_test_evaluator": evaluator,
    })


@pytest.mark.parametrize(
    "name,selected,candidates",
    [
        ("single", "L1.generator[0].0", 1),
        ("archon-codecontests", "L1.generator[0].0", 10),
        ("moa", "L3.fuser[0].0", 7),
    ],
)
async def test_shipped_architectures_run_with_a_model_override(openai_server, problem, programs, name, selected,
                                                               candidates):
    script = generic_script(programs)
    openai_server.script = script
    arch = with_model(resolve_architecture(name), "openai/stand-in", openai_server.api_base)

    solution = await Pipeline(arch, idle_pool(), hub(openai_server)).solve(problem)

    assert not script.unscripted and not solution.state.errors
    assert {r.body["model"] for r in openai_server.chat_requests} == {"stand-in"}
    assert solution.selected.id == selected
    assert len(solution.state.candidates) == candidates
    if name == "moa":
        assert solution.selected.parents == ["L2.fuser[0].0", "L2.fuser[1].0"]
        assert len(solution.state.alive()) == 1
