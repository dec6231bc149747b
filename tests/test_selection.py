"""Execution-grounded selection components, on small real problems in the real Docker pool.

Each test builds a tiny problem and a handful of candidate programs with known behaviour,
runs one component through the shared Executor, and checks what it kept, dropped and scored.
The LLM-driven components (tournament, input_generator) talk over real HTTP to the local
OpenAI-compatible server.
"""

from __future__ import annotations

import random
import re

import pytest

from archon_code.components.selection import (
    CodeT,
    InputGenerator,
    InputMutation,
    InputSynthesis,
    OutputClustering,
    PassCount,
    PublicFilter,
    Tournament,
    fenced_inputs,
    judge_verdict,
    normal_output,
    screen_inputs,
)
from archon_code.config import (
    CodeTConfig,
    InputGeneratorConfig,
    InputMutationConfig,
    InputSynthesisConfig,
    OutputClusteringConfig,
    PassCountConfig,
    PublicFilterConfig,
    TournamentConfig,
)
from archon_code.context import Context, LLMHub, LLMSettings
from archon_code.executor import Executor
from archon_code.state import Candidate, State, UnitTest
from problems import Problem

pytestmark = pytest.mark.docker

MAX_PROBLEM = Problem.model_validate({
    "name": "max of an array",
    "description": "Given n integers, print the largest.\n\nInput\n\nn, then n integers (1 <= n <= 10, 1 <= a_i <= 100).",
    "public_tests": {"input": ["3\n5 6 6\n"], "output": ["6\n"]},
    "private_tests": {"input": ["4\n9 1 2 3\n", "3\n1 2 9\n"], "output": ["9\n", "9\n"]},
    "time_limit": {"seconds": 1, "nanos": 0},
})

CORRECT = "n = int(input())\na = list(map(int, input().split()))\nprint(max(a))\n"
CORRECT_2 = "import sys\nd = sys.stdin.read().split()\nprint(max(map(int, d[1:])))\n"
CORRECT_CPP = ("#include <cstdio>\nint main(){int n,x,m=0;scanf(\"%d\",&n);"
               "while(n--){scanf(\"%d\",&x);if(x>m)m=x;}printf(\"%d\\n\",m);}\n")
SECOND = "input()\na = list(map(int, input().split()))\nprint(a[1])\n"
FIRST_TWO = "input()\na = list(map(int, input().split()))\nprint(max(a[:2]))\n"
WRONG = "print(0)\n"
CRASH = "raise SystemExit(3)\n"
NO_COMPILE = "int main( {\n"
LOOP = "while True:\n    pass\n"
CRASH_ON_NINE = "input()\na = list(map(int, input().split()))\nassert 9 not in a\nprint(max(a[:2]))\n"


def cand(cid: str, source: str | None, language: str | None = "python") -> Candidate:
    return Candidate(cid, source, language, "test", 1)


def context(docker_pool, problem: Problem, llm: LLMHub | None = None) -> Context:
    pool = docker_pool.pool
    return Context(pool, llm or LLMHub(), Executor(pool, problem), seed=7, rng=random.Random(7))


def run(docker_pool, component, state: State, ctx: Context) -> State:
    return docker_pool._call(component(state, ctx))


def notes(state: State, component: str) -> list:
    return [e for e in state.trace if e.component == component and e.kind in ("note", "scored")]


# -- output signatures -----------------------------------------------------------------------------


def test_normal_output_reads_like_the_checker():
    assert normal_output("YES\n 1  2\n") == normal_output("yes 1 2")
    assert normal_output("0.50000001") == normal_output("0.5")
    assert normal_output("-0.00001") == normal_output("0.0")
    assert normal_output("1.5") != normal_output("1.6")
    assert normal_output("nan e 1e5x") == "nan e 1e5x"


# -- public_filter ------------------------------------------------------------------------------------


def test_public_filter_drops_what_fails_a_public_example(docker_pool):
    state = State(MAX_PROBLEM, [cand("ok", CORRECT), cand("wa", WRONG), cand("re", CRASH),
                                cand("ce", NO_COMPILE, "cpp"), cand("tle", LOOP), cand("none", None, None)])
    ctx = context(docker_pool, MAX_PROBLEM)
    run(docker_pool, PublicFilter(PublicFilterConfig(type="public_filter"), "pf"), state, ctx)

    assert [c.id for c in state.alive()] == ["ok"]
    notes_by_id = {c.id: c.note for c in state.candidates}
    assert notes_by_id["wa"] == "WA on public example 1"
    assert notes_by_id["re"] == "RE on public example 1"
    assert notes_by_id["ce"] == "CE on public example 1"
    assert notes_by_id["tle"] == "TLE on public example 1"
    assert notes_by_id["none"] == "no runnable program"
    assert [(t.origin, t.output) for t in state.unit_tests] == [("public", "6\n")]
    assert state.by_id("ok").meta["public"] == {"passed": 1, "of": 1}


def test_public_filter_keeps_the_best_when_none_passes_every_example(docker_pool):
    problem = MAX_PROBLEM.model_copy(update={"public_tests": MAX_PROBLEM.public_tests.model_copy(
        update={"input": ["3\n5 6 6\n", "2\n7 3\n"], "output": ["6\n", "9\n"]})})

    def fresh() -> State:
        return State(problem, [cand("half", CORRECT), cand("none", WRONG), cand("ce", NO_COMPILE, "cpp")])

    ctx = context(docker_pool, problem)
    state = run(docker_pool, PublicFilter(PublicFilterConfig(type="public_filter"), "pf"), fresh(), ctx)
    assert [c.id for c in state.alive()] == ["half"]
    assert any("no candidate passes every public example" in e.message for e in notes(state, "pf"))

    strict = PublicFilter(PublicFilterConfig(type="public_filter", keep_best_if_none_pass=False), "pf")
    assert run(docker_pool, strict, fresh(), ctx).alive() == []


# -- generated inputs: screening and input_mutation ------------------------------------------------------

ECHO = "x = int(input())\nassert x != 3\nprint(x)\n"
ECHO_2 = "x = int(input())  # the same behaviour, another program\nassert x != 3\nprint(x)\n"
ZERO_ON_TWO = "x = int(input())\nassert x != 3\nprint(0 if x == 2 else x)\n"
LOOP_ON_FOUR = "x = int(input())\nwhile x == 4:\n    pass\nprint(x)\n"
ECHO_PROBLEM = Problem.model_validate({"name": "echo", "description": "Print x.",
                                       "public_tests": {"input": ["1\n"], "output": ["1\n"]},
                                       "time_limit": {"seconds": 1, "nanos": 0}})


def test_screening_drops_invalid_and_unanimous_inputs_and_candidates_that_time_out(docker_pool):
    ctx = context(docker_pool, ECHO_PROBLEM)
    tests = [UnitTest(f"{x}\n", None, "mutation") for x in (1, 2, 3, 4)]
    cfg = InputMutationConfig(type="input_mutation")

    def fresh() -> State:
        return State(ECHO_PROBLEM, [cand("a", ECHO), cand("b", ECHO_2), cand("c", ZERO_ON_TWO), cand("d", LOOP_ON_FOUR)])

    state = fresh()
    kept, stats = docker_pool._call(screen_inputs(state, ctx, tests, cfg.model_copy(update={"round_size": 2}),
                                                  "screen"))
    # 1: all agree (dropped); 2: c disagrees (kept); 3: three of four crash (invalid);
    # 4: d times out where the others run cleanly (kept, and d is dropped).
    assert [t.input for t in kept] == ["2\n", "4\n"]
    data = stats.to_dict()
    assert data.pop("cpu_s") >= 1.0  # d's run on 4 alone takes the time limit
    assert data == {"generated": 4, "invalid": 1, "unanimous": 1, "unjudged": 0, "skipped": 0,
                               "kept": 2, "mean_agreement": pytest.approx((1 + 0.75 + 0.75) / 3, abs=1e-4),
                               "dropped_timeouts": 1, "rounds": [2, 2],
                               "by_source": {"mutation": {"generated": 4, "invalid": 1, "unanimous": 1,
                                                          "unjudged": 0, "skipped": 0, "kept": 2}}}
    assert [c.id for c in state.alive()] == ["a", "b", "c"]
    assert "time limit exceeded" in state.by_id("d").note

    keep_all = cfg.model_copy(update={"keep_unanimous": True, "drop_timeouts": False})
    state = fresh()
    kept, _ = docker_pool._call(screen_inputs(state, ctx, tests, keep_all, "screen"))
    assert [t.input for t in kept] == ["1\n", "2\n", "4\n"]
    assert len(state.alive()) == 4


def test_screening_skips_the_rest_after_rounds_that_split_no_group(docker_pool):
    # Four inputs every program answers alike, then one that splits c from the others: in
    # rounds of two with patience 2, the two quiet rounds end the screening and the splitting
    # input is never run (the price of patience); without patience it is found.
    ctx = context(docker_pool, ECHO_PROBLEM)
    tests = [UnitTest(f"{x}\n", None, "synthesis:tiny") for x in (1, 5, 6, 7, 8, 2)]
    progs = [cand("a", ECHO), cand("b", ECHO_2), cand("c", ZERO_ON_TWO)]
    cfg = InputSynthesisConfig(type="input_synthesis", round_size=2, patience=2)
    before = ctx.executor.executions
    kept, stats = docker_pool._call(screen_inputs(State(ECHO_PROBLEM, progs), ctx, tests, cfg, "screen"))
    assert kept == [] and (stats.unanimous, stats.skipped) == (4, 2)
    assert stats.to_dict()["by_source"]["synthesis:tiny"]["skipped"] == 2
    assert ctx.executor.executions - before == 4 * 2  # a and b share their runs (same program)

    patient = cfg.model_copy(update={"patience": None})
    kept, stats = docker_pool._call(screen_inputs(State(ECHO_PROBLEM, progs), ctx, tests, patient, "screen"))
    assert [t.input for t in kept] == ["2\n"] and stats.skipped == 0

    # A round that splits a group starts the count again: 2 comes in the second round here.
    early = [tests[0], tests[1], tests[2], tests[5], tests[3], tests[4]]
    kept, stats = docker_pool._call(screen_inputs(State(ECHO_PROBLEM, progs), ctx, early, cfg, "screen"))
    assert [t.input for t in kept] == ["2\n"] and stats.skipped == 0


# Each run spends 0.15 s of CPU (process time, so a busy machine does not change it).
SLOW_ECHO = ("import time\nt = time.process_time()\nwhile time.process_time() - t < 0.15:\n    pass\n"
             "print(int(input()))\n")
SLOW_ECHO_2 = SLOW_ECHO.replace("print(int(input()))", "x = int(input())\nprint(x)")


def test_screening_rounds_shrink_when_inputs_are_expensive(docker_pool):
    # Two programs at 0.15 s each: an input costs about 0.3 s of CPU. In rounds of four with
    # patience 2, a bound of 0.5 s per round halves the round after the first (4 x 0.3 s,
    # then 2 x 0.3 s, are over it): the second quiet round holds one input.
    ctx = context(docker_pool, ECHO_PROBLEM)
    tests = [UnitTest(f"{x}\n", None, "mutation") for x in range(10, 20)]
    progs = [cand("a", SLOW_ECHO), cand("b", SLOW_ECHO_2)]
    cfg = InputMutationConfig(type="input_mutation", round_size=4, patience=2, round_cpu_s=0.5)
    kept, stats = docker_pool._call(screen_inputs(State(ECHO_PROBLEM, progs), ctx, tests, cfg, "screen"))
    assert kept == [] and stats.rounds == [4, 1] and (stats.unanimous, stats.skipped) == (5, 5)
    data = stats.to_dict()
    assert data["rounds"] == [4, 1] and data["cpu_s"] >= 5 * 2 * 0.15

    # Without the bound the rounds keep their size (the runs are shared: nothing runs twice).
    unbounded = cfg.model_copy(update={"round_cpu_s": None})
    kept, stats = docker_pool._call(screen_inputs(State(ECHO_PROBLEM, progs), ctx, tests, unbounded, "screen"))
    assert kept == [] and stats.rounds == [4, 4] and (stats.unanimous, stats.skipped) == (8, 2)


def test_input_mutation_adds_inputs_that_separate_candidates(docker_pool):
    state = State(MAX_PROBLEM, [cand("max", CORRECT), cand("max2", CORRECT_2), cand("second", SECOND),
                                cand("first_two", FIRST_TWO)])
    ctx = context(docker_pool, MAX_PROBLEM)
    run(docker_pool, PublicFilter(PublicFilterConfig(type="public_filter"), "pf"), state, ctx)
    run(docker_pool, InputMutation(InputMutationConfig(type="input_mutation", cap=50), "im"), state, ctx)

    mutated = [t for t in state.unit_tests if t.origin == "mutation"]
    assert mutated and all(t.output is None for t in mutated)
    for t in mutated:
        outputs = {ctx.executor.get(c, t).output for c in state.alive()}
        assert len(outputs) > 1, f"{t.input!r} separates nobody"
        assert t.input.split("\n")[0] == "3"  # the count of values is never mutated
    (note,) = notes(state, "im")
    assert set(note.data) >= {"generated", "invalid", "unanimous", "kept", "mean_agreement"}
    assert note.data["kept"] == len(mutated)

    # The same seed makes the same inputs.
    again = State(MAX_PROBLEM, [cand("max", CORRECT), cand("second", SECOND), cand("first_two", FIRST_TWO)])
    run(docker_pool, PublicFilter(PublicFilterConfig(type="public_filter"), "pf"), again, ctx)
    run(docker_pool, InputMutation(InputMutationConfig(type="input_mutation", cap=50), "im"), again, ctx)
    assert [t.id for t in again.unit_tests if t.origin == "mutation"] == [t.id for t in mutated]


# -- pass_count and codet ----------------------------------------------------------------------------------


def ranked_state(docker_pool, ctx: Context) -> State:
    state = State(MAX_PROBLEM, [cand("max", CORRECT), cand("max2", CORRECT_2), cand("second", SECOND)])
    run(docker_pool, PublicFilter(PublicFilterConfig(type="public_filter"), "pf"), state, ctx)
    state.add_tests([UnitTest("4\n1 2 3 9\n", "9\n", "llm"),
                     UnitTest("3\n9 1 2\n", None, "mutation"), UnitTest("3\n1 2 9\n", None, "mutation")])
    return state


def test_pass_count_counts_expected_outputs_and_plurality_labels(docker_pool):
    ctx = context(docker_pool, MAX_PROBLEM)
    state = run(docker_pool, PassCount(PassCountConfig(type="pass_count"), "pc"), ranked_state(docker_pool, ctx), ctx)
    assert {c.id: c.score for c in state.alive()} == {"max": 2, "max2": 2, "second": 1}

    labelled = PassCount(PassCountConfig(type="pass_count", plurality_share=0.5), "pc")
    state = run(docker_pool, labelled, ranked_state(docker_pool, ctx), ctx)
    # Two of the three public-passing programs print 9 on both unlabelled inputs.
    assert {c.id: c.score for c in state.alive()} == {"max": 4, "max2": 4, "second": 1}
    assert state.by_id("second").meta["pass_count"] == {"passed": 1, "of": 4}

    strict = PassCount(PassCountConfig(type="pass_count", plurality_share=0.7), "pc")
    state = run(docker_pool, strict, ranked_state(docker_pool, ctx), ctx)
    assert state.by_id("max").score == 2  # 2/3 is not above 0.7: no labels


def test_pass_count_first_pass_and_top_k(docker_pool):
    ctx = context(docker_pool, MAX_PROBLEM)
    first = PassCount(PassCountConfig(type="pass_count", first_pass=True), "pc")
    state = run(docker_pool, first, ranked_state(docker_pool, ctx), ctx)
    assert [c.id for c in state.alive()] == ["max"]

    top = PassCount(PassCountConfig(type="pass_count", top_k=1), "pc")
    state = run(docker_pool, top, ranked_state(docker_pool, ctx), ctx)
    assert [c.id for c in state.alive()] == ["max", "max2"]  # tied at the cut: both kept
    assert "below the top 1" in state.by_id("second").note


def test_codet_scores_programs_times_tests_and_breaks_ties_by_group_size(docker_pool):
    ctx = context(docker_pool, MAX_PROBLEM)
    state = run(docker_pool, CodeT(CodeTConfig(type="codet", plurality_share=0.5), "codet"),
                ranked_state(docker_pool, ctx), ctx)
    assert state.by_id("max").meta["codet"] == {"programs": 2, "tests": 4, "agreement": 8}
    assert state.by_id("second").meta["codet"] == {"programs": 1, "tests": 1, "agreement": 1}
    assert state.by_id("max").score == state.by_id("max2").score > state.by_id("second").score

    # One program passing four tests against two programs passing two each: 4 = 2 x 2,
    # and the larger group wins the tie.
    problem = ECHO_PROBLEM.model_copy(update={"public_tests": ECHO_PROBLEM.public_tests.model_copy(update={"input": [], "output": []})})
    small = "x = int(input())\nprint(x if x <= 2 else -1)\n"
    state = State(problem, [cand("all", "print(int(input()))\n"), cand("y1", small), cand("y2", small + "# copy\n")])
    state.add_tests([UnitTest(f"{x}\n", f"{x}\n", "llm") for x in (1, 2, 5, 6)])
    ctx = context(docker_pool, problem)
    run(docker_pool, CodeT(CodeTConfig(type="codet"), "codet"), state, ctx)
    assert state.by_id("all").meta["codet"]["agreement"] == state.by_id("y1").meta["codet"]["agreement"] == 4
    assert state.by_id("y1").score == state.by_id("y2").score > state.by_id("all").score


# -- output_clustering ----------------------------------------------------------------------------------------


def test_output_clustering_picks_the_largest_cluster_across_languages(docker_pool):
    state = State(MAX_PROBLEM, [cand("second", SECOND), cand("max", CORRECT), cand("cpp", CORRECT_CPP, "cpp"),
                                cand("max2", CORRECT_2), cand("first_two", FIRST_TWO), cand("second2", SECOND + "\n")])
    state.add_tests([UnitTest("3\n9 1 2\n", None, "mutation"), UnitTest("3\n1 2 9\n", None, "mutation"),
                     UnitTest("2\n4 4\n", None, "llm")])
    ctx = context(docker_pool, MAX_PROBLEM)
    by_size = OutputClusteringConfig(type="output_clustering", tie_break="agreement")
    run(docker_pool, OutputClustering(by_size, "oc"), state, ctx)

    best = max(c.score for c in state.alive())
    assert {c.id for c in state.alive() if c.score == best} == {"max", "cpp", "max2"}
    meta = state.by_id("cpp").meta["cluster"]
    assert {k: meta[k] for k in ("rank", "size", "clean_runs", "of_tests")} == {
        "rank": 0, "size": 3, "clean_runs": 3, "of_tests": 3}
    assert state.by_id("second").meta["cluster"]["size"] == 2
    (event,) = notes(state, "oc")
    assert [cl["size"] for cl in event.data["clusters"]] == [3, 2, 1]

    # Restricted to the "llm" test, everyone but nobody else prints 4: one cluster.
    only_llm = OutputClustering(OutputClusteringConfig(type="output_clustering", origins=["llm"],
                                                       tie_break="agreement"), "oc")
    run(docker_pool, only_llm, state, ctx)
    assert {c.meta["cluster"]["size"] for c in state.alive()} == {6}


LAST_TWO = "input()\na = list(map(int, input().split()))\nprint(max(a[-2:]))\n"


def test_output_clustering_breaks_size_ties_by_agreement_then_clean_runs(docker_pool):
    # Three clusters of one: each wrong program errs on a different input, so the correct
    # one agrees with another program on every input (MBR-exec's consensus).
    state = State(MAX_PROBLEM, [cand("first_two", FIRST_TWO), cand("last_two", LAST_TWO), cand("max", CORRECT)])
    state.add_tests([UnitTest("3\n1 2 9\n", None, "mutation"), UnitTest("3\n9 1 2\n", None, "mutation")])
    ctx = context(docker_pool, MAX_PROBLEM)
    mbr = OutputClusteringConfig(type="output_clustering", tie_break="agreement")
    run(docker_pool, OutputClustering(mbr, "oc"), state, ctx)
    assert {c.meta["cluster"]["size"] for c in state.candidates} == {1}
    assert state.by_id("max").meta["cluster"]["rank"] == 0
    assert state.by_id("max").score > state.by_id("first_two").score == state.by_id("last_two").score
    assert state.by_id("max").meta["cluster"]["agreement"] == pytest.approx(2 / 4)

    # Two programs that never agree: the one that does not crash wins with clean_runs.
    state = State(MAX_PROBLEM, [cand("crashy", CRASH_ON_NINE), cand("max", CORRECT)])
    state.add_tests([UnitTest("3\n9 1 2\n", None, "mutation"), UnitTest("3\n1 2 3\n", None, "mutation")])
    clean = OutputClustering(OutputClusteringConfig(type="output_clustering", tie_break="clean_runs"), "oc")
    run(docker_pool, clean, state, ctx)
    assert state.by_id("max").score > state.by_id("crashy").score

    for tie_break in ("agreement", "none"):
        cfg = OutputClusteringConfig(type="output_clustering", tie_break=tie_break)
        run(docker_pool, OutputClustering(cfg, "oc"), state, ctx)
        assert state.by_id("max").score == state.by_id("crashy").score


# -- output_clustering: ranking on evidence --------------------------------------------------------------

ANSWER_MOD = "n = int(input())\nprint(n % 7)\n"
# Same answers, but quadratic: too slow once n is large.
ANSWER_SLOW = "n = int(input())\ns = 0\nfor i in range(n):\n    for j in range(n):\n        s += 1\nprint(n % 7)\n"
ANSWER_SLOW_2 = ANSWER_SLOW + "# another copy\n"
MOD_PROBLEM = Problem.model_validate({
    "name": "mod seven", "description": "Print n mod 7.\n\nInput\n\nOne integer n (1 ≤ n ≤ 10^9).\n\nOutput\n\nn mod 7.",
    "public_tests": {"input": ["9\n"], "output": ["2\n"]},
    "time_limit": {"seconds": 1, "nanos": 0},
})


def evidence(**kw) -> OutputClustering:
    return OutputClustering(OutputClusteringConfig(type="output_clustering", **kw), "oc")


def selection_event(state: State) -> dict:
    (event,) = [e for e in state.trace if e.component == "oc" and e.kind == "scored"]
    return event.data["selection"]


def test_evidence_time_beats_a_larger_cluster_of_slow_programs(docker_pool):
    # Two slow programs and one fast one print the same answers; on the largest input only the
    # fast one finishes. The slow ones are the larger cluster, yet time decides.
    state = State(MOD_PROBLEM, [cand("slow", ANSWER_SLOW), cand("fast", ANSWER_MOD), cand("slow2", ANSWER_SLOW_2)])
    state.add_tests([UnitTest(f"{n}\n", None, "synthesis:tiny") for n in (3, 10, 50)])
    state.add_tests([UnitTest("100000\n", None, "synthesis:max")])
    ctx = context(docker_pool, MOD_PROBLEM)
    run(docker_pool, evidence(), state, ctx)

    best = max(c.score for c in state.alive())
    assert [c.id for c in state.alive() if c.score == best] == ["fast"]
    fast, slow = state.by_id("fast").meta["cluster"], state.by_id("slow").meta["cluster"]
    assert fast["support"] == slow["support"] == 3  # a timeout on a large input agrees with any answer
    assert (fast["timeouts"], slow["timeouts"], slow["size"]) == (0, 1, 2)
    assert "times out on 0 maximum-size inputs" in state.by_id("fast").meta["selection"]["reason"]

    # Without time as evidence the larger cluster wins.
    state = State(MOD_PROBLEM, [cand("slow", ANSWER_SLOW), cand("fast", ANSWER_MOD), cand("slow2", ANSWER_SLOW_2)])
    state.add_tests([UnitTest(f"{n}\n", None, "synthesis:tiny") for n in (3, 10, 50)])
    state.add_tests([UnitTest("100000\n", None, "synthesis:max")])
    run(docker_pool, evidence(time_evidence=False), state, ctx)
    best = max(c.score for c in state.alive())
    assert {c.id for c in state.alive() if c.score == best} <= {"slow", "slow2"}


def test_evidence_a_slow_cluster_does_not_collect_support_from_contradicting_clusters(docker_pool):
    # The slow programs time out on the largest input, where the right answer and a wrong one
    # (a program right on small n only) differ: their timeout agrees with either, but not with
    # both at once, so they have the support of one reading (4), not of everyone (5).
    wrong_big = "n = int(input())\nprint(n % 7 if n < 50000 else 0)\n"
    fast2 = ANSWER_MOD + "# another copy\n"
    state = State(MOD_PROBLEM, [cand("slow", ANSWER_SLOW), cand("slow2", ANSWER_SLOW_2), cand("fast", ANSWER_MOD),
                                cand("fast2", fast2), cand("wrong", wrong_big)])
    state.add_tests([UnitTest(f"{n}\n", None, "synthesis:tiny") for n in (3, 10, 50)])
    state.add_tests([UnitTest("100000\n", None, "synthesis:max")])
    ctx = context(docker_pool, MOD_PROBLEM)
    run(docker_pool, evidence(), state, ctx)

    meta = {c.id: c.meta["cluster"] for c in state.candidates}
    assert (meta["fast"]["support"], meta["slow"]["support"], meta["wrong"]["support"]) == (4, 4, 3)
    best = max(c.score for c in state.alive())
    assert {c.id for c in state.alive() if c.score == best} == {"fast", "fast2"}
    assert "times out on 0 maximum-size inputs" in state.by_id("fast").meta["selection"]["reason"]


def test_evidence_inside_a_cluster_only_far_outliers_of_cpu_time_go_last(docker_pool):
    # Three programs print the same answers; on the largest input one takes about a third of
    # a second where the others take milliseconds: it goes last. The two fast ones run alike
    # and tie for the seeded pick: timing noise between them never decides.
    fast2 = ANSWER_MOD + "# another copy\n"
    state = State(MOD_PROBLEM, [cand("slow", ANSWER_SLOW), cand("fast", ANSWER_MOD), cand("fast2", fast2)])
    state.add_tests([UnitTest(f"{n}\n", None, "synthesis:tiny") for n in (3, 10)])
    state.add_tests([UnitTest("2000\n", None, "synthesis:max")])
    ctx = context(docker_pool, MOD_PROBLEM)
    run(docker_pool, evidence(), state, ctx)

    assert {c.meta["cluster"]["rank"] for c in state.alive()} == {0}  # one cluster
    best = max(c.score for c in state.alive())
    assert {c.id for c in state.alive() if c.score == best} == {"fast", "fast2"}
    assert state.by_id("slow").score < best
    reason = state.by_id("fast").meta["selection"]["reason"]
    assert "1 of its 3 programs run far from their fellows' median CPU time" in reason
    assert reason.endswith("seeded pick among the 2 that run alike")


def test_evidence_voters_break_a_tie_between_two_programs(docker_pool):
    # One correct and one wrong program, each alone: no majority. Programs that failed the
    # public example (a different bug each) still print the right answer on the disputed input.
    wrong_on_nine = "input()\na = list(map(int, input().split()))\nprint(max(a) if 9 not in a else 8)\n"
    voter_a = "input()\na = list(map(int, input().split()))\nprint(max(a) if len(a) != 3 or a[0] != 5 else 0)\n"
    voter_b = voter_a.replace("!= 0 else", "!= 1 else") + "# b\n"
    problem = MAX_PROBLEM
    state = State(problem, [cand("wrong", wrong_on_nine), cand("max", CORRECT), cand("voter_a", voter_a),
                            cand("voter_b", voter_b), cand("crash", CRASH)])
    ctx = context(docker_pool, problem)
    run(docker_pool, PublicFilter(PublicFilterConfig(type="public_filter"), "pf"), state, ctx)
    assert [c.id for c in state.alive()] == ["wrong", "max"]
    state.add_tests([UnitTest("4\n1 9 2 3\n", None, "mutation"), UnitTest("2\n1 2\n", None, "mutation")])
    run(docker_pool, evidence(), state, ctx)

    assert state.by_id("max").score > state.by_id("wrong").score
    assert state.by_id("max").meta["cluster"]["votes"] == 2 and state.by_id("wrong").meta["cluster"]["votes"] == 0
    assert "failed the public examples" in state.by_id("max").meta["selection"]["reason"]
    sel = selection_event(state)
    assert sel["voting"]["voters"] == 3 and sel["voting"]["inputs"] == 1
    assert sel["separated"]["wrong"]["inputs"] == 1 and sel["separated"]["wrong"]["by_origin"] == {"mutation": 1}
    assert sel["alive_after"]["pf"] == ["wrong", "max"]
    assert sel["tests_by_origin"] == {"public": 1, "mutation": 2}

    # With no voters the two stay tied on the evidence that matters (the faster may still win
    # on CPU, but never by more than noise): the reason says so.
    state2 = State(problem, [cand("wrong", wrong_on_nine), cand("max", CORRECT)])
    run(docker_pool, PublicFilter(PublicFilterConfig(type="public_filter"), "pf"), state2, ctx)
    state2.add_tests([UnitTest("4\n1 9 2 3\n", None, "mutation")])
    run(docker_pool, evidence(voters=0), state2, ctx)
    assert state2.by_id("max").meta["cluster"]["votes"] == 0


def test_evidence_crashes_count_and_one_program_is_picked_inside_a_cluster(docker_pool):
    state = State(MAX_PROBLEM, [cand("crashy", CRASH_ON_NINE), cand("max", CORRECT), cand("max2", CORRECT_2),
                                cand("cpp", CORRECT_CPP, "cpp"), cand("first_two", FIRST_TWO)])
    state.add_tests([UnitTest("3\n9 1 2\n", None, "mutation"), UnitTest("3\n1 2 3\n", None, "mutation")])
    ctx = context(docker_pool, MAX_PROBLEM)
    run(docker_pool, evidence(), state, ctx)
    meta = {c.id: c.meta["cluster"] for c in state.candidates}
    assert meta["crashy"]["failures"] == 1 and meta["max"]["failures"] == 0
    assert meta["max"]["size"] == 3 and meta["max"]["rank"] == 0
    best = max(c.score for c in state.alive())
    top = [c for c in state.alive() if c.score == best]
    # Inside the cluster, programs that run alike (within twice their fellows' median CPU time,
    # or within 5% of the limit of it) stay tied for the seeded pick, whatever the timing noise:
    # these three all take milliseconds.
    assert {c.id for c in top} == {"max", "max2", "cpp"}
    reason = top[0].meta["selection"]["reason"]
    assert reason.startswith("3 of 5 alive programs agree with its outputs")
    assert reason.endswith("seeded pick among the 3 that run alike")


# -- input_synthesis ------------------------------------------------------------------------------------

def test_input_synthesis_makes_valid_inputs_that_separate_candidates(docker_pool):
    state = State(MAX_PROBLEM, [cand("max", CORRECT), cand("max2", CORRECT_2), cand("cpp", CORRECT_CPP, "cpp"),
                                cand("second", SECOND), cand("first_two", FIRST_TWO)])
    ctx = context(docker_pool, MAX_PROBLEM)
    run(docker_pool, PublicFilter(PublicFilterConfig(type="public_filter"), "pf"), state, ctx)
    cfg = InputSynthesisConfig(type="input_synthesis", tiny=20, small=5, medium=2, max=1)
    run(docker_pool, InputSynthesis(cfg, "syn"), state, ctx)

    made = [t for t in state.unit_tests if t.origin.startswith("synthesis:")]
    assert made and {t.origin for t in made} <= {"synthesis:tiny", "synthesis:small", "synthesis:medium",
                                                  "synthesis:max"}
    for t in made:  # the statement's rules: 1 <= n <= 10 values, each 1..100
        n, *values = map(int, t.input.split())
        assert 1 <= n <= 10 and len(values) == n and all(1 <= v <= 100 for v in values)
        outs = {normal_output(ctx.executor.get(c, t).output) for c in state.alive() if c.id in ("max", "max2", "cpp")}
        assert len(outs) == 1  # the correct programs agree everywhere
    (note,) = notes(state, "syn")
    assert note.data["layout"] == "(#1:int); (#2[#1]:int)"
    assert note.data["by_source"]["synthesis:tiny"]["generated"] >= 1
    assert set(note.data["by_source"]["synthesis:tiny"]) == {"generated", "invalid", "unanimous", "unjudged", "skipped",
                                                                          "kept"}
    run(docker_pool, evidence(), state, ctx)
    best = max(c.score for c in state.alive())
    assert {c.id for c in state.alive() if c.score == best} <= {"max", "max2", "cpp"}


def test_input_synthesis_keeps_to_the_execution_budget(docker_pool):
    state = State(MAX_PROBLEM, [cand("max", CORRECT), cand("second", SECOND), cand("first_two", FIRST_TWO)])
    ctx = context(docker_pool, MAX_PROBLEM)
    run(docker_pool, PublicFilter(PublicFilterConfig(type="public_filter"), "pf"), state, ctx)
    before = ctx.executor.executions
    cfg = InputSynthesisConfig(type="input_synthesis", tiny=40, small=10, medium=4, max=1,
                               max_executions=before + 3 * 5)
    run(docker_pool, InputSynthesis(cfg, "syn"), state, ctx)
    assert ctx.executor.executions <= before + 3 * 5
    (note,) = notes(state, "syn")
    assert note.data["run"] == 5


def test_input_mutation_keeps_to_the_execution_budget(docker_pool):
    state = State(MAX_PROBLEM, [cand("max", CORRECT), cand("second", SECOND), cand("first_two", FIRST_TWO)])
    ctx = context(docker_pool, MAX_PROBLEM)
    run(docker_pool, PublicFilter(PublicFilterConfig(type="public_filter"), "pf"), state, ctx)
    before = ctx.executor.executions
    alive = len(state.alive())
    cfg = InputMutationConfig(type="input_mutation", cap=40, max_edits=3)
    bounded = cfg.model_copy(update={"max_executions": before + alive * 4 + 1})
    run(docker_pool, InputMutation(bounded, "im"), state, ctx)
    assert ctx.executor.executions <= before + alive * 4
    (note,) = notes(state, "im")
    assert note.data["generated"] == 4  # what room was left for every alive candidate, not the cap

    unbounded = State(MAX_PROBLEM, [cand("max", CORRECT)])
    run(docker_pool, InputMutation(cfg, "im"), unbounded, ctx)
    assert notes(unbounded, "im")[0].data["generated"] > 4  # the budget, not the edits, stopped it

    spent = State(MAX_PROBLEM, [cand("max", CORRECT)])
    run(docker_pool, InputMutation(cfg.model_copy(update={"max_executions": 1}), "im"), spent, ctx)
    assert notes(spent, "im")[0].data["generated"] == 0 and spent.unit_tests == []


def test_input_synthesis_without_a_layout_makes_nothing(docker_pool):
    problem = MAX_PROBLEM.model_copy(update={"public_tests": MAX_PROBLEM.public_tests.model_copy(
        update={"input": [], "output": []})})
    state = State(problem, [cand("max", CORRECT)])
    ctx = context(docker_pool, problem)
    run(docker_pool, InputSynthesis(InputSynthesisConfig(type="input_synthesis"), "syn"), state, ctx)
    assert state.unit_tests == []
    assert "no input layout" in notes(state, "syn")[0].message


# -- tournament (LLM over real HTTP) -------------------------------------------------------------------------


def llm_hub() -> LLMHub:
    return LLMHub(LLMSettings(api_key="test-key", max_retries=1, backoff_base_s=0.01, timeout_s=10))


def tournament(server, **kwargs) -> Tournament:
    cfg = TournamentConfig(type="tournament", model="openai/test-model", api_base=server.api_base,
                           clusters=2, inputs_per_pair=2, **kwargs)
    return Tournament(cfg, "tour")


def writer_and_judge(judge):
    def script(request, call_index):
        prompt = request["messages"][-1]["content"]
        if "Write up to" in prompt:
            return "Try these.\n```input\n3\n1 2 9\n```\nand\n```\n3\n1 2 9\n```\n```python\nprint(1)\n```"
        outputs = re.findall(r"Output [12]:\n```\n(.*?)\n```", prompt, re.DOTALL)
        return judge(outputs)
    return script


def tournament_state(docker_pool, other: str, separate: bool = True) -> tuple[State, Context]:
    state = State(MAX_PROBLEM, [cand("first_two", other), cand("max", CORRECT)])
    ctx = context(docker_pool, MAX_PROBLEM, llm_hub())
    run(docker_pool, PublicFilter(PublicFilterConfig(type="public_filter"), "pf"), state, ctx)
    if separate:  # an input they disagree on: two clusters of one program each
        state.add_tests([UnitTest("3\n5 6 7\n", None, "mutation")])
    return state, ctx


def test_tournament_judge_consistent_when_swapped_picks_the_right_cluster(docker_pool, openai_server):
    openai_server.script = writer_and_judge(lambda outs: f"The largest is 9.\nANSWER: {outs.index('9') + 1}")
    state, ctx = tournament_state(docker_pool, FIRST_TWO)
    run(docker_pool, tournament(openai_server), state, ctx)

    assert state.by_id("max").score > state.by_id("first_two").score
    assert state.by_id("max").meta["tournament"] == {"wins": 1, "losses": 0, "undecided": 0}
    assert state.by_id("first_two").meta["tournament"] == {"wins": 0, "losses": 1, "undecided": 0}
    prompts = [r.body["messages"][-1]["content"] for r in openai_server.chat_requests]
    judged = [p for p in prompts if "ANSWER" in p]
    assert len(prompts) == 3 and len(judged) == 2
    # Asked twice, with the two outputs in both orders.
    assert {tuple(re.findall(r"Output [12]:\n```\n(.*?)\n```", p, re.DOTALL)) for p in judged} == {("2", "9"), ("9", "2")}
    assert [t.input for t in state.unit_tests if t.origin == "tournament"] == ["3\n1 2 9\n"]
    (event,) = [e for e in state.trace if e.component == "tour" and e.kind == "scored"]
    assert event.data["matches"][0]["how"] == "judge, consistent when swapped"


def test_tournament_needs_two_clusters(docker_pool, openai_server):
    state, ctx = tournament_state(docker_pool, FIRST_TWO, separate=False)
    run(docker_pool, tournament(openai_server), state, ctx)
    assert openai_server.chat_requests == []
    assert any("fewer than two clusters" in e.message for e in notes(state, "tour"))


def test_tournament_inconsistent_judge_decides_nothing(docker_pool, openai_server):
    openai_server.script = writer_and_judge(lambda outs: "ANSWER: 1")  # always the first shown
    state, ctx = tournament_state(docker_pool, FIRST_TWO)
    run(docker_pool, tournament(openai_server), state, ctx)
    assert state.by_id("max").score == state.by_id("first_two").score
    assert state.by_id("max").meta["tournament"]["undecided"] == 1


def test_tournament_a_crash_loses_without_asking_the_judge(docker_pool, openai_server):
    openai_server.script = writer_and_judge(lambda outs: pytest.fail("the judge was asked"))
    state, ctx = tournament_state(docker_pool, CRASH_ON_NINE)
    run(docker_pool, tournament(openai_server), state, ctx)
    assert state.by_id("max").meta["tournament"]["wins"] == 1
    assert len(openai_server.chat_requests) == 1


def test_tournament_llm_failure_is_recorded_not_raised(docker_pool, openai_server):
    from tests.openai_server import ServerError

    openai_server.script = lambda request, i: ServerError(500)
    state, ctx = tournament_state(docker_pool, FIRST_TWO)
    run(docker_pool, tournament(openai_server), state, ctx)
    assert state.errors and "tour" in state.errors[0]
    assert state.by_id("max").score == state.by_id("first_two").score


def test_fenced_inputs_and_judge_verdicts():
    text = "```input\n1 2\n```\n```cpp\nint main(){}\n```\n```\n3\n```\n```text\n1 2\n```\n```\n" + "9" * 50 + "\n```"
    assert fenced_inputs(text, limit=5, max_bytes=20) == ["1 2\n", "3\n"]
    assert fenced_inputs(text, limit=1, max_bytes=20) == ["1 2\n"]
    assert judge_verdict("Output 1 looks right.\nANSWER: 2") == 2
    assert judge_verdict("**Answer:** 1\n") == 1
    assert judge_verdict("I cannot tell.") is None


# -- input_generator (LLM over real HTTP) ---------------------------------------------------------------------

GENERATOR_ANSWER = """Here is a generator.
```python
import random
seed = int(input())
random.seed(seed)
n = random.randint(2, 5)
print(n)
print(*[random.randint(1, 100) for _ in range(n)])
```
"""


def test_input_generator_runs_llm_written_generators_in_the_sandbox(docker_pool, openai_server):
    openai_server.script = lambda request, i: [GENERATOR_ANSWER, "I would rather not."][: int(request.get("n") or 1)]
    state = State(MAX_PROBLEM, [cand("max", CORRECT), cand("first_two", FIRST_TWO)])
    ctx = context(docker_pool, MAX_PROBLEM, llm_hub())
    cfg = InputGeneratorConfig(type="input_generator", model="openai/test-model", api_base=openai_server.api_base,
                               samples=2, seeds=12, keep_unanimous=True)
    run(docker_pool, InputGenerator(cfg, "gen"), state, ctx)

    generated = [t for t in state.unit_tests if t.origin == "input_generator"]
    assert 8 <= len(generated) <= 12  # twelve seeds, a few may repeat
    for t in generated:
        n, values = t.input.split("\n")[:2]
        assert len(values.split()) == int(n)
    messages = [e.message for e in notes(state, "gen")]
    assert any("generator 1: no program" in m for m in messages)
    assert any("generator 0: 12 of 12 seeds gave an input" in m for m in messages)
    prompt = openai_server.chat_requests[0].body["messages"][-1]["content"]
    assert "Given n integers, print the largest." in prompt and "3\n5 6 6" in prompt
