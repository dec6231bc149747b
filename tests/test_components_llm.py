"""The LLM roles: their parsers on well-formed and malformed answers, and each component
run on a State through litellm against the local OpenAI-compatible server."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archon_code import prompts
from archon_code.answers import (
    parse_critiques,
    parse_nl_unit_tests,
    parse_ranking,
    parse_test_verdicts,
    parse_unit_tests,
    parse_verdict,
)
from archon_code.cache import ResponseCache
from archon_code.components.llm_roles import (
    Critic,
    Fuser,
    Generator,
    Ranker,
    UnitTestEvaluator,
    UnitTestGenerator,
    Verifier,
    derive_seed,
)
from archon_code.config import (
    CriticConfig,
    FuserConfig,
    GeneratorConfig,
    RankerConfig,
    UnitTestEvaluatorConfig,
    UnitTestGeneratorConfig,
    VerifierConfig,
    load_architecture,
    parse_architecture,
)
from archon_code.context import Context, LLMHub, LLMSettings, with_model
from archon_code.rules import Rules
from archon_code.executor import Executor
from archon_code.pipeline import Pipeline
from archon_code.state import Candidate, State, UnitTest
from problems import load_problems
from sandbox.pool import SandboxPool
from tests.openai_server import ServerError
from tests.scripted_roles import RoleScript, fenced, programs_in, role_of, user_text

ARCHON_CONFIGS = Path(__file__).parent / "fixtures" / "archon_configs"

PY_GOOD = "import sys\nprint(sum(map(int, sys.stdin.read().split())))\n"
PY_BAD = "import sys\nprint(max(map(int, sys.stdin.read().split())))\n"
CPP = "#include <iostream>\nint main() { long long a, b; std::cin >> a >> b; std::cout << a + b << std::endl; }\n"


# -- parsers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,expected",
    [
        ("[2] > [1] > [3]", [1, 0, 2]),
        ("2, 1, 3", [1, 0, 2]),
        ("2 > 3 > 1", [1, 2, 0]),
        ("Ranking: [3] > [1] > [2]", [2, 0, 1]),
        ("**Ranking:** [3] > [1] > [2].", [2, 0, 1]),
        ("Program 2 is right, program 1 fails on l = 1.\n\nSo the final ranking is [2] > [3] > [1]", [1, 2, 0]),
        ("[1] looks fine but [2] is faster.\nFinal answer: [2] > [1] > [3]\n", [1, 0, 2]),
        ("Let me think.\n[1] is wrong.\n[3] > [1]\n", [2, 0, 1]),  # partial: the rest follow in order
        ("Reasoning first...\n```json\n[3, 2, 1]\n```", [2, 1, 0]),
        ("Reasoning first...\n[\n  3,\n  1,\n  2\n]\nDone.", [2, 0, 1]),
        # Archon's own format puts the answer first; a labelled line beats a later chain.
        ("Answer: [2] > [1] > [3]\nBecause [1] > [3] in speed.", [1, 0, 2]),
        ("<think>[1] > [2] > [3]?</think>\nRanking: [3] > [2] > [1]", [2, 1, 0]),
        ("The best is clear.\nAnswer: [3]", [2, 0, 1]),  # a labelled single pick
    ],
)
def test_parse_ranking_accepts_common_shapes(text, expected):
    assert parse_ranking(text, 3) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "I cannot decide which program is best.",
        "[4] > [1] > [2]",  # 4 is not a program
        "[1] > [1] > [2]",  # a repeated identifier
        "Ranking: best is the second",
        "The answer is program three.",
    ],
)
def test_parse_ranking_rejects_malformed(text):
    assert parse_ranking(text, 3) is None


def test_parse_critiques_by_identifier():
    text = (
        "[1]\nStrengths:\n- uses a sieve\nWeaknesses:\n- none\n\n"
        "**Program [2]**\nStrengths:\n- short\nWeaknesses:\n- Program [1] is faster; this one is O(n^2)\n\n"
        "### Program 3:\nStrengths: none. Weaknesses: wrong output format.\n"
    )
    critiques = parse_critiques(text, 3)
    assert set(critiques) == {1, 2, 3}
    assert "uses a sieve" in critiques[1] and "Program [2]" not in critiques[1]
    assert "O(n^2)" in critiques[2]  # a later mention of [1] inside a review is not a header
    assert critiques[3] == "Strengths: none. Weaknesses: wrong output format."
    assert parse_critiques("[2]\nonly the second\n[7]\nout of range", 2) == {2: "only the second\n[7]\nout of range"}
    assert parse_critiques("All of them look fine to me.", 2) is None


@pytest.mark.parametrize(
    "text,expected",
    [
        ("It handles every case.\nVerdict: [Correct]", True),
        ("Fails for n = 1.\nVerdict: [Incorrect]", False),
        ("At first [Incorrect]... but on reflection: [Correct]", True),
        ("**Verdict:** correct", True),
        ("Verdict: not correct", False),
        ("Verdict - Incorrect.", False),
        ("I think it works.", None),
        ("", None),
    ],
)
def test_parse_verdict(text, expected):
    assert parse_verdict(text) is expected


def test_parse_test_verdicts():
    text = (
        "Test 1 reads q = 1 ... Unit Test #1: maybe\n"
        "Unit Test #1: [Passed]\nUnit Test #2: [Failed]\n**Unit Test #3:** Passed\nunit test 2 - [passed]\n"
    )
    assert parse_test_verdicts(text, 4) == [True, True, True, None]
    assert parse_test_verdicts("[Passed]\n[Failed]", 2) == [True, False]
    assert parse_test_verdicts("[Passed]", 2) is None  # bare marks must cover every test
    assert parse_test_verdicts("They all look fine.", 3) is None


def test_parse_unit_tests_fenced_json_with_prose():
    text = (
        "Here are the tests:\n```json\n"
        '[{"input": "1 2\\n", "output": "3\\n"}, {"input": "5 5", "output": 10},'
        ' {"input": "", "output": "0"}, {"stdin": ["2", "3 4"], "expected_output": "7"}, "junk"]\n'
        "```\nI hope these help! [1] is the easy one."
    )
    assert parse_unit_tests(text) == [("1 2\n", "3\n"), ("5 5", "10"), ("2\n3 4", "7")]


def test_parse_unit_tests_unfenced_and_wrapped():
    assert parse_unit_tests('Sure. [{"input": "1\\n", "output": "1\\n"}] That is all.') == [("1\n", "1\n")]
    assert parse_unit_tests('{"tests": [{"input": "2\\n", "output": "4\\n"}]}') == [("2\n", "4\n")]


@pytest.mark.parametrize(
    "text",
    ["", "no json here", '[{"input": "1"}]', "```json\n[{\"input\": \"1\", \"output\": \n```", "[1, 2, 3]"],
)
def test_parse_unit_tests_rejects_malformed(text):
    assert parse_unit_tests(text) is None


@pytest.mark.parametrize(
    "text,expected",
    [
        ('["The program prints 2.", "It handles\n n = 1."]', ["The program prints 2.", "It handles n = 1."]),
        ("```json\n{\"tests\": [\"a\", \"a\", \"b\"]}\n```", ["a", "b"]),
        # Archon's prompt shows a single-quoted list.
        ("['It prints 3 for 1 2', 'It\\'s linear', \"It reads \\\"n\\\"\"]",
         ["It prints 3 for 1 2", "It's linear", 'It reads "n"']),
        ("Tests:\n- It prints 0 for an empty range.\n2. It handles l = r.", ["It prints 0 for an empty range.",
                                                                            "It handles l = r."]),
        ("I cannot think of any tests.", None),
        ("[1, 2, 3]", None),
        ("", None),
    ],
)
def test_parse_nl_unit_tests(text, expected):
    assert parse_nl_unit_tests(text) == expected


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(list("[]{}>,:0123456789 \n\"abcinputo`#*") + ["Ranking:", "[1]", "[2]", "Verdict",
                                                                            "Unit Test #", "[Passed]", "```"]),
                max_size=120).map("".join),
       st.integers(min_value=1, max_value=5))
def test_parsers_never_raise_and_rankings_are_permutations(text, count):
    order = parse_ranking(text, count)
    assert order is None or sorted(order) == list(range(count))
    critiques = parse_critiques(text, count)
    assert critiques is None or set(critiques) <= set(range(1, count + 1))
    verdicts = parse_test_verdicts(text, count)
    assert verdicts is None or len(verdicts) == count
    parse_verdict(text)
    written = parse_nl_unit_tests(text)
    assert written is None or all(isinstance(t, str) and t and "\n" not in t for t in written)
    tests = parse_unit_tests(text)
    assert tests is None or all(isinstance(i, str) and isinstance(o, str) for i, o in tests)


def test_derived_seeds_differ_by_component_and_fit_31_bits():
    seeds = {derive_seed(7, f"L1.generator[{i}]") for i in range(50)}
    assert len(seeds) == 50 and all(0 <= s < 2**31 for s in seeds)
    assert derive_seed(7, "L1.generator[0]") == derive_seed(7, "L1.generator[0]")


# -- components through the local server --------------------------------------------------------


@pytest.fixture(scope="module")
def problem():
    return load_problems("bundled", problem_ids=["Twin Beacons"])[0]


def make_ctx(problem, checker="codecontests", **settings) -> Context:
    settings = {"api_key": "sk-test", "backoff_base_s": 0.01, "max_retries": 2, "timeout_s": 10, **settings}
    # These components only talk to the LLM: the pool is never started.
    pool = SandboxPool("local", size=1)
    return Context(pool, LLMHub(LLMSettings(**settings)), Executor(pool, problem, rules=Rules(checker=checker)), seed=11,
                   rng=random.Random(11))


def cfg(kind, server, model="judge", **kwargs):
    return kind(type=kind.model_fields["type"].annotation.__args__[0], model=f"openai/{model}",
                api_base=server.api_base, **kwargs)


def with_candidates(problem, *sources: str, layer: int = 2) -> State:
    state = State(problem, layer=layer)
    for i, source in enumerate(sources):
        language = "cpp" if "#include" in source else "python"
        state.add_candidate(Candidate(f"L1.generator[0].{i}", source, language, "L1.generator[0]", 1))
    return state


def kinds(state: State, component: str) -> list[str]:
    return [e.kind for e in state.trace if e.component == component]


async def test_generator_samples_become_candidates_even_without_code(openai_server, problem):
    openai_server.script = lambda body, i: [fenced(PY_GOOD), fenced(CPP, "cpp"), "Sorry, I cannot solve this."]
    state = State(problem, layer=1)
    gen = Generator(cfg(GeneratorConfig, openai_server, "gen", samples=3, temperature=0.9, max_tokens=900),
                    "L1.generator[0]")

    await gen(state, make_ctx(problem))

    ids = [c.id for c in state.candidates]
    assert ids == ["L1.generator[0].0", "L1.generator[0].1", "L1.generator[0].2"]
    good, cpp, none = state.candidates
    assert (good.source, good.language, good.alive) == (PY_GOOD, "python", True)
    assert (cpp.language, cpp.alive, cpp.origin, cpp.layer) == ("cpp", True, "L1.generator[0]", 1)
    assert not none.runnable and not none.alive and none.note.startswith("no program in the answer: no code found")
    assert none.raw == "Sorry, I cannot solve this."
    assert kinds(state, "L1.generator[0]") == ["produced", "produced", "dropped"]
    usage = state.usage["L1.generator[0]"]
    assert usage.samples == 3 and usage.calls == 1
    (request,) = openai_server.chat_requests
    body = request.body
    assert body["model"] == "gen" and body["n"] == 3 and body["temperature"] == 0.9 and body["max_tokens"] == 900
    assert body["seed"] == derive_seed(11, "L1.generator[0]")
    assert "beacon towers" in user_text(body)


async def test_generator_pool_extends_from_the_cache(openai_server, problem, tmp_path):
    openai_server.script = lambda body, i: [fenced(f"print({i}, {k})") for k in range(body.get("n") or 1)]
    cache = ResponseCache(tmp_path / "llm.sqlite")

    small = State(problem, layer=1)
    await Generator(cfg(GeneratorConfig, openai_server, "gen", samples=2), "L1.generator[0]")(
        small, make_ctx(problem, cache=cache))
    large = State(problem, layer=1)
    await Generator(cfg(GeneratorConfig, openai_server, "gen", samples=5), "L1.generator[0]")(
        large, make_ctx(problem, cache=cache))

    assert [c.source for c in large.candidates[:2]] == [c.source for c in small.candidates]
    assert len({c.source for c in large.candidates}) == 5
    assert [r.body.get("n") for r in openai_server.chat_requests] == [2, 3]
    assert large.usage["L1.generator[0]"].cached == 2


async def test_ensemble_members_of_one_model_sample_differently(openai_server, problem):
    openai_server.script = lambda body, i: fenced(f"print({body['seed']})")
    state = State(problem, layer=1)
    ctx = make_ctx(problem)
    for j in range(2):
        await Generator(cfg(GeneratorConfig, openai_server, "gen"), f"L1.generator[{j}]")(state, ctx)
    assert len({c.source for c in state.candidates}) == 2
    assert set(state.usage) == {"L1.generator[0]", "L1.generator[1]"}


async def test_fuser_combines_inputs_with_critiques_and_drops_them(openai_server, problem):
    script = RoleScript({"fuser": lambda body: "I kept the sum and fixed parsing.\n" + fenced(PY_GOOD)})
    openai_server.script = script
    state = with_candidates(problem, PY_BAD, CPP, "print(0)\n")
    state.critiques["L1.generator[0].1"] = "Strengths: fast. Weaknesses: overflow."
    state.candidates[2].score = 5.0  # the best scored is shown first

    await Fuser(cfg(FuserConfig, openai_server, samples=1), "L2.fuser[0]")(state, make_ctx(problem))

    fused = state.by_id("L2.fuser[0].0")
    assert fused.source == PY_GOOD and fused.alive and fused.layer == 2
    assert fused.parents == ["L1.generator[0].2", "L1.generator[0].0", "L1.generator[0].1"]
    for c in state.candidates[:3]:
        assert not c.alive and c.note == "fused into L2.fuser[0].0"
    prompt = user_text(openai_server.chat_requests[0].body)
    assert programs_in(prompt) == {1: "print(0)", 2: PY_BAD.rstrip(), 3: CPP.rstrip()}
    assert "Critique of program [3]:\nStrengths: fast. Weaknesses: overflow." in prompt
    assert state.alive() == [fused]


async def test_fusers_sharing_a_layer_fuse_the_same_inputs(openai_server, problem):
    openai_server.script = RoleScript({"fuser": lambda body: fenced(f"print({body['seed']})")})
    state = with_candidates(problem, PY_BAD, PY_GOOD)
    ctx = make_ctx(problem)

    for j in range(2):
        await Fuser(cfg(FuserConfig, openai_server), f"L2.fuser[{j}]")(state, ctx)

    assert [c.id for c in state.alive()] == ["L2.fuser[0].0", "L2.fuser[1].0"]
    assert all(c.parents == ["L1.generator[0].0", "L1.generator[0].1"] for c in state.alive())
    assert state.candidates[0].note == "fused into L2.fuser[0].0, L2.fuser[1].0"
    prompts_seen = [programs_in(user_text(r.body)) for r in openai_server.chat_requests]
    assert prompts_seen[0] == prompts_seen[1]


async def test_fuser_retries_answers_without_code_then_keeps_inputs(openai_server, problem):
    answers = iter(["I would combine them.", fenced(PY_GOOD)])
    openai_server.script = RoleScript({"fuser": lambda body: next(answers)})
    state = with_candidates(problem, PY_BAD)
    await Fuser(cfg(FuserConfig, openai_server), "L2.fuser[0]")(state, make_ctx(problem))
    assert state.by_id("L2.fuser[0].0").source == PY_GOOD
    malformed = [e for e in state.trace if e.data.get("malformed")]
    assert len(malformed) == 1 and malformed[0].data["answer"] == "I would combine them."
    assert [r.body.get("seed") for r in openai_server.chat_requests][0] == derive_seed(11, "L2.fuser[0]")

    openai_server.script = RoleScript({"fuser": lambda body: "No code, ever."})
    state = with_candidates(problem, PY_BAD)
    await Fuser(cfg(FuserConfig, openai_server), "L3.fuser[0]")(state, make_ctx(problem))
    assert [c.id for c in state.alive()] == ["L1.generator[0].0"]
    assert kinds(state, "L3.fuser[0]")[-2:] == ["error", "error"]
    assert sum(e.data.get("malformed", False) for e in state.trace) == 4  # 1 + 2 retries, then given up


async def test_critic_writes_critiques_by_identifier(openai_server, problem):
    def review(body):
        shown = programs_in(user_text(body))
        return "\n\n".join(f"[{k}]\nStrengths:\n- ok\nWeaknesses:\n- {'max' if 'max(' in src else 'none'}"
                           for k, src in shown.items() if k != 2)

    openai_server.script = RoleScript({"critic": review})
    state = with_candidates(problem, PY_BAD, PY_GOOD, CPP)
    await Critic(cfg(CriticConfig, openai_server), "L2.critic[0]")(state, make_ctx(problem))

    assert set(state.critiques) == {"L1.generator[0].0", "L1.generator[0].2"}
    assert state.critiques["L1.generator[0].0"].endswith("- max")
    assert any(e.message == "no critique for L1.generator[0].1" for e in state.trace)
    assert all(c.alive for c in state.candidates)


async def test_ranker_reads_a_ranking_after_reasoning_and_keeps_top_k(openai_server, problem):
    def rank(body):
        shown = programs_in(user_text(body))
        best = next(k for k, src in shown.items() if src == PY_GOOD.rstrip())
        rest = " > ".join(f"[{k}]" for k in shown if k != best)
        return f"Program [{best}] sums correctly; the others do not.\n\nRanking: [{best}] > {rest}"

    openai_server.script = RoleScript({"ranker": rank})
    state = with_candidates(problem, PY_BAD, CPP, PY_GOOD)
    await Ranker(cfg(RankerConfig, openai_server, top_k=2), "L2.ranker[0]")(state, make_ctx(problem))

    assert [(c.id, c.score) for c in state.alive()] == [("L1.generator[0].0", 2.0), ("L1.generator[0].2", 3.0)]
    dropped = state.by_id("L1.generator[0].1")
    assert dropped.note == "ranked 3 of 3 by L2.ranker[0] (keeps top 2)"
    scored = [e for e in state.trace if e.kind == "scored"]
    assert scored[0].data["ranking"] == ["L1.generator[0].2", "L1.generator[0].0", "L1.generator[0].1"]


async def test_ranker_uses_critiques_and_combines_samples(openai_server, problem):
    answers = iter(["Ranking: [1] > [2] > [3]", "Ranking: [2] > [1] > [3]", "Ranking: [2] > [3] > [1]"])
    seen = []

    def rank(body):
        seen.append(user_text(body))
        return [next(answers) for _ in range(body.get("n") or 1)]

    openai_server.script = RoleScript({"ranker": rank})
    state = with_candidates(problem, PY_BAD, PY_GOOD, CPP)
    state.critiques["L1.generator[0].1"] = "this one is right"
    ranker = Ranker(cfg(RankerConfig, openai_server, samples=3, top_k=5, use_critiques=True), "L2.ranker[0]")
    await ranker(state, make_ctx(problem))

    assert "Critique of program [2]:\nthis one is right" in seen[0]
    # Borda: [2] gets (2 + 3 + 3) / 3, [1] (3 + 2 + 1) / 3, [3] (1 + 1 + 2) / 3.
    assert [round(c.score, 3) for c in state.candidates] == [2.0, 2.667, 1.333]
    assert all(c.alive for c in state.candidates)


async def test_ranker_retries_malformed_then_leaves_candidates_alone(openai_server, problem):
    answers = iter(["They are all good.", "Hmm.", "Ranking: [2] > [1]"])
    openai_server.script = RoleScript({"ranker": lambda body: next(answers)})
    state = with_candidates(problem, PY_BAD, PY_GOOD)
    await Ranker(cfg(RankerConfig, openai_server, top_k=1), "L2.ranker[0]")(state, make_ctx(problem))
    assert [c.id for c in state.alive()] == ["L1.generator[0].1"]
    assert [r.body.get("n") for r in openai_server.chat_requests] == [None, None, None]

    openai_server.script = RoleScript({"ranker": lambda body: "No idea, sorry."})
    state = with_candidates(problem, PY_BAD, PY_GOOD)
    await Ranker(cfg(RankerConfig, openai_server, top_k=1), "L3.ranker[0]")(state, make_ctx(problem))
    assert len(state.alive()) == 2 and all(c.score is None for c in state.candidates)
    assert kinds(state, "L3.ranker[0]") == ["note", "note", "note", "error"]
    assert not state.errors


async def test_ranker_with_one_candidate_asks_nothing(openai_server, problem):
    state = with_candidates(problem, PY_GOOD)
    await Ranker(cfg(RankerConfig, openai_server), "L2.ranker[0]")(state, make_ctx(problem))
    assert state.candidates[0].score == 1.0 and not openai_server.chat_requests


def _verdict_by_program(body):
    (source,) = programs_in(user_text(body)).values()
    return "Checked the examples.\nVerdict: [Correct]" if "sum(" in source else "Wrong on the first example.\nVerdict: [Incorrect]"


async def test_verifier_drops_what_it_judges_incorrect(openai_server, problem):
    openai_server.script = RoleScript({"verifier": _verdict_by_program})
    state = with_candidates(problem, PY_BAD, PY_GOOD, "print(sum([]))\n")
    await Verifier(cfg(VerifierConfig, openai_server), "L2.verifier[0]")(state, make_ctx(problem))
    assert [c.id for c in state.alive()] == ["L1.generator[0].1", "L1.generator[0].2"]
    assert state.by_id("L1.generator[0].0").note == "judged incorrect by L2.verifier[0]"
    assert [c.meta["verified"] for c in state.candidates] == [False, True, True]


async def test_verifier_keeps_all_when_all_are_judged_incorrect(openai_server, problem):
    openai_server.script = RoleScript({"verifier": lambda body: "Verdict: [Incorrect]"})
    state = with_candidates(problem, PY_BAD, CPP)
    await Verifier(cfg(VerifierConfig, openai_server), "L2.verifier[0]")(state, make_ctx(problem))
    assert len(state.alive()) == 2
    assert any("all are kept" in e.message for e in state.trace)


async def test_verifier_first_k_stops_early(openai_server, problem):
    openai_server.script = RoleScript({"verifier": _verdict_by_program})
    sources = [PY_BAD, PY_GOOD, PY_GOOD.replace("sys.stdin", " sys.stdin")] + [PY_GOOD + f"# {i}\n" for i in range(6)]
    state = with_candidates(problem, *sources)
    await Verifier(cfg(VerifierConfig, openai_server, first_k=1), "L2.verifier[0]")(state, make_ctx(problem))
    assert [c.id for c in state.alive()] == ["L1.generator[0].1"]
    assert len(openai_server.chat_requests) == 4  # one chunk of JUDGE_CHUNK was enough


async def test_verifier_records_a_failing_provider_per_candidate(openai_server, problem):
    def script(body, i):
        source = next(iter(programs_in(user_text(body)).values()))
        return ServerError(500) if "max(" in source else ["Verdict: [Incorrect]"]

    openai_server.script = script
    state = with_candidates(problem, PY_BAD, PY_GOOD)
    await Verifier(cfg(VerifierConfig, openai_server), "L2.verifier[0]")(state, make_ctx(problem))
    (error,) = state.errors
    assert error.startswith("L2.verifier[0]: verdict on L1.generator[0].0: openai/judge: server_error")
    # The one judged incorrect is dropped; the unjudged one stays.
    assert [c.id for c in state.alive()] == ["L1.generator[0].0"]


async def test_unit_test_generator_parses_filters_and_caps(openai_server, problem):
    public_input = problem.public()[0].input
    tests = [
        {"input": "1\n1 10\n", "output": "2\n"},
        {"input": "1\n1 10", "output": "2"},  # the same input, written without the final newline
        {"input": public_input.rstrip() + "  \n", "output": "9\n9\n9\n"},  # contradicts the example
        {"input": public_input, "output": problem.public()[0].output},  # repeats the example
        {"input": "1\n5 5\n", "output": "0\n"},
        {"input": "1\n3 5\n", "output": "1\n"},
        {"input": "1\n4 4\n", "output": "0\n"},
    ]
    answers = iter([
        "Here you go:\n```json\n" + json.dumps(tests) + "\n```\nThese cover edge cases.",
        json.dumps([{"input": "1\n3 5\n", "output": "7\n"}, {"input": "1\n1 3\n", "output": "0\n"}]),
    ])
    openai_server.script = RoleScript({"unit_test_generator": lambda body: [next(answers) for _ in range(body["n"])]})
    state = State(problem, layer=2)
    gen = UnitTestGenerator(cfg(UnitTestGeneratorConfig, openai_server, samples=2, unit_test_cap=3),
                            "L2.unit_test_generator[0]")
    await gen(state, make_ctx(problem))

    by_origin = [(t.origin, t.input, t.output) for t in state.unit_tests]
    assert by_origin[0] == ("public", public_input, problem.public()[0].output)
    # "1\n3 5\n" is dropped: the two samples disagree on it; the cap keeps three LLM tests.
    assert by_origin[1:] == [("llm", "1\n1 10\n", "2\n"), ("llm", "1\n5 5\n", "0\n"), ("llm", "1\n4 4\n", "0\n")]
    produced = next(e for e in state.trace if e.kind == "produced")
    assert produced.data == {"llm_tests": 3, "public": 1, "contradicting_public": 1, "conflicting": 1, "capped": 1}
    assert "Write 3 test cases" in user_text(openai_server.chat_requests[0].body)


async def test_unit_test_generator_keeps_public_tests_when_answers_are_malformed(openai_server, problem):
    openai_server.script = RoleScript({"unit_test_generator": lambda body: "I'd test small cases."})
    state = State(problem, layer=2)
    state.add_tests([UnitTest(problem.public()[0].input, problem.public()[0].output, "public")])
    await UnitTestGenerator(cfg(UnitTestGeneratorConfig, openai_server), "L2.unit_test_generator[0]")(
        state, make_ctx(problem))
    assert [t.origin for t in state.unit_tests] == ["public"]
    assert len(openai_server.chat_requests) == 3
    assert not state.errors


def _evaluation(body):
    text = user_text(body)
    (source,) = programs_in(text).values()
    count = text.count("Unit Test #") - 3  # the format example shows up to three
    passing = count if "sum(" in source else count - 1
    lines = [f"Unit Test #{i}: [{'Passed' if i <= passing else 'Failed'}]" for i in range(1, count + 1)]
    return "Tracing each test.\n" + "\n".join(lines)


def _with_tests(problem, *sources):
    state = with_candidates(problem, *sources, layer=3)
    state.add_tests([UnitTest("1\n1 10\n", "2\n", "llm"), UnitTest("1\n5 5\n", "0\n", "llm"),
                     UnitTest("1\n2 2\n", "0\n", "llm"), UnitTest("7\n", None, "mutation")])
    return state


async def test_unit_test_evaluator_first_pass(openai_server, problem):
    openai_server.script = RoleScript({"unit_test_evaluator": _evaluation})
    state = _with_tests(problem, PY_BAD, CPP, PY_GOOD, PY_GOOD + "# twin\n")
    evaluator = UnitTestEvaluator(cfg(UnitTestEvaluatorConfig, openai_server, first_pass=True),
                                  "L3.unit_test_evaluator[0]")
    await evaluator(state, make_ctx(problem))

    assert [c.id for c in state.alive()] == ["L1.generator[0].2"]
    assert [c.score for c in state.candidates] == [2.0, 2.0, 3.0, 3.0]
    assert state.by_id("L1.generator[0].0").note == "not among the first 1 predicted to pass all 3 unit tests"
    # Only tests with an expected output are shown.
    assert "Unit Test #4" not in user_text(openai_server.chat_requests[0].body)


async def test_unit_test_evaluator_top_k_when_none_passes_all(openai_server, problem):
    openai_server.script = RoleScript({"unit_test_evaluator": _evaluation})
    state = _with_tests(problem, PY_BAD, CPP)
    state.candidates[1].source = "#include <cstdio>\nint main() { puts(\"0\"); }\n"
    evaluator = UnitTestEvaluator(cfg(UnitTestEvaluatorConfig, openai_server, first_k=2, top_k=1),
                                  "L3.unit_test_evaluator[0]")
    await evaluator(state, make_ctx(problem))
    assert [c.id for c in state.alive()] == ["L1.generator[0].0"]
    assert any(e.message == "no candidate predicted to pass all 3 unit tests" for e in state.trace)


async def test_unit_test_evaluator_without_tests_does_nothing(openai_server, problem):
    state = with_candidates(problem, PY_GOOD)
    await UnitTestEvaluator(cfg(UnitTestEvaluatorConfig, openai_server, first_pass=True), "L3.x")(
        state, make_ctx(problem))
    assert state.alive() and not openai_server.chat_requests


# -- behaving as Archon does ---------------------------------------------------------------------


async def test_fuser_sees_every_candidate(openai_server, problem):
    openai_server.script = RoleScript({"fuser": lambda body: fenced(PY_GOOD)})
    sources = [f"print({i})\n" for i in range(12)]
    state = with_candidates(problem, *sources)

    await Fuser(cfg(FuserConfig, openai_server), "L2.fuser[0]")(state, make_ctx(problem))

    (request,) = openai_server.chat_requests
    assert sorted(programs_in(user_text(request.body)).values()) == sorted(src.rstrip() for src in sources)
    fused = state.by_id("L2.fuser[0].0")
    assert len(fused.parents) == 12 and state.alive() == [fused]
    assert all(c.note == "fused into L2.fuser[0].0" for c in state.candidates[:12])


async def test_fuser_batches_only_when_the_context_forces_it(openai_server, problem):
    openai_server.script = RoleScript({"fuser": lambda body: fenced(f"print({len(programs_in(user_text(body)))})")})
    sources = [f"print({i})  # {'x' * 400}\n" for i in range(6)]
    state = with_candidates(problem, *sources)
    one_prompt = len(user_text({"messages": prompts.fuser_messages(
        problem, [(s, "python") for s in sources])})) // 3

    fuser = Fuser(cfg(FuserConfig, openai_server, max_input_tokens=one_prompt // 2), "L2.fuser[0]")
    await fuser(state, make_ctx(problem))

    seen = [programs_in(user_text(r.body)) for r in openai_server.chat_requests]
    assert len(seen) > 1 and sum(len(s) for s in seen) == 6
    (note,) = [e for e in state.trace if e.kind == "note" and "batches" in e.message]
    assert note.message.startswith(f"6 programs do not fit the {one_prompt // 2}-token context in one prompt: "
                                   f"fused in {len(seen)} batches of ")
    made = [c for c in state.candidates if c.origin == "L2.fuser[0]"]
    assert [len(c.parents) for c in made] == [len(b) for b in note.data["batches"]]
    assert {p for c in made for p in c.parents} == {c.id for c in state.candidates[:6]}


async def test_ranker_shows_critiques_whenever_a_critic_wrote_them(openai_server, problem):
    seen = []
    openai_server.script = RoleScript({"ranker": lambda body: seen.append(user_text(body)) or "Ranking: [2] > [1]"})
    # Archon's config says use_critiques: false; Archon shows the critiques all the same.
    arch = parse_architecture({"name": "x", "layers": [
        [{"type": "ranker", "model": "judge", "model_type": "OpenAI_API", "top_k": 1, "use_critiques": False,
          "temperature": 0.7, "max_tokens": 512}]]}, warn=False)
    archon_ranker = arch.layers[0][0].model_copy(update={"api_base": openai_server.api_base})
    native = cfg(RankerConfig, openai_server, top_k=1)
    hidden = cfg(RankerConfig, openai_server, top_k=1, use_critiques=False)

    for config in (archon_ranker, native, hidden):
        state = with_candidates(problem, PY_BAD, PY_GOOD)
        state.critiques["L1.generator[0].1"] = "sums every number"
        await Ranker(config, "L2.ranker[0]")(state, make_ctx(problem))
        assert [c.id for c in state.alive()] == ["L1.generator[0].1"]

    assert ["Critique of program [2]:\nsums every number" in text for text in seen] == [True, True, False]
    assert "Critique of program [1]" not in seen[0]  # only the candidates that have one


async def test_no_system_sends_no_system_message(openai_server, problem):
    openai_server.script = lambda body, i: [fenced(PY_GOOD)]
    state = State(problem, layer=1)
    await Generator(cfg(GeneratorConfig, openai_server, "gen", no_system=True), "L1.generator[0]")(
        state, make_ctx(problem))
    (request,) = openai_server.chat_requests
    assert [m["role"] for m in request.body["messages"]] == ["user", "assistant", "user"]


async def test_unit_test_generator_judges_with_the_runs_checker(openai_server, problem):
    example = problem.public()[0]
    # The same answer indented: the same tokens, a different text.
    spelled = "".join(f"  {line}\n" for line in example.output.splitlines())
    answer = json.dumps([{"input": example.input, "output": spelled}, {"input": "1\n1 10\n", "output": "2\n"}])
    openai_server.script = RoleScript({"unit_test_generator": lambda body: answer})
    contradicting = {}
    for checker in ("codecontests", "exact"):
        state = State(problem, layer=1)
        gen = UnitTestGenerator(cfg(UnitTestGeneratorConfig, openai_server), "L1.unit_test_generator[0]")
        await gen(state, make_ctx(problem, checker=checker))
        contradicting[checker] = next(e for e in state.trace if e.kind == "produced").data["contradicting_public"]
    assert contradicting == {"codecontests": 0, "exact": 1}


NL_TESTS = ["The program prints 2 for one query 1 10.", "The program prints 0 when no pair fits.",
            "The program answers every query on its own line."]


def _archon_unit_test_script(calls: list[tuple[str, str]]) -> RoleScript:
    def record(role, answer):
        def handler(body):
            calls.append((role, user_text(body)))
            return answer(body) if callable(answer) else answer
        return handler

    def evaluate(body):
        (source,) = programs_in(user_text(body)).values()
        verdict = "Passed" if "sum(" in source else "Failed"
        return "\n".join(f"Unit Test #{i}: [{verdict if i == 2 else 'Passed'}]" for i in range(1, 4))

    def critique(body):
        return "\n\n".join(f"[{k}]\nStrengths:\n- short\nWeaknesses:\n- none" for k in programs_in(user_text(body)))

    return RoleScript({
        "natural_language_unit_test_generator": record("tests", "```json\n" + json.dumps(NL_TESTS + ["extra"]) + "\n```"),
        "generator": record("generator", lambda body: [fenced(PY_BAD), fenced(PY_GOOD), fenced(PY_GOOD + "# 2\n")]),
        "critic": record("critic", critique),
        "unit_test_evaluator": record("evaluator", evaluate),
    })


async def test_archon_natural_language_unit_tests_reach_every_later_layer(openai_server, problem):
    calls: list[tuple[str, str]] = []
    openai_server.script = _archon_unit_test_script(calls)
    arch = with_model(load_architecture(ARCHON_CONFIGS / "unit-tests-first.json", warn=False), None,
                      openai_server.api_base)
    llm = LLMHub(LLMSettings(api_key="sk-test", backoff_base_s=0.01, timeout_s=10))

    solution = await Pipeline(arch, SandboxPool("local", size=1), llm, seed=3).solve(problem)

    assert [role for role, _ in calls[:3]] == ["tests", "generator", "critic"]
    block = "Your response should pass the following unit tests:\n" + "\n".join(f"- {t}" for t in NL_TESTS)
    assert block not in calls[0][1]
    # unit_test_cap: 3 keeps the first three; the generator and the critic see them appended.
    for role, text in calls[1:3]:
        assert block in text and "- extra" not in text, role
    produced = next(e for e in solution.state.trace if e.component == "L1.unit_test_generator[0]" and e.kind == "produced")
    assert produced.data["natural_language_tests"] == NL_TESTS
    assert not solution.state.unit_tests  # nothing to execute: Archon's tests are statements
    evaluations = [text for role, text in calls if role == "evaluator"]
    # remove_unit_tests_from_prompt: the statement comes without them, the tests as a list.
    assert evaluations and all(block not in text for text in evaluations)
    assert all(f"Unit Test #2: {NL_TESTS[1]}" in text for text in evaluations)
    # first_pass: the first program predicted to pass all three is kept.
    assert [c.source for c in solution.state.alive()] == [PY_GOOD]
    assert solution.selected.source == PY_GOOD


async def test_unit_test_evaluator_shows_appended_tests_unless_told_not_to(openai_server, problem):
    openai_server.script = RoleScript({"unit_test_evaluator": lambda body: "Unit Test #1: [Passed]\nUnit Test #2: [Passed]"})
    tests = ["It prints 2.", "It is fast."]
    seen = []
    for remove in (False, True):
        state = with_candidates(problem, PY_GOOD, layer=3)
        state.problem = prompts.with_unit_tests(problem, tests)
        evaluator = UnitTestEvaluator(cfg(UnitTestEvaluatorConfig, openai_server, remove_unit_tests_from_prompt=remove),
                                      "L3.unit_test_evaluator[0]")
        await evaluator(state, make_ctx(problem))
        assert state.candidates[0].score == 2.0
        seen.append(user_text(openai_server.chat_requests[-1].body))
    marker = "Your response should pass the following unit tests:"
    assert marker in seen[0] and marker not in seen[1]
    assert all("Unit Test #1: It prints 2." in text for text in seen)
    assert role_of(openai_server.chat_requests[-1].body) == "unit_test_evaluator"
