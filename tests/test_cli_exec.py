"""`archon-code exec`: the command-line contract other parts and checks rely on."""

from __future__ import annotations

import json

import pytest

from tests.cli import run_cli

pytestmark = pytest.mark.docker


@pytest.fixture
def files(tmp_path):
    tests = tmp_path / "tests.jsonl"
    tests.write_text(
        json.dumps({"input": "1 2\n", "output": "3\n"}) + "\n"
        + json.dumps({"input": "10 -4\n", "output": "6"}) + "\n"
    )
    good = tmp_path / "good.py"
    good.write_text("a, b = map(int, input().split())\nprint(a + b)\n")
    bad = tmp_path / "bad.cpp"
    bad.write_text("#include <cstdio>\nint main(){int a,b;scanf(\"%d %d\",&a,&b);printf(\"%d\\n\",a-b);}\n")
    return tmp_path, tests, good, bad


def test_json_lines_in_order_and_exit_status(files, docker_pool):
    _, tests, good, bad = files
    p = run_cli("exec", str(good), str(bad), "--tests", str(tests), "--json", "--max-sandboxes", "1")
    assert p.returncode == 1, p.stderr
    rows = [json.loads(line) for line in p.stdout.splitlines()]
    assert [r["program"] for r in rows] == [str(good), str(bad)]
    assert [r["verdict"] for r in rows] == ["OK", "WA"]
    t = rows[0]["tests"][0]
    assert set(t) >= {"verdict", "time_s", "cpu_s", "memory_bytes", "exit_code", "stdout_head", "stderr_head"}
    assert t["stdout_head"] == "3\n" and t["exit_code"] == 0
    ok = run_cli("exec", str(good), "--tests", str(tests), "--json")
    assert ok.returncode == 0


def test_table_output_without_json(files, docker_pool):
    _, tests, good, _ = files
    p = run_cli("exec", str(good), "--tests", str(tests), "--time-limit", "1", "--checker", "strict")
    assert p.returncode == 0
    assert "OK" in p.stdout and "2/2" in p.stdout


@pytest.mark.parametrize(
    "line,needle",
    [
        ('{"input": 3}', "tests.jsonl:2: input"),
        ('{"input": "x", "outptu": "y"}', "tests.jsonl:2: outptu"),
        ("not json", "tests.jsonl:2"),
    ],
)
def test_bad_tests_file_is_a_clear_error(files, line, needle):
    tmp, tests, good, _ = files
    tests.write_text(json.dumps({"input": "1 2\n", "output": "3"}) + "\n" + line + "\n")
    p = run_cli("exec", str(good), "--tests", str(tests))
    assert p.returncode == 2
    assert needle in p.stderr
    assert "Traceback" not in p.stderr


def test_missing_program_is_a_clear_error(files):
    tmp, tests, _, _ = files
    p = run_cli("exec", str(tmp / "nope.py"), "--tests", str(tests))
    assert p.returncode == 2 and "nope.py" in p.stderr and "Traceback" not in p.stderr
