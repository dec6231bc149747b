"""The preloaded path against a fresh `python3 main.py`, program by program.

On the host (no Docker): a fork server like the supervisor's (tests/pyrun_host.py) runs each
program through pyrun.prepare() + pyrun.run() in a forked child; the same program also runs as
a plain `subprocess.run([sys.executable, path])` with the same environment and stdin. Exit
status (or signal), stdout and stderr (object addresses aside) must be equal.

In Docker: every known-correct solution of the dev problems, every bundled Python solution
(correct and incorrect) and the corpus run through a preloading pool and a pool that starts
a fresh interpreter per test; verdict, exit code, signal and stdout must be equal (for a
test both sides ran out of time on, the verdict: the sandbox stopped it, and which signal
got there first is a race).

Programs marked `# output: varies` (string hash order, the random module) differ from run to
run in a fresh interpreter; for them the claim is that they vary in both modes: each runs
twice per mode and both modes give two different outputs.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.pyrun_support import SUPERVISOR_ENV, CorpusProgram, PyrunHost, corpus, run_fresh
from archon_code.stored_solutions import reference_solutions

CORPUS = corpus()


@pytest.fixture(scope="module")
def host(tmp_path_factory):
    home = tmp_path_factory.mktemp("pyrun-home")
    env = dict(SUPERVISOR_ENV, HOME=str(home), TMPDIR=str(home))
    server = PyrunHost(env, str(home))
    yield server
    server.close()


def test_the_corpus_covers_both_paths():
    assert len(CORPUS) >= 25
    assert all(p.exercises for p in CORPUS), [p.name for p in CORPUS if not p.exercises]
    assert sum(p.in_process for p in CORPUS) >= 20
    assert any(not p.in_process for p in CORPUS)


@pytest.mark.parametrize("program", CORPUS, ids=lambda p: p.name)
def test_host_corpus_program_takes_its_declared_path(host, program: CorpusProgram):
    reason = host.reason(program.path)
    assert (reason is None) == program.in_process, reason


@pytest.mark.parametrize("program", [p for p in CORPUS if not p.varies], ids=lambda p: p.name)
def test_host_corpus_program_behaves_as_a_fresh_interpreter(host, program: CorpusProgram):
    for data in program.inputs:
        preloaded = host.run(program.path, data)
        fresh = run_fresh(program.path, data, host.env, host.cwd)
        assert preloaded.comparable() == fresh.comparable(), f"stdin {data!r}"


@pytest.mark.parametrize("program", [p for p in CORPUS if p.varies], ids=lambda p: p.name)
def test_host_output_varies_in_both_modes_when_it_varies_fresh(host, program: CorpusProgram):
    data = program.inputs[0]
    fresh = {run_fresh(program.path, data, host.env, host.cwd).stdout for _ in range(2)}
    preloaded = {host.run(program.path, data).stdout for _ in range(2)}
    assert len(fresh) == 2 and len(preloaded) == 2


def test_host_dev_solutions_behave_as_in_a_fresh_interpreter(host, codecontests_dev, tmp_path):
    from problems import load_problems

    in_process = 0
    for i, problem in enumerate(load_problems(str(codecontests_dev))):
        path = tmp_path / f"sol{i}.py"
        path.write_text(reference_solutions(problem, "python")[0])
        in_process += host.reason(path) is None
        for test in problem.public()[:2]:
            data = test.input.encode()
            preloaded = host.run(path, data)
            fresh = run_fresh(path, data, host.env, host.cwd)
            assert preloaded.comparable() == fresh.comparable(), problem.name
            assert preloaded.status == 0 and preloaded.stdout, problem.name
    # Most contest programs cannot tell a fork from a fresh start: they run in-process.
    assert in_process >= 60


# ---------------------------------------------------------------- Docker


def _jobs(codecontests_dev) -> list[tuple[str, str, object, list, object]]:
    """(kind, label, program, tests, limits), kind one of dev, bundled, corpus. Time limits
    are generous: the comparison is about behaviour, and a busy machine must not turn one
    side's run into a TLE."""
    from problems import load_problems
    from sandbox.types import Limits, Program, TestCase

    def limits(p, correct: bool = True) -> Limits:
        # Incorrect solutions that run out of time do so by far (a loop that never ends):
        # their own limit keeps that cheap.
        time_s = max(3 * p.time_limit_s, 10.0) if correct else p.time_limit_s
        return Limits(time_s=time_s, memory_mb=p.memory_limit_mb)

    jobs = []
    for p in load_problems(str(codecontests_dev)):
        tests = [TestCase(t.input, t.output) for t in p.public() + p.hidden()[:1]]
        jobs.append(("dev", p.name, Program(reference_solutions(p, "python")[0]), tests,
                     limits(p)))
    for p in load_problems("bundled"):
        tests = [TestCase(t.input, t.output) for t in p.public() + p.hidden()[:2]]
        sources = [(True, s) for s in reference_solutions(p, "python")] + [
            (False, s)
            for lang, s in zip(p.incorrect_solutions.language, p.incorrect_solutions.solution)
            if lang == 3
        ]
        for k, (correct, src) in enumerate(sources):
            jobs.append(("bundled", f"{p.name} #{k}", Program(src), tests,
                         limits(p, correct)))
    for prog in CORPUS:
        runs = prog.inputs * (2 if prog.varies else 1)
        # The pool takes text: stdin that is not UTF-8 is left to the host comparison.
        tests = [TestCase(data.decode(), None) for data in runs if _is_utf8(data)]
        if not tests:
            continue
        jobs.append(("corpus", prog.name, Program(prog.path.read_text()), tests,
                     Limits(time_s=10)))
    return jobs


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode()
    except UnicodeDecodeError:
        return False
    return True


@pytest.fixture(scope="module")
def docker_pools():
    from sandbox.pool import SandboxPool
    from tests.conftest import BlockingPool, require_docker

    require_docker()
    with ThreadPoolExecutor(2) as ex:
        pre, fresh = ex.map(lambda preload: BlockingPool(SandboxPool("docker", size=2,
                                                                     preload=preload)),
                            (True, False))
    yield pre, fresh
    pre.close()
    fresh.close()


@pytest.mark.docker
def test_docker_preloaded_pool_behaves_as_fresh_interpreters(docker_pools, codecontests_dev):
    pre, fresh = docker_pools
    jobs = _jobs(codecontests_dev)
    triples = [(program, tests, limits) for _, _, program, tests, limits in jobs]
    with ThreadPoolExecutor(2) as ex:
        a, b = ex.map(lambda pool: pool.run_many(triples), (pre, fresh))
    varies = {p.name for p in CORPUS if p.varies}
    checked = 0
    for (kind, label, *_), ra, rb in zip(jobs, a, b):
        assert len(ra.tests) == len(rb.tests), label
        if label in varies:
            for r in (ra, rb):
                half = len(r.tests) // 2
                outs = [t.stdout for t in r.tests]
                assert all(x != y for x, y in zip(outs[:half], outs[half:])), label
            continue
        for i, (x, y) in enumerate(zip(ra.tests, rb.tests)):
            if x.verdict == y.verdict == "TLE":
                # Stopped by the sandbox: how (SIGXCPU or SIGKILL) and when is a race.
                continue
            assert (x.verdict, x.exit_code, x.signal, x.stdout) == \
                   (y.verdict, y.exit_code, y.signal, y.stdout), f"{label} test {i}"
            checked += 1
    assert checked > 250
    # Every correct dev solution passed: the comparison was not between two broken runs.
    dev = [r for (kind, *_), r in zip(jobs, a) if kind == "dev"]
    assert len(dev) == 80
    assert all(t.verdict == "OK" for r in dev for t in r.tests)


@pytest.mark.docker
def test_docker_image_runs_contest_programs_in_process(docker_pools, codecontests_dev, tmp_path):
    """The comparison above would pass if every test fell back to a fresh interpreter:
    ask pyrun inside the image which path each program takes."""
    from problems import load_problems
    from sandbox.daemon import docker_client

    image = docker_pools[0].pool.image  # the image the pools above run
    src = tmp_path / "src"
    src.mkdir()
    expected = {}
    for i, p in enumerate(load_problems(str(codecontests_dev))):
        (src / f"dev{i}.py").write_text(reference_solutions(p, "python")[0])
    for prog in CORPUS:
        (src / prog.name).write_text(prog.path.read_text())
        expected[prog.name] = prog.in_process
    script = (
        "import json, os, resource, sys; sys.path.insert(0, '/opt/archon'); import pyrun;"
        "pyrun.warm();"
        # the stack limit the supervisor gives a test with the default memory limit
        "resource.setrlimit(resource.RLIMIT_STACK, (256 << 20, resource.RLIM_INFINITY));"
        f"env = {SUPERVISOR_ENV!r};"
        "print(json.dumps({n: pyrun.fresh_reason('/src/' + n, env) for n in os.listdir('/src')}))"
    )
    out = docker_client().containers.run(
        image, ["python3", "-c", script], remove=True, network_disabled=True,
        volumes={str(src): {"bind": "/src", "mode": "ro"}},
    )
    reasons = json.loads(out.decode().strip().splitlines()[-1])
    for name, in_process in expected.items():
        assert (reasons[name] is None) == in_process, (name, reasons[name])
    dev_in_process = sum(reasons[f"dev{i}.py"] is None for i in range(80))
    assert dev_in_process >= 60, {n: r for n, r in reasons.items() if r}
