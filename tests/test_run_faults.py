"""A run directory that fails under `bench` and `search`: read-only, under a file, a corrupt
run.json, a full disk (a real small tmpfs), another process working in it. Each is one line
naming the path, exit status 2, no traceback, and what was saved before is kept."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
from pathlib import Path

import pytest

from archon_code.stored_solutions import reference_solutions
from harness.dirlock import DirLock
from harness.runstore import RunStore, RunStoreError
from tests.cli import CLI, run_cli
from tests.conftest import require_docker
from tests.scripted_roles import RoleScript, fenced

PROBLEM = "Twin Beacons"
OTHER = "Festival Lanterns"


def one_error_line(p: subprocess.CompletedProcess) -> str:
    assert p.returncode == 2, p.stderr
    assert "Traceback" not in p.stderr
    errors = [line for line in p.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, p.stderr
    return errors[0]


@pytest.fixture
def small_fs(tmp_path):
    """A real 64 KiB tmpfs of our own, unmounted afterwards."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mount = tmp_path / "small"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k,mode=755", "tmpfs", str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(mount: Path) -> None:
    """Take every page the file system has left."""
    with open(mount / "filler", "wb", buffering=0) as f:
        try:
            while f.write(b"\0" * 4096):
                pass
        except OSError:
            pass


def remount(mount: Path, options: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{options}", str(mount)], check=True)


# ---------------------------------------------------------------------------------------------
# Before any work: the run dir itself


def test_a_read_only_folder_is_one_line_before_the_pool_starts(small_fs):
    remount(small_fs, "ro")
    run_dir = small_fs / "run"
    p = run_cli("bench", "--problem-id", PROBLEM, "--run-dir", str(run_dir))
    assert one_error_line(p) == f"error: {run_dir}: cannot create the run dir (Read-only file system)"
    assert "sandbox:" not in p.stderr


def test_a_parent_that_is_a_file_is_one_line(tmp_path):
    (tmp_path / "plain").write_text("not a folder")
    run_dir = tmp_path / "plain" / "run"
    p = run_cli("bench", "--problem-id", PROBLEM, "--run-dir", str(run_dir))
    assert one_error_line(p) == f"error: {run_dir}: cannot create the run dir (Not a directory)"


def test_a_corrupt_run_json_is_one_line_and_stays_as_it_was(tmp_path):
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / "run.json").write_text('{"config_hash": "abc", ')
    p = run_cli("bench", "--problem-id", PROBLEM, "--run-dir", str(run_dir))
    line = one_error_line(p)
    assert line.startswith(f"error: {run_dir / 'run.json'}: not valid JSON (line 1: ")
    assert line.endswith("move it away or choose another --run-dir")
    assert (run_dir / "run.json").read_text() == '{"config_hash": "abc", '


def test_a_second_bench_on_the_same_run_dir_names_the_holder(tmp_path):
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    lock = DirLock(run_dir)
    lock.acquire()
    try:
        holder = lock.holder()
        p = run_cli("bench", "--problem-id", PROBLEM, "--run-dir", str(run_dir))
    finally:
        lock.release()
    assert holder.pid == os.getpid() and holder.host == socket.gethostname()
    assert one_error_line(p) == (
        f"error: {run_dir} is in use by pid {os.getpid()} on {socket.gethostname()} since {holder.since}; "
        "wait for it with --wait, or choose another run dir")
    assert not (run_dir / "run.json").exists()  # the refused process wrote nothing


def test_wait_waits_for_the_holder_then_goes_on(tmp_path):
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    # What the waiting process meets once it has the lock: a run.json it cannot read, so it
    # stops at once with that error, without a sandbox.
    (run_dir / "run.json").write_text("[")
    lock = DirLock(run_dir)
    lock.acquire()
    proc = subprocess.Popen([*CLI, "bench", "--problem-id", PROBLEM, "--run-dir", str(run_dir), "--wait"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = proc.stderr.readline()
        assert first.startswith(f"waiting: {run_dir} is in use by pid {os.getpid()} on "), first
        assert proc.poll() is None  # still waiting while the lock is held
    finally:
        lock.release()
    rest = proc.stderr.read()
    assert proc.wait(timeout=120) == 2
    assert rest.strip() == f"error: {run_dir / 'run.json'}: not valid JSON (line 1: Expecting value); " \
                           "move it away or choose another --run-dir"


def test_a_second_search_on_the_same_study_dir_names_the_holder(tmp_path):
    study = tmp_path / "study"
    study.mkdir()
    lock = DirLock(study, "study dir")
    lock.acquire()
    try:
        p = run_cli("search", "--space", "offline", "--study-dir", str(study), "--trials", "1")
        since = lock.holder().since
    finally:
        lock.release()
    assert one_error_line(p) == (
        f"error: {study} is in use by pid {os.getpid()} on {socket.gethostname()} since {since}; "
        "wait for it with --wait, or choose another study dir")


# ---------------------------------------------------------------------------------------------
# The store on its own


def test_a_full_disk_leaves_no_torn_line_and_keeps_every_record(small_fs):
    store = RunStore(small_fs / "run")
    store.open({"config_hash": "h"})
    store.append({"problem": "a", "status": "ok", "pad": "x" * 3000})
    before = store.records_path.read_bytes()
    fill(small_fs)
    with pytest.raises(RunStoreError) as raised:
        store.append({"problem": "b", "status": "ok", "pad": "y" * 6000})
    assert str(raised.value) == (f"{store.records_path}: cannot write a record (No space left on device); "
                                 "what it held before is kept")
    assert store.records_path.read_bytes() == before
    with pytest.raises(RunStoreError, match=r"results\.json: cannot write \(No space left on device\)"):
        store.write_results({"pad": "z" * 8000})
    assert not (small_fs / "run" / "results.json.tmp").exists()
    store.close()


def test_wall_time_is_summed_over_sessions_a_killed_one_up_to_its_last_record(tmp_path):
    store = RunStore(tmp_path / "run")
    store.open({"config_hash": "h"})
    lines = [{"event": "start", "t": 1000.0, "pid": 1}, {"event": "end", "t": 1010.0, "wall_s": 10.0},
             {"event": "start", "t": 2000.0, "pid": 2},  # killed: no end
             {"event": "start", "t": 3000.0, "pid": 3}, {"event": "end", "t": 3004.5, "wall_s": 4.5}]
    store.sessions_path.write_text("".join(json.dumps(x) + "\n" for x in lines))
    store.append({"problem": "a", "status": "ok", "finished_at": 1005.0})
    store.append({"problem": "b", "status": "ok", "finished_at": 2007.0})
    timing = store.timing()
    assert timing["wall_s"] == pytest.approx(10 + 7 + 4.5)
    assert timing["sessions"] == 3
    assert timing["started_at"].startswith("1970-01-01") and timing["ended_at"] is not None
    store.close()


# ---------------------------------------------------------------------------------------------
# Under a real run


def llm_args(server) -> list[str]:
    return ["--arch", "single", "--model", "openai/fake-coder", "--api-base", server.api_base,
            "--max-sandboxes", "1", "--no-cache"]


def test_a_run_whose_file_system_fails_under_it(small_fs, openai_server):
    from problems import load_problems
    from tests.openai_server import ServerError

    require_docker()
    problems = load_problems("bundled", problem_ids=[PROBLEM, OTHER])
    # A long comment makes each record larger than a tmpfs page, so a record can never fit
    # in what is left of the page before it.
    programs = {p.description[:200]: "# " + "padding " * 700 + "\n" + reference_solutions(p, "python")[0]
                for p in problems}
    failing = {OTHER}

    def generator(body):
        text = body["messages"][-1]["content"]
        for p in problems:
            if p.description[:200] in text:
                return ServerError(500) if p.id in failing else fenced(programs[p.description[:200]])
        raise AssertionError("a prompt for no known problem")

    openai_server.script = RoleScript({"generator": generator})
    env = {"OPENAI_API_KEY": "sk-test"}
    run_dir = small_fs / "run"
    args = [*llm_args(openai_server), "--max-retries", "0", "--problem-id", PROBLEM, "--problem-id", OTHER,
            "--run-dir", str(run_dir)]

    first = run_cli("bench", *args, "--json", env=env)
    assert first.returncode == 0, first.stderr
    results = json.loads(first.stdout)
    assert [e["problem"] for e in results["errors"]] == [OTHER]
    assert results["wall_s"] > 0 and results["sessions"] == 1

    # Read-only under the run: refused before anything else, the run untouched.
    saved = {p.name: p.read_bytes() for p in run_dir.iterdir()}
    remount(small_fs, "ro")
    ro = run_cli("bench", *args, env=env)
    assert one_error_line(ro) == f"error: {run_dir}: cannot write in the run dir (Read-only file system)"
    remount(small_fs, "rw")
    assert {p.name: p.read_bytes() for p in run_dir.iterdir()} == saved

    # A full disk when the record of the problem tried again is written.
    failing.clear()
    fill(small_fs)
    records = (run_dir / "records.jsonl").read_bytes()
    stored = (run_dir / "programs.jsonl").read_bytes()
    full = run_cli("bench", *args, env=env)
    # The problem's programs are written first, before the record that names them: whichever
    # of the two did not fit is named.
    assert one_error_line(full) in (
        f"error: {run_dir / 'programs.jsonl'}: cannot write the candidate programs (No space left "
        "on device); what it held before is kept",
        f"error: {run_dir / 'records.jsonl'}: cannot write a record (No space left on device); "
        "what it held before is kept")
    assert (run_dir / "records.jsonl").read_bytes() == records  # no torn line, nothing lost
    assert (run_dir / "programs.jsonl").read_bytes() == stored

    # Room again: the run resumes with the problem that could not be saved.
    (small_fs / "filler").unlink()
    remount(small_fs, "size=1m")
    resumed = run_cli("bench", *args, "--json", env=env)
    assert resumed.returncode == 0, resumed.stderr
    assert "1 of 2 problems already done" in resumed.stderr
    summary = json.loads(resumed.stdout)
    assert summary["problems"] == 2 and summary["errors"] == []
    assert summary["sessions"] == 3  # the session stopped by the full disk counts too
    assert summary["wall_s"] > results["wall_s"]

    # Finished: read back without starting a sandbox, with the wall time of every session.
    again = run_cli("bench", *args, "--json", env=env)
    assert again.returncode == 0, again.stderr
    assert "2 of 2 problems already done" in again.stderr and "sandbox:" not in again.stderr
    assert json.loads(again.stdout)["wall_s"] == summary["wall_s"]


def test_ctrl_c_says_once_where_the_run_is_and_nothing_else(tmp_path):
    require_docker()
    run_dir = tmp_path / "run"
    proc = subprocess.Popen([*CLI, "bench", "--problem-id", PROBLEM, "--problem-id", OTHER, "--run-dir",
                             str(run_dir), "--max-sandboxes", "1"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    lines = []
    for line in proc.stderr:
        lines.append(line)
        if line.startswith("sandbox:"):
            break
    proc.send_signal(signal.SIGINT)
    rest = proc.stderr.read()
    assert proc.wait(timeout=300) == 130
    err = "".join(lines) + rest
    assert err.count("interrupted: finished problems are saved in") == 1, err
    assert "could not list" not in err and "404" not in err and "Traceback" not in err
    assert [json.loads(x)["event"] for x in (run_dir / "sessions.jsonl").read_text().splitlines()] == \
        ["start", "end"]
