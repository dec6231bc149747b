"""`archon-code solve`: one problem, one architecture, through the local LLM server."""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner

from archon_code.stored_solutions import reference_solutions
from harness import cmd_solve
from problems import load_problems
from tests.cli import run_cli
from tests.scripted_roles import RoleScript, fenced

TWIN = "bundled:Twin Beacons"


@pytest.fixture(scope="module")
def problem():
    return load_problems("bundled", problem_ids=["Twin Beacons"])[0]


@pytest.fixture
def solve(monkeypatch, tmp_path, openai_server, problem):
    """Invoke `solve` in-process with a throwaway cache and a dummy key for the local server."""
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("ARCHON_CODE_CACHE_DIR", str(tmp_path / "cache"))
    openai_server.script = RoleScript({"generator": lambda body: fenced(reference_solutions(problem, "python")[0])})
    app = typer.Typer()
    app.callback()(lambda: None)  # keeps `solve` a subcommand, as in the real CLI
    cmd_solve.register(app)
    runner = CliRunner()
    llm = ["--model", "openai/stand-in", "--api-base", openai_server.api_base, "--backend", "local",
           "--max-sandboxes", "1"]

    def run(*args: str, with_llm: bool = True):
        return runner.invoke(app, ["solve", *args, *(llm if with_llm else [])])

    return run


def test_json_output_has_the_solution_and_program(solve, openai_server, problem):
    result = solve(TWIN, "--arch", "single", "--seed", "4", "--json")

    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert record["problem"] == "Twin Beacons" and record["architecture"] == "single"
    assert record["selected"] == "L1.generator[0].0"
    assert record["program"] == {"language": "python", "source": reference_solutions(problem, "python")[0]}
    assert record["why"].startswith("L1.generator[0].0 from L1.generator[0]")
    assert {"trace", "usage", "candidates", "cost_usd", "tokens"} <= set(record)
    assert record["usage"]["L1.generator[0]"]["samples"] == 1
    (request,) = openai_server.chat_requests
    assert request.body["model"] == "stand-in"
    assert "LOCAL backend" in result.stderr  # the weaker sandbox is announced


def test_pretty_output_shows_program_reason_and_cost(solve):
    result = solve(TWIN)

    assert result.exit_code == 0, result.output
    assert "bisect_right(starts, r - 2)" in result.stdout
    assert "Twin Beacons · single · L1.generator[0].0 from L1.generator[0]" in result.stdout
    assert "cost $0.0000" in result.stdout and "tokens" in result.stdout and "1 LLM samples (0 cached)" in result.stdout


def test_the_cache_serves_a_repeated_solve_unless_disabled(solve, openai_server):
    assert solve(TWIN, "--json").exit_code == 0
    again = solve(TWIN, "--json")
    assert again.exit_code == 0
    assert len(openai_server.chat_requests) == 1
    assert json.loads(again.stdout)["usage"]["L1.generator[0]"]["cached"] == 1

    assert solve(TWIN, "--json", "--no-cache").exit_code == 0
    assert len(openai_server.chat_requests) == 2


def test_problem_files(solve, tmp_path, problem):
    one = tmp_path / "one.json"
    one.write_text(problem.model_dump_json())
    result = solve(str(one), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["problem"] == "Twin Beacons"

    two = tmp_path / "two.jsonl"
    other = problem.model_copy(update={"name": "Other"})
    two.write_text(problem.model_dump_json() + "\n" + other.model_dump_json() + "\n")
    result = solve(str(two))
    assert result.exit_code == 2
    assert result.stderr.strip() == f"error: {two} holds 2 problems; name one as SOURCE:ID, e.g. '{two}:Twin Beacons'"
    picked = solve(f"{two}:Other", "--json")
    assert picked.exit_code == 0, picked.output
    assert json.loads(picked.stdout)["problem"] == "Other"


def test_no_runnable_candidate_exits_1(solve, openai_server):
    openai_server.script = RoleScript({"generator": lambda body: "I do not know."})
    result = solve(TWIN, "--json")
    assert result.exit_code == 1
    record = json.loads(result.stdout)
    assert record["program"] is None and record["selected"] is None
    assert record["candidates"][0]["note"].startswith("no program in the answer")


def _bad_config(tmp_path):
    path = tmp_path / "typo.yaml"
    path.write_text("name: typo\nlayers:\n  - - type: generator\n      model: openai/x\n      sample: 3\n")
    return str(path)


@pytest.mark.parametrize(
    "args,message",
    [
        ([TWIN, "--arch", "nope"], "error: nope: unknown architecture; shipped: "),
        ([TWIN, "--arch", "missing.yaml"], "error: missing.yaml: no such file"),
        ([TWIN, "--arch", "BAD"], "layer 1, component 1 (generator): sample: Extra inputs are not permitted "
                                  "(did you mean 'samples'?)"),
        (["bundled:Twin Beakons"], "error: unknown problem id 'Twin Beakons' in the bundled problems; "
                                   "close matches: 'Twin Beacons'"),
        (["nowhere"], "error: 'nowhere' is neither a problem file or folder nor SOURCE:ID"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(solve, tmp_path, openai_server, args, message):
    args = [_bad_config(tmp_path) if a == "BAD" else a for a in args]
    result = solve(*args)

    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0]
    assert "Traceback" not in result.output and not result.stdout
    assert not openai_server.chat_requests


def test_installed_command_reports_errors_without_traceback():
    p = run_cli("solve", TWIN, "--arch", "nope", timeout=120)
    assert p.returncode == 2
    assert p.stderr.startswith("error: nope: unknown architecture") and len(p.stderr.strip().splitlines()) == 1
    assert "Traceback" not in p.stderr and not p.stdout
