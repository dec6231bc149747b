"""The pool against a real Docker daemon: judging, file I/O problems, replacement of a broken
container, and no container left behind however the host process ends."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from sandbox.daemon import docker_client
from sandbox.pool import SandboxPool
from sandbox.types import Limits, Program, TestCase, Verdict
from sandbox.daemon import POOL_LABEL
from tests.conftest import BlockingPool, require_docker

pytestmark = pytest.mark.docker

ADD_PY = "a, b = map(int, input().split())\nprint(a + b)\n"
ADD_CPP = textwrap.dedent(
    """
    #include <iostream>
    int main() { long long a, b; std::cin >> a >> b; std::cout << a + b << "\\n"; }
    """
)
TESTS = [TestCase("1 2\n", "3\n"), TestCase("-5 5\n", "0"), TestCase("4000000000 1\n", "4000000001\n")]


def pool_containers(pool_id: str) -> list:
    client = docker_client()
    return client.containers.list(all=True, filters={"label": f"{POOL_LABEL}={pool_id}"})


@pytest.mark.parametrize("source,language", [(ADD_PY, "python"), (ADD_CPP, "cpp")])
def test_correct_program_passes_every_test(docker_pool, source, language):
    result = docker_pool.run(Program(source, language), TESTS)
    assert result.verdict is Verdict.OK, result.to_dict()
    assert [t.stdout.split() for t in result.tests] == [["3"], ["0"], ["4000000001"]]
    assert all(0 < t.cpu_s < 1 for t in result.tests)


def test_wrong_answer_and_first_bad_verdict(docker_pool):
    result = docker_pool.run(Program("print(3)"), TESTS)
    assert [t.verdict for t in result.tests] == [Verdict.OK, Verdict.WA, Verdict.WA]
    assert result.verdict is Verdict.WA


def test_expected_output_none_only_runs(docker_pool):
    result = docker_pool.run(Program("print(input()[::-1])"), [TestCase("abc\n", None)])
    assert result.verdict is Verdict.OK
    assert result.tests[0].stdout == "cba\n"


def test_exact_checker_is_stricter(docker_pool):
    prog = Program("print('YES  1')")
    loose = docker_pool.run(prog, [TestCase("", "yes 1\n")])
    exact = docker_pool.run(prog, [TestCase("", "yes 1\n")], checker="exact")
    assert loose.verdict is Verdict.OK and exact.verdict is Verdict.WA


def test_compile_error_is_ce_with_compiler_output(docker_pool):
    result = docker_pool.run(Program("int main() { return x; }", "cpp"), TESTS)
    assert result.verdict is Verdict.CE
    assert "x" in result.compile_output and "error" in result.compile_output
    assert result.tests == []


def test_python_syntax_error_is_ce(docker_pool):
    result = docker_pool.run(Program("print(1"), TESTS)
    assert result.verdict is Verdict.CE
    assert "SyntaxError" in result.compile_output


def test_python_sources_are_syntax_checked_once_per_pool(docker_pool):
    src = f"a, b = map(int, input().split())\nprint(a + b)  # checked once {os.getpid()} {time.time()}\n"
    first = docker_pool.run(Program(src), TESTS)
    assert first.verdict is Verdict.OK and first.compile_s > 0
    again = docker_pool.run(Program(src), TESTS)
    assert again.verdict is Verdict.OK and again.compile_s == 0
    assert [t.stdout for t in again.tests] == [t.stdout for t in first.tests]
    bad = f"print(1  # {time.time()}\n"  # a failed check is never remembered
    assert [docker_pool.run(Program(bad), TESTS).verdict for _ in range(2)] == [Verdict.CE, Verdict.CE]


def test_input_and_output_files(docker_pool):
    prog = Program(
        "a, b = map(int, open('input.txt').read().split())\n"
        "open('output.txt', 'w').write(str(a * b))\n"
    )
    result = docker_pool.run(
        prog, [TestCase("6 7\n", "42\n")], input_file="input.txt", output_file="output.txt"
    )
    assert result.verdict is Verdict.OK, result.to_dict()
    # Nothing on stdout, and without output_file the same program is judged on stdout: WA.
    assert docker_pool.run(prog, [TestCase("6 7\n", "42\n")], input_file="input.txt").verdict is Verdict.WA


def test_python_semantics_match_a_fresh_interpreter(docker_pool):
    """The fork server runs programs in a preloaded interpreter; what a program can observe
    must be what `python3 main.py` gives it."""
    prog = Program(
        textwrap.dedent(
            """
            import sys, atexit, io
            assert __name__ == "__main__"
            assert sys.argv[0].endswith("main.py")
            buf = io.StringIO()
            sys.stdout = buf
            atexit.register(lambda: sys.__stdout__.write(buf.getvalue()))
            print(sum(map(int, sys.stdin.read().split())))
            """
        )
    )
    assert docker_pool.run(prog, [TestCase("1 2 3\n", "6\n")]).verdict is Verdict.OK
    closes = Program("import sys\nwith sys.stdout as f:\n    print('ok', file=f)\n")
    assert docker_pool.run(closes, [TestCase("", "ok\n")]).verdict is Verdict.OK
    exits = Program("import sys\nprint('partial')\nsys.exit(3)\n")
    r = docker_pool.run(exits, [TestCase("", "partial\n")])
    assert r.verdict is Verdict.RE and r.tests[0].exit_code == 3


def test_broken_container_is_replaced_and_job_retried():
    async def scenario():
        async with SandboxPool("docker", size=1) as pool:
            worker = pool._idle._queue[0]
            # Kill the container from outside while it runs a job.
            job = asyncio.create_task(
                pool.run(Program("import time\nt=time.time()\nwhile time.time()-t<1.5: pass\nprint(1)"),
                         [TestCase("", "1\n")], Limits(time_s=3))
            )
            await asyncio.sleep(0.5)
            await asyncio.to_thread(docker_client().api.kill, worker.container_id)
            result = await job
            return result, pool.replaced, pool.pool_id

    result, replaced, pool_id = asyncio.run(scenario())
    assert replaced == 1
    assert result.verdict is Verdict.OK and result.attempts == 2
    assert pool_containers(pool_id) == []


SCRIPT = """
import asyncio, sys
from sandbox.pool import SandboxPool
from sandbox.types import Program, TestCase
async def main():
    pool = SandboxPool("docker", size=2)
    await pool.start()
    print(pool.pool_id, flush=True)
    await pool.run(Program("while True: pass"), [TestCase("", None)])
asyncio.run(main())
"""


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL])
def test_no_container_left_when_the_host_process_dies(sig):
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT], stdout=subprocess.PIPE, text=True)
    pool_id = proc.stdout.readline().strip()
    assert len(pool_id) == 16
    assert len(pool_containers(pool_id)) == 3  # two plus the warm spare
    time.sleep(0.3)
    os.kill(proc.pid, sig)
    proc.wait(60)
    # SIGINT: the pool closes itself. SIGKILL: the attached stdin closes, the supervisor
    # sees EOF and exits, and Docker removes the container (auto-remove). On a machine with
    # every core busy that can take a while: the bound only catches "never".
    deadline = time.time() + 180
    while pool_containers(pool_id) and time.time() < deadline:
        time.sleep(0.5)
    assert pool_containers(pool_id) == []


def test_local_backend_judges_the_same(local_pool):
    for source, language in ((ADD_PY, "python"), (ADD_CPP, "cpp")):
        assert local_pool.run(Program(source, language), TESTS).verdict is Verdict.OK
    assert local_pool.run(Program("print(3)"), TESTS).verdict is Verdict.WA


def test_memory_limit_must_fit_the_container(docker_pool):
    with pytest.raises(ValueError, match="does not fit"):
        docker_pool.run(Program("print(1)"), TESTS, Limits(memory_mb=100_000))


def test_results_are_plain_serialisable_data(docker_pool):
    result = docker_pool.run(Program(ADD_PY), TESTS)
    again = json.loads(json.dumps(result.to_dict(full_stdout=True)))
    assert again["verdict"] == "OK" and again["tests"][0]["stdout"] == "3\n"


def test_max_failures_stops_a_failing_job_early(docker_pool):
    spin = Program("while True: pass")
    result = docker_pool.run(spin, [TestCase("", "1")] * 5, Limits(time_s=0.3), max_failures=1)
    assert result.verdict is Verdict.TLE
    assert len(result.tests) == 1 and result.skipped == 4
    # With an expected output for every test, a wrong answer is a failed test too.
    wrong = docker_pool.run(Program("print(2)"), [TestCase("", "1")] * 3, max_failures=1)
    assert [t.verdict for t in wrong.tests] == [Verdict.WA] and wrong.skipped == 2
    second = docker_pool.run(Program("print(input())"), [TestCase(f"{i}\n", "1\n") for i in (1, 2, 1)],
                             max_failures=1)
    assert [t.verdict for t in second.tests] == [Verdict.OK, Verdict.WA] and second.skipped == 1
    # Without expected outputs nothing is judged in the sandbox: every test runs.
    blind = docker_pool.run(Program("print(2)"), [TestCase("", None)] * 3, max_failures=1)
    assert [t.verdict for t in blind.tests] == [Verdict.OK] * 3 and blind.skipped == 0


def test_spinning_program_is_killed_at_its_cpu_limit(busy_cores, docker_pool):
    # RLIMIT_CPU counts whole seconds; the supervisor kills as soon as the limit passes.
    result = docker_pool.run(Program("while True: pass"), [TestCase("", None)], Limits(time_s=0.4))
    t = result.tests[0]
    assert t.verdict is Verdict.TLE
    assert 0.4 < t.cpu_s < 0.9, t.cpu_s


def test_cpp_program_compiles_once_per_pool(docker_pool):
    src = ADD_CPP + f"\n// compiled once {os.getpid()} {time.time()}\n"
    first = docker_pool.run(Program(src, "cpp"), TESTS)
    assert not first.compile_cached and first.compile_s > 0
    again = [docker_pool.run(Program(src, "cpp"), TESTS) for _ in range(3)]
    assert all(r.verdict is Verdict.OK for r in [first, *again])
    assert all(r.compile_cached and r.compile_s == 0 for r in again)
    assert [t.stdout for t in again[-1].tests] == [t.stdout for t in first.tests]


def test_builds_survive_the_pool_in_a_build_cache_directory(tmp_path):
    """A second pool on the same build-cache directory runs a program the first one compiled
    without compiling it; a damaged entry is built again, never sent as it is."""
    require_docker()
    src = ADD_CPP + f"\n// cached on disk {os.getpid()} {time.time()}\n"
    with BlockingPool(SandboxPool("docker", size=1, spare=False, build_cache=tmp_path)) as a:
        first = a.run(Program(src, "cpp"), TESTS)
    assert first.verdict is Verdict.OK and not first.compile_cached
    (entry,) = tmp_path.glob("*/*.bin")
    with BlockingPool(SandboxPool("docker", size=1, spare=False, build_cache=tmp_path)) as b:
        second = b.run(Program(src, "cpp"), TESTS)
        assert second.verdict is Verdict.OK and second.compile_cached
        assert [t.stdout for t in second.tests] == [t.stdout for t in first.tests]
        assert b.pool.stats.builds == 0 and b.pool.stats.builds_cached == 1
    entry.write_bytes(b"\x7fELF damaged")
    with BlockingPool(SandboxPool("docker", size=1, spare=False, build_cache=tmp_path)) as c:
        third = c.run(Program(src, "cpp"), TESTS)
        assert third.verdict is Verdict.OK and not third.compile_cached


def test_wall_backstop_spares_a_computing_program_but_not_a_sleeping_one(busy_cores, docker_pool):
    """A busy machine (every core taken) stretches wall time far past the backstop; TLE is
    about CPU time, so a program still computing runs on until its CPU limit; one that sleeps
    is killed at the backstop."""
    limits = Limits(time_s=3, wall_s=0.4)
    busy = Program("import time\nt = time.process_time()\nwhile time.process_time() - t < 0.8: pass\nprint(1)")
    r = docker_pool.run(busy, [TestCase("", "1\n")], limits)
    assert r.verdict is Verdict.OK, r.to_dict()
    sleeper = docker_pool.run(Program("import time\ntime.sleep(30)"), [TestCase("", "1\n")], limits)
    assert sleeper.verdict is Verdict.TLE and sleeper.tests[0].time_s < 2.5
    assert "backstop" in sleeper.tests[0].detail
