"""The sandbox as the command line shows it: a daemon that cannot be reached (a socket that
accepts and never answers, or none), the status of pools and their owners, and prune, which
removes only containers whose owner process is gone."""

from __future__ import annotations

import json
import os
import socket
import threading
from pathlib import Path

import pytest

from sandbox.daemon import (
    HOST_LABEL,
    HOST_PID_LABEL,
    HOST_PID_START_LABEL,
    LABEL,
    POOL_LABEL,
    Owner,
    owner_labels,
)
from tests.cli import run_cli
from tests.conftest import require_docker


@pytest.fixture
def silent_socket(tmp_path):
    """A unix socket that accepts every connection and never sends a byte."""
    path = tmp_path / "docker.sock"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    server.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                return
            held.append(conn)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield path
    stop.set()
    server.close()
    for conn in held:
        conn.close()


def silent(path: Path) -> dict[str, str]:
    return {"DOCKER_HOST": f"unix://{path}", "ARCHON_CODE_DOCKER_PROBE_S": "1"}


def test_status_says_the_daemon_does_not_answer_not_that_the_image_is_missing(silent_socket):
    # The guard is generous: without a short probe this would take two minutes.
    p = run_cli("sandbox", "status", env={**silent(silent_socket), "COLUMNS": "300"}, timeout=60)
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    assert lines[0] == (f"docker daemon: unreachable: the Docker daemon at unix://{silent_socket} accepted the "
                        "connection but did not answer within 1 s (the local backend would be used)")
    assert lines[1].endswith(": unknown (the daemon is unreachable)")
    assert "missing" not in p.stdout


def test_status_without_a_socket(tmp_path):
    where = f"unix://{tmp_path / 'none.sock'}"
    p = run_cli("sandbox", "status", "--json", env={"DOCKER_HOST": where}, timeout=60)
    assert p.returncode == 0
    info = json.loads(p.stdout)
    assert info["daemon"] is False and info["image_present"] is None
    assert info["reason"] == f"no Docker daemon at {where} (no such socket)"


def test_bench_and_build_say_why_docker_is_unusable(silent_socket, tmp_path):
    p = run_cli("bench", "--backend", "docker", "--problem-id", "Twin Beacons", "--run-dir", str(tmp_path / "run"),
                env=silent(silent_socket), timeout=120)
    assert p.returncode == 2 and "Traceback" not in p.stderr
    reason = (f"the Docker daemon at unix://{silent_socket} accepted the connection but did not answer "
              "within 1 s")
    assert f"warning: {reason}" in p.stderr.splitlines()
    assert p.stderr.strip().splitlines()[-1] == ("error: no Docker daemon answers (is dockerd running? is "
                                                "DOCKER_HOST right?)")
    p = run_cli("sandbox", "build", env=silent(silent_socket), timeout=60)
    assert p.stderr.strip() == f"error: {reason} (start dockerd, or check DOCKER_HOST)" and p.returncode == 2


# ---------------------------------------------------------------------------------------------
# Owners


def test_this_process_owns_what_it_labels():
    labels = owner_labels()
    assert labels[HOST_PID_LABEL] == str(os.getpid()) and labels[HOST_LABEL] == socket.gethostname()
    assert Owner.from_labels(labels).state() == "alive"
    # The same pid started at another time is another process: a recycled pid.
    assert Owner.from_labels({**labels, HOST_PID_START_LABEL: "another-boot:1"}).state() == "gone"
    assert Owner.from_labels({**labels, HOST_LABEL: "some-other-host"}).state() == "elsewhere"
    assert Owner.from_labels({**labels, HOST_PID_LABEL: "999999999"}).state() == "gone"  # no such pid
    # Containers labelled before start times were recorded: the pid alone decides.
    assert Owner.from_labels({HOST_PID_LABEL: str(os.getpid())}).state() == "alive"


@pytest.fixture
def orphan():
    """A labelled container whose owner is this process's pid with another start time: the
    owner of a recycled pid, long gone."""
    require_docker()
    from sandbox.daemon import probe_docker
    from sandbox.image import ensure_image

    client = probe_docker().client
    image = ensure_image(client)
    pool = f"test-orphan-{os.getpid()}-{threading.get_ident()}"
    labels = {**owner_labels(), HOST_PID_START_LABEL: "another-boot:1", LABEL: "1", POOL_LABEL: pool}
    container = client.containers.run(image, ["sleep", "600"], detach=True, labels=labels, network_mode="none")
    yield pool, container.id
    try:
        client.api.remove_container(container.id, force=True)
    except Exception:
        pass


def test_prune_keeps_a_live_pools_containers_and_removes_an_orphans(docker_pool, orphan):
    import docker

    pool_id = docker_pool.pool.pool_id
    orphan_pool, orphan_id = orphan
    client = docker.from_env()
    mine = {c.id for c in client.containers.list(filters={"label": f"{POOL_LABEL}={pool_id}"})}
    assert mine

    status = run_cli("sandbox", "status", "--json")
    pools = {p["pool"]: p for p in json.loads(status.stdout)["pools"]}
    assert pools[pool_id]["owner"] == "alive" and pools[pool_id]["owner_pid"] == os.getpid()
    assert pools[orphan_pool]["owner"] == "gone"

    p = run_cli("sandbox", "prune", "--pool", pool_id, "--pool", orphan_pool)
    assert p.returncode == 0, p.stderr
    assert p.stdout.splitlines() == [
        "removed 1 container(s) whose owner is gone",
        f"kept {len(mine)} container(s) of pool {pool_id}: its owner pid {os.getpid()} on "
        f"{socket.gethostname()} is alive",
    ]
    assert {c.id for c in client.containers.list(filters={"label": f"{POOL_LABEL}={pool_id}"})} == mine
    assert not client.containers.list(all=True, filters={"id": orphan_id})
    # The pool still works.
    from sandbox.types import Program, TestCase

    assert docker_pool.run(Program("print(int(input()) + 1)"), [TestCase("1\n", "2\n")]).passed
