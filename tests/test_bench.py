"""`archon-code bench` end to end: the offline architecture on bundled problems, an LLM
architecture against the local OpenAI-compatible server, resume after a kill, and errors
that stay in the denominator."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from archon_code.stored_solutions import reference_solutions
from tests.cli import CLI, run_cli
from problems import load_problems
from tests.openai_server import RateLimited, Reply, ServerError
from tests.scripted_roles import RoleScript, fenced

pytestmark = pytest.mark.docker

PROBLEMS = ["Twin Beacons", "Festival Lanterns", "Gondola Queue"]


def bench(*args: str, env: dict | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    return run_cli("bench", *args, env={"OPENAI_API_KEY": "sk-test", **(env or {})}, timeout=timeout)


def ids(*names: str) -> list[str]:
    out: list[str] = []
    for n in names:
        out += ["--problem-id", n]
    return out


def records(run_dir: Path) -> list[dict]:
    return [json.loads(x) for x in (run_dir / "records.jsonl").read_text().splitlines()]


def test_offline_bench_end_to_end_and_rerun_skips_done(tmp_path, docker_pool):
    run_dir = tmp_path / "run"
    p = bench(*ids(*PROBLEMS[:2]), "--run-dir", str(run_dir), "--json", "--max-sandboxes", "2")
    assert p.returncode == 0, p.stderr
    results = json.loads(p.stdout)
    for key in ("problems", "pass_at_1", "oracle", "random_pick", "public_filter_random",
                "pass_at_k", "cost_usd", "tokens", "wall_s", "errors"):
        assert key in results
    assert results["problems"] == 2 and results["errors"] == []
    # The pool holds the correct solutions, so the oracle is 1, and selection beats chance.
    assert results["oracle"] == 1.0
    assert results["pass_at_1"] >= results["random_pick"]
    assert 0 <= results["random_pick"] <= results["public_filter_random"] <= 1
    recs = records(run_dir)
    assert sorted(r["problem"] for r in recs) == sorted(PROBLEMS[:2])
    for r in recs:
        assert r["status"] == "ok" and r["n"] >= r["c"] >= 1 and r["selected_source"]
        assert any(c["hidden_ok"] for c in r["candidates"])
        assert r["trace"] and r["tied"]
    assert json.loads((run_dir / "results.json").read_text())["pass_at_1"] == results["pass_at_1"]
    again = bench(*ids(*PROBLEMS[:2]), "--run-dir", str(run_dir), "--json")
    assert again.returncode == 0
    assert "2 of 2 problems already done" in again.stderr
    assert len(records(run_dir)) == 2  # nothing run twice, nothing appended


def test_kill_mid_run_then_resume_loses_and_duplicates_nothing(tmp_path, docker_pool):
    run_dir = tmp_path / "run"
    argv = [*CLI, "bench", *ids(*PROBLEMS), "--run-dir", str(run_dir), "--max-sandboxes", "1"]
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.time() + 300
    path = run_dir / "records.jsonl"
    while time.time() < deadline and not (path.exists() and path.read_text().count("\n") >= 1):
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    first = records(run_dir)
    assert 1 <= len(first) < len(PROBLEMS)
    assert [r.get("error") for r in first if r["status"] != "ok"] == []
    p = bench(*ids(*PROBLEMS), "--run-dir", str(run_dir), "--json")
    assert p.returncode == 0, p.stderr
    recs = records(run_dir)
    assert sorted(r["problem"] for r in recs) == sorted(PROBLEMS)  # each exactly once
    assert recs[: len(first)] == first  # what was saved before the kill is kept as it was
    assert json.loads(p.stdout)["problems"] == len(PROBLEMS)


def test_llm_architecture_and_a_failing_provider_is_an_error(tmp_path, openai_server, docker_pool):
    good, bad = load_problems("bundled", problem_ids=PROBLEMS[:2])
    solution = reference_solutions(good, "python")[0]

    def script(request, call_index):
        text = request["messages"][-1]["content"]
        if bad.description[:200] in text:
            return ServerError(500)  # every call for this problem fails
        return [fenced(solution)] * int(request.get("n") or 1)

    openai_server.script = script
    run_dir = tmp_path / "run"
    p = bench("--arch", "single", *ids(good.id, bad.id), "--model", "openai/fake-coder",
              "--api-base", openai_server.api_base, "--max-retries", "1", "--no-cache",
              "--run-dir", str(run_dir), "--json")
    assert p.returncode == 0, p.stderr
    results = json.loads(p.stdout)
    assert results["problems"] == 2  # the failing problem stays in the denominator
    assert results["pass_at_1"] == 0.5
    assert [e["problem"] for e in results["errors"]] == [bad.id]
    assert "500" in results["errors"][0]["error"] or "server" in results["errors"][0]["error"]
    assert results["tokens"] > 0
    by = {r["problem"]: r for r in records(run_dir)}
    assert by[good.id]["selected_passed"] is True and by[good.id]["status"] == "ok"
    assert by[bad.id]["status"] == "error" and by[bad.id]["selected"] is None


def test_bad_input_is_a_clear_error(tmp_path):
    p = bench("--arch", "no-such-arch")
    assert p.returncode == 2 and "unknown architecture" in p.stderr and "Traceback" not in p.stderr
    p = bench("--problems", str(tmp_path / "missing.jsonl"))
    assert p.returncode == 2 and "missing.jsonl" in p.stderr and "Traceback" not in p.stderr
    p = bench("--hidden-tests", "everything")
    assert p.returncode == 2 and "--hidden-tests" in p.stderr


def test_component_faults_and_llm_retries_are_shown_not_hidden(tmp_path, openai_server, docker_pool):
    (problem,) = load_problems("bundled", problem_ids=PROBLEMS[:1])
    solution = fenced(reference_solutions(problem, "python")[0])
    arch = tmp_path / "gen-tests.yaml"
    arch.write_text("name: gen-tests\n"
                    "layers:\n"
                    "  - - {type: generator, model: openai/fake-coder, samples: 2}\n"
                    "  - - {type: unit_test_generator, model: openai/fake-coder}\n")
    calls = []

    def generator(body):
        calls.append(body.get("n"))
        if len(calls) == 1:
            return RateLimited(retry_after=2)
        if len(calls) == 2:  # one choice empty, the other cut at max_tokens
            return Reply(["", solution], finish_reason="length")
        return solution

    openai_server.script = RoleScript({"generator": generator,
                                       "unit_test_generator": lambda body: "these are not tests"})
    run_dir = tmp_path / "run"
    p = bench("--arch", str(arch), *ids(problem.id), "--api-base", openai_server.api_base, "--no-cache",
              "--run-dir", str(run_dir), "--max-sandboxes", "1",
              env={"ARCHON_CODE_PROGRESS_EVERY": "0.5", "COLUMNS": "250"})
    assert p.returncode == 0, p.stderr
    assert calls == [2, 2, None]  # the batch, its retry, then the empty sample alone
    # Not a terminal: plain progress lines, one of them during the rate limit's wait.
    assert "LLM retrying: openai/fake-coder rate_limit (attempt 1 of 5 failed, next in 2 s)" in p.stderr
    assert "gen-tests 1/1 · Pass@1 " in p.stderr and " · unknown · " in p.stderr and "ETA" in p.stderr

    results = json.loads((run_dir / "results.json").read_text())
    assert results["errors"] == []
    rows = {(r["component"], r["kind"]): r for r in results["component_errors"]}
    assert set(rows) == {("L2.unit_test_generator[0]", "error"), ("L1.generator[0]", "empty"),
                         ("L1.generator[0]", "truncated")}
    unit = rows[("L2.unit_test_generator[0]", "error")]
    assert unit["count"] == 1 and unit["problems"] == 1
    assert unit["example"].startswith("no readable unit tests in ")
    assert results["llm"]["empty"] == 1 and results["llm"]["truncated"] == 1 and results["llm"]["retries"] == 1
    assert results["llm"]["unpriced"] > 0
    table = {line.split("│")[1].strip(): line.split("│")[2].strip()
             for line in p.stdout.splitlines() if line.count("│") == 3}
    assert table["component errors"] == "3" and table["cost (USD)"] == "unknown"
    assert table["errors"] == "0"
    assert f"component L2.unit_test_generator[0]: error: 1 in 1 problem(s) ({unit['example']})" in p.stdout
