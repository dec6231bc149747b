"""`archon-code search`: the space format and its errors, the held-out split, the shared
sandbox runs, and whole searches (offline in Docker; LLM spaces against the local server)."""

from __future__ import annotations

import json
import subprocess
import textwrap
from pathlib import Path

import optuna
import pytest
import yaml

from archon_code.architectures import resolve_architecture
from archon_code.config import parse_architecture
from archon_code.stored_solutions import reference_solutions
from harness.archfile import architecture_yaml
from harness.search import (
    RunMemo,
    SearchError,
    SharedRunsPool,
    default_architecture,
    parse_objectives,
    recover_interrupted,
    split_problems,
)
from harness.search_space import SpaceError, llm_samples, load_space, parse_space, resolve_space
from problems import load_problems
from sandbox.types import Limits, Program, TestCase, Verdict
from tests.cli import run_cli
from tests.conftest import require_docker
from tests.openai_server import Reply
from tests.scripted_roles import fenced, role_of, user_text

FAST = ["Festival Lanterns", "Gondola Queue", "Sticky Keys"]


def search(*args: str, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    return run_cli("search", *args, env={"OPENAI_API_KEY": "sk-test", **(env or {})}, timeout=timeout)


def ids(*names: str) -> list[str]:
    return [arg for n in names for arg in ("--problem-id", n)]


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text))
    return path


class Params:
    """Fixed answers for a space's points, by name (what a finished trial holds)."""

    def __init__(self, **values):
        self.values = {k.replace("__", "."): v for k, v in values.items()}
        self.asked: list[str] = []

    def _get(self, name):
        self.asked.append(name)
        return self.values[name]

    def suggest_int(self, name, low, high, *, step=1, log=False):
        return self._get(name)

    def suggest_float(self, name, low, high, *, step=None, log=False):
        return self._get(name)

    def suggest_categorical(self, name, choices):
        value = self._get(name)
        assert value in choices, (name, value, choices)
        return value


# ---------------------------------------------------------------------------------------------
# The space format


TEMPLATE = {
    "name": "t",
    "layers": [
        [{"first": [{"type": "generator", "model": "openai/a", "samples": {"int": [1, 4], "name": "n"}},
                    {"type": "generator", "model": "openai/b", "samples": {"int": [1, 4], "name": "n"}}],
          "count": {"int": [1, 2]}}],
        [{"optional": {"type": "public_filter"}}],
        {"repeat": [{"repeat": {"type": "fuser", "model": "openai/f"}, "times": {"int": [1, 3], "name": "width"}}],
         "times": {"int": [0, 2], "name": "depth"}},
        [{"choice": {"none": None,
                     "tests": {"type": "unit_test_generator", "model": "openai/t",
                               "unit_test_cap": {"int": [3, 9]}}}}],
        [{"choice": [{"type": "codet", "plurality_share": {"float": [0.3, 0.7], "step": 0.1}},
                     {"type": "output_clustering", "tie_break": {"choice": ["agreement", "none"]}}]}],
    ],
}


def test_points_instantiate_a_concrete_architecture():
    space = parse_space(TEMPLATE, "t.yaml")
    assert {p["name"]: p["domain"] for p in space.describe()} == {
        "n": "int [1, 4]",
        "L1.first.first": "int [1, 2]",
        "L2.public_filter": "on or off",
        "width": "int [1, 3]",
        "depth": "int [0, 2]",
        "L4.tests.unit_test_cap": "int [3, 9]",
        "L4.choice": "choice of none, tests",
        "L5.codet.plurality_share": "float [0.3, 0.7] step 0.1",
        "L5.output_clustering.tie_break": "choice of agreement, none",
        "L5.choice": "choice of codet, output_clustering",
    }
    rich = Params(n=3, L1__first__first=2, L2__public_filter=True, depth=2, width=3, L4__choice="tests",
                  L4__tests__unit_test_cap=5, L5__choice="codet", L5__codet__plurality_share=0.5)
    arch = space.instantiate(rich, "rich")
    assert [[c.type for c in layer] for layer in arch.layers] == [
        ["generator", "generator"], ["public_filter"], ["fuser"] * 3, ["fuser"] * 3,
        ["unit_test_generator"], ["codet"]]
    assert [c.samples for c in arch.layers[0]] == [3, 3]  # one shared value
    assert arch.layers[4][0].unit_test_cap == 5 and arch.layers[5][0].plurality_share == 0.5
    assert llm_samples(arch) == 3 + 3 + 6 * 1 + 1
    # Off switches and empty choices remove layers; the options not taken are never asked.
    lean = Params(n=1, L1__first__first=1, L2__public_filter=False, depth=0, L4__choice="none",
                  L5__choice="output_clustering", L5__output_clustering__tie_break="none")
    arch = space.instantiate(lean, "lean")
    assert [[c.type for c in layer] for layer in arch.layers] == [["generator"], ["output_clustering"]]
    assert "width" not in lean.asked and "L5.codet.plurality_share" not in lean.asked
    # The written YAML is an architecture config that loads back to the same thing.
    assert parse_architecture(yaml.safe_load(architecture_yaml(arch))) == arch


def test_shipped_spaces_load_and_every_probe_is_a_valid_architecture():
    offline, llm = resolve_space("offline"), resolve_space("llm")
    assert offline.search.trials == 20 and llm.search.max_samples == 40
    names = {p["name"] for p in llm.describe()}
    assert {"L1.generator[0].samples", "L1.generator[0].temperature", "fusion_layers", "fusion_width",
            "L3.critic", "L4.ranker", "L6.verifier", "L2.public_filter", "L7.choice", "L8.choice"} <= names
    assert {"L1.mutants.count", "L3.input_mutation.cap", "L2.public_filter", "L4.choice"} <= {
        p["name"] for p in offline.describe()}


@pytest.mark.parametrize("text,expected", [
    ("""
     name: s
     layers:
       - - type: mutants
           count: {int: [6, 2]}
     """, "layers[0][0].count: int: lower bound 6 is above upper bound 2"),
    ("""
     name: s
     layers:
       - - type: mutants
           count: {int: [2, 6], stp: 2}
     """, "layers[0][0].count: int: stp: unknown key for a int point (did you mean 'step'?)"),
    ("""
     name: s
     layers:
       - - type: mutants
           count: {repeat: 3, times: 2}
     """, "layers[0][0].count: repeat splices items into a list"),
    ("""
     name: s
     layers:
       - - type: mutants
           cont: {int: [2, 6]}
     """, "layer 1, component 1 (mutants): cont: Extra inputs are not permitted (did you mean 'count'?)"),
    ("""
     name: s
     layers:
       - - type: dataset_samples
       - - choice:
             - {type: codet, plurality_share: {float: [0.5, 1.5]}}
             - {type: output_clustering}
     """, "layer 2, component 1 (codet): plurality_share: Input should be less than 1 (with L2.choice = codet, "
          "L2.codet.plurality_share = 1.5)"),
    ("""
     name: s
     layers:
       - - {type: generator, model: m, samples: {int: [1, 4], name: n}}
         - {type: generator, model: m, samples: {int: [1, 8], name: n}}
     """, "layers[0][1].samples: name 'n' is also used at layers[0][0].samples with another domain"),
    ("""
     name: s
     sarch: {trials: 3}
     layers: [[{type: dataset_samples}]]
     """, "sarch: unknown key (did you mean 'search'?)"),
    ("""
     name: s
     layers:
       - - type: dataset_samples
         - type: mutants
           count: {int: [2, 6]
     """, "invalid YAML"),
])
def test_space_errors_name_the_file_and_the_place(tmp_path, text, expected):
    path = write(tmp_path / "space.yaml", text)
    with pytest.raises(SpaceError) as info:
        load_space(path)
    message = str(info.value)
    assert message.startswith(f"{path}: ") and expected in message, message


def test_bad_space_on_the_command_line_exits_2_without_a_traceback(tmp_path):
    path = write(tmp_path / "space.yaml", """
        name: s
        layers:
          - - type: mutants
              count: {int: [6, 2]}
        """)
    p = search("--space", str(path))
    assert p.returncode == 2 and str(path) in p.stderr and "lower bound 6" in p.stderr
    assert "Traceback" not in p.stderr
    p = search("--space", "no-such-space")
    assert p.returncode == 2 and "shipped: llm, offline" in p.stderr


def test_archon_itas_search_config_maps_onto_a_space(tmp_path):
    config = {
        "models_available": ["openai/m1", "openai/m2", "openai/m3"],
        "model_top_k_choices": [1, 2, 3],
        "sample_top_k_choices": [1, 5],
        "fuser_layer_1_choices": [0, 2],
        "maximum_inference_calls": 12,
        "search_algorithm_choice": "random_search",
        "random_search_iterations": 7,
        "number_of_archon_configs_for_final_ranking": 3,
        "benchmark": "arena_hard_auto",
        "judge_model": "gpt-4-turbo",
        "dataset_sample_for_search": 0.2,
    }
    path = tmp_path / "search_config.json"
    path.write_text(json.dumps(config))
    space = load_space(path)
    assert (space.search.trials, space.search.sampler, space.search.max_samples, space.search.finalists) == (
        7, "random", 12, 3)
    assert sorted(space.archon_extra) == ["benchmark", "dataset_sample_for_search", "judge_model"]
    arch = space.instantiate(Params(model_top_k=2, sample_top_k=5, fuser_layer_1="2"))
    assert [[(c.type, getattr(c, "model", None)) for c in layer] for layer in arch.layers] == [
        [("generator", "openai/m1"), ("generator", "openai/m2")],
        [("critic", "openai/m1")], [("ranker", "openai/m1")],
        [("fuser", "openai/m1"), ("fuser", "openai/m2")],
        [("fuser", "openai/m1")],
    ]
    assert [c.samples for c in arch.layers[0]] == [5, 5] and arch.layers[2][0].top_k == 5
    arch = space.instantiate(Params(model_top_k=1, sample_top_k=1, fuser_layer_1="0"))
    assert [[c.type for c in layer] for layer in arch.layers] == [["generator"], ["fuser"]]
    for bad, expected in (({"model_top_k_choice": [1]}, "model_top_k_choice: not a key of Archon's search "
                            "configs that maps here (did you mean 'model_top_k_choices'?)"),
                          ({"fuser_layer_1_choices": [0, 4]}, "fuser_layer_1_choices: [4] outside 0..3")):
        path.write_text(json.dumps({**config, **bad}))
        with pytest.raises(SpaceError) as info:
            load_space(path)
        assert str(info.value).startswith(f"{path}: ") and expected in str(info.value), str(info.value)


# ---------------------------------------------------------------------------------------------
# The split, the objectives, recovering a killed search


def test_the_space_defaults_are_its_first_options_low_ends_and_optional_parts():
    space = parse_space(yaml.safe_load(textwrap.dedent(TINY_OFFLINE)), "tiny.yaml")
    arch = default_architecture(space)
    assert arch.name == "tiny-offline-defaults"
    assert [[c.type for c in layer] for layer in arch.layers] == [
        ["dataset_samples", "mutants"], ["public_filter"], ["input_mutation"], ["pass_count"]]
    assert arch.layers[0][1].count == 2 and arch.layers[2][0].cap == 10


def test_held_out_split_is_disjoint_seeded_and_order_independent():
    problems = load_problems("bundled")
    search_part, held = split_problems(problems, 0.8, seed=3)
    assert not {p.id for p in search_part} & {p.id for p in held}
    assert {p.id for p in search_part} | {p.id for p in held} == {p.id for p in problems}
    assert (len(search_part), len(held)) == (3, 10)  # 20% of 13, rounded
    again = split_problems(list(reversed(problems)), 0.8, seed=3)
    assert [p.id for p in again[0]] == [p.id for p in search_part]
    others = {tuple(p.id for p in split_problems(problems, 0.8, seed=s)[0]) for s in range(6)}
    assert len(others) > 1  # the seed moves the split
    assert split_problems(problems, 0.0, seed=3)[1] == []
    assert [len(x) for x in split_problems(problems[:2], 0.99, seed=0)] == [1, 1]
    with pytest.raises(SearchError):
        split_problems(problems[:1], 0.5, seed=0)
    with pytest.raises(SearchError):
        split_problems(problems, 1.0, seed=0)


def test_objectives_parse():
    assert parse_objectives("cost, pass@1") == ("pass@1", "cost")
    assert parse_objectives("pass@1,latency,cost") == ("pass@1", "cost", "latency")
    for bad in ("cost", "pass@1,speed", "pass@1,pass@1"):
        with pytest.raises(SearchError):
            parse_objectives(bad)


def test_a_trial_left_running_by_a_killed_search_is_queued_again(tmp_path):
    storage = f"sqlite:///{tmp_path / 'study.db'}"
    study = optuna.create_study(storage=storage, study_name="s")
    done = study.ask()
    done.suggest_int("x", 0, 9)
    study.tell(done, 1.0)
    killed = study.ask()
    x = killed.suggest_int("x", 0, 9)
    # A new process finds the trial still running.
    study = optuna.load_study(study_name="s", storage=storage)
    assert recover_interrupted(study) == [killed.number]
    assert recover_interrupted(study) == []  # queued once, not again
    states = [t.state for t in study.trials]
    assert states == [optuna.trial.TrialState.COMPLETE, optuna.trial.TrialState.FAIL,
                      optuna.trial.TrialState.WAITING]
    retry = study.ask()
    assert retry.suggest_int("x", 0, 9) == x and retry.user_attrs["retry_of"] == killed.number


# ---------------------------------------------------------------------------------------------
# Sandbox runs shared between trials


class CountingPool:
    def __init__(self, pool):
        self.pool = pool
        self.size = 2
        self.backend = "local"
        self.jobs: list[int] = []

    async def run(self, program, tests, limits, **kwargs):
        self.jobs.append(len(tests))
        return await self.pool.run(program, tests, limits, **kwargs)


def test_shared_runs_answer_each_program_input_pair_once(local_pool, tmp_path):
    counting = CountingPool(local_pool.pool)
    memo_path = tmp_path / "runs.sqlite"
    shared = SharedRunsPool(counting, RunMemo(memo_path))
    echo = Program("print(int(input()) * 2)")

    def run(pool, program, tests, **kwargs):
        return local_pool._call(pool.run(program, tests, Limits(time_s=2), **kwargs))

    first = run(shared, echo, [TestCase("1\n", "2\n"), TestCase("2\n", "4\n")])
    assert [t.verdict for t in first.tests] == [Verdict.OK, Verdict.OK] and counting.jobs == [2]
    # Input 2 is remembered and judged against this test's own expected output.
    second = run(shared, echo, [TestCase("2\n", "5\n"), TestCase("3\n", "6\n"), TestCase("2\n", None)])
    assert [t.verdict for t in second.tests] == [Verdict.WA, Verdict.OK, Verdict.OK]
    assert second.tests[0].stdout.strip() == "4" and counting.jobs == [2, 1]
    assert (shared.fresh, shared.reused) == (3, 2)
    # A compile error is remembered too.
    broken = Program("int main( {", "cpp")
    assert run(shared, broken, [TestCase("1\n", "1\n")]).compile_verdict is Verdict.CE
    assert run(shared, broken, [TestCase("2\n", "2\n")]).compile_verdict is Verdict.CE
    assert counting.jobs == [2, 1, 1]
    # max_failures: the answer stops after that many unclean runs, whatever was remembered.
    crash = Program("raise SystemExit(int(input()))")
    tests = [TestCase(f"{i}\n", "") for i in (0, 1, 1, 0)]
    assert [t.verdict for t in run(shared, crash, tests[:2]).tests] == [Verdict.OK, Verdict.RE]
    capped = run(shared, crash, tests, max_failures=2)
    assert [t.verdict for t in capped.tests] == [Verdict.OK, Verdict.RE, Verdict.RE] and capped.skipped == 1
    shared.memo.close()
    # A resumed search (a new process) finds the runs on disk.
    later = SharedRunsPool(counting, RunMemo(memo_path))
    jobs = len(counting.jobs)
    assert [t.verdict for t in run(later, echo, [TestCase("3\n", "6\n")]).tests] == [Verdict.OK]
    assert len(counting.jobs) == jobs and later.reused == 1


# ---------------------------------------------------------------------------------------------
# Whole searches


TINY_OFFLINE = """
    name: tiny-offline
    layers:
      - - type: dataset_samples
        - type: mutants
          count: {int: [2, 6]}
      - - optional: {type: public_filter}
      - - type: input_mutation
          cap: {int: [10, 20]}
      - - choice:
            pass_count: {type: pass_count, plurality_share: 0.5}
            codet: {type: codet, plurality_share: 0.5}
            output_clustering: {type: output_clustering}
    """


@pytest.mark.docker
def test_offline_search_end_to_end_resumes_and_its_best_architecture_benches(tmp_path):
    require_docker()
    space = write(tmp_path / "space.yaml", TINY_OFFLINE)
    study = tmp_path / "study"
    common = ["--space", str(space), *ids(*FAST), "--holdout", "0.34", "--study-dir", str(study),
              "--backend", "docker", "--max-sandboxes", "2", "--json"]
    p = search(*common, "--trials", "2")
    assert p.returncode == 0, p.stderr
    first = json.loads(p.stdout)
    assert (study / "study.db").is_file() and (study / "runs.sqlite").is_file()
    assert first["trials"]["complete"] == 2
    part, held = first["problems"]["search"], first["problems"]["heldout"]
    assert len(part) == 2 and len(held) == 1 and not set(part) & set(held) and set(part) | set(held) == set(FAST)
    best = first["best"]
    assert best["search"]["problems"] == 2 and 0 <= best["search"]["pass_at_1"] <= 1
    assert best["heldout"]["problems"] == 1 and len(best["heldout"]["pass_at_1_ci95"]) == 2
    # The second trial ran some of the first one's programs on the same inputs: those runs were
    # answered from the first trial's (every architecture here runs the stored solutions).
    t0, t1 = first["all_trials"]
    assert t0["runs_fresh"] > 0 and t0["runs_reused"] == 0
    assert t1["params"] == t0["params"] or t1["runs_reused"] > 0
    html = (study / "report.html").read_text()
    assert "<svg" in html and "held-out" in html and "<script" not in html
    # The space at its defaults, judged on the same held-out problem, beside the finalists.
    base = first["baseline"]
    assert base["name"] == "tiny-offline-defaults" and base["how"].startswith("the space's defaults")
    assert base["heldout"]["problems"] == 1 and 0 <= base["heldout"]["pass_at_1"] <= 1
    diff = best["vs_baseline"]
    assert diff["diff"] == pytest.approx(best["heldout"]["pass_at_1"] - base["heldout"]["pass_at_1"])
    assert '<tr class="baseline"><td>baseline</td>' in html and "Δ vs baseline" in html
    assert f"baseline, held-out {base['heldout']['pass_at_1']:.3f}" in html

    p = search(*common, "--trials", "3")
    assert p.returncode == 0, p.stderr
    again = json.loads(p.stdout)
    assert again["trials"]["complete"] == 3
    # Resumed, not restarted: the first two trials are the same trials.
    assert [(t["trial"], t["params"], t["pass_at_1"]) for t in again["all_trials"][:2]] == [
        (t["trial"], t["params"], t["pass_at_1"]) for t in first["all_trials"]]
    assert len(optuna.load_study(study_name="archon-code-search", storage=f"sqlite:///{study / 'study.db'}").trials) == 3
    # A new process reuses the runs remembered in the study dir.
    assert again["sandbox"]["reused"] > 0 and again["all_trials"][2]["runs_reused"] > 0

    arch = resolve_architecture(study / "best.yaml")
    trial = again["best"]["trial"]
    assert arch == parse_architecture(again["best"]["architecture"]) and arch.name.endswith(f"trial{trial}")
    bench = run_cli("bench", "--arch", str(study / "best.yaml"), *ids(held[0]), "--run-dir", str(tmp_path / "bench"),
                    "--backend", "docker", "--max-sandboxes", "2", "--json", timeout=300)
    assert bench.returncode == 0, bench.stderr
    assert json.loads(bench.stdout)["problems"] == 1


def llm_space(tmp_path: Path) -> Path:
    return write(tmp_path / "llm.yaml", """
        name: tiny-llm
        layers:
          - - type: generator
              model: openai/placeholder
              samples: {int: [2, 3]}
              temperature: 0.7
          - - type: public_filter
          - - choice: [{type: pass_count}, {type: output_clustering}]
        """)


def generator_script(right, wrong, calls: list[str]):
    """The right program for the first problem's prompts (as sample 0), wrong code otherwise."""
    solved = right.description[:200]
    reference = reference_solutions(right, "python")[0]

    def script(body, index):
        assert role_of(body) == "generator"
        text = user_text(body)
        calls.append("right" if solved in text else "wrong")
        n = int(body.get("n") or 1)
        answers = [fenced(reference)] + [fenced("print(0)")] * (n - 1) if solved in text else [fenced("print(0)")] * n
        # A priced model (gpt-4o-mini) and a million prompt tokens: $0.15 a request.
        return Reply(answers, prompt_tokens=1_000_000, completion_tokens=10)

    return script


def llm_search(tmp_path, openai_server, *extra: str) -> tuple[dict, list[str]]:
    """Two trials of the LLM space on one problem the generator gets right and one it gets
    wrong, against the local OpenAI-compatible server: (--json output, what was generated)."""
    require_docker()
    right, wrong = load_problems("bundled", problem_ids=FAST[:2])
    calls: list[str] = []
    openai_server.script = generator_script(right, wrong, calls)
    p = search("--space", str(llm_space(tmp_path)), *ids(right.id, wrong.id), "--holdout", "0", "--trials", "2",
               *extra, "--model", "openai/gpt-4o-mini", "--api-base", openai_server.api_base,
               "--study-dir", str(tmp_path / "study"), "--backend", "docker", "--max-sandboxes", "2", "--json",
               env={"ARCHON_CODE_CACHE_DIR": str(tmp_path / "cache")})
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout), calls


@pytest.mark.docker
def test_llm_search_reuses_cached_samples_across_trials(tmp_path, openai_server):
    out, _ = llm_search(tmp_path, openai_server)
    t0, t1 = out["all_trials"]
    s0, s1 = t0["params"]["L1.generator.samples"], t1["params"]["L1.generator.samples"]
    assert (t0["llm_fresh"], t0["llm_cached"]) == (2 * s0, 0)
    # Trial 2 is served the samples trial 1 paid for and asks only for the ones beyond them.
    assert (t1["llm_fresh"], t1["llm_cached"]) == (2 * max(0, s1 - s0), 2 * min(s0, s1))
    trial2_requests = len(openai_server.chat_requests) - 2
    assert trial2_requests == (2 if s1 > s0 else 0) and trial2_requests < 2
    # Money: what each trial paid ($0.15 a request), and the cost objective, which prices
    # the cached samples at what they cost (a request's price split over its samples).
    assert t0["spent_usd"] == pytest.approx(0.30, rel=1e-3) and t0["cost_per_problem_usd"] == pytest.approx(0.15, rel=1e-3)
    assert t1["spent_usd"] == pytest.approx(0.15 * trial2_requests, rel=1e-3, abs=1e-9)
    assert t1["cost_per_problem_usd"] == pytest.approx(0.15 * min(s0, s1) / s0 + 0.15 * (s1 > s0), rel=1e-3)
    assert out["spent_usd"]["search"] == pytest.approx(t0["spent_usd"] + t1["spent_usd"])
    # The first problem gets its reference solution as sample 0; the public filter keeps it.
    assert t0["pass_at_1"] == t1["pass_at_1"] == 0.5
    assert out["problems"]["heldout"] == [] and out["best"]["heldout"] is None
    arch = resolve_architecture(out["best"]["yaml"])
    assert arch.layers[0][0].model == "openai/gpt-4o-mini" and arch.layers[0][0].api_base == openai_server.api_base


@pytest.mark.docker
def test_the_budget_stops_a_trial_projected_to_cost_more_than_is_left(tmp_path, openai_server):
    out, calls = llm_search(tmp_path, openai_server, "--budget-usd", "0.45")
    t0, t1 = out["all_trials"]
    assert t0["state"] == "complete" and t0["spent_usd"] == pytest.approx(0.30, rel=1e-3)
    # Trial 1 cost $0.30 for its samples, so the next one is projected at $0.20 or more,
    # above the $0.15 left: it is not run.
    assert t1["state"] == "pruned" and "exceeds the $0.1500 left of the $0.4500 budget" in t1["reason"]
    assert len(openai_server.chat_requests) == 2 and sorted(calls) == ["right", "wrong"]
    assert out["trials"] == {"total": 2, "complete": 1, "pruned": 1, "fail": 0, "target": 2}
    assert out["spent_usd"]["search"] == pytest.approx(0.30, rel=1e-3) and out["budget_usd"] == 0.45
