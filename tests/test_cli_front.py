"""The command line's front door: --version, one-line usage errors, clean --help, JSON
listings of problems, and LLM access failures named in one line before any work."""

from __future__ import annotations

import json
import os
import socket
import subprocess

import pytest

from tests.cli import CLI, run_cli
from tests.openai_server import Delay
from tests.scripted_roles import RoleScript

TWIN = "bundled:Twin Beacons"


def one_error_line(p: subprocess.CompletedProcess, status: int = 2) -> str:
    assert p.returncode == status, (p.returncode, p.stderr)
    assert "Traceback" not in p.stderr and "╭" not in p.stderr
    lines = p.stderr.strip().splitlines()
    errors = [line for line in lines if line.startswith("error: ")]
    assert len(errors) == 1, p.stderr
    return errors[0]


def test_version():
    from importlib import metadata

    p = run_cli("--version")
    assert p.returncode == 0 and p.stdout.strip() == f"archon-code {metadata.version('archon-code')}"


@pytest.mark.parametrize(("args", "line"), [
    (["bench", "--hidden-tests", "everything"],
     "error: Invalid value for '--hidden-tests': 'everything' is not one of 'private', 'private+generated', "
     "'public+private+generated'. (see 'archon-code bench --help')"),
    (["bench", "--limits", "loose"],
     "error: Invalid value for '--limits': 'loose' is not one of 'deepmind', 'strict', 'archon'. "
     "(see 'archon-code bench --help')"),
    (["bench", "--limit", "many"],
     "error: Invalid value for '--limit': Input should be a valid integer, unable to parse string as an "
     "integer (see 'archon-code bench --help')"),
    (["bench", "--no-such-option"], "error: No such option: --no-such-option (see 'archon-code bench --help')"),
    (["search"], "error: Missing option '--space'. (see 'archon-code search --help')"),
    (["problems", "show", "bundled"],
     "error: Missing argument 'PROBLEM_ID'. (see 'archon-code problems show --help')"),
    (["benchmark"], "error: No such command 'benchmark'. Did you mean 'bench'? (see 'archon-code --help')"),
])
def test_usage_errors_are_one_line(args, line):
    p = run_cli(*args)
    assert one_error_line(p) == line
    assert p.stdout == ""


def test_help_shows_what_each_option_takes():
    p = run_cli("bench", "--help", env={"COLUMNS": "200"})
    assert p.returncode == 0
    for option, metavar in (("--run-dir", "DIR"), ("--timeout", "SECONDS"), ("--model", "MODEL"),
                            ("--api-base", "URL"), ("--problem-id", "ID"), ("--max-connections", "N"),
                            ("--problems", "SOURCE"), ("--arch", "ARCH")):
        row = next(line for line in p.stdout.splitlines() if f" {option} " in line)
        assert f" {metavar} " in row, row
    assert "PATH" not in p.stdout and "TEXT" not in p.stdout and "INTEGER" not in p.stdout


# ---------------------------------------------------------------------------------------------
# problems


def test_problems_list_json_and_the_bundled_source():
    p = run_cli("problems", "list", "bundled", "--json")
    assert p.returncode == 0, p.stderr
    rows = json.loads(p.stdout)
    twin = next(r for r in rows if r["id"] == "Twin Beacons")
    assert twin["source"] == "bundled" and {r["source"] for r in rows} == {"bundled"}
    assert twin["tests"] == {"public": 1, "private": 9, "generated": 0}
    assert twin["time_limit_s"] == 2.0 and twin["memory_limit_mb"] == 256
    assert twin["solutions"] == {"cpp": 1, "java": 1, "python3": 1} and twin["incorrect_solutions"] == 4
    table = run_cli("problems", "list", "bundled", env={"COLUMNS": "200"})
    assert "UNKNOWN_SOURCE" not in table.stdout and " bundled " in table.stdout


def test_problems_show_json_has_the_statement():
    p = run_cli("problems", "show", "bundled", "Twin Beacons", "--json")
    assert p.returncode == 0, p.stderr
    data = json.loads(p.stdout)
    assert data["id"] == "Twin Beacons" and data["source"] == "bundled"
    assert data["description"].startswith("Along the coast there are beacon towers")
    shown = run_cli("problems", "show", "bundled", "Twin Beacons", env={"COLUMNS": "200"})
    assert "UNKNOWN_SOURCE" not in shown.stdout
    assert next(line for line in shown.stdout.splitlines() if "source" in line).split()[-2] == "bundled"


def test_problems_errors_are_one_line():
    p = run_cli("problems", "list", "no-such-source")
    assert one_error_line(p).startswith("error: unknown problem source 'no-such-source'")


# ---------------------------------------------------------------------------------------------
# LLM access


def without_keys() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}


def test_a_missing_api_key_stops_bench_before_any_work(tmp_path):
    run_dir = tmp_path / "run"
    p = subprocess.run([*CLI, "bench", "--arch", "single", "--model", "openai/gpt-4o-mini", "--problem-id",
                        "Twin Beacons", "--run-dir", str(run_dir)], capture_output=True, text=True,
                       env=without_keys(), timeout=300)
    assert one_error_line(p) == ("error: openai/gpt-4o-mini needs OPENAI_API_KEY in the environment "
                                 "(used by L1.generator[0])")
    assert not run_dir.exists() and "sandbox:" not in p.stderr


def test_a_missing_api_key_stops_solve_and_search(tmp_path):
    p = subprocess.run([*CLI, "solve", TWIN, "--arch", "single", "--model", "anthropic/claude-3-5-haiku-20241022"],
                       capture_output=True, text=True, env=without_keys(), timeout=300)
    assert one_error_line(p) == ("error: anthropic/claude-3-5-haiku-20241022 needs ANTHROPIC_API_KEY in the "
                                 "environment (used by L1.generator[0])")
    p = subprocess.run([*CLI, "search", "--space", "llm", "--study-dir", str(tmp_path / "study")],
                       capture_output=True, text=True, env=without_keys(), timeout=300)
    assert one_error_line(p).startswith("error: openai/gpt-4o-mini needs OPENAI_API_KEY in the environment (used by ")
    assert not (tmp_path / "study").exists()


def solve_llm(server, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return run_cli("solve", TWIN, "--arch", "single", "--model", "openai/fake-coder", "--api-base",
                   server.api_base, "--backend", "local", "--max-sandboxes", "1", "--no-cache", *args,
                   env={"OPENAI_API_KEY": "sk-test", **(env or {})}, timeout=300)


def test_the_timeout_option_and_its_environment_default(openai_server):
    openai_server.script = RoleScript({"generator": lambda body: Delay(60)})
    p = solve_llm(openai_server, "--timeout", "1", "--max-retries", "1")
    assert p.returncode == 1  # no program: the only call timed out
    assert "L1.generator[0]: openai/fake-coder: timeout after 2 attempts: no answer in time" in " ".join(p.stderr.split())
    assert len(openai_server.chat_requests) == 2

    p = solve_llm(openai_server, "--max-retries", "0", env={"ARCHON_CODE_LLM_TIMEOUT": "1"})
    assert p.returncode == 1 and "timeout after 1 attempt" in " ".join(p.stderr.split())

    assert one_error_line(solve_llm(openai_server, "--timeout", "0")) == \
        "error: --timeout must be above 0 seconds, not 0"
    assert one_error_line(solve_llm(openai_server, env={"ARCHON_CODE_LLM_TIMEOUT": "soon"})) == \
        "error: ARCHON_CODE_LLM_TIMEOUT='soon' is not a number of seconds"


def test_a_refused_connection_is_named_as_such(openai_server):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    api_base = f"http://127.0.0.1:{port}/v1"
    p = run_cli("solve", TWIN, "--arch", "single", "--model", "openai/fake-coder", "--api-base", api_base,
                "--backend", "local", "--max-sandboxes", "1", "--no-cache", "--max-retries", "0",
                env={"OPENAI_API_KEY": "sk-test"}, timeout=300)
    assert p.returncode == 1
    text = " ".join(p.stderr.split())
    assert f"openai/fake-coder: connection after 1 attempt: cannot connect to {api_base}: " in text
    assert "server_error" not in text and "HTTP 500" not in text
