"""The ray backend on a real Ray cluster of several nodes on this host (Ray's own multi-node
test cluster): every worker node runs its own Docker pool. Results match the local Docker
pool; a node killed mid-run loses and duplicates nothing; the commands take --backend ray."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import time

import pytest

pytest.importorskip("ray")

from archon_code.rules import Rules
from harness.validate import problem_tests, solution_jobs
from problems import load_problems
from sandbox.ray_pool import RaySandboxPool
from sandbox.types import Limits, Program, TestCase, Verdict
from tests.cli import CLI, run_cli

# One cluster per test process: keep every test of this module on one xdist worker.
pytestmark = [pytest.mark.docker, pytest.mark.slow, pytest.mark.xdist_group("ray")]

NODE = {"num_cpus": 1, "object_store_memory": 80 << 20}


@pytest.fixture(scope="module")
def cluster(docker_pool):
    """A head with no CPUs (so no sandbox pool) and two worker nodes with one CPU each."""
    from ray.cluster_utils import Cluster

    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    with socket.socket() as s:  # a free port for the head's Ray Client server
        s.bind(("127.0.0.1", 0))
        client_port = s.getsockname()[1]
    c = Cluster(initialize_head=True,
                head_node_args={"num_cpus": 0, "object_store_memory": 80 << 20,
                                "include_dashboard": False,
                                "ray_client_server_port": client_port})
    c.client_address = f"ray://127.0.0.1:{client_port}"
    c.add_node(**NODE)
    c.add_node(**NODE)
    c.wait_for_nodes()
    yield c
    c.shutdown()


def compare(a, b, limits: Limits) -> int | None:
    """How many tests two runs of one program agree on (verdict and output), or None when
    they disagree. A test that used most of its CPU limit in either run is borderline: its
    verdict depends on how busy the machine was, so the comparison stops there (with
    max_failures, what follows depends on it too)."""
    if a.compile_verdict != b.compile_verdict:
        return None
    for i, (ta, tb) in enumerate(zip(a.tests, b.tests)):
        if max(ta.cpu_s, tb.cpu_s) > 0.6 * limits.time_s:
            return i
        if (ta.verdict, ta.output_hash) != (tb.verdict, tb.output_hash):
            return None
    if len(a.tests) != len(b.tests) or a.skipped != b.skipped:
        return None
    return len(a.tests)


def bundled_jobs():
    problems = load_problems("bundled")
    return [
        (f"{p.id}/{kind}/{i}", prog, problem_tests(p, Rules()), Rules().job(p).limits, p.io_files)
        for p, kind, i, prog in solution_jobs(problems)
    ]


async def run_jobs(pool, jobs):
    return await asyncio.gather(*(
        pool.run(prog, tests, limits, input_file=io[0], output_file=io[1], max_failures=1)
        for _, prog, tests, limits, io in jobs
    ))


async def test_results_match_the_local_docker_pool_on_bundled_problems(cluster, docker_pool):
    jobs = bundled_jobs()
    assert len(jobs) >= 50
    local = await asyncio.to_thread(docker_pool._call, run_jobs(docker_pool.pool, jobs))
    async with RaySandboxPool(cluster.address) as pool:
        assert len(pool.nodes) == 2 and pool.size == 2  # the head offers no CPUs
        assert {n.info["backend"] for n in pool.nodes.values()} == {"docker"}
        remote = await run_jobs(pool, jobs)
        stats = pool.stats
        used = {r.worker.split("/")[0] for r in remote}
        assert used == {n.name for n in pool.nodes.values()}  # both nodes took jobs
    assert stats.executed == stats.jobs == len(jobs)
    assert stats.requeued == 0 and stats.nodes_lost == 0
    agreed = {name: compare(a, b, limits)
              for (name, _, _, limits, _), a, b in zip(jobs, local, remote)}
    assert [name for name, n in agreed.items() if n is None] == []
    # Borderline tests are few: nearly every test that ran was compared.
    assert sum(agreed.values()) >= 0.9 * sum(len(r.tests) for r in local)
    # The comparison covers passing and failing programs alike.
    assert any(r.passed for r in remote) and any(not r.passed for r in remote)


async def test_identical_jobs_in_flight_run_once(cluster):
    program = Program("import time\nt=time.time()\nwhile time.time()-t<0.3: pass\nprint(int(input())*2)")
    tests = [TestCase("21\n", "42\n")]
    async with RaySandboxPool(cluster.address) as pool:
        results = await asyncio.gather(*(pool.run(program, tests) for _ in range(6)))
        assert [r.verdict for r in results] == [Verdict.OK] * 6
        assert pool.stats.jobs == 6 and pool.stats.executed == 1 and pool.stats.shared == 5
        # Separate results: changing one does not change another.
        results[0].tests[0].stdout = "changed"
        assert results[1].tests[0].stdout == "42\n"


async def test_a_large_test_set_goes_to_the_object_store_once(cluster):
    tests = [TestCase("7 " * 40_000 + "\n", "40000\n"), TestCase("1 2 3\n", "3\n")]
    programs = [Program(f"# {k}\nprint(len(input().split()))") for k in range(4)]
    async with RaySandboxPool(cluster.address) as pool:
        results = await asyncio.gather(*(pool.run(p, tests) for p in programs))
        assert all(r.passed for r in results)
        assert len(pool._test_refs) == 1  # one object for the four jobs
        small = await pool.run(programs[0], tests[1:])
        assert small.passed and len(pool._test_refs) == 1  # small sets travel inline


async def test_a_cancelled_job_frees_its_sandbox(cluster):
    async with RaySandboxPool(cluster.address) as pool:
        # Two different programs (identical ones would share one run), one per node.
        tasks = [asyncio.ensure_future(pool.run(Program(f"k = {k}\nwhile True: pass"),
                                                [TestCase("")], Limits(time_s=60)))
                 for k in range(2)]
        while sum(await asyncio.gather(*(n.actor.busy.remote() for n in pool.nodes.values()))) < 2:
            await asyncio.sleep(0.1)
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        assert all(t.cancelled() for t in tasks)
        # The nodes stop the spinning programs rather than run them for their full minute.
        deadline = time.monotonic() + 30
        while sum(await asyncio.gather(*(n.actor.busy.remote() for n in pool.nodes.values()))):
            assert time.monotonic() < deadline, "a cancelled job still holds its sandbox"
            await asyncio.sleep(0.2)
        results = await asyncio.gather(*(pool.run(Program("print(7)"), [TestCase("", "7\n")])
                                         for _ in range(4)))
        assert all(r.passed for r in results)
        assert all(n.running == 0 for n in pool.nodes.values())


async def test_a_node_killed_mid_run_loses_and_duplicates_nothing(cluster):
    doomed = cluster.add_node(**NODE)
    cluster.wait_for_nodes()
    doomed_id = doomed.node_id
    # Each job burns about a second of CPU over three tests and prints its own answer.
    program = Program("n=int(input())\ns=0\nfor i in range(n): s+=i\nprint(s)")
    jobs = [[TestCase(f"{n}\n", f"{n * (n - 1) // 2}\n") for n in (1_500_000 + k, 1_500_001 + k, 1_500_002 + k)]
            for k in range(18)]
    import docker

    client = docker.from_env()
    async with RaySandboxPool(cluster.address) as pool:
        assert doomed_id in pool.nodes and len(pool.nodes) == 3
        dead_pool = pool.nodes[doomed_id].info["pool_id"]
        tasks = [asyncio.ensure_future(pool.run(program, tests, Limits(time_s=10))) for tests in jobs]
        # Kill the node while it is running jobs of its own.
        for _ in range(600):
            if pool.nodes[doomed_id].running > 0:
                break
            await asyncio.sleep(0.05)
        assert pool.nodes[doomed_id].running > 0
        await asyncio.to_thread(cluster.remove_node, doomed, False)
        results = await asyncio.gather(*tasks)
        stats = pool.stats

        # Every job has exactly one result, and it is the right one: nothing lost to the
        # dead node, nothing reported as a failure, nothing counted twice.
        assert len(results) == len(jobs)
        for tests, r in zip(jobs, results):
            assert r.verdict is Verdict.OK, (r.worker, [t.detail for t in r.tests])
            assert [t.stdout for t in r.tests] == [t.output for t in tests]
        assert stats.jobs == stats.executed == len(jobs)
        assert stats.requeued >= 1
        # The jobs the node held ran again elsewhere; the rest ran once.
        retried = [r for r in results if r.attempts > 1]
        assert len(retried) >= 1
        assert all(doomed_id[:8] not in r.worker for r in retried)

    # The dead node's sandboxes went with it: its containers are removed.
    deadline = time.monotonic() + 60
    while client.containers.list(all=True, filters={"label": f"archon-code.pool={dead_pool}"}):
        assert time.monotonic() < deadline, "the dead node's containers are still there"
        await asyncio.sleep(1)


def test_bench_on_ray_gives_the_same_records_as_docker(cluster, tmp_path):
    procs = {}
    for backend, extra in (("docker", []), ("ray", ["--ray-address", cluster.address])):
        run_dir = tmp_path / backend
        argv = ["bench", "--problem-id", "Festival Lanterns", "--run-dir", str(run_dir),
                "--json", "--backend", backend, *extra]
        procs[backend] = (subprocess.Popen(
            [*CLI, *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True), run_dir)
    runs = {}
    for backend, (proc, run_dir) in procs.items():
        out, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err[-3000:]
        assert "Traceback" not in err
        assert ("sandbox: ray, 2 nodes, 2 sandboxes" in err) == (backend == "ray")
        runs[backend] = (json.loads(out), run_dir)
    keys = ("pass_at_1", "oracle", "random_pick", "public_filter_random", "problems")
    assert {k: runs["ray"][0][k] for k in keys} == {k: runs["docker"][0][k] for k in keys}

    def picks(run_dir):
        recs = [json.loads(x) for x in (run_dir / "records.jsonl").read_text().splitlines()]
        return {r["problem"]: (r["n"], r["c"], r["selected_source"]) for r in recs}

    assert picks(runs["ray"][1]) == picks(runs["docker"][1])


def test_validate_and_exec_take_the_ray_backend(cluster, tmp_path):
    p = run_cli("problems", "validate", "bundled", "--limit", "3", "--json",
                "--ray-address", cluster.address)
    assert p.returncode == 0, p.stderr[-3000:]
    report = json.loads(p.stdout)
    assert report["problems"] == 3 and report["solutions_run"] >= 12
    assert report["correct_failing"] == [] and report["incorrect_passing"] == []

    (tmp_path / "a.py").write_text("a, b = map(int, input().split())\nprint(a + b)\n")
    (tmp_path / "t.jsonl").write_text('{"input": "1 2\\n", "output": "3\\n"}\n'
                                      '{"input": "5 5\\n", "output": "11\\n"}\n')
    p = run_cli("exec", str(tmp_path / "a.py"), "--tests", str(tmp_path / "t.jsonl"), "--json",
                "--backend", "ray", "--ray-address", cluster.address)
    assert p.returncode == 1, p.stderr[-3000:]  # 1: a program failed a test
    record = json.loads(p.stdout)
    assert [t["verdict"] for t in record["tests"]] == ["OK", "WA"]


def test_a_driver_outside_the_cluster_connects_through_ray_client(cluster, tmp_path):
    # A Ray Client address (ray://) is how a machine that is not a Ray node drives the cluster.
    # The test set is large enough to travel through the object store.
    (tmp_path / "n.py").write_text("import sys\nprint(len(sys.stdin.read().split()))\n")
    (tmp_path / "t.jsonl").write_text(json.dumps({"input": "7 " * 40_000, "output": "40000"}) + "\n")
    p = run_cli("exec", str(tmp_path / "n.py"), "--tests", str(tmp_path / "t.jsonl"), "--json",
                "--ray-address", cluster.client_address)
    assert p.returncode == 0, p.stderr[-3000:]
    assert json.loads(p.stdout)["verdict"] == "OK"


def test_bad_ray_options_are_one_line_errors():
    p = run_cli("problems", "validate", "bundled", "--limit", "1", "--ray-address", "127.0.0.1:1")
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert "no Ray cluster answers at 127.0.0.1:1" in p.stderr
    p = run_cli("problems", "validate", "bundled", "--limit", "1", "--ray-address", "ray://127.0.0.1:1")
    assert p.returncode == 2 and "no Ray cluster answers at ray://127.0.0.1:1" in p.stderr
    p = run_cli("problems", "validate", "bundled", "--limit", "1", "--backend", "docker",
                "--ray-address", "127.0.0.1:1")
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert "--ray-address needs --backend ray" in p.stderr


async def test_nodes_that_cannot_start_a_pool_are_named_in_the_error(cluster):
    from sandbox.pool import SandboxUnavailable

    pool = RaySandboxPool(cluster.address, image="archon-code-sandbox:no-such-image")
    with pytest.raises(SandboxUnavailable) as e:
        await pool.start()
    message = str(e.value)
    assert message.startswith("no Ray node could start a sandbox pool")
    assert message.count("no-such-image") >= 2  # both worker nodes, each with its reason
    assert "Traceback" not in message
