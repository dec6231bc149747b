"""Hostile programs against the real Docker sandbox: CPU, memory and process abuse.

Every hostile job ends with one more test of the same program in "probe" mode. That test
runs in the same container right after the hostile one, and passes only if no process of
any non-root uid is left there (other than the probe and its parent chain), /work, /tmp and
/dev/mqueue are empty and hold no data, no System V IPC object is left, and the program
still reads its input and answers normally.
After the job, a fresh probe job runs on every container of the pool, and the host is
scanned for processes of the candidate uids, so nothing survives in any container.

The shared helpers live here; the other tests/test_sandbox_hostile_*.py files import them.
"""

from __future__ import annotations

import os
import textwrap
from dataclasses import replace

import pytest

from sandbox.types import JobResult, Limits, Program, TestCase, Verdict

pytestmark = pytest.mark.docker

LANGS = ["python", "cpp"]

# Small limits keep the suite fast; wall_s is set so that sleeping programs end soon.
FAST = Limits(time_s=0.5, memory_mb=128, wall_s=1.5, compile_time_s=10)
MEM = Limits(time_s=1.0, memory_mb=128, wall_s=3.0, compile_time_s=10)

PROBE_TEST = TestCase("probe\n2 3\n", "CLEAN 5\n")

# ---------------------------------------------------------------- program builders

PY_PRELUDE = r'''
import json
import os
import signal
import sys
import time


def probe():
    """Print CLEAN <a+b> if nothing of an earlier program is left, else DIRTY <why>."""
    a, b = map(int, sys.stdin.read().split())

    def status(pid):
        with open(f"/proc/{pid}/status") as f:
            return dict(
                line.split(":", 1) for line in f.read().splitlines() if ":" in line
            )

    chain, pid = set(), os.getpid()
    while pid > 0:
        chain.add(pid)
        try:
            pid = int(status(pid)["PPid"])
        except OSError:
            break
    foreign = []
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) in chain:
            continue
        try:
            st = status(name)
        except OSError:
            continue
        uid = int(st["Uid"].split()[0])
        if uid != 0:
            foreign.append([int(name), uid, st["State"].strip(), st["Name"].strip()])
    files = {d: sorted(os.listdir(d)) for d in ("/work", "/tmp")}
    used = {}
    for d in ("/work", "/tmp"):
        s = os.statvfs(d)
        used[d] = s.f_blocks - s.f_bfree
    ipc = []
    for kind in ("shm", "msg", "sem"):
        # Not visible where each test has namespaces of its own (and an IPC namespace of
        # its own, which holds nothing of an earlier test): the host-side checks cover that.
        try:
            with open(f"/proc/sysvipc/{kind}") as f:
                ipc += f.read().splitlines()[1:]
        except OSError:
            pass
    if os.path.isdir("/dev/mqueue"):
        files["/dev/mqueue"] = sorted(os.listdir("/dev/mqueue"))
    with open("/work/probe.txt", "w") as f:  # the work dir is writable again
        f.write("x")
    os.unlink("/work/probe.txt")
    print(f"uid={os.getuid()}", file=sys.stderr)
    if foreign or any(files.values()) or any(used.values()) or ipc:
        print("DIRTY", json.dumps({"procs": foreign, "files": files, "used": used, "ipc": ipc}))
    else:
        print("CLEAN", a + b)
'''

PY_MAIN = r'''
MODE = sys.stdin.readline().strip()
if MODE == "probe":
    probe()
else:
    globals()["mode_" + MODE]()
'''

CPP_PRELUDE = r'''
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>
'''

CPP_PROBE = r'''
static long status_field(long pid, const char* key) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/status", pid);
    FILE* f = fopen(path, "r");
    if (!f) return -2;
    char line[512];
    long v = -1;
    size_t k = strlen(key);
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, key, k)) { v = strtol(line + k, 0, 10); break; }
    fclose(f);
    return v;
}

static int count_entries(const char* dir) {
    DIR* d = opendir(dir);
    if (!d) return 1000;
    int n = 0;
    while (struct dirent* e = readdir(d))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) n++;
    closedir(d);
    return n;
}

static unsigned long used_blocks(const char* dir) {
    struct statvfs s;
    if (statvfs(dir, &s)) return 1000;
    return s.f_blocks - s.f_bfree;
}

static void probe() {
    long a, b;
    if (scanf("%ld %ld", &a, &b) != 2) return;
    long chain[64];
    int n = 0;
    for (long p = getpid(); p > 0 && n < 64; p = status_field(p, "PPid:")) chain[n++] = p;
    int foreign = 0;
    DIR* d = opendir("/proc");
    while (struct dirent* e = readdir(d)) {
        char* end;
        long pid = strtol(e->d_name, &end, 10);
        if (*end || pid <= 0) continue;
        bool mine = false;
        for (int i = 0; i < n; i++) mine = mine || chain[i] == pid;
        if (mine) continue;
        long uid = status_field(pid, "Uid:");
        if (uid > 0) {
            foreign++;
            fprintf(stderr, "foreign pid %ld uid %ld\n", pid, uid);
        }
    }
    closedir(d);
    int files = count_entries("/work") + count_entries("/tmp");
    if (access("/dev/mqueue", F_OK) == 0) files += count_entries("/dev/mqueue");
    const char* ipc_kinds[] = {"/proc/sysvipc/shm", "/proc/sysvipc/msg", "/proc/sysvipc/sem"};
    for (const char* kind : ipc_kinds) {
        FILE* f = fopen(kind, "r");
        char line[512];
        for (int i = 0; f && fgets(line, sizeof line, f); i++) files += i > 0;
        if (f) fclose(f);
    }
    unsigned long used = used_blocks("/work") + used_blocks("/tmp");
    fprintf(stderr, "uid=%d\n", (int)getuid());
    if (foreign == 0 && files == 0 && used == 0) printf("CLEAN %ld\n", a + b);
    else printf("DIRTY foreign=%d files=%d used=%lu\n", foreign, files, used);
}
'''


def py_program(modes: dict[str, str]) -> Program:
    """A Python program that reads a mode word on its first input line and runs it."""
    parts = [PY_PRELUDE]
    for name, body in modes.items():
        code = textwrap.indent(textwrap.dedent(body).strip("\n"), "    ")
        parts.append(f"\ndef mode_{name}():\n{code}\n")
    parts.append(PY_MAIN)
    return Program("".join(parts), "python")


def cpp_program(modes: dict[str, str], includes: str = "") -> Program:
    """The same in C++: `modes` maps a mode word to the body of a void function."""
    parts = [CPP_PRELUDE, textwrap.dedent(includes), CPP_PROBE]
    for name, body in modes.items():
        parts.append(f"\nstatic void mode_{name}() {{\n{textwrap.dedent(body)}\n}}\n")
    parts.append("\nint main() {\n    char mode[64] = {0};\n")
    parts.append('    if (scanf("%63s", mode) != 1) return 2;\n')
    parts.append('    if (!strcmp(mode, "probe")) { probe(); return 0; }\n')
    for name in modes:
        parts.append(f'    if (!strcmp(mode, "{name}")) {{ mode_{name}(); return 0; }}\n')
    parts.append("    return 2;\n}\n")
    return Program("".join(parts), "cpp")


def program(lang: str, py: dict[str, str], cpp: dict[str, str], includes: str = "") -> Program:
    return py_program(py) if lang == "python" else cpp_program(cpp, includes)


# ---------------------------------------------------------------- checks


def host_processes_of(uids: set[int]) -> list[tuple[int, int, str]]:
    """Processes on this host (containers included) running as one of `uids`."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/status") as f:
                text = f.read()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
        uid = int(fields["Uid"].split()[0])
        if uid in uids:
            found.append((int(name), uid, fields.get("Name", "").strip()))
    return found


def probe_uid(test) -> int:
    for line in test.stderr_head.splitlines():
        if line.startswith("uid="):
            return int(line[4:])
    raise AssertionError(f"probe printed no uid: {test.stderr_head!r}")


def assert_pool_clean(pool, worker: str | None = None) -> None:
    """A normal job passes on every container of the pool, and finds nothing left there;
    no process of any candidate uid is left on the host either."""
    probe = py_program({})
    jobs = [(probe, [PROBE_TEST], FAST)] * pool.pool.size
    results = pool.run_many(jobs)
    for r in results:
        assert r.verdict is Verdict.OK, (r.worker, r.tests[0].stdout, r.tests[0].stderr_head)
        assert r.attempts == 1
    workers = {r.worker for r in results}
    assert len(workers) == pool.pool.size, f"probes did not reach every container: {workers}"
    if worker is not None:
        assert worker in workers, f"{worker} was replaced or not probed ({workers})"
    uids = {probe_uid(r.tests[0]) for r in results}
    assert all(u != 0 for u in uids)
    assert len(uids) == len(workers), "containers must not share a candidate uid"
    assert host_processes_of(uids) == []


def hostile(
    pool, prog: Program, tests: list[TestCase], limits: Limits = FAST, *, probe: bool = True
) -> JobResult:
    """Run `tests` then (unless the program cannot run at all) the probe in one job; check
    the probe, then the whole pool."""
    replaced = pool.pool.replaced
    result = pool.run(prog, [*tests, PROBE_TEST] if probe else tests, limits)
    assert result.compile_verdict is None, result.compile_output
    assert result.attempts == 1, "the job broke its sandbox and was retried"
    assert len(result.tests) == len(tests) + probe
    if probe:
        last = result.tests[-1]
        assert last.verdict is Verdict.OK, (last.stdout, last.stderr_head)
    assert pool.pool.replaced == replaced, "a container had to be replaced"
    assert_pool_clean(pool, result.worker)
    return result


def verdicts(result: JobResult, probe: bool = True) -> list[Verdict]:
    """The verdicts of the hostile tests (the trailing probe left out)."""
    return [t.verdict for t in (result.tests[:-1] if probe else result.tests)]


def explain(result: JobResult) -> str:
    return "\n".join(
        f"{t.verdict} {t.detail!r} exit={t.exit_code} sig={t.signal} cpu={t.cpu_s} "
        f"wall={t.time_s} mem={t.memory_bytes >> 20}MB out={t.stdout_head[:80]!r} "
        f"err={t.stderr_head[-300:]!r}"
        for t in result.tests
    )


# ---------------------------------------------------------------- time


@pytest.mark.parametrize("lang", LANGS)
def test_cpu_spin_and_sleep_are_tle(busy_cores, docker_pool, lang):
    prog = program(
        lang,
        py={
            "spin": "while True:\n    pass",
            "spin_no_xcpu": "signal.signal(signal.SIGXCPU, signal.SIG_IGN)\nwhile True:\n    pass",
            "sleep": "time.sleep(10**6)",
            "stop": "os.kill(os.getpid(), signal.SIGSTOP)\nprint('resumed')",
        },
        cpp={
            "spin": "volatile unsigned long x = 0; for (;;) x++;",
            "spin_no_xcpu": "signal(SIGXCPU, SIG_IGN); volatile unsigned long x = 0; for (;;) x++;",
            "sleep": "for (;;) sleep(1000000);",
            "stop": 'kill(getpid(), SIGSTOP); puts("resumed");',
        },
    )
    tests = [TestCase(f"{m}\n", "0\n") for m in ("spin", "spin_no_xcpu", "sleep", "stop")]
    r = hostile(docker_pool, prog, tests, FAST)
    assert verdicts(r) == [Verdict.TLE] * 4, explain(r)
    spin, spin_no_xcpu, sleep, stop = r.tests[:4]
    # Spinning ends at the CPU limit, however long a busy machine takes to give it that
    # much CPU; sleeping and stopped programs end at the wall backstop.
    for t in (spin, spin_no_xcpu):
        assert t.cpu_s > FAST.time_s and "CPU time" in t.detail, explain(r)
    for t in (sleep, stop):
        assert t.cpu_s < 0.2 and "wall-clock" in t.detail, explain(r)
        assert t.time_s < FAST.wall_backstop_s + 2.0, explain(r)


@pytest.mark.parametrize("lang", LANGS)
def test_reading_past_end_of_input_does_not_block(docker_pool, lang):
    """stdin ends: reads return at once. A read that can never return is a TLE."""
    prog = program(
        lang,
        py={
            "after_eof": """
                rest = sys.stdin.read()
                again = sys.stdin.read()
                raw = os.read(0, 100)
                try:
                    input()
                    print("no EOFError")
                except EOFError:
                    print(len(rest), len(again), len(raw), "eof")
            """,
            "block": "r, w = os.pipe()\nos.read(r, 1)\nprint('never')",
        },
        cpp={
            "after_eof": """
                char buf[100];
                int rest = fread(buf, 1, sizeof buf, stdin);
                int again = fread(buf, 1, sizeof buf, stdin);
                long raw = read(0, buf, sizeof buf);
                int c = getchar();
                printf("%d %d %ld %s\\n", rest, again, raw, c == EOF ? "eof" : "more");
            """,
            "block": "int p[2]; pipe(p); char c; read(p[0], &c, 1); puts(\"never\");",
        },
    )
    tests = [
        TestCase("after_eof\nxyz", "3 0 0 eof\n" if lang == "python" else "4 0 0 eof\n"),
        TestCase("block\n", "never\n"),
    ]
    r = hostile(docker_pool, prog, tests, FAST)
    assert verdicts(r) == [Verdict.OK, Verdict.TLE], explain(r)
    assert r.tests[0].time_s < 1.0
    assert "wall-clock" in r.tests[1].detail


# ---------------------------------------------------------------- memory


@pytest.mark.parametrize("lang", LANGS)
def test_memory_bombs_are_mle(docker_pool, lang):
    prog = program(
        lang,
        py={
            "huge": "x = bytearray(10**10)\nprint(len(x))",
            "grow": "a = []\nwhile True:\n    a.append(bytearray(4096))",
            "touch": """
                chunks = []
                while True:
                    c = bytearray(16 << 20)
                    for i in range(0, len(c), 4096):
                        c[i] = 1
                    chunks.append(c)
            """,
        },
        cpp={
            "huge": "std::vector<char> v(10L << 30); printf(\"%d\\n\", v[12345]);",
            "grow": "std::vector<std::vector<int>> v; for (;;) v.emplace_back(1000, 1);",
            "touch": """
                std::vector<char*> chunks;
                for (;;) {
                    char* c = new char[16 << 20];
                    for (long i = 0; i < (16 << 20); i += 4096) c[i] = 1;
                    chunks.push_back(c);
                }
            """,
        },
        includes="#include <vector>\n",
    )
    tests = [TestCase(f"{m}\n", "0\n") for m in ("huge", "grow", "touch")]
    r = hostile(docker_pool, prog, tests, MEM)
    assert verdicts(r) == [Verdict.MLE] * 3, explain(r)
    huge, grow, touch = r.tests[:3]
    assert touch.memory_bytes > 64 << 20  # the pages really were touched
    for t in r.tests[:3]:
        assert t.memory_bytes <= (MEM.memory_mb + 8) << 20
    # Under an address-space limit as well (the deepmind and strict policies), the huge
    # allocation is refused at once, before anything is touched.
    r = hostile(docker_pool, prog, tests[:1], replace(MEM, address_space_mb=MEM.memory_mb))
    assert verdicts(r) == [Verdict.MLE], explain(r)
    assert r.tests[0].memory_bytes < 64 << 20, explain(r)


def test_cpp_static_array_over_the_limit_fails(docker_pool):
    """A global array larger than the memory limit: touched, it is MLE (the kernel kills the
    test at its memory limit). Under an address-space limit it cannot even be loaded: the
    kernel kills the program during exec, before main, with SIGSEGV; nothing tells that
    apart from any other crash before main, so that is RE."""
    prog = cpp_program(
        {"static": 'for (long i = 0; i < SIZE; i += 4096) big[i] = 1; printf("%d\\n", big[1]);'},
        includes="const long SIZE = 1L << 30;\nstatic char big[SIZE];\n",
    )
    r = hostile(docker_pool, prog, [TestCase("static\n", "1\n")], MEM, probe=False)
    assert verdicts(r, probe=False) == [Verdict.MLE], explain(r)
    # The program cannot run at all, so the probe runs as a separate job afterwards.
    limited = replace(MEM, address_space_mb=MEM.memory_mb)
    r = hostile(docker_pool, prog, [TestCase("static\n", "1\n")], limited, probe=False)
    assert verdicts(r, probe=False) == [Verdict.RE], explain(r)
    assert r.tests[0].signal == 11


@pytest.mark.parametrize("lang", LANGS)
def test_deep_recursion_is_re(docker_pool, lang):
    prog = program(
        lang,
        py={"recurse": "def f(n):\n    return f(n + 1) + 1\nprint(f(0))"},
        cpp={"recurse": "printf(\"%d\\n\", f(0));"},
        includes=(
            "static int f(int n) {\n"
            "    volatile char pad[64];\n"
            "    pad[0] = (char)n;\n"
            "    return f(n + 1) + pad[0];  // not a tail call: the stack grows\n"
            "}\n"
        ),
    )
    # Under an address-space limit the stack cannot grow past it: a crash (RE). With only
    # the test's total memory limited, a C++ stack grows until the test holds its whole
    # memory: MLE. Python stops itself first with a RecursionError either way.
    for limits, cpp_verdict in ((replace(MEM, address_space_mb=MEM.memory_mb), Verdict.RE),
                                (MEM, Verdict.MLE)):
        r = hostile(docker_pool, prog, [TestCase("recurse\n", "0\n")], limits)
        want = Verdict.RE if lang == "python" else cpp_verdict
        assert verdicts(r) == [want], explain(r)
        t = r.tests[0]
        if lang == "python":
            assert "RecursionError" in t.stderr_head
        elif want is Verdict.RE:
            assert t.signal == 11  # SIGSEGV: the stack could not grow
        assert "wall-clock" not in t.detail  # it crashed; it did not hang


# ---------------------------------------------------------------- processes


@pytest.mark.parametrize("lang", LANGS)
def test_fork_bomb(docker_pool, lang):
    """Python's fork raises once the per-uid process limit is hit (RE); the C++ bomb
    ignores the failures and keeps looping (TLE). Either way nothing survives."""
    prog = program(
        lang,
        py={"bomb": "while True:\n    os.fork()"},
        cpp={"bomb": "for (;;) fork();"},
    )
    r = hostile(docker_pool, prog, [TestCase("bomb\n", "0\n")], FAST)
    expected = Verdict.RE if lang == "python" else Verdict.TLE
    assert verdicts(r) == [expected], explain(r)


@pytest.mark.parametrize("lang", LANGS)
def test_thread_bomb_is_re(docker_pool, lang):
    prog = program(
        lang,
        py={
            "threads": """
                import threading
                while True:
                    threading.Thread(target=time.sleep, args=(1000,), daemon=True).start()
            """
        },
        cpp={
            "threads": """
                std::vector<std::thread> v;
                for (;;) v.emplace_back([] { std::this_thread::sleep_for(std::chrono::seconds(1000)); });
            """
        },
        includes="#include <chrono>\n#include <thread>\n#include <vector>\n",
    )
    r = hostile(docker_pool, prog, [TestCase("threads\n", "0\n")], FAST)
    assert verdicts(r) == [Verdict.RE], explain(r)


@pytest.mark.parametrize("lang", LANGS)
def test_orphan_that_double_forks_and_setsids_is_killed(docker_pool, lang):
    """The program answers correctly (OK) but leaves a daemon behind that ignores the
    polite signals and keeps writing to /tmp: it must be gone before the next test."""
    prog = program(
        lang,
        py={
            "orphan": """
                pid = os.fork()
                if pid == 0:
                    os.setsid()
                    if os.fork() == 0:
                        for s in (signal.SIGHUP, signal.SIGTERM, signal.SIGINT):
                            signal.signal(s, signal.SIG_IGN)
                        n = 0
                        while True:
                            with open("/tmp/daemon.txt", "w") as f:
                                f.write(str(n))
                            n += 1
                            time.sleep(0.001)
                    os._exit(0)
                os.waitpid(pid, 0)
                time.sleep(0.05)
                print(7)
            """
        },
        cpp={
            "orphan": """
                pid_t pid = fork();
                if (pid == 0) {
                    setsid();
                    if (fork() == 0) {
                        signal(SIGHUP, SIG_IGN); signal(SIGTERM, SIG_IGN); signal(SIGINT, SIG_IGN);
                        for (long n = 0;; n++) {
                            FILE* f = fopen("/tmp/daemon.txt", "w");
                            if (f) { fprintf(f, "%ld", n); fclose(f); }
                            usleep(1000);
                        }
                    }
                    _exit(0);
                }
                waitpid(pid, 0, 0);
                usleep(50000);
                puts("7");
            """
        },
    )
    r = hostile(docker_pool, prog, [TestCase("orphan\n", "7\n")], FAST)
    assert verdicts(r) == [Verdict.OK], explain(r)


@pytest.mark.parametrize("lang", LANGS)
def test_killing_the_parent_and_everything_fails_harmlessly(docker_pool, lang):
    """The program's parent is outside its pid namespace (getppid() is 0), pid 1 of its
    namespace ignores its signals, and kill(-1) reaches only the program's own processes
    (here a sleeping child it made), never the supervisor, the fork server or the test's
    set-up."""
    prog = program(
        lang,
        py={
            "kill": """
                out = [f"ppid={os.getppid()}"]
                os.kill(1, signal.SIGKILL)
                time.sleep(0.05)
                os.kill(1, 0)  # still there
                out.append("init-alive")
                child = os.fork()
                if child == 0:
                    time.sleep(1000)
                    os._exit(0)
                os.kill(-1, signal.SIGKILL)
                _, status = os.waitpid(child, 0)
                out.append(f"child-sig{os.WTERMSIG(status)}")
                print(*out)
            """
        },
        cpp={
            "kill": """
                printf("ppid=%d ", (int)getppid());
                kill(1, SIGKILL);
                usleep(50000);
                printf("%s ", kill(1, 0) == 0 ? "init-alive" : "init-gone");
                pid_t child = fork();
                if (child == 0) { sleep(1000); _exit(0); }
                kill(-1, SIGKILL);
                int status = 0;
                waitpid(child, &status, 0);
                printf("child-sig%d\\n", WTERMSIG(status));
            """
        },
    )
    r = hostile(docker_pool, prog, [TestCase("kill\n", "ppid=0 init-alive child-sig9\n")], FAST)
    assert verdicts(r) == [Verdict.OK], explain(r)


@pytest.mark.parametrize("lang", LANGS)
def test_file_descriptor_exhaustion(docker_pool, lang):
    """Opening files until EMFILE hurts nobody but the program; an uncaught error is RE."""
    prog = program(
        lang,
        py={
            "fds": """
                fs = []
                try:
                    while True:
                        fs.append(open("/dev/null"))
                except OSError as e:
                    print("EMFILE" if e.errno == 24 else e)
            """,
            "fds_uncaught": "fs = []\nwhile True:\n    fs.append(os.open('/dev/null', os.O_RDONLY))",
        },
        cpp={
            "fds": 'while (open("/dev/null", O_RDONLY) >= 0) {}\nputs(errno == EMFILE ? "EMFILE" : "other");',
            "fds_uncaught": 'while (open("/dev/null", O_RDONLY) >= 0) {}\nabort();',
        },
    )
    tests = [TestCase("fds\n", "EMFILE\n"), TestCase("fds_uncaught\n", "0\n")]
    r = hostile(docker_pool, prog, tests, FAST)
    assert verdicts(r) == [Verdict.OK, Verdict.RE], explain(r)


@pytest.mark.parametrize("lang", LANGS)
def test_cpu_time_of_processes_never_waited_for_counts(busy_cores, docker_pool, lang):
    """Work handed to a child and collected through a pipe, the child never waited for
    (exited, or still alive when the program ends), is CPU time of the program: TLE. The
    same work in a child that is waited for is TLE as well."""
    # 0.7 s: over the 0.5 s limit, but well under the per-process RLIMIT_CPU of 1 s, which
    # the kernel checks on tick-sampled time that can run ahead on a loaded machine.
    burn_py = "while time.process_time() < 0.7:\n    pass\n"
    burn_cpp = "volatile unsigned long x = 0; while (clock() < 0.7 * CLOCKS_PER_SEC) x++;"
    prog = program(
        lang,
        py={
            "unwaited": """
                r, w = os.pipe()
                if os.fork() == 0:
                    os.close(r)
                    BURN
                    print(42, flush=True)
                    os._exit(0)
                os.close(w)
                os.read(r, 1)
            """.replace("BURN", burn_py.replace("\n", "\n                    ")),
            "still_alive": """
                r, w = os.pipe()
                if os.fork() == 0:
                    os.close(r)
                    BURN
                    print(42, flush=True)
                    os.close(w)
                    time.sleep(1000)
                os.close(w)
                os.read(r, 1)
            """.replace("BURN", burn_py.replace("\n", "\n                    ")),
            "waited": """
                pid = os.fork()
                if pid == 0:
                    BURN
                    print(42, flush=True)
                    os._exit(0)
                os.waitpid(pid, 0)
            """.replace("BURN", burn_py.replace("\n", "\n                    ")),
        },
        cpp={
            "unwaited": f"""
                int p[2]; pipe(p);
                if (fork() == 0) {{ close(p[0]); {burn_cpp} puts("42"); fflush(stdout); _exit(0); }}
                close(p[1]); char c; read(p[0], &c, 1);
            """,
            "still_alive": f"""
                int p[2]; pipe(p);
                if (fork() == 0) {{ close(p[0]); {burn_cpp} puts("42"); fflush(stdout); close(p[1]); sleep(1000); }}
                close(p[1]); char c; read(p[0], &c, 1);
            """,
            "waited": f"""
                pid_t pid = fork();
                if (pid == 0) {{ {burn_cpp} puts("42"); fflush(stdout); _exit(0); }}
                waitpid(pid, 0, 0);
            """,
        },
        includes="#include <ctime>\n",
    )
    tests = [TestCase(f"{m}\n", "42\n") for m in ("unwaited", "still_alive", "waited")]
    # A wall backstop with room to spare, so that the verdict comes from CPU time even on
    # a loaded machine.
    r = hostile(docker_pool, prog, tests, Limits(time_s=0.5, memory_mb=128, wall_s=6.0))
    assert verdicts(r) == [Verdict.TLE] * 3, explain(r)
    for t in r.tests[:3]:
        # Every process of the test counts, live or gone: it is stopped at the limit.
        assert t.cpu_s >= 0.5 and "CPU time" in t.detail, explain(r)


@pytest.mark.parametrize("lang", LANGS)
def test_orphan_that_signals_everything_it_can(docker_pool, lang):
    """A daemon looping kill(-1, SIGSTOP) or kill(-1, SIGKILL) stops or kills the program
    itself (TLE, RE) and tries the same on whatever cleans up after it: the clean-up must
    still win every time, without breaking or replacing the container."""
    py_daemon = """
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                while True:
                    try:
                        os.kill(-1, signal.SIG)
                    except OSError:
                        pass
            os._exit(0)
        while True:
            time.sleep(1)
    """
    cpp_daemon = """
        if (fork() == 0) { setsid(); if (fork() == 0) { for (;;) kill(-1, SIG); } _exit(0); }
        for (;;) pause();
    """
    modes = {"stop_all": "SIGSTOP", "kill_all": "SIGKILL"}
    prog = program(
        lang,
        py={m: py_daemon.replace("SIG)", f"{sig})") for m, sig in modes.items()},
        cpp={m: cpp_daemon.replace("SIG)", f"{sig})") for m, sig in modes.items()},
    )
    limits = Limits(time_s=0.5, memory_mb=128, wall_s=0.8, compile_time_s=10)
    tests = [TestCase("stop_all\n", "0\n")] * 3 + [TestCase("kill_all\n", "0\n")] * 2
    r = hostile(docker_pool, prog, tests, limits)
    assert verdicts(r) == [Verdict.TLE] * 3 + [Verdict.RE] * 2, explain(r)
