"""`archon-code exec`: the command-line contract other parts and checks rely on."""

from __future__ import annotations

import json

import pytest

from tests.cli import run_cli

pytestmark = pytest.mark.docker

# Wide enough that the table never wraps the explanation.
WIDE = {"COLUMNS": "250"}


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
    assert set(t) >= {"verdict", "checked", "time_s", "cpu_s", "memory_bytes", "exit_code", "stdout_head",
                      "stderr_head"}
    assert t["stdout_head"] == "3\n" and t["exit_code"] == 0 and t["checked"] is True
    ok = run_cli("exec", str(good), "--tests", str(tests), "--json")
    assert ok.returncode == 0


def test_a_wrong_answer_says_why_in_json_and_in_the_table(files, docker_pool):
    _, tests, _, bad = files
    p = run_cli("exec", str(bad), "--tests", str(tests), "--json")
    (row,) = [json.loads(line) for line in p.stdout.splitlines()]
    first = "first differing token at index 0: '3' vs '-1'"
    assert row["why"] == "test 1: " + first
    assert [t["why"] for t in row["tests"]] == [first, "first differing token at index 0: '6' vs '14'"]
    assert (row["passed"], row["failed"], row["not_checked"]) == (0, 2, 0)

    table = run_cli("exec", str(bad), "--tests", str(tests), env=WIDE)
    assert table.returncode == 1
    assert "WA" in table.stdout and "test 1: " + first in table.stdout
    assert "1 program(s): 0 passed, 1 failed" in table.stdout


def test_tests_without_output_are_not_checked(files, docker_pool):
    tmp, _, good, bad = files
    tests = tmp / "mixed.jsonl"
    tests.write_text(json.dumps({"input": "1 2\n", "output": "3\n"}) + "\n" + json.dumps({"input": "5 5\n"}) + "\n")

    p = run_cli("exec", str(good), "--tests", str(tests), "--json")
    (row,) = [json.loads(line) for line in p.stdout.splitlines()]
    assert p.returncode == 0, p.stderr  # a run with nothing to compare is not a failure
    assert [t["verdict"] for t in row["tests"]] == ["OK", "not checked"]
    assert [t["checked"] for t in row["tests"]] == [True, False]
    assert (row["verdict"], row["passed"], row["failed"], row["not_checked"]) == ("OK", 1, 0, 1)

    table = run_cli("exec", str(good), "--tests", str(tests), env=WIDE)
    assert table.returncode == 0
    assert "1/1" in table.stdout  # passed out of the tests that have an expected output
    assert "1 program(s): 1 passed, 0 failed; 1 test run(s) not checked (no expected output)" in table.stdout

    only_inputs = tmp / "inputs.jsonl"
    only_inputs.write_text(json.dumps({"input": "5 5\n"}) + "\n" + json.dumps({"input": "1 1\n", "output": None}) + "\n")
    p = run_cli("exec", str(good), "--tests", str(only_inputs), "--json")
    (row,) = [json.loads(line) for line in p.stdout.splitlines()]
    assert p.returncode == 0
    assert row["verdict"] == "not checked" and row["passed"] == 0 and row["not_checked"] == 2  # not a pass either
    table = run_cli("exec", str(good), "--tests", str(only_inputs), env=WIDE)
    assert "1 program(s): 0 passed, 0 failed; 2 test run(s) not checked" in table.stdout


def test_a_crash_on_an_unchecked_test_is_still_a_failure(files, docker_pool):
    tmp, _, _, _ = files
    tests = tmp / "inputs.jsonl"
    tests.write_text(json.dumps({"input": "1\n", "output": "1\n"}) + "\n" + json.dumps({"input": "0\n"}) + "\n")
    crash = tmp / "crash.py"
    crash.write_text("n = int(input())\nprint(1 // n)\n")

    p = run_cli("exec", str(crash), "--tests", str(tests), "--json")
    (row,) = [json.loads(line) for line in p.stdout.splitlines()]
    assert p.returncode == 1
    assert row["verdict"] == "RE" and [t["verdict"] for t in row["tests"]] == ["OK", "RE"]
    assert row["why"].startswith("test 2: ")


def test_file_io_problems(files, docker_pool):
    tmp, tests, _, _ = files
    prog = tmp / "fileio.py"
    prog.write_text(
        "a, b = map(int, open('input.txt').read().split())\n"
        "open('output.txt', 'w').write(f'{a + b}\\n')\n"
    )
    p = run_cli("exec", str(prog), "--tests", str(tests), "--input-file", "input.txt",
                "--output-file", "output.txt", "--json")
    assert p.returncode == 0, p.stdout + p.stderr
    (row,) = [json.loads(line) for line in p.stdout.splitlines()]
    assert [t["verdict"] for t in row["tests"]] == ["OK", "OK"]
    # Without the options the program finds no input file.
    p = run_cli("exec", str(prog), "--tests", str(tests), "--json")
    assert p.returncode == 1 and json.loads(p.stdout)["verdict"] == "RE"


def test_checker_choices(files, docker_pool):
    tmp, _, _, _ = files
    tests = tmp / "float.jsonl"
    tests.write_text(json.dumps({"input": "", "output": "9007199254740993\n"}) + "\n")
    prog = tmp / "float.py"
    prog.write_text("print(float(9007199254740993))\n")  # 9007199254740992.0

    verdicts = {}
    for checker in ("codecontests", "codecontests-strict", "exact"):
        p = run_cli("exec", str(prog), "--tests", str(tests), "--checker", checker, "--json")
        verdicts[checker] = json.loads(p.stdout)["verdict"]
    assert verdicts == {"codecontests": "OK", "codecontests-strict": "WA", "exact": "WA"}

    p = run_cli("exec", str(prog), "--tests", str(tests), "--checker", "strict")
    assert p.returncode == 2 and "Traceback" not in p.stderr
    for name in ("codecontests", "codecontests-strict", "exact"):
        assert name in p.stderr


def test_table_output_without_json(files, docker_pool):
    _, tests, good, _ = files
    p = run_cli("exec", str(good), "--tests", str(tests), "--time-limit", "1", "--checker", "exact")
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
