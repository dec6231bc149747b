"""The most important hostile cases against the weaker local backend: it must judge them
the same way as the Docker sandbox (CPU spin, memory bombs, output cap, an orphan that
must not survive, CPU time hidden in a child that is never waited for)."""

from __future__ import annotations

import os
import time

import pytest

from sandbox.types import Limits, TestCase, Verdict
from tests.test_sandbox_hostile import LANGS, explain, program

pytestmark = pytest.mark.docker  # the module is part of the hostile suite


def _alive(pid: int) -> bool:
    """Whether pid is a live (not zombie) process on this host."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


LOCAL_MODES = dict(
    py={
        "spin": "while True:\n    pass",
        "huge": "x = bytearray(10**10)\nprint(len(x))",
        "grow": "a = []\nwhile True:\n    a.append(bytearray(4096))",
        "endless": "while True:\n    sys.stdout.write('yes\\n' * 1000)",
        "orphan": """
            pid = os.fork()
            if pid == 0:
                os.setsid()
                if os.fork() == 0:
                    for s in (signal.SIGHUP, signal.SIGTERM, signal.SIGINT):
                        signal.signal(s, signal.SIG_IGN)
                    print(os.getpid(), flush=True)
                    while True:
                        time.sleep(0.01)
                os._exit(0)
            os.waitpid(pid, 0)
            time.sleep(0.1)
        """,
        "unwaited": """
            r, w = os.pipe()
            if os.fork() == 0:
                while time.process_time() < 0.7:
                    pass
                print(42, flush=True)
                os._exit(0)
            os.close(w)
            os.read(r, 1)
        """,
        "ok": "a, b = map(int, sys.stdin.read().split())\nprint(a + b)",
    },
    cpp={
        "spin": "volatile unsigned long x = 0; for (;;) x++;",
        "huge": "std::vector<char> v(10L << 30); printf(\"%d\\n\", v[12345]);",
        "grow": "std::vector<std::vector<int>> v; for (;;) v.emplace_back(1000, 1);",
        "endless": 'for (;;) fputs("yes\\n", stdout);',
        "orphan": """
            pid_t pid = fork();
            if (pid == 0) {
                setsid();
                if (fork() == 0) {
                    signal(SIGHUP, SIG_IGN); signal(SIGTERM, SIG_IGN); signal(SIGINT, SIG_IGN);
                    printf("%d\\n", (int)getpid());
                    fflush(stdout);
                    for (;;) usleep(10000);
                }
                _exit(0);
            }
            waitpid(pid, 0, 0);
            usleep(100000);
        """,
        "unwaited": """
            int p[2]; pipe(p);
            if (fork() == 0) {
                volatile unsigned long x = 0;
                while (clock() < 0.7 * CLOCKS_PER_SEC) x++;
                puts("42"); fflush(stdout); _exit(0);
            }
            close(p[1]); char c; read(p[0], &c, 1);
        """,
        "ok": 'long a, b; scanf("%ld %ld", &a, &b); printf("%ld\\n", a + b);',
    },
    includes="#include <ctime>\n#include <vector>\n",
)


@pytest.mark.parametrize("lang", LANGS)
def test_local_backend_judges_hostile_programs_the_same(local_pool, lang):
    prog = program(lang, **LOCAL_MODES)
    limits = Limits(
        time_s=0.5, memory_mb=128, output_mb=4, file_size_mb=8, wall_s=4.0, compile_time_s=10
    )
    tests = [
        TestCase("spin\n", "0\n"),
        TestCase("huge\n", "0\n"),
        TestCase("grow\n", "0\n"),
        TestCase("endless\n", "0\n"),
        TestCase("orphan\n", None),
        TestCase("unwaited\n", "42\n"),
        TestCase("ok\n2 3\n", "5\n"),
    ]
    r = local_pool.run(prog, tests, limits)
    assert r.compile_verdict is None, r.compile_output
    assert r.attempts == 1
    got = [t.verdict for t in r.tests]
    TLE, MLE, OLE, OK = Verdict.TLE, Verdict.MLE, Verdict.OLE, Verdict.OK
    expected = [TLE, MLE, MLE, OLE, OK, TLE, OK]
    assert got == expected, explain(r)
    assert len(r.tests[3].stdout) <= limits.output_mb << 20
    orphan = int(r.tests[4].stdout.split()[0])
    assert orphan != os.getpid()
    deadline = time.monotonic() + 2.0
    while _alive(orphan) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not _alive(orphan), f"the orphan {orphan} survived its test on the host"


def test_local_and_docker_agree(local_pool, docker_pool):
    """The same hostile job gives the same verdicts on both backends."""
    prog = program("python", **LOCAL_MODES)
    tests = [TestCase(f"{m}\n", "0\n") for m in ("spin", "huge", "grow", "endless", "unwaited")]
    tests.append(TestCase("ok\n20 22\n", "42\n"))
    limits = Limits(time_s=0.5, memory_mb=128, output_mb=4, file_size_mb=8, wall_s=4.0)
    local = local_pool.run(prog, tests, limits)
    docker = docker_pool.run(prog, tests, limits)
    assert [t.verdict for t in local.tests] == [t.verdict for t in docker.tests], (
        explain(local) + "\n---\n" + explain(docker)
    )

