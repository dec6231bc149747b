"""`archon-code rescore`: a real bench run (an LLM architecture against the local
OpenAI-compatible server, programs judged in real Docker sandboxes) judged again under other
rules, with the same picks, no LLM call, and the source run dir left as it was."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from archon_code.stored_solutions import reference_solutions
from problems import load_problems
from tests.cli import run_cli
from tests.openai_server import OpenAIServer
from tests.scripted_roles import fenced

pytestmark = pytest.mark.docker

PROBLEM = "Crate Tower"
# Correct, but only after spending 0.3 s of CPU: within any limit of a second or more, far
# over 5% of the problem's 2 s.
BURN = ("import time as _t\n_t0 = _t.process_time()\n"
        "while _t.process_time() - _t0 < 0.3:\n    pass\n")
WRONG = "print(-1)\n"


def snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def records(run_dir: Path) -> dict[str, dict]:
    return {r["problem"]: r for r in
            (json.loads(x) for x in (run_dir / "records.jsonl").read_text().splitlines())}


@pytest.fixture(scope="module")
def server():
    with OpenAIServer() as s:
        yield s


@pytest.fixture(scope="module")
def source(tmp_path_factory, server, docker_pool):
    """A finished run: two sampled programs, one slow but correct (picked: the other fails
    the public examples), one wrong."""
    (problem,) = load_problems("bundled", problem_ids=[PROBLEM])
    slow = BURN + reference_solutions(problem, "python")[0]
    handed: list[str] = []

    def script(request, call_index):
        texts = []
        for _ in range(int(request.get("n") or 1)):
            texts.append(fenced(slow if len(handed) % 2 == 0 else WRONG))
            handed.append(texts[-1])
        return texts

    server.script = script
    root = tmp_path_factory.mktemp("rescore")
    arch = root / "two.yaml"
    arch.write_text("name: two\nlayers:\n"
                    "  - - {type: generator, model: openai/fake-coder, language: python, samples: 2}\n"
                    "  - - {type: public_filter}\n")
    run_dir = root / "source"
    p = run_cli("bench", "--arch", str(arch), "--problem-id", PROBLEM, "--api-base",
                server.api_base, "--no-cache", "--run-dir", str(run_dir), "--max-sandboxes", "2",
                "--json", env={"OPENAI_API_KEY": "sk-test"})
    assert p.returncode == 0, p.stderr
    results = json.loads(p.stdout)
    assert results["pass_at_1"] == 1.0 and results["errors"] == []
    rec = records(run_dir)[PROBLEM]
    assert rec["n"] == 2 and rec["c"] == 1 and rec["selected_passed"]
    assert len(server.chat_requests) >= 1
    return run_dir


def rescore(source: Path, *args: str) -> tuple[dict, Path]:
    """Rescore with no API key at all; returns results.json and the new run dir."""
    target = source.parent / f"rescored-{hashlib.sha256(repr(args).encode()).hexdigest()[:8]}"
    p = run_cli("rescore", str(source), *args, "--run-dir", str(target), "--max-sandboxes", "2",
                "--json", env={"OPENAI_API_KEY": ""})
    assert p.returncode == 0, p.stderr
    results = json.loads(p.stdout)
    assert json.loads((target / "results.json").read_text()) == results
    return results, target


def verdicts(rec: dict) -> dict:
    return {c["id"]: (c["public_ok"], c["hidden_ok"], c["hidden_verdict"]) for c in rec["candidates"]}


def test_same_rules_reproduce_the_verdicts_and_pass_at_1(source, server):
    before, calls = snapshot(source), len(server.requests)
    original = json.loads((source / "results.json").read_text())
    old = records(source)[PROBLEM]

    rerun, target = rescore(source, "--rerun")
    new = records(target)[PROBLEM]
    assert rerun["executions"] > 0 and rerun["backend"] == "docker"
    assert verdicts(new) == verdicts(old)
    for key in ("selected", "tied", "selected_verdict", "pass_expected", "c", "n_public", "c_public"):
        assert new[key] == old[key], key
    for key in ("pass_at_1", "oracle", "random_pick", "public_filter_random"):
        assert rerun[key] == original[key], key

    # Nothing the rules could change: the verdicts are the source's, no sandbox runs.
    kept, _ = rescore(source)
    assert kept["executions"] == 0 and kept["backend"] is None
    assert kept["pass_at_1"] == original["pass_at_1"] and kept["oracle"] == original["oracle"]

    assert snapshot(source) == before
    assert len(server.requests) == calls  # no LLM call, though the server was there to take one


def test_strict_limits_turn_the_verdict_and_the_new_rules_are_recorded(source, server):
    before, calls = snapshot(source), len(server.requests)
    results, target = rescore(source, "--limits", "strict", "--time-scale", "0.05")
    rules = {"checker": "codecontests", "limits": "strict", "time_scale": 0.05, "hidden_tests": "private"}
    assert results["rules"] == rules
    assert results["pass_at_1"] == 0.0 and results["oracle"] == 0.0
    meta = json.loads((target / "run.json").read_text())
    assert meta["rules"] == rules and meta["config"]["rules"] == rules
    assert meta["rescored_from"]["run_dir"] == str(source.resolve())
    assert meta["rescored_from"]["rules"]["limits"] == "deepmind"
    assert results["rescored_from"] == meta["rescored_from"]
    old, new = records(source)[PROBLEM], records(target)[PROBLEM]
    assert new["selected"] == old["selected"] and new["tied"] == old["tied"]  # the same pick
    assert old["selected_verdict"] == "OK" and new["selected_verdict"] == "TLE"
    assert not new["selected_passed"] and new["pass_expected"] == 0.0
    assert (target / "programs.jsonl").read_text() == (source / "programs.jsonl").read_text()

    # The report reads both side by side, as it does runs.
    assert (target / "report.html").is_file()
    p = run_cli("report", str(source), str(target), "--json", "--out", str(target / "both.html"))
    assert p.returncode == 0, p.stderr
    runs = json.loads(p.stdout)["runs"]
    assert [r["summary"]["pass_at_1"] for r in runs] == [1.0, 0.0]
    assert runs[1]["rules"]["limits"] == "strict"

    # Rescoring the rescored run under the source's rules gives the source's numbers back.
    back, _ = rescore(target, "--limits", "deepmind")
    assert back["pass_at_1"] == 1.0 and back["executions"] > 0
    assert snapshot(source) == before and len(server.requests) == calls


def test_runs_are_memoised_and_tests_that_did_not_change_are_not_run(source):
    (problem,) = load_problems("bundled", problem_ids=[PROBLEM])
    n_public, n_private = len(problem.public()), len(problem.hidden())
    # The bundled problems have no generated tests: the same hidden tests, nothing to run.
    same, _ = rescore(source, "--hidden-tests", "private+generated")
    assert same["executions"] == 0
    # Public tests first, then every test: the correct program runs each input once, the
    # wrong one stops at its first public test and is not run again.
    every, target = rescore(source, "--hidden-tests", "public+private+generated", "--rerun")
    assert every["executions"] == n_public + n_private + 1
    assert records(target)[PROBLEM]["rejudged"] == {"public": True, "hidden": True}
    assert every["pass_at_1"] == 1.0


def test_a_checker_change_judges_again(source):
    results, target = rescore(source, "--checker", "exact")
    assert results["executions"] > 0 and results["rules"]["checker"] == "exact"
    assert verdicts(records(target)[PROBLEM]) == verdicts(records(source)[PROBLEM])


def one_line_error(p, *needles: str) -> None:
    assert p.returncode == 2, p.stderr
    assert "Traceback" not in p.stderr and len(p.stderr.strip().splitlines()) == 1, p.stderr
    for n in needles:
        assert n in p.stderr, p.stderr


def test_bad_run_dirs_are_one_line_errors(tmp_path, source):
    one_line_error(run_cli("rescore", str(tmp_path / "nowhere")), "nowhere")
    empty = tmp_path / "empty"
    empty.mkdir()
    one_line_error(run_cli("rescore", str(empty)), str(empty), "run.json")

    corrupt = tmp_path / "corrupt"
    corrupt.mkdir()
    for name in ("run.json", "records.jsonl", "programs.jsonl"):
        (corrupt / name).write_bytes((source / name).read_bytes())
    (corrupt / "run.json").write_text('{"config": ')
    one_line_error(run_cli("rescore", str(corrupt)), str(corrupt / "run.json"))

    # Records that do not name their programs, and a program missing from programs.jsonl.
    (corrupt / "run.json").write_bytes((source / "run.json").read_bytes())
    rec = records(source)[PROBLEM]
    bare = {**rec, "candidates": [{k: v for k, v in c.items() if k != "program"}
                                  for c in rec["candidates"]]}
    (corrupt / "records.jsonl").write_text(json.dumps(bare) + "\n")
    one_line_error(run_cli("rescore", str(corrupt)), str(corrupt / "records.jsonl"), "'program'")
    (corrupt / "records.jsonl").write_bytes((source / "records.jsonl").read_bytes())
    (corrupt / "programs.jsonl").write_text("")
    one_line_error(run_cli("rescore", str(corrupt)), str(corrupt / "programs.jsonl"))

    # The new run dir is never one that holds something.
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "x").write_text("mine")
    one_line_error(run_cli("rescore", str(source), "--run-dir", str(taken)), str(taken))
    assert (taken / "x").read_text() == "mine"
    one_line_error(run_cli("rescore", str(source), "--time-scale", "0"), "--time-scale")


def test_the_default_new_run_dir_names_the_rules():
    from archon_code.rules import Rules
    from harness.rescore import default_target

    assert default_target(Path("runs/x"), Rules(limits="strict")) == \
        Path("runs/x-rescore-strict-codecontests")
    assert default_target(Path("runs/x"), Rules(limits="archon", checker="exact", time_scale=3,
                                                hidden_tests="public+private+generated")) == \
        Path("runs/x-rescore-archon-exact-x3-public-private-generated")
